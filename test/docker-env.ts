/**
 * Whether the container tests can run here, and what Docker holds of dcbox afterwards. Without a
 * reachable engine they are skipped with the reason printed; `.ci/run` starts one and sets
 * DCBOX_DOCKER_TESTS=required, which turns a missing engine into a failure instead.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DOCKER, dockerSync, engineProblem } from '../orchestrator/containers/docker-cli.js';
import { BASE_IMAGE, LABEL_IMAGE, LABEL_RUN } from '../orchestrator/containers/names.js';
import { projectRoot } from '../services/transport/grpc.js';

let reason: string | null | undefined;

/** Why the container tests cannot run here (printed once), or null when they can. */
export function dockerSkipReason(): string | null {
  if (reason !== undefined) return reason;
  reason = engineProblem();
  if (!reason && process.getuid?.() !== 0)
    reason = 'not root: partitions enter the containers’ network namespaces with nsenter';
  if (!reason && !dockerSync(['images', '-q', BASE_IMAGE]).trim())
    reason = `no ${BASE_IMAGE} image: run \`bash scripts/docker-setup.sh\``;
  if (!reason && !existsSync(join(projectRoot, 'dist', 'orchestrator', 'containers', 'host.js')))
    reason = 'dcbox is not built: run `npm run build`';
  if (reason) {
    if (process.env.DCBOX_DOCKER_TESTS === 'required')
      throw new Error(`container tests are required here but cannot run: ${reason}`);
    console.warn(`container tests skipped: ${reason} (DOCKER=${DOCKER})`);
  }
  return reason;
}

/** Containers and networks of any dcbox run, and every dcbox image (repo:tag, or the id when untagged). */
export function leftInDocker(): { containers: string[]; networks: string[]; images: string[] } {
  const list = (args: string[]) => dockerSync(args).split('\n').filter(Boolean).sort();
  return {
    containers: list(['ps', '-a', '--filter', `label=${LABEL_RUN}`, '--format', '{{.Names}}']),
    networks: list(['network', 'ls', '--filter', `label=${LABEL_RUN}`, '--format', '{{.Name}}']),
    images: [
      ...new Set(
        list([
          'images',
          '-a',
          '--filter',
          `label=${LABEL_IMAGE}`,
          '--format',
          '{{.Repository}}:{{.Tag}} {{.ID}}',
        ]).map((l) => (l.startsWith('<none>') ? (l.split(' ')[1] as string) : (l.split(' ')[0] as string))),
      ),
    ],
  };
}
