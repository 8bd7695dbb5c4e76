/**
 * Leaving the cluster: this node stops its roles when it loses quorum, is removed from the
 * membership, or finds itself fenced.
 */
import { injected } from '../../../process/injected-bugs.js';
import { leftCluster } from './event-catalog.js';
import type { ClusterDecision, ClusterEffectOrTimer, ClusterMsg } from './protocol.js';
import { reconcile } from './roles.js';
import type { ClusterState, ServiceState } from './state.js';

/** The partition lost quorum: stop the cluster service here (Event 1177). */
export function loseQuorum(s0: ClusterState, now: number, pre: ClusterEffectOrTimer[] = []): ClusterDecision {
  const q = s0.quorum;
  return leaveCluster(
    s0,
    now,
    'Stopped',
    `The Cluster service is shutting down because quorum was lost: ${q.votes} of ${q.total} votes, ${q.needed} needed.`,
    'quorum-lost',
    pre,
  );
}

/** Stops the cluster service on this node: every role it runs is terminated, then it tries to rejoin. */
export function leaveCluster(
  s0: ClusterState,
  now: number,
  service: ServiceState,
  why: string,
  reason: 'quorum-lost' | 'fenced-self' | 'left-cluster' = service === 'Fenced'
    ? 'fenced-self'
    : 'left-cluster',
  pre: ClusterEffectOrTimer[] = [],
): ClusterDecision {
  const s: ClusterState = {
    ...s0,
    service,
    members: [],
    leader: null,
    leaseUntil: 0,
    fencing: null,
    pendingRemoved: [],
    witness: { ...s0.witness, arbitrating: false, arbitrationDeadline: null },
    needsRegister: true,
    // injected bug no-rejoin-after-heal: the cluster service is not started again after it
    // stopped (no recovery action), so the node neither forms nor joins until an administrator
    // starts it, however long ago the cause healed.
    ...(injected(s0.bugs, 'no-rejoin-after-heal')
      ? { service: 'Stopped' as const, adminStop: { phase: 'stopped' as const, replyTo: null } }
      : {}),
  };
  const votes = { votes: s0.quorum.votes, needed: s0.quorum.needed, total: s0.quorum.total };
  const r = reconcile(s, now);
  return { state: r.state, effects: [...pre, leftCluster(why, reason, votes), ...r.effects] };
}

/**
 * The node's own writes were refused with RESERVATION CONFLICT: it has been fenced. While it is
 * still arbitrating for the witness, the conflict is the other partition's win arriving first
 * (it preempted our keys once it held the witness): that is the lost arbitration, Event 1177.
 */
export function onVmFault(
  s: ClusterState,
  msg: Extract<ClusterMsg, { type: 'vmFault' }>,
  now: number,
): ClusterDecision {
  if (s.service === 'Fenced' || s.service === 'Stopped') return { state: s, effects: [] };
  if (s.witness.arbitrating) return loseQuorum(s, now);
  return leaveCluster(
    s,
    now,
    'Fenced',
    `This node was fenced (${msg.reason} on ${msg.name}): stopping its roles and rejoining.`,
  );
}
