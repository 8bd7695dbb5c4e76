/**
 * The arguments a container of the dcbox image is started with (host.ts and backplane.ts read
 * them): the topology file, the subnet of the run's network and the run's id.
 */
import { join } from 'node:path';
import { projectRoot } from '../../services/transport/grpc.js';
import { loadTopology, type ResolvedTopology, resolveTopology } from '../topology/topology.js';

/** The value of `--name` in argv, if given. */
export function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** "198.19.1.0/24" → "198.19.1"; only a /24 inside 198.18.0.0/15 (docs/design.md §Hosts and networks). */
export function subnetPrefix(subnet: string): string {
  const m = /^(198\.(?:18|19)\.\d{1,3})\.0\/24$/.exec(subnet);
  if (!m || Number(subnet.split('.')[2]) > 255)
    throw new Error(`--subnet ${subnet}: expected a /24 inside 198.18.0.0/15, such as 198.19.1.0/24`);
  return m[1] as string;
}

/** The topology as a container sees it, from argv. */
export function containerTopology(argv: string[]): { topo: ResolvedTopology; prefix: string; runId: string } {
  const file = argValue(argv, 'topology');
  const subnet = argValue(argv, 'subnet');
  if (!file || !subnet) throw new Error('give --topology FILE and --subnet 198.19.N.0/24 (or --dir DIR)');
  const path = file.startsWith('/') ? file : join(projectRoot, file);
  return {
    topo: resolveTopology(loadTopology(path), path, argValue(argv, 'timing')),
    prefix: subnetPrefix(subnet),
    runId: argValue(argv, 'run') ?? 'compose',
  };
}
