#!/usr/bin/env node
// The dcbox command: runs the compiled CLI (npm run build makes dist/).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
if (!existsSync(cli)) {
  console.error('dcbox is not built yet: run `npm run build` (or `npm run demo`, which builds first)');
  process.exit(1);
}
const { main } = await import(cli);
await main();
