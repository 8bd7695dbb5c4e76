/**
 * The history a simulated run writes, in the chaos format (chaos/history.ts), so the chaos
 * checkers judge a simulation exactly as they judge a real run. Times are simulated
 * milliseconds since the run began, rounded to the microsecond so a line never depends on
 * floating-point noise beyond what the seed fixes.
 */
import { type HistoryEntry, historyJsonl } from '../chaos/history.js';
import type { Scheduler } from './scheduler.js';

/** An entry before it is stamped with the time. */
export type Unstamped = HistoryEntry extends infer E
  ? E extends HistoryEntry
    ? Omit<E, 't'>
    : never
  : never;

/** The lines of one run's history, in the order they happened. */
export class HistoryLog {
  readonly entries: HistoryEntry[] = [];
  private nextOpId = 1;

  constructor(private readonly sched: Scheduler) {}

  /** Appends an entry stamped with the simulated time now. */
  add(entry: Unstamped): void {
    this.entries.push({ t: Math.round(this.sched.now * 1000) / 1000, ...entry } as HistoryEntry);
  }

  /** A fresh id pairing an operation's invoke with its completion. */
  opId(): number {
    return this.nextOpId++;
  }

  /** The history as JSON Lines, the format `dcbox chaos` writes. */
  jsonl(): string {
    return historyJsonl(this.entries);
  }
}
