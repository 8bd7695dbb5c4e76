import { describe, expect, it } from 'vitest';
import { entryFile, sourceNodeFlags } from './from-source.js';

describe('running from source (npm run dev)', () => {
  it('runs dist/<entry>.js compiled and <entry>.ts from source', () => {
    expect(entryFile('/p', 'orchestrator/daemon/entry', false)).toBe('/p/dist/orchestrator/daemon/entry.js');
    expect(entryFile('/p', 'services/rssm/main', true)).toBe('/p/services/rssm/main.ts');
  });

  it("adds tsx's loader by absolute URL only from source", () => {
    expect(sourceNodeFlags(false)).toEqual([]);
    const [flag, url] = sourceNodeFlags(true);
    expect(flag).toBe('--import');
    expect(url).toMatch(/^file:\/\/\/.*\/tsx\/.*\.mjs$/);
  });
});
