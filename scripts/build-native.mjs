#!/usr/bin/env node
// Builds dcbox's native helper (native/dma.c → build/Release/dcbox_dma.node) with the node-gyp
// that comes with npm, against the running Node.js's headers. The helper is optional: without it
// (no compiler here, say) large SAS writes carry their bytes in the frame, as they did before
// (services/sas/dma.ts), so a failed build warns and exits 0. Nothing is done when the built
// file is newer than its sources. Run by `npm install` (a packed dcbox too) and `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'build', 'Release', 'dcbox_dma.node');
const sources = [join(root, 'native', 'dma.c'), join(root, 'binding.gyp')];

const mtime = (f) => statSync(f).mtimeMs;
if (existsSync(built) && sources.every((f) => mtime(f) <= mtime(built))) process.exit(0);

/** npm's own node-gyp: named by npm in its scripts, or found beside the npm that runs them. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath &&
      join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  return candidates.find((c) => c && existsSync(c));
}

/** Node's headers where they are installed beside it (Debian's nodejs, official tarballs). */
function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

const gyp = nodeGyp();
const dir = nodeDir();
const why = !gyp ? 'node-gyp was not found' : !dir ? "Node.js's headers were not found" : null;
let failed = why;
if (!failed) {
  const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${dir}`, '--loglevel=error'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0)
    failed = `node-gyp failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ')}`;
}
if (failed)
  console.warn(
    `dcbox: the native helper was not built (${failed}); large SAS writes will carry their data over TCP`,
  );
