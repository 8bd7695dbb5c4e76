// After tsc: the processes a data center starts (each host's service and the orchestrator daemon)
// are bundled by esbuild into dist/bundle/, one file per entry with the
// code they share split into chunks. A service then loads a handful of files instead of ~300
// modules one by one: on two cores, where eight services load at once, this is most of the
// start (ARCHITECTURE.md, Start). The compiled files in dist/ stay as they are; the
// orchestrator runs a bundle when it is there (services/process/from-source.ts entryFile).
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** The entry points, named from the root without extension, as entryFile names them. */
export const BUNDLED_ENTRIES = [
  'services/hyperv-node/main',
  'services/management-module/main',
  'services/quorum/main',
  'services/rssm/main',
  'services/storage-controller/main',
  'services/workstation/main',
  // A node's heartbeat thread (services/hyperv-node/cluster/netft/).
  'services/hyperv-node/cluster/netft/worker',
  'orchestrator/daemon/entry',
  // The command line (bin/dcbox.js runs its bundle) and the simulation swarm's worker thread.
  'cli/main',
  'cli/sim-swarm-worker',
];

rmSync(join(dist, 'bundle'), { recursive: true, force: true });
await build({
  entryPoints: BUNDLED_ENTRIES.map((e) => join(dist, `${e}.js`)),
  outbase: dist,
  outdir: join(dist, 'bundle'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The CommonJS libraries (grpc-js, protobufjs) call require() for Node's own modules, which an
  // ES module bundle has only through createRequire.
  banner: {
    js: "import { createRequire as __dcboxRequire } from 'node:module'; const require = __dcboxRequire(import.meta.url);",
  },
  // No comments and no indentation: V8 keeps every loaded script's source in its heap for lazy
  // compilation, as one-byte Latin-1 only while every character is: one "→" or "—" in a comment
  // made it store the whole shared chunk (1.5 MB) as two bytes a character, ~3 MiB a process.
  // Without comments the output is ASCII (esbuild escapes other characters in strings) and
  // about half the size, which is also half the parsing at each service's start. Names are
  // kept, so stack traces still name their functions; `linked` source maps lead them back to
  // dist/ under DCBOX_SOURCE_MAPS=1.
  minifyWhitespace: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
