/**
 * Docker as seen from the Docker host: the names and labels every dcbox container, network and
 * image carries, the address plan of a topology on a Docker network, the app image (built from
 * dist/ when its sources changed) and the sweep of what a crashed run left. The docker runtime,
 * `dcbox down` and the testcontainers helper share these.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CommandError } from './exec.js';
import type { HostAddress } from './types.js';

/** The image every container runs: the Dockerfile at the project root. */
export const APP_IMAGE = 'dcbox:local';
/** The base image scripts/docker-setup.sh makes from this machine's node and nats-server. */
export const BASE_IMAGE = 'dcbox-base:local';
/** Label of every container and network of a run: `dcbox down` sweeps whatever carries it. */
export const LABEL_RUN = 'dcbox.run';
/** Label naming the emulated host a container is. */
export const LABEL_HOST = 'dcbox.host';
/** Label of dcbox's images: `base` (kept as a cache) or `app`. */
export const LABEL_IMAGE = 'dcbox.image';
/** Label carrying the hash of the sources an app image was built from. */
export const LABEL_SOURCE = 'dcbox.source';

/** Where a host's files live inside its container (config.json, nats.conf, data/, logs). */
export const CONTAINER_DIR = '/var/lib/dcbox';
/** Where the project sits inside the image. */
export const CONTAINER_ROOT = '/opt/dcbox';

/** The port of the backplane (and the orchestrator's control API) on every runtime. */
export const BACKPLANE_PORT = 47100;
/** The dashboard's port in the compose and testcontainers backplane container. */
export const DASHBOARD_PORT = 8080;

/**
 * Subnets dcbox picks for its own networks: 198.19.1.0/24 .. 198.19.63.0/24, below the engine's
 * default pool (198.19.64.0/18) and beside docker0 (198.19.0.0/24), so an explicit subnet never
 * collides with what Docker allocates; the netns bridge keeps 198.18.0.0/24 (BRIEF.md §2).
 */
export const SUBNET_THIRD_OCTETS = Array.from({ length: 63 }, (_, i) => i + 1);

/**
 * The Debian client matches the Debian engine; another client earlier on the PATH may need a
 * newer API or buildx.
 */
export const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

/** Runs the docker CLI; resolves with its stdout, or rejects with the command and its stderr. */
export function docker(args: string[], opts: { timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      DOCKER,
      args,
      { encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, env: dockerEnv() },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new CommandError(
              `docker ${args.join(' ')}`,
              typeof err.code === 'number' ? err.code : null,
              stderr || err.message,
            ),
          );
        else resolve(stdout);
      },
    );
  });
}

/** The docker CLI, synchronously (for the few calls made before anything else runs). */
export function dockerSync(args: string[]): string {
  const r = spawnSync(DOCKER, args, { encoding: 'utf8', env: dockerEnv(), timeout: 120_000 });
  if (r.error) throw new CommandError(`docker ${args.join(' ')}`, null, r.error.message);
  if (r.status !== 0) throw new CommandError(`docker ${args.join(' ')}`, r.status, r.stderr);
  return r.stdout;
}

/** The classic builder: Debian's engine has no buildx plugin beside it. */
function dockerEnv(): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_BUILDKIT: '0' };
}

