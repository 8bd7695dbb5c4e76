// After tsc: the processes a data center starts (each host's service, its heartbeat thread and
// the orchestrator daemon) and the command line are bundled by esbuild into dist/bundle/, one
// CommonJS file per entry (`<entry>.bundle.cjs`, everything it imports but Node's own modules)
// beside a stub (`<entry>.cjs`) that runs it with V8's code cache (services/process/code-cache.ts):
// a service then loads one file instead of ~300 modules, and from its second start compiles
// almost nothing of it. On two cores, where eight services load at once, this is most of the
// start (ARCHITECTURE.md §Start). The compiled files in dist/ stay as they are; the
// orchestrator runs a bundle's stub when it is there (services/process/from-source.ts entryFile).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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

const bundleDir = join(dist, 'bundle');
rmSync(bundleDir, { recursive: true, force: true });

// No comments and no indentation: V8 keeps every loaded script's source in its heap for lazy
// compilation, as one-byte Latin-1 only while every character is: one "→" or "—" in a comment
// made it store the whole shared chunk (1.5 MB) as two bytes a character, ~3 MiB a process.
// Without comments the output is ASCII (esbuild escapes other characters in strings) and about
// half the size, which is also half the parsing at each start without a cache. Names are kept,
// so stack traces still name their functions; `linked` source maps lead them back to dist/
// under DCBOX_SOURCE_MAPS=1.
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  logLevel: 'warning',
};

// The loader every stub requires, alone in its file.
await build({
  ...common,
  entryPoints: [join(dist, 'services', 'process', 'code-cache.js')],
  outfile: join(bundleDir, 'code-cache.cjs'),
});

await build({
  ...common,
  entryPoints: BUNDLED_ENTRIES.map((e) => join(dist, `${e}.js`)),
  outbase: dist,
  outdir: bundleDir,
  outExtension: { '.js': '.bundle.cjs' },
  // Each bundle's modules are ES modules that find files from their own place (import.meta.url);
  // in one file they all stand where the bundle does, as in the split ES module bundles before.
  define: { 'import.meta.url': '__dcboxModuleUrl' },
  banner: { js: "const __dcboxModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  sourcemap: 'linked',
});

for (const entry of BUNDLED_ENTRIES) {
  const stub = join(bundleDir, `${entry}.cjs`);
  const loader = relative(dirname(stub), join(bundleDir, 'code-cache.cjs'));
  const code = `${entry.split('/').pop()}.bundle.cjs`;
  mkdirSync(dirname(stub), { recursive: true });
  writeFileSync(
    stub,
    `'use strict';\n// Runs ${code} beside it with V8's code cache (scripts/bundle.mjs).\n` +
      `module.exports = require('./${loader}').runCached(require('node:path').join(__dirname, '${code}'), module).exports;\n`,
  );
}
