/**
 * What the integration suites need from the machine (root, Prometheus, Chromium, redfishtool,
 * Docker) and what happens when it is missing. By default a suite that cannot run is skipped and
 * prints one line saying why and how to install what is missing. With DCBOX_TESTS=required (set
 * by `.ci/run`) a missing requirement fails the suite instead, so CI can never pass by skipping.
 * DCBOX_DOCKER_TESTS=required, the older switch, still does the same for the Docker part alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DOCKER, dockerSync, engineProblem } from '../orchestrator/containers/docker-cli.js';
import { BASE_IMAGE } from '../orchestrator/containers/names.js';
import { projectRoot } from '../services/transport/grpc.js';

/** One thing a suite needs: how to tell that it is missing, and how to get it. */
export interface Requirement {
  /** Short name for messages ("root", "prometheus"). */
  name: string;
  /** Why it is not there, or null when it is. */
  problem: () => string | null;
  /** What to run to get it. */
  install: string;
  /** Part of the Docker tests, so DCBOX_DOCKER_TESTS=required makes it required too. */
  docker?: boolean;
}

/** The environment the switches are read from (a parameter so a test can fake it). */
export type SwitchEnv = Record<string, string | undefined>;

/** Whether a missing `req` fails the suite rather than skipping it. */
export function isRequired(req: Requirement, env: SwitchEnv = process.env): boolean {
  return env.DCBOX_TESTS === 'required' || (!!req.docker && env.DCBOX_DOCKER_TESTS === 'required');
}

/** Evaluates a requirement's check once: several suites and describes share the answer. */
function once<T>(check: () => T): () => T {
  let answer: { value: T } | undefined;
  return () => {
    answer ??= { value: check() };
    return answer.value;
  };
}

/** Whether `command` is on the PATH. */
function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const SETUP = 'run `npm run setup` (scripts/setup.sh) as root';

/** Root on Linux: the netns runtime creates network namespaces, veths and iptables rules. */
export const ROOT: Requirement = {
  name: 'root',
  problem: () =>
    process.platform !== 'linux'
      ? `not Linux (${process.platform}): the netns runtime needs Linux network namespaces`
      : process.getuid?.() !== 0
        ? 'not root: the netns runtime creates network namespaces'
        : null,
  install: 'run the tests as root on Linux (sudo npm test)',
};

/** Debian's Prometheus server, which scrapes every service in test/prometheus.test.ts. */
export const PROMETHEUS: Requirement = {
  name: 'prometheus',
  problem: once(() => (onPath('prometheus') ? null : 'no `prometheus` binary on the PATH')),
  install: `${SETUP} (Debian: apt-get install prometheus)`,
};

/** Where the dashboard's test finds Debian's chromium. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Debian's chromium, the real browser of test/dashboard.test.ts. */
export const CHROMIUM: Requirement = {
  name: 'chromium',
  problem: () => (existsSync(CHROMIUM_PATH) ? null : `no ${CHROMIUM_PATH}`),
  install: `${SETUP} (Debian: apt-get install chromium)`,
};

/** DMTF's redfishtool, which drives the MM's Redfish service in test/mm-protocols.test.ts. */
export const REDFISHTOOL: Requirement = {
  name: 'redfishtool',
  problem: once(() => (onPath('redfishtool') ? null : 'no `redfishtool` binary on the PATH')),
  install: `${SETUP} (Debian: apt-get install redfishtool)`,
};

/** ClusterLabs' fence_bladecenter from Debian's fence-agents, with the real telnet client it runs. */
export const FENCE_AGENTS: Requirement = {
  name: 'fence-agents',
  problem: () =>
    !existsSync('/usr/sbin/fence_bladecenter')
      ? 'fence_bladecenter is missing (Debian package fence-agents)'
      : !onPath('telnet')
        ? 'telnet is missing (Debian package telnet)'
        : null,
  install: SETUP,
};

/**
 * A Docker engine the container tests can use: it answers, we are root (partitions enter the
 * containers' network namespaces with nsenter), the base image is built and so is dcbox.
 */
export const DOCKER_ENGINE: Requirement = {
  name: 'docker',
  docker: true,
  problem: once(() => {
    const engine = engineProblem();
    if (engine) return `${engine} (DOCKER=${DOCKER})`;
    if (process.getuid?.() !== 0)
      return 'not root: partitions enter the containers’ network namespaces with nsenter';
    if (!dockerSync(['images', '-q', BASE_IMAGE]).trim()) return `no ${BASE_IMAGE} image`;
    if (!existsSync(join(projectRoot, 'dist', 'orchestrator', 'containers', 'host.js')))
      return 'dcbox is not built (run `npm run build`)';
    return null;
  }),
  install:
    'run `bash scripts/docker-setup.sh` as root (engine, docker-compose, base image), then `npm run build`',
};

/** `docker compose` (the v2 plugin) when present, else Debian's `docker-compose` (v1), else null. */
export const composeCommand = once((): string[] | null => {
  if (spawnSync(DOCKER, ['compose', 'version']).status === 0) return [DOCKER, 'compose'];
  if (spawnSync('docker-compose', ['version']).status === 0) return ['docker-compose'];
  return null;
});

/** docker compose or docker-compose, which test/containers.test.ts runs docker-compose.yml with. */
export const DOCKER_COMPOSE: Requirement = {
  name: 'docker-compose',
  docker: true,
  problem: () => (composeCommand() ? null : 'neither `docker compose` nor `docker-compose` answers'),
  install: 'run `bash scripts/docker-setup.sh` as root (Debian: apt-get install docker-compose)',
};

/**
 * Why `suite` cannot run here, or null when every requirement is met. When one is missing and
 * required (DCBOX_TESTS=required, or DCBOX_DOCKER_TESTS=required for the Docker part), it throws,
 * which fails the suite's file with a message naming what is missing and how to install it;
 * otherwise it prints one line saying the suite is skipped and why, and returns that reason for
 * `describe.skipIf`.
 */
export function unmet(
  suite: string,
  needs: Requirement[],
  env: SwitchEnv = process.env,
  warn: (line: string) => void = console.warn,
): string | null {
  const missing = needs.flatMap((req) => {
    const problem = req.problem();
    return problem ? [{ req, text: `${req.name}: ${problem}; ${req.install}` }] : [];
  });
  if (missing.length === 0) return null;
  const reason = missing.map((m) => m.text).join(' — ');
  const required = missing.filter((m) => isRequired(m.req, env));
  if (required.length > 0) {
    const switches = env.DCBOX_TESTS === 'required' ? 'DCBOX_TESTS=required' : 'DCBOX_DOCKER_TESTS=required';
    throw new Error(
      `${suite} is required to run (${switches}) but cannot: ${required.map((m) => m.text).join(' — ')}`,
    );
  }
  warn(`${suite} skipped: ${reason}`);
  return reason;
}
