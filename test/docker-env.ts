/**
 * What Docker holds of dcbox after the container tests. Whether those tests can run at all is
 * test/requirements.ts's DOCKER_ENGINE.
 */
import { dockerSync } from '../orchestrator/containers/docker-cli.js';
import { LABEL_IMAGE, LABEL_RUN } from '../orchestrator/containers/names.js';

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
