// After tsc: the processes a data center starts (each host's service and the orchestrator daemon)
// are bundled by esbuild into dist/bundle/, one file per entry with the
// code they share split into chunks. A service then loads a handful of files instead of ~300
// modules one by one: on two cores, where eight services load at once, this is most of the
// start (ARCHITECTURE.md, Start). The compiled files in dist/ stay as they are; the
// orchestrator runs a bundle when it is there (orchestrator/run/from-source.ts entryFile).
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
  'orchestrator/daemon/entry',
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
  logLevel: 'warning',
});
