import { describe, expect, it } from 'vitest';
import { ceilingNote, errorLines, moveRatios, runProblems } from './bench.js';
import {
  baselineProblems,
  type Entry,
  failoverSplit,
  longestSilenceMs,
  medianOf,
  ratioOf,
  switchOverGapMs,
} from './verdict.js';

const row = (x: Partial<Entry>): Entry => ({
  key: 'iopsRatio',
  figure: 100,
  unit: 'IOPS',
  baseline: 200,
  baselineUnit: 'IOPS (fio)',
  baselineRequired: true,
  ratio: 0.5,
  goal: '≥ 0.5',
  met: true,
  runs: 1,
  note: '',
  ...x,
});

describe('ratios against baselines', () => {
  it('divides a figure by a measured baseline', () => {
    expect(ratioOf(6000, 5000)).toBe(1.2);
  });

  it('gives no ratio, never Infinity or NaN, when the baseline is zero, missing or not finite', () => {
    for (const b of [0, null, undefined, Number.NaN, Number.POSITIVE_INFINITY, -5])
      expect(ratioOf(6000, b), String(b)).toBeNull();
    expect(ratioOf(null, 5000)).toBeNull();
    expect(ratioOf(Number.NaN, 5000)).toBeNull();
  });
});

describe('baseline validation', () => {
  it('accepts rows whose baselines were measured', () => {
    expect(baselineProblems([row({})])).toEqual([]);
  });

  it('fails a row whose required baseline came back zero or missing, naming the row', () => {
    const problems = baselineProblems([
      row({ baseline: 0, ratio: null }),
      row({ key: 'lmThroughputRatio', baseline: null, ratio: null }),
    ]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^iopsRatio: the baseline .* came back zero/);
    expect(problems[1]).toMatch(/^lmThroughputRatio: the baseline .* came back missing/);
  });

  it('fails a row whose baseline is there but whose figure is missing', () => {
    expect(baselineProblems([row({ figure: null, ratio: null })])[0]).toMatch(/figure came back missing/);
  });

  it('leaves rows that need no baseline alone', () => {
    expect(
      baselineProblems([row({ key: 'startupMs', baseline: null, ratio: null, baselineRequired: false })]),
    ).toEqual([]);
  });

  it('fails the run on a failed session as well as on a missing baseline', () => {
    const sessions = [
      { kind: 'seed', samples: null, error: 'the cluster did not form', ms: 1 },
      { kind: 'lm-io', samples: {}, ms: 1 },
    ];
    expect(runProblems(sessions, [row({ baseline: 0, ratio: null })])).toEqual([
      'session seed failed: the cluster did not form',
      expect.stringMatching(/^iopsRatio: the baseline/),
    ]);
    expect(runProblems([{ kind: 'lm-io', samples: {}, ms: 1 }], [row({})])).toEqual([]);
  });
});

describe('a failover split into detection and recovery', () => {
  const t = { powerOffAtMs: 1000, removedAtMs: 6000, roleStartedAtMs: 6300, answeredAtMs: 7400 };

  it('measures detection from the power event to Event 1135, recovery from there to Event 1201', () => {
    expect(failoverSplit(t)).toEqual({
      detectionMs: 5000,
      recoveryMs: 300,
      roleStartMs: 5300,
      failoverMs: 6400,
    });
  });

  it('refuses a removal that does not come after the power-off: a detection of zero is no baseline', () => {
    expect(failoverSplit({ ...t, removedAtMs: 1000 })).toMatch(/1135 .* not after the power-off/);
    expect(failoverSplit({ ...t, removedAtMs: 900 })).toMatch(/not after/);
  });

  it('refuses a role start before the removal and an answer before the role started', () => {
    expect(failoverSplit({ ...t, roleStartedAtMs: 5000 })).toMatch(/1201 .* before the removal/);
    expect(failoverSplit({ ...t, answeredAtMs: 6200 })).toMatch(/before the role started/);
  });
});

