/**
 * What a node tells its peers in every heartbeat (its view), and the out-of-cadence heartbeats a
 * leader sends its members when its lease or its hold on the witness changes.
 */
import { hearsOf } from './connectivity.js';
import { runningVms } from './held-vms.js';
import { leaseValid, witnessFresh } from './lease.js';
import type { ClusterEffectOrTimer } from './protocol.js';
import { localResourceState } from './roles.js';
import { movesUnderWay } from './stale-moves.js';
import { type ClusterState, freshWindow, type ResourceState, type StandingView, type View } from './state.js';

/** This node's view, sent with every heartbeat. */
export function viewOf(s: ClusterState, now: number): View {
  const roles: Record<string, ResourceState> = {};
  for (const r of Object.values(s.config.roles))
    if (r.owner === s.self) roles[r.name] = localResourceState(s, r);
  return {
    node: s.self,
    service: s.service,
    epoch: s.epoch,
    members: s.members,
    leader: s.leader,
    configVersion: s.config.version,
    witness: { owner: s.witness.owner, epoch: s.witness.epoch, status: s.witness.status },
    witnessHeld: witnessFresh(s, now),
    roles,
    runs: runningVms(s),
    moves: movesUnderWay(s),
    leaseRemainingMs: leaseValid(s, now) ? s.leaseUntil - now : 0,
    hears: hearsOf(s),
    ...(s.adminStop ? { adminStop: s.adminStop.phase } : {}),
    madeAt: now,
  };
}

/**
 * This node's view with the deadlines of its lease and of its hold on the witness: what its
 * heartbeat thread answers with while the service is busy (netft/standing.ts answerAt gives
 * back `viewOf(s, t)`'s lease and witness figures at any later `t`).
 */
export function standingView(s: ClusterState, now: number): StandingView {
  const view = viewOf(s, now);
  const defended = s.witness.lastDefendOkAt;
  return {
    view,
    leaseUntil: leaseValid(s, now) ? s.leaseUntil : now - 1,
    witnessFreshUntil: view.witnessHeld && defended !== null ? defended + freshWindow(s) : null,
  };
}

/**
 * Whether a peer's view is older than the one this node already took from it, by the peer's own
 * clock (which a restart does not turn back). A heartbeat request can arrive late and out of
 * order (delayed, reordered or duplicated by the network, as UDP heartbeats are on a real
 * cluster): taken, the peer's view from before it formed the cluster, Joining at epoch 0, read
 * as a restart, and its member regrouped it away and formed a second cluster of its own with the
 * witness 4 ms after the first (found by the simulation's swarm, seed 368 of the default timing).
 */
export function staleView(before: View | null | undefined, v: View): boolean {
  return before?.madeAt !== undefined && v.madeAt !== undefined && v.madeAt < before.madeAt;
}

/**
 * Heartbeats every other member at once, out of the usual cadence: the leader does so when it
 * starts arbitrating and when it wins, so that its members follow its lease and see it hold the
 * witness within a round trip instead of at their next tick (lease.ts followLeader).
 */
export function pokeMembers(s: ClusterState, now: number): ClusterEffectOrTimer[] {
  const view = viewOf(s, now);
  return s.members
    .filter((m) => m !== s.self && s.peers[m] && !s.peers[m]?.down)
    .map((peer) => ({ type: 'heartbeat', peer, view, timeoutMs: s.delayMs, sentAt: now }));
}
