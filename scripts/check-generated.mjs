// Fails when services/generated/ has drifted from proto/: regenerates into a temporary
// folder and compares file by file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const committed = join(root, 'services', 'generated');
const fresh = mkdtempSync(join(tmpdir(), 'dcbox-gen-'));
execFileSync(process.execPath, [join(root, 'scripts', 'gen-proto-types.mjs'), fresh], { stdio: 'inherit' });

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const a = walk(fresh)
  .map((p) => relative(fresh, p))
  .sort();
const b = walk(committed)
  .map((p) => relative(committed, p))
  .sort();
const drift = [];
for (const f of new Set([...a, ...b])) {
  const x = a.includes(f) ? readFileSync(join(fresh, f), 'utf8') : null;
  const y = b.includes(f) ? readFileSync(join(committed, f), 'utf8') : null;
  if (x !== y) drift.push(f);
}
rmSync(fresh, { recursive: true, force: true });
if (drift.length > 0) {
  console.error(`services/generated/ is out of date with proto/ (${drift.join(', ')}); run npm run gen`);
  process.exit(1);
}
console.log('generated types match proto/');
