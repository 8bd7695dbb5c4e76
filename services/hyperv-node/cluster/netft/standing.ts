/**
 * The view a node's heartbeat thread answers with (worker.ts): the cluster service's latest view,
 * with the two figures that run out with time carried as deadlines, so that an answer given later
 * than the view was made never claims more lease, or a fresher hold on the witness, than the node
 * had at that moment (lease.ts followLeader trusts the remaining lease of an answer).
 *
 * Type imports only: the heartbeat thread loads this file, and nothing of the core.
 */
import type { StandingView, View } from '../core/state.js';

export type { StandingView } from '../core/state.js';

/** The standing view as it holds at `now`: what a heartbeat answer given then carries. */
export function answerAt(sv: StandingView, now: number): View {
  return {
    ...sv.view,
    leaseRemainingMs: Math.max(0, sv.leaseUntil - now),
    witnessHeld: sv.witnessFreshUntil !== null && now <= sv.witnessFreshUntil,
  };
}
