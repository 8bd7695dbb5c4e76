import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryFile, sourceNodeFlags } from './from-source.js';

describe('running from source (npm run dev)', () => {
  it('runs dist/<entry>.js compiled and <entry>.ts from source', () => {
    expect(entryFile('/p', 'orchestrator/daemon/entry', false, false)).toBe(
      '/p/dist/orchestrator/daemon/entry.js',
    );
    expect(entryFile('/p', 'services/rssm/main', true)).toBe('/p/services/rssm/main.ts');
  });

  it('runs the bundle when the build made one after the last compile, and never a stale one', () => {
    const root = mkdtempSync(join(tmpdir(), 'dcbox-entry-'));
    try {
      const entry = 'services/rssm/main';
      const compiled = join(root, 'dist', `${entry}.js`);
      const bundled = join(root, 'dist', 'bundle', `${entry}.cjs`);
      mkdirSync(join(compiled, '..'), { recursive: true });
      writeFileSync(compiled, '');
      expect(entryFile(root, entry, false, true)).toBe(compiled);
      mkdirSync(join(bundled, '..'), { recursive: true });
      writeFileSync(bundled, '');
      utimesSync(compiled, 1000, 1000);
      expect(entryFile(root, entry, false, true)).toBe(bundled);
      expect(entryFile(root, entry, false, false)).toBe(compiled);
      // A compile after the bundle (tsc alone) leaves the bundle stale.
      utimesSync(compiled, 2e9, 2e9);
      expect(entryFile(root, entry, false, true)).toBe(compiled);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("adds tsx's loader by absolute URL only from source", () => {
    expect(sourceNodeFlags(false)).toEqual([]);
    const [flag, url] = sourceNodeFlags(true);
    expect(flag).toBe('--import');
    expect(url).toMatch(/^file:\/\/\/.*\/tsx\/.*\.mjs$/);
  });
});
