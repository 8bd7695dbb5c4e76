/**
 * The benchmark's smoke run (`npm run bench -- --quick`): every entry produces a number and a goal
 * verdict. Timings are never asserted here; the figures are for bench/RESULTS.md.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BenchResults, runBench, writeResults } from '../bench/bench.js';
import { ROOT, unmet } from './requirements.js';

const skip = unmet('test/bench.test.ts', [ROOT]);

describe.skipIf(!!skip)('npm run bench -- --quick', () => {
  it('measures every entry once and gives each a figure and a verdict against its goal', async () => {
    const r = await runBench({ quick: true });
    expect(r.sessions.filter((s) => s.error)).toEqual([]);
    // Every baseline was measured: no ratio stands on a missing or zero one.
    expect(r.problems).toEqual([]);
    const keys = r.entries.map((e) => e.key);
    expect(keys).toEqual([
      'startupMs',
      'failoverRatio',
      'failoverVsPacemaker',
      'lmThroughputRatio',
      'lmBlackoutMs',
      'iopsRatio',
      'seqWriteRatio',
      'rssMiBPerHost',
      'rssMiBLargestHost',
      'scale',
      'simSpeedRatio',
    ]);
    const skipped = ['scale', 'failoverVsPacemaker'];
    for (const e of r.entries.filter((x) => !skipped.includes(x.key))) {
      expect(Number.isFinite(e.figure), e.key).toBe(true);
      expect(typeof e.met, e.key).toBe('boolean');
      expect(e.runs, e.key).toBeGreaterThan(0);
    }
    for (const key of ['lmThroughputRatio', 'lmBlackoutMs', 'iopsRatio', 'seqWriteRatio', 'failoverRatio'])
      expect(Number.isFinite(r.entries.find((e) => e.key === key)?.ratio), key).toBe(true);
    expect(r.entries.find((e) => e.key === 'scale')).toMatchObject({ figure: null, met: false, runs: 0 });
    // Pacemaker stays out of the quick run that npm test makes.
    expect(r.entries.find((e) => e.key === 'failoverVsPacemaker')).toMatchObject({
      figure: null,
      met: false,
      runs: 0,
    });
    expect(r.sessions.map((s) => s.kind)).not.toContain('pacemaker');

    const dir = mkdtempSync('/tmp/dcbox-bench-test-');
    try {
      writeResults(r, dir);
      const written = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as BenchResults;
      expect(written.entries.map((e) => e.key)).toEqual(keys);
      expect(readFileSync(join(dir, 'RESULTS.md'), 'utf8')).toContain('| `iopsRatio` |');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
