/** The sweep of what crashed runs left in Docker: every container and network with a run label. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DOCKER, dockerEnv } from './docker-cli.js';
import { LABEL_RUN } from './names.js';

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
