import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/** Every TypeScript file under `dir`, generated code left out. */
function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.includes('generated'))
    .map((f) => join(dir, f));
}

/** The files among `files` that import from the top-level folder `target`. */
function importersOf(files: string[], target: string): string[] {
  return files.filter((f) => {
    const text = readFileSync(join(root, f), 'utf8');
    return [...text.matchAll(/(?:from|import\()\s*'(\.[^']*)'/g)].some((m) => {
      const to = relative(root, join(root, f, '..', m[1] as string));
      return to === target || to.startsWith(`${target}/`);
    });
  });
}

describe('dependency direction', () => {
  it('keeps the chaos library and the benchmarks off the CLI', () => {
    expect(importersOf([...tsFiles('chaos'), ...tsFiles('bench')], 'cli')).toEqual([]);
  });

  it('keeps the orchestrator and the services unaware of the chaos library', () => {
    expect(importersOf([...tsFiles('orchestrator'), ...tsFiles('services')], 'chaos')).toEqual([]);
  });
});
