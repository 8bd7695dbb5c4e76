/**
 * The docker CLI as seen from the Docker host: commands run with the classic builder, the probe of
 * whether an engine answers, and the labelled networks of runs (on a free 198.19.N.0/24).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CommandError } from '../runtime/exec.js';
import { SUBNET_THIRD_OCTETS } from './names.js';
import type { ContainerPower } from './power.js';

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
export function dockerEnv(): NodeJS.ProcessEnv {
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

/**
 * Container power through the docker CLI (the docker runtime). Killing a container that is not
 * running, or one that does not stop within 30 s, is not an error: nothing more can be done.
 */
export const dockerCliPower: ContainerPower = {
  kill: (name) => docker(['kill', name]).then(ignore, ignore),
  waitStopped: (name) => docker(['wait', name], { timeoutMs: 30_000 }).then(ignore, ignore),
  start: (name) => docker(['start', name]).then(ignore),
  async initPid(name) {
    const pid = Number((await docker(['inspect', '--format', '{{.State.Pid}}', name])).trim());
    return pid > 0 ? pid : null;
  },
};

function ignore(): void {}