/** Why no Docker engine can be used from here, or null when one answers. */
export function engineProblem(): string | null {
  const r = spawnSync(DOCKER, ['version', '--format', '{{.Server.Version}}'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (r.error) return `no docker client (${r.error.message}); install Debian's docker.io`;
  if (r.status !== 0)
    return `no Docker engine answers (${(r.stderr || '').trim().split('\n')[0]}); start one with \`bash scripts/docker-setup.sh\``;
  return null;
}

/** A network of a run: its name, its /24 prefix ("198.19.1") and its gateway (the Docker host). */
export interface DockerNetwork {
  name: string;
  prefix: string;
  gateway: string;
}

/**
 * Creates a labelled bridge network on the first free subnet of SUBNET_THIRD_OCTETS (the engine
 * refuses one that overlaps an existing network, and we move on to the next).
 */
export function createNetwork(name: string, labels: Record<string, string>): DockerNetwork {
  let last = '';
  for (const n of SUBNET_THIRD_OCTETS) {
    const prefix = `198.19.${n}`;
    const r = spawnSync(
      DOCKER,
      [
        'network',
        'create',
        '--driver',
        'bridge',
        '--subnet',
        `${prefix}.0/24`,
        '--gateway',
        `${prefix}.1`,
        ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
        name,
      ],
      { encoding: 'utf8', env: dockerEnv() },
    );
    if (r.status === 0) return { name, prefix, gateway: `${prefix}.1` };
    last = r.stderr;
    if (!/overlap|in use/i.test(r.stderr)) break;
  }
  throw new CommandError(`docker network create ${name}`, 1, last);
}

const GRPC_PORT = 50051;
const NATS_PORT = 4222;
const CLUSTER_PORT = 6222;

/**
 * The address plan on a Docker network `prefix`.0/24: the gateway .1 is the Docker host, .2 the
 * backplane container (compose, testcontainers), and the hosts .10 onwards in topology order —
 * the same order the netns runtime uses.
 */
export function containerAddresses(names: string[], prefix: string): HostAddress[] {
  if (names.length > 240) throw new Error('at most 240 hosts fit in one /24');
  return names.map((name, i) => ({
    name,
    address: `${prefix}.${10 + i}`,
    grpcPort: GRPC_PORT,
    natsPort: NATS_PORT,
    clusterPort: CLUSTER_PORT,
    namespace: null,
  }));
}

/** The backplane container's address on a network (compose and testcontainers). */
export const backplaneAddress = (prefix: string) => `${prefix}.2`;

/** The container name of a host in a run. */
export const containerName = (runId: string, host: string) => `dcbox-${runId}-${host.toLowerCase()}`;

/** The files the app image copies, which its freshness is judged on. */
const IMAGE_INPUTS = [
  'Dockerfile',
  'package.json',
  'package-lock.json',
  'proto',
  'topologies',
  'observability',
  'dist',
];
const IMAGE_SKIP = new Set(['dist/test', 'dist/bench']);

/** A hash of what the app image is built from (file names, sizes and contents). */
export function sourceHash(root: string): string {
  const h = createHash('sha256');
  const walk = (path: string) => {
    const rel = relative(root, path);
    if (IMAGE_SKIP.has(rel) || !existsSync(path)) return;
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const e of readdirSync(path).sort()) walk(join(path, e));
      return;
    }
    h.update(`${rel}\0${st.size}\0`);
    h.update(readFileSync(path));
  };
  for (const p of IMAGE_INPUTS) walk(join(root, p));
  return h.digest('hex').slice(0, 16);
}

/** The source hash of an image, or null when there is no such image. */
export async function imageSource(image: string): Promise<string | null> {
  try {
    const out = await docker([
      'image',
      'inspect',
      '--format',
      `{{index .Config.Labels "${LABEL_SOURCE}"}}`,
      image,
    ]);
    return out.trim() || null;
  } catch {
    return null;
  }
}

/**
 * Builds the app image from the project unless an image built from the same sources exists.
 * Needs `npm run build` (dist/) and the base image (scripts/docker-setup.sh).
 */
export async function ensureAppImage(root: string, image = APP_IMAGE): Promise<'built' | 'cached'> {
  if (!existsSync(join(root, 'dist', 'orchestrator', 'containers', 'host.js')))
    throw new Error('dcbox is not built: run `npm run build` before building the image');
  const hash = sourceHash(root);
  if ((await imageSource(image)) === hash) return 'cached';
  await docker(['build', '--quiet', '--build-arg', `SOURCE=${hash}`, '-t', image, root], {
    timeoutMs: 600_000,
  });
  return 'built';
}

/** What Docker still holds of dcbox runs. */
export interface DockerLeftovers {
  containers: string[];
  networks: string[];
}

const lines = (s: string) => s.split('\n').filter(Boolean);

/** Containers and networks that carry a run label; empty when no engine answers. */
export function dockerLeftovers(): DockerLeftovers {
  if (!existsSync('/var/run/docker.sock') && !process.env.DOCKER_HOST)
    return { containers: [], networks: [] };
  const ls = (args: string[]) => {
    const r = spawnSync(DOCKER, args, { encoding: 'utf8', env: dockerEnv(), timeout: 10_000 });
    return r.status === 0 ? lines(r.stdout) : [];
  };
  return {
    containers: ls(['ps', '-a', '--filter', `label=${LABEL_RUN}`, '--format', '{{.Names}}']),
    networks: ls(['network', 'ls', '--filter', `label=${LABEL_RUN}`, '--format', '{{.Name}}']),
  };
}

/** Removes every container and network that carries a run label. */
export function sweepDocker(found: DockerLeftovers): void {
  if (found.containers.length)
    spawnSync(DOCKER, ['rm', '-f', '-v', ...found.containers], { env: dockerEnv(), timeout: 60_000 });
  for (const n of found.networks)
    spawnSync(DOCKER, ['network', 'rm', n], { env: dockerEnv(), timeout: 30_000 });
}
