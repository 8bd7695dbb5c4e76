#!/usr/bin/env node
// The dcbox command: runs the compiled CLI (npm run build makes dist/), or with
// DCBOX_FROM_SOURCE=1 under tsx (`npm run dev -- <arguments>`) the TypeScript source.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fromSource = process.env.DCBOX_FROM_SOURCE === '1';
const cli = fromSource ? join(root, 'cli', 'main.ts') : join(root, 'dist', 'cli', 'main.js');
if (!existsSync(cli)) {
  console.error('dcbox is not built yet: run `npm run build` (or `npm run demo`, which builds first)');
  process.exit(1);
}
const { main } = await import(cli);
await main();
