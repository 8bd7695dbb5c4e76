/**
 * The benchmark's pure arithmetic: a row of the results table, ratios against baselines, the
 * check that every baseline was really measured, the split of a failover into detection and
 * recovery, and the blackout of a VM as the workstation's echoes saw it. No I/O here, so every
 * rule that decides a verdict is unit-tested (verdict.test.ts).
 */

/** One row of the results table. */
export interface Entry {
  key: string;
  /** What was measured, median over `runs`. */
  figure: number | null;
  unit: string;
  /** Measured in the same run; null when the issue names none. */
  baseline: number | null;
  baselineUnit: string;
  /**
   * Whether the figure means nothing without its baseline (a ratio): such a row with a missing,
   * zero or non-finite baseline fails the whole run (baselineProblems).
   */
  baselineRequired: boolean;
  /** figure ÷ baseline where there is a baseline (failoverRatio: the ratio is the figure). */
  ratio: number | null;
  goal: string;
  met: boolean;
  runs: number;
  note: string;
}

/** Whether `x` can stand as a baseline: a finite number above zero. */
export function usable(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

/**
 * figure ÷ baseline, or null when either is missing or the baseline is unusable: a ratio is never
 * Infinity or NaN, the run fails on the baseline instead (baselineProblems).
 */
export function ratioOf(
  figure: number | null | undefined,
  baseline: number | null | undefined,
): number | null {
  if (typeof figure !== 'number' || !Number.isFinite(figure) || !usable(baseline)) return null;
  return figure / baseline;
}

/**
 * One line per row whose baseline is required and missing, zero or not finite, or whose ratio
 * could not be computed. An empty list means every ratio in the table stands on a measurement.
 */
export function baselineProblems(entries: readonly Entry[]): string[] {
  const out: string[] = [];
  for (const e of entries) {
    if (!e.baselineRequired) continue;
    if (!usable(e.baseline))
      out.push(
        `${e.key}: the baseline (${e.baselineUnit || 'no unit'}) came back ${describe(e.baseline)}, so there is no ratio to judge`,
      );
    else if (e.ratio === null || !Number.isFinite(e.ratio))
      out.push(
        `${e.key}: the figure came back ${describe(e.figure)}, so the ratio against its baseline is missing`,
      );
  }
  return out;
}

function describe(x: number | null | undefined): string {
  if (x === null || x === undefined) return 'missing';
  if (x === 0) return 'zero';
  return String(x);
}

/** The instants of one failover, each taken from outside the node that lost power where possible. */
export interface FailoverInstants {
  /** The orchestrator's power event for the blade (its process group SIGKILLed). */
  powerOffAtMs: number;
  /** Event 1135 (node removed) on the survivor. */
  removedAtMs: number;
  /** Event 1201 (group online) for the role on the survivor: the VM started, before its guest boots. */
  roleStartedAtMs: number;
  /** The workstation's first echo answered by the survivor (sent time + round trip). */
  answeredAtMs: number;
}

/** A failover split into detection and recovery, all from the power-off. */
export interface FailoverSplit {
  detectionMs: number;
  /** From the removal to the role's start on the survivor. */
  recoveryMs: number;
  /** Detection + recovery: the power-off to the role's start. */
  roleStartMs: number;
  /** The power-off to a VM that answers (includes the emulated guest's boot). */
  failoverMs: number;
}

/**
 * The split of a failover, or a message naming the instant that is out of order (a detection of
 * zero or less is not a measurement: the removal cannot precede the power-off).
 */
export function failoverSplit(t: FailoverInstants): FailoverSplit | string {
  const detectionMs = t.removedAtMs - t.powerOffAtMs;
  if (!(detectionMs > 0))
    return `Event 1135 at ${t.removedAtMs} is not after the power-off at ${t.powerOffAtMs}`;
  if (!(t.roleStartedAtMs >= t.removedAtMs))
    return `Event 1201 at ${t.roleStartedAtMs} is before the removal (1135) at ${t.removedAtMs}`;
  if (!(t.answeredAtMs >= t.roleStartedAtMs))
    return `the first answer at ${t.answeredAtMs} is before the role started at ${t.roleStartedAtMs}`;
  return {
    detectionMs,
    recoveryMs: t.roleStartedAtMs - t.removedAtMs,
    roleStartMs: t.roleStartedAtMs - t.powerOffAtMs,
    failoverMs: t.answeredAtMs - t.powerOffAtMs,
  };
}

/** One echo of the workstation's ping, as its stream reports it. */
export interface Echo {
  ok: boolean;
  /** When the workstation sent it (its clock, ms). */
  sentAtMs: number;
  /** Round trip of an answered echo, µs. */
  rttUs: number;
}

/**
 * The longest time the VM answered nothing, as the workstation saw it: the largest gap between
 * two consecutive answers among the echoes sent in [fromMs, toMs]. Its resolution is the echo
 * interval (a VM that never stops answering shows about one interval). Null with fewer than two
 * answers: the window proves nothing then.
 */
export function longestSilenceMs(echoes: readonly Echo[], fromMs: number, toMs: number): number | null {
  const answers = echoes
    .filter((e) => e.ok && e.sentAtMs >= fromMs && e.sentAtMs <= toMs)
    .map((e) => e.sentAtMs + e.rttUs / 1000)
    .sort((a, b) => a - b);
  if (answers.length < 2) return null;
  let longest = 0;
  for (let i = 1; i < answers.length; i++)
    longest = Math.max(longest, (answers[i] as number) - (answers[i - 1] as number));
  return longest;
}

/**
 * A live migration's blackout as the workstation saw it: from the last answer the source gave
 * before the target first answered to that first answer of the target, among the echoes sent in
 * [fromMs, toMs]. It spans the switch-over (the VM paused on the source, its last pages and
 * device state sent, resumed on the target) and whatever delayed the answers on either side of
 * it. Null when either host gave no answer there: the window shows no switch-over.
 */
export function switchOverGapMs(
  echoes: readonly (Echo & { host: string })[],
  fromMs: number,
  toMs: number,
  hosts: { source: string; target: string },
): number | null {
  const answers = echoes
    .filter((e) => e.ok && e.sentAtMs >= fromMs && e.sentAtMs <= toMs)
    .map((e) => ({ host: e.host, at: e.sentAtMs + e.rttUs / 1000 }))
    .sort((a, b) => a.at - b.at);
  const first = answers.find((a) => a.host === hosts.target);
  if (!first) return null;
  const before = answers.filter((a) => a.host === hosts.source && a.at <= first.at).at(-1);
  return before ? first.at - before.at : null;
}

/** The median of a list, or null when it is empty. */
export function medianOf(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
