import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanRun } from './checkers/fixtures.js';
import { analyse } from './verdict.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function historyFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'verdict-'));
  dirs.push(dir);
  const path = join(dir, 'history.jsonl');
  writeFileSync(path, text);
  return path;
}

describe('analyse', () => {
  it('judges a recorded run and renders its report', () => {
    const path = historyFile(
      cleanRun()
        .map((e) => `${JSON.stringify(e)}\n`)
        .join(''),
    );
    const a = analyse(path, { title: 'Blade 2 powered off' });
    expect(a.verdict).toBe('pass');
    expect(a.invariants).toHaveLength(6);
    expect(a.availability.vm1).toEqual({ pings: 250, lostPings: 30, downtimeMs: 3100 });
    expect(a.htmlText).toContain('<title>Blade 2 powered off — seed 42 — PASS</title>');
  });

  it('is unknown, with the bad line, when the history cannot be read', () => {
    const path = historyFile('{"t":0,"type":"run"}\n');
    const a = analyse(path);
    expect(a.verdict).toBe('unknown');
    expect(a.invariants[0]?.details).toContain(`${path}:1: phase: `);
    expect(a.htmlText).toContain('The history could not be read');
  });
});
