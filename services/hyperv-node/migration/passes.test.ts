import { describe, expect, it } from 'vitest';
import { PAGE_SIZE } from './dirty-bitmap.js';
import {
  DEFAULT_POLICY,
  estimatedCopyMs,
  measuredRate,
  nextStep,
  PASS_LIMIT,
  type PassResult,
} from './passes.js';

const MIB = 1024 * 1024;
/** A pass of `pages` pages at `mbPerS` MiB/s. */
const pass = (pages: number, mbPerS: number): PassResult => {
  const bytes = pages * PAGE_SIZE;
  return { pages, bytes, ms: (bytes / (mbPerS * MIB)) * 1000 };
};

describe('live migration pass decision', () => {
  it('always starts with pass 1, the whole memory', () => {
    expect(nextStep([], 1_000_000, PAGE_SIZE)).toEqual({ step: 'pass', pass: 1 });
  });

  it('measures the rate over every pass so far', () => {
    const done = [
      { pages: 1, bytes: 1000, ms: 10 },
      { pages: 3, bytes: 3000, ms: 10 },
    ];
    expect(measuredRate(done)).toBe(200);
    expect(measuredRate([{ pages: 1, bytes: 4096, ms: 0 }])).toBeNull();
    expect(estimatedCopyMs(256, PAGE_SIZE, [pass(131072, 100)])).toBeCloseTo(10, 5);
  });

  it('goes on with another pass while the dirty set would take longer than the budget', () => {
    // 512 MiB at 100 MiB/s; 2000 dirty pages ≈ 78 ms at that rate.
    expect(nextStep([pass(131072, 100)], 2000, PAGE_SIZE)).toEqual({ step: 'pass', pass: 2 });
  });

  it('stops and copies once the dirty set fits the blackout budget at the measured rate', () => {
    // 100 pages at 100 MiB/s ≈ 3.9 ms ≤ 5 ms.
    const step = nextStep([pass(131072, 100), pass(2000, 100)], 100, PAGE_SIZE);
    expect(step).toMatchObject({ step: 'stop-and-copy', reason: 'converged' });
    expect(step.step === 'stop-and-copy' && step.estimatedMs).toBeCloseTo(3.9, 1);
  });

  it('stops and copies a tiny dirty set even when no rate could be measured', () => {
    expect(
      nextStep([{ pages: 8, bytes: 8 * PAGE_SIZE, ms: 0 }], DEFAULT_POLICY.stopCopyMinPages, PAGE_SIZE),
    ).toEqual({
      step: 'stop-and-copy',
      reason: 'converged',
      estimatedMs: null,
    });
    expect(nextStep([{ pages: 8, bytes: 8 * PAGE_SIZE, ms: 0 }], 65, PAGE_SIZE)).toEqual({
      step: 'pass',
      pass: 2,
    });
  });

  it('suspends the VM after 10 passes even if the guest dirties faster than the copy (2008 R2)', () => {
    const done = Array.from({ length: PASS_LIMIT - 1 }, () => pass(50_000, 100));
    expect(nextStep(done, 50_000, PAGE_SIZE)).toEqual({ step: 'pass', pass: PASS_LIMIT });
    done.push(pass(50_000, 100));
    expect(nextStep(done, 50_000, PAGE_SIZE)).toMatchObject({ step: 'stop-and-copy', reason: 'pass-limit' });
  });

  it('honours a different policy (2012 R2 makes at most 5 passes)', () => {
    const policy = { ...DEFAULT_POLICY, passLimit: 5 };
    const done = Array.from({ length: 5 }, () => pass(50_000, 100));
    expect(nextStep(done, 50_000, PAGE_SIZE, policy)).toMatchObject({ reason: 'pass-limit' });
  });

  it('needs fewer passes the faster the copy goes, for the same dirty rate', () => {
    // A guest dirtying 2000 pages/s; each pass carries what was dirtied during the last.
    const passesAt = (mbPerS: number) => {
      const done: PassResult[] = [];
      let dirty = 131072;
      for (;;) {
        const step = nextStep(done, dirty, PAGE_SIZE);
        if (step.step === 'stop-and-copy') return done.length;
        const p = pass(dirty, mbPerS);
        done.push(p);
        dirty = Math.round((2000 * p.ms) / 1000);
      }
    };
    expect(passesAt(1000)).toBeLessThan(passesAt(30));
    expect(passesAt(30)).toBeLessThanOrEqual(PASS_LIMIT);
  });
});