describe('a blackout as the workstation sees it', () => {
  const every2ms = (from: number, to: number, rttUs = 300) =>
    Array.from({ length: (to - from) / 2 }, (_, i) => ({ ok: true, sentAtMs: from + 2 * i, rttUs }));

  it('is the longest gap between two answers in the window', () => {
    const lost = Array.from({ length: 7 }, (_, i) => ({ ok: false, sentAtMs: 120 + 2 * i, rttUs: 0 }));
    const echoes = [...every2ms(100, 120), ...lost, ...every2ms(134, 160)];
    // The last answer before the switch-over: sent at 118; the first after: sent at 134.
    expect(longestSilenceMs(echoes, 100, 160)).toBeCloseTo(16, 5);
  });

  it('counts a late answer at the time it came, not the time it was sent', () => {
    const echoes = [...every2ms(100, 120), { ok: true, sentAtMs: 120, rttUs: 25_000 }, ...every2ms(146, 160)];
    expect(longestSilenceMs(echoes, 100, 160)).toBeCloseTo(145 - 118.3, 5);
  });

  it('shows about one interval when nothing stopped', () => {
    expect(longestSilenceMs(every2ms(100, 200), 100, 200)).toBeCloseTo(2, 5);
  });

  it('proves nothing with fewer than two answers', () => {
    expect(longestSilenceMs([{ ok: true, sentAtMs: 100, rttUs: 1 }], 0, 1000)).toBeNull();
    expect(longestSilenceMs(every2ms(100, 200), 300, 400)).toBeNull();
  });
});

describe("a live migration's switch-over as the workstation sees it", () => {
  const from = (host: string, first: number, last: number) =>
    Array.from({ length: (last - first) / 2 + 1 }, (_, i) => ({
      ok: true,
      host,
      sentAtMs: first + 2 * i,
      rttUs: 300,
    }));
  const hosts = { source: 'A', target: 'B' };

  it("runs from the source's last answer before the target's first to that first answer", () => {
    // A 12 ms hiccup on the source during the pre-copy is not the switch-over's: 130 → 142.
    const echoes = [...from('A', 100, 130), ...from('A', 142, 170), ...from('B', 178, 200)];
    expect(switchOverGapMs(echoes, 100, 200, hosts)).toBeCloseTo(8, 5);
  });

  it("leaves out a source answer that came after the target's first, however late it was sent", () => {
    const late = { ok: true, host: 'A', sentAtMs: 150, rttUs: 40_000 };
    const echoes = [...from('A', 100, 148), late, ...from('B', 160, 200)];
    // The target answered first at 160.3; the source's last answer before it came at 148.3.
    expect(switchOverGapMs(echoes, 100, 200, hosts)).toBeCloseTo(12, 5);
  });

  it('shows no switch-over when either host never answered in the window', () => {
    expect(switchOverGapMs(from('A', 100, 200), 100, 200, hosts)).toBeNull();
    expect(switchOverGapMs(from('B', 100, 200), 100, 200, hosts)).toBeNull();
  });
});

describe('medians', () => {
  it('is null for no runs, the middle one otherwise', () => {
    expect(medianOf([])).toBeNull();
    expect(medianOf([3, 1, 2])).toBe(2);
    expect(medianOf([4, 1, 2, 3])).toBe(2.5);
  });
});

describe('a failed session', () => {
  it("keeps its error's message as well as its last lines, not just the stack", () => {
    const out = [
      'Error: make ScaleVM9 highly available: UNAVAILABLE',
      ...Array.from({ length: 8 }, (_, i) => `    at f${i} (x.js:${i}:1)`),
    ];
    expect(errorLines(out.join('\n'))).toBe(
      'Error: make ScaleVM9 highly available: UNAVAILABLE |     at f3 (x.js:3:1) |     at f4 (x.js:4:1) |     at f5 (x.js:5:1) |     at f6 (x.js:6:1) |     at f7 (x.js:7:1)',
    );
    expect(errorLines('one line\n')).toBe('one line');
  });
});

describe('the live migration row', () => {
  it("reads every move's ratio, for the goal that each move is at least 0.6", () => {
    expect(moveRatios({ lmRatios: '0.35, 0.29, 0.56' })).toEqual([0.35, 0.29, 0.56]);
    expect(moveRatios({})).toEqual([]);
  });
});

describe("the storage rows' ceilings", () => {
  it('names what bare processes reached, each against the ceilings session’s own fio', () => {
    const c = { oneProcessIops: 28594, twoProcessesIops: 16514, relayedIops: 14519, fioIops: 50052 };
    const note = ceilingNote(c, 'Iops');
    expect(note).toContain('against its own fio (50052)');
    expect(note).toContain('one process, no transport, 28594 (0.57 of fio)');
    expect(note).toContain('a writer and a store over TCP 16514 (0.33 of fio)');
    expect(note).toContain('with a relay between them 14519 (0.29 of fio)');
    expect(ceilingNote(null, 'Iops')).toBe('');
  });
});
