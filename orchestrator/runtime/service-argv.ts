/**
 * The command line of one emulated host's service process, in one place: the netns and local
 * runtimes spawn it, the docker runtime and docker-compose.yml run the same thing in a container.
 */
import { join } from 'node:path';
import type { Component } from '../../services/process/config.js';
import { entryFile, sourceNodeFlags } from '../run/from-source.js';

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
 * `node <flags> <root>/dist/services/<component>/main.js --config <file>`; `node` is the
 * executable to run (the daemon's own in a namespace, `node` on the PATH in a container).
 * Under `npm run dev` (DCBOX_FROM_SOURCE=1) it is `services/<component>/main.ts` with tsx's loader.
 */
export function serviceArgv(node: string, root: string, component: Component, configFile: string): string[] {
  return [
    node,
    ...SERVICE_NODE_FLAGS,
    ...sourceNodeFlags(),
    entryFile(root, join('services', component, 'main')),
    '--config',
    configFile,
  ];
}
