#!/usr/bin/env node
// The dcbox command: runs the compiled CLI (npm run build makes dist/), as its bundle
// (dist/bundle/cli/main.js, a few files to load instead of ~300 modules) when the build made one
// after the last compile (entryFile, services/process/from-source.ts; DCBOX_BUNDLE=0 runs dist/'s
// modules); or with DCBOX_FROM_SOURCE=1 under tsx (`npm run dev -- <arguments>`) the TypeScript source.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fromSource = process.env.DCBOX_FROM_SOURCE === '1';
const chooser = join(root, 'dist', 'services', 'process', 'from-source.js');
if (!fromSource && !existsSync(chooser)) {
  console.error('dcbox is not built yet: run `npm run build` (or `npm run demo`, which builds first)');
  process.exit(1);
}
const cli = fromSource
  ? join(root, 'cli', 'main.ts')
  : (await import(pathToFileURL(chooser).href)).entryFile(root, 'cli/main');
const { main } = await import(pathToFileURL(cli).href);
await main();
