#!/usr/bin/env node
// The dcbox command: runs the compiled CLI (npm run build makes dist/), as its bundle's stub
// (dist/bundle/cli/main.cjs: one file to load instead of ~300 modules, compiled once and then
// taken from V8's code cache) when the build made one after the last compile (entryFile,
// services/process/from-source.ts; DCBOX_BUNDLE=0 runs dist/'s modules); or with
// DCBOX_FROM_SOURCE=1 under tsx (`npm run dev -- <arguments>`) the TypeScript source.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fromSource = process.env.DCBOX_FROM_SOURCE === '1';
const compiled = (file) => import(pathToFileURL(join(root, 'dist', file)).href);
if (!fromSource && !existsSync(join(root, 'dist', 'services', 'process', 'from-source.js'))) {
  console.error('dcbox is not built yet: run `npm run build` (or `npm run demo`, which builds first)');
  process.exit(1);
}
// The code cache of this command and of every process it starts (services/process/code-cache.ts).
if (!fromSource) process.env.DCBOX_CODE_CACHE ??= (await compiled('orchestrator/run/paths.js')).codeCacheDir;
const cli = fromSource
  ? join(root, 'cli', 'main.ts')
  : (await compiled('services/process/from-source.js')).entryFile(root, 'cli/main');
const loaded = await import(pathToFileURL(cli).href);
// A bundle's stub is CommonJS: its exports arrive as the module's default.
await (loaded.main ?? loaded.default.main)();
