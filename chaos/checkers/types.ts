/**
 * What every checker returns. Checkers are pure functions of the history, as Jepsen's are: they
 * say pass, fail (with the offending entries) or unknown (with why — e.g. the history lacks the
 * lines the invariant needs).
 */
import type { History, HistoryEntry } from '../history.js';

/** A checker's judgement. */
export type Verdict = 'pass' | 'fail' | 'unknown';

/** One invariant's result. */
export interface CheckResult {
  name: string;
  verdict: Verdict;
  /** One or a few sentences a person can act on. */
  details: string;
  /** The entries that break the invariant (capped, in time order). */
  offending?: HistoryEntry[];
}

/** A checker: reads only the history. */
export type Checker<O = object> = (history: History, opts?: O) => CheckResult;

/** How many offending entries a result carries at most, to keep reports readable. */
export const OFFENDING_MAX = 50;

/** Caps and time-orders offending entries, without duplicates. */
export function offendingList(entries: Iterable<HistoryEntry>): HistoryEntry[] {
  return [...new Set(entries)].sort((a, b) => a.t - b.t).slice(0, OFFENDING_MAX);
}

/** Formats milliseconds since the start for details. */
export function at(t: number): string {
  return `t=${Math.round(t)} ms`;
}
