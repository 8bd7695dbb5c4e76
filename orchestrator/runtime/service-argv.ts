/**
 * The command line of one emulated host's service process, in one place: the netns and local
 * runtimes spawn it, the docker runtime and docker-compose.yml run the same thing in a container.
 */
import { join } from 'node:path';
import type { Component } from '../../services/process/config.js';
import { entryFile, sourceNodeFlags } from '../../services/process/from-source.js';

/**
 * Node.js flags every service process runs with. A host's resident memory (service +
 * nats-server) has a budget of 80 MiB (issue 8's rssMiBPerHost), and a bare node process is
 * already ~41 MiB of it, so:
 * - `--max-semi-space-size=1` caps V8's young generation at 1 MiB per semi-space. Under steady
 *   traffic V8 grows it to 16 MiB per semi-space (three of them resident in the worst case),
 *   which made a busy service ~15 MiB larger than an idle one; the objects our handlers make
 *   are short-lived and small, so scavenges stay cheap.
 * - `--optimize-for-size` makes V8 grow its heap less eagerly and keep less optimized code:
 *   ~1.5 MiB less per host, for ~20% more CPU per write on node → RSSM → controller (measured
 *   with and without it; the storage path's goals are far off either way).
 * - No `--enable-source-maps` by default: it parses every loaded `.js.map` (ours and
 *   grpc-js's, ~5 MB of JSON) at start and keeps them, about 1.5 MiB per process, for stack
 *   traces that only a crash prints. `DCBOX_SOURCE_MAPS=1 dcbox up` turns it back on.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--optimize-for-size',
  ...(process.env.DCBOX_SOURCE_MAPS === '1' ? ['--enable-source-maps'] : []),
  // More flags for a profiling run, e.g. DCBOX_SERVICE_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
  ...(process.env.DCBOX_SERVICE_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
];

/**
 * The storage controller trades some memory for CPU: every write of every blade ends there, and
 * under a 4 KiB QD32 load `--optimize-for-size` cost it ~20% more CPU per write (38 → 31 µs
 * per write measured on the seed with `--no-optimize-for-size --max-semi-space-size=4`, issue
 * 19: the small young generation promotes the commands in flight, and the major collections
 * that follow run on every core). The RSSMs gained more (30 → 12 µs per write), but an idle
 * service is ~6 MiB larger without the flag, and the two RSSMs are among the smallest hosts: with
 * them the seed's median host went from 77–79 to 81–82 MiB, over its 80 MiB budget. The storage
 * host is above the median, so its own growth leaves the median where it was.
 */
const CONTROLLER_NODE_FLAGS: readonly string[] = ['--no-optimize-for-size', '--max-semi-space-size=4'];

/**
 * An RSSM forwards every write of the storage path, and `--optimize-for-size` cost it a third
 * more CPU per write (issue 19, 4 KiB QD32 loads on the seed, alternating runs: 27-31 µs per
 * write against 40; the path 10.0-10.6k IOPS against 9.0-9.1k). The RSSMs are among the
 * smallest hosts, so they can pay for it: the seed's median host stayed at 76-78 MiB. The blades
 * gained as much (42-47 µs against 54-55), but the blade running the VM is the largest host and
 * went from 96 to 100 MiB, its whole budget (bench seed sessions, `rssEach`); the path's IOPS
 * with both (10.4k, 10.4k) were within the noise of the RSSMs alone (10.5k, 9.9k).
 */
const RSSM_NODE_FLAGS: readonly string[] = ['--no-optimize-for-size'];

/** The Node.js flags of one component's process (SERVICE_NODE_FLAGS, then its own). */
export function serviceNodeFlags(component: Component): readonly string[] {
  const own =
    component === 'storage-controller' ? CONTROLLER_NODE_FLAGS : component === 'rssm' ? RSSM_NODE_FLAGS : [];
  if (own.length === 0) return SERVICE_NODE_FLAGS;
  // V8 takes the last of two contrary flags, so a profiling run's own flags still come last.
  const [memory, rest] = [SERVICE_NODE_FLAGS.slice(0, 2), SERVICE_NODE_FLAGS.slice(2)];
  return [...memory, ...own, ...rest];
}

/**
 * glibc's malloc settings of every service process, unless the environment sets its own. By
 * default malloc raises its mmap threshold to the size of the largest block freed (up to 32
 * MiB) and its trim threshold to twice that, so once a service had freed one 4 MiB buffer (a
 * VM's boot scans its whole disk in 4 MiB reads through the node, an RSSM and the controller,
 * services/hyperv-node/guest-disk.ts) every later buffer of that size came from the heap and
 * the heap kept up to 8 MiB free at its top: the three hosts on that path held 20-40 MiB more
 * for seconds after the scan (the seed's largest host 108-135 MiB, issue 19). A fixed
 * threshold gives larger buffers their own mappings, returned the moment they are freed; a
 * fixed threshold also fixes the trim threshold at its 128 KiB default, which returns the free
 * top of an idle service's heap (~2 MiB a host). Measured on the seed (bench seed sessions,
 * with the ASCII bundles of scripts/bundle.mjs), 2 MiB: median host 81-82 → 77-79 MiB, largest
 * 109-130 → 99-111 MiB; no loss of 4 KiB or 1 MiB write throughput in `dcbox io-load`.
 * 128 KiB, the size from which SAS frames get pooled buffers (services/sas/frame-buffers.ts):
 * the RSSM on the VM's path kept its large frames' buffers, freed and collected, as ~4 MiB of
 * heap it could not give back (its heap 8 MiB against 3 MiB, `/proc/<pid>/smaps`), and was the
 * host the seed's median fell on. Alternating seed sessions, 128 KiB against 2 MiB: median host
 * 77.1-77.2 against 78.4-78.8 MiB (two earlier 75.8 and 76.5), the storage session's 4 KiB and
 * 1 MiB ratios unchanged (0.172 and 0.574 against 0.167 and 0.573).
 */
export function serviceEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return env.MALLOC_MMAP_THRESHOLD_ === undefined ? { MALLOC_MMAP_THRESHOLD_: String(128 * 1024) } : {};
}

/**
 * `node <flags> <root>/dist/services/<component>/main.js --config <file>`; `node` is the
 * executable to run (the daemon's own in a namespace, `node` on the PATH in a container).
 * Under `npm run dev` (DCBOX_FROM_SOURCE=1) it is `services/<component>/main.ts` with tsx's loader.
 */
export function serviceArgv(node: string, root: string, component: Component, configFile: string): string[] {
  return [
    node,
    ...serviceNodeFlags(component),
    ...sourceNodeFlags(),
    entryFile(root, join('services', component, 'main')),
    '--config',
    configFile,
  ];
}
