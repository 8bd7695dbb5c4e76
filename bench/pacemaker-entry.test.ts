import { describe, expect, it } from 'vitest';
import { detectionsApart, pacemakerEntry } from './pacemaker-entry.js';

const dcbox: Record<string, number> = {
  detectionMs: 5000,
  recoveryMs: 400,
  roleStartMs: 5400,
  failoverMs: 6500,
};
const seedMedian = (k: string) => dcbox[k] ?? null;
const pcmk = (x: Record<string, number | string> = {}) => ({
  samples: {
    reps: 3,
    tokenMs: 2270,
    pcmkDetectionMs: 5050,
    pcmkRecoveryMs: 1050,
    pcmkStartMs: 6100,
    pcmkRuns: 'x',
    ...x,
  },
});

describe('failoverVsPacemaker', () => {
  it('divides dcbox’s time to the role’s start by Pacemaker’s time to the Dummy’s start', () => {
    const e = pacemakerEntry(false, 3, seedMedian, pcmk());
    expect(e.ratio).toBeCloseTo(5400 / 6100, 9);
    expect(e.figure).toBe(e.ratio);
    expect(e.baseline).toBe(6100);
    expect(e.met).toBe(true);
    expect(e.note).toContain('detection 5000 + recovery 400 = 5400 ms; to a VM that answers 6500 ms');
    expect(e.note).toContain('detection 5050 + recovery 1050 = 6100 ms');
    expect(e.note).toContain('stonith-enabled=false');
  });

  it('is not met when the detections do not match, however good the ratio', () => {
    const e = pacemakerEntry(false, 3, seedMedian, pcmk({ pcmkDetectionMs: 10_500, pcmkStartMs: 11_500 }));
    expect(e.ratio).toBeLessThan(1);
    expect(e.met).toBe(false);
    expect(e.note).toContain('DO NOT match');
  });

  it('is not met when dcbox is more than 1.3 × slower', () => {
    expect(pacemakerEntry(false, 3, seedMedian, pcmk({ pcmkStartMs: 4000 })).met).toBe(false);
  });

  it('reports missing packages as not measured, never as a pass, and does not fail the run for it', () => {
    const e = pacemakerEntry(false, 3, seedMedian, { samples: { missing: 'missing: corosync' } });
    expect(e).toMatchObject({ figure: null, met: false, runs: 0, baselineRequired: false });
    expect(e.note).toBe('not measured: missing: corosync');
  });

  it('requires the baseline when the session failed, so the run fails', () => {
    const e = pacemakerEntry(false, 3, seedMedian, { samples: null, error: 'boom' });
    expect(e).toMatchObject({ baseline: null, met: false, baselineRequired: true });
  });

  it('is skipped in a quick run', () => {
    expect(pacemakerEntry(true, 1, seedMedian, null)).toMatchObject({
      figure: null,
      met: false,
      baselineRequired: false,
    });
  });

  it('measures how far apart the detections are relative to dcbox’s', () => {
    expect(detectionsApart(5000, 5500)).toBeCloseTo(0.1, 9);
    expect(detectionsApart(0, 5500)).toBeNull();
    expect(detectionsApart(5000, null)).toBeNull();
  });
});
