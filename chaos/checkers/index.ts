/**
 * The checkers of a chaos run, each a pure function of the history, and `check` which runs them
 * all: the run fails if any invariant fails, else is unknown if any is unknown, else passes.
 */
import type { History } from '../history.js';
import { availability, type VmAvailability } from './availability.js';
import { fencingBeforeTakeover } from './fencing-before-takeover.js';
import { type LivenessAfterHealOptions, livenessAfterHeal } from './liveness-after-heal.js';
import { noLostAckedWrites } from './no-lost-acked-writes.js';
import { type NoSplitBrainOptions, noSplitBrain } from './no-split-brain.js';
import { singleCsvCoordinator } from './single-csv-coordinator.js';
import { type SurvivorContinuityOptions, survivorContinuity } from './survivor-continuity.js';
import type { CheckResult, Verdict } from './types.js';

export { availability, type VmAvailability } from './availability.js';
export { fencingBeforeTakeover } from './fencing-before-takeover.js';
export {
  LIVENESS_FACTOR,
  type LivenessAfterHealOptions,
  lastHealAt,
  livenessAfterHeal,
  livenessBoundMs,
  TAIL_MS,
} from './liveness-after-heal.js';
export { noLostAckedWrites } from './no-lost-acked-writes.js';
export { type NoSplitBrainOptions, noSplitBrain } from './no-split-brain.js';
export { type SingleCsvCoordinatorOptions, singleCsvCoordinator } from './single-csv-coordinator.js';
export { type SurvivorContinuityOptions, survivorContinuity } from './survivor-continuity.js';
export type { Checker, CheckResult, Verdict } from './types.js';

/** Tuning of every checker at once. */
export interface CheckOptions
  extends NoSplitBrainOptions,
    LivenessAfterHealOptions,
    SurvivorContinuityOptions {}

/** The judgement of a whole run. */
export interface CheckReport {
  verdict: Verdict;
  /** One result per invariant, in a fixed order. */
  invariants: CheckResult[];
  availability: Record<string, VmAvailability>;
}

/** The overall verdict: fail beats unknown beats pass. */
export function overall(results: readonly { verdict: Verdict }[]): Verdict {
  if (results.some((r) => r.verdict === 'fail')) return 'fail';
  if (results.some((r) => r.verdict === 'unknown')) return 'unknown';
  return 'pass';
}

/** Runs every checker on the history. */
export function check(history: History, opts: CheckOptions = {}): CheckReport {
  const invariants = [
    noSplitBrain(history, opts),
    singleCsvCoordinator(history, opts),
    fencingBeforeTakeover(history),
    noLostAckedWrites(history),
    livenessAfterHeal(history, opts),
    survivorContinuity(history, opts),
  ];
  return { verdict: overall(invariants), invariants, availability: availability(history) };
}
