/**
 * Membership: heartbeats and failure detection (a peer is removed after SameSubnetThreshold
 * misses), what a node learns from its peers' views, and the periodic tick that drives them.
 */

import { onCleanLeave } from './admin.js';
import { connected } from './connectivity.js';
import { takeUnreachableCsv } from './csv-coordination.js';
import { netInterfaceUnreachable, nodeJoined, nodeRemovedByHeartbeats } from './event-catalog.js';
import { viewOf } from './heartbeat-view.js';
import { noteRuns } from './held-vms.js';
import { followLeader, leaseValid, refreshQuorum } from './lease.js';
import { leaveCluster } from './leave.js';
import type { ClusterDecision, ClusterEffectOrTimer, ClusterMsg } from './protocol.js';
import { changeMembership, regroupByReachability, tryForm } from './regroup.js';
import { resendToLagging } from './replication.js';
import { failback, reportFailures, retryFailed } from './role-policies.js';
import { clearRetryMarks, reconcile } from './roles.js';
import { clearAbandonedMoves } from './stale-moves.js';
import { byId, type ClusterState, freshWindow, type View } from './state.js';

/** Every SameSubnetDelay: heartbeat the peers, form or lead (failback, retries, fencing), reconcile. */
export function onTick(s0: ClusterState, now: number): ClusterDecision {
  let s = takeUnreachableCsv(refreshQuorum(s0, now), now);
  const effects: ClusterEffectOrTimer[] = [
    { type: 'startTimer', id: 'tick', ms: s.delayMs, msg: { type: 'tick' } },
  ];
  const view = viewOf(s, now);
  for (const peer of Object.keys(s.peers))
    effects.push({ type: 'heartbeat', peer, view, timeoutMs: s.delayMs, sentAt: now });
  if (s.service !== 'Running') {
    const formed = tryForm(s, now);
    s = formed.state;
    effects.push(...formed.effects);
  } else if (s.leader === s.self && !s.fencing && s.quorum.has && s.pendingRemoved.length === 0) {
    // A leader acts on roles only with quorum won and every removed node fenced: while it still
    // arbitrates, a retry or failback could take a role from a node whose keys are not yet
    // preempted (found by a seeded campaign).
    const fb = failback(s);
    s = fb.state;
    effects.push(...fb.effects);
    const rt = retryFailed(s, now);
    s = rt.state;
    effects.push(...rt.effects);
    const cm = clearAbandonedMoves(s);
    s = cm.state;
    effects.push(...cm.effects);
    const rg = regroupByReachability(s, now);
    s = rg.state;
    effects.push(...rg.effects);
  }
  if (s.service === 'Running') {
    const rf = reportFailures(s, now);
    s = rf.state;
    effects.push(...rf.effects);
  }
  const f = s.fencing;
  if (f && !f.fenced && !f.busy && s.leader === s.self) {
    // Retry fencing that failed (storage unreachable): takeover waits until it succeeds.
    s = { ...s, fencing: { ...f, busy: true } };
    effects.push({ type: 'fence', victims: f.victims });
  }
  const r = reconcile(clearRetryMarks(s), now);
  return { state: r.state, effects: [...effects, ...r.effects] };
}

/** A heartbeat answered (learn the peer's view) or missed (count it; remove the peer at the threshold). */
export function onHbResult(
  s0: ClusterState,
  msg: Extract<ClusterMsg, { type: 'hbResult' }>,
  now: number,
): ClusterDecision {
  const prev = s0.peers[msg.peer];
  if (!prev) return { state: s0, effects: [] };
  if (msg.ok && msg.view) {
    // An answer tells of the peer as it was between the request and now: it is as fresh as the
    // request, and one to an older request than the last answer tells nothing newer. After a
    // freeze, answers queued meanwhile arrive at once, out of date and in any order (found by a
    // seeded campaign: a thawed node formed a cluster with a peer whose stale view said it was
    // still looking for one, while that peer already ran a cluster of its own).
    // An answer within a heartbeat interval of its request counts as of now, as it always did.
    const askedAt = msg.sentAt ?? now;
    if (prev.lastAskedAt !== undefined && askedAt < prev.lastAskedAt) return { state: s0, effects: [] };
    const lastOkAt = now - askedAt <= s0.delayMs ? now : askedAt;
    const peers = {
      ...s0.peers,
      [msg.peer]: { ...prev, lastOkAt, lastAskedAt: askedAt, missed: 0, down: false, view: msg.view },
    };
    const answered = { ...s0, peers };
    // The answer may show that the peer does not run a VM held here: release it at once.
    const known = noteRuns(answered, msg.peer, msg.view, askedAt);
    const r = onView(followLeader(known, msg.view, msg.sentAt, now), msg.view, now, prev.view);
    if (r.state.service === 'Running') {
      const effects = [...r.effects, ...resendToLagging(r.state, msg.peer, msg.view, askedAt)];
      return known === answered ? { state: r.state, effects } : reconcile(r.state, now, effects);
    }
    // Outside a running cluster, an answer may be what forming waited for: form now rather
    // than at the next tick.
    const f = tryForm(r.state, now);
    if (f.state.service !== 'Running') return { state: f.state, effects: [...r.effects, ...f.effects] };
    return reconcile(f.state, now, [...r.effects, ...f.effects]);
  }
  const missed = prev.missed + 1;
  const becameDown = !prev.down && missed >= s0.threshold;
  const s: ClusterState = {
    ...s0,
    peers: { ...s0.peers, [msg.peer]: { ...prev, missed, down: prev.down || becameDown } },
  };
  if (!becameDown) return { state: s, effects: [] };
  const down = onPeerDown(s, msg.peer, missed, now);
  // Every member that lost a member's heartbeats reports its interface unreachable (1126).
  if (s.service !== 'Running' || !s.members.includes(msg.peer)) return down;
  return { state: down.state, effects: [netInterfaceUnreachable(msg.peer, missed), ...down.effects] };
}

/**
 * A node outside a running cluster that hears a heartbeat from a peer it has no fresh answer
 * from asks that peer at once instead of at its next tick, as a joining node's join request
 * does: nodes that start together form (or one joins) as soon as they see each other, not a
 * heartbeat interval later. At most once per peer per heartbeat interval; a running member's
 * heartbeats keep their cadence (docs/domain.md §Heartbeats).
 */
export function probeJoining(out: ClusterDecision, peer: string, now: number): ClusterDecision {
  const s = out.state;
  const p = s.peers[peer];
  if (s.service === 'Running' || !p) return out;
  if (p.lastOkAt !== null && now - p.lastOkAt <= freshWindow(s)) return out;
  if (p.probedAt !== undefined && now - p.probedAt < s.delayMs) return out;
  return {
    state: { ...s, peers: { ...s.peers, [peer]: { ...p, probedAt: now } } },
    effects: [
      ...out.effects,
      { type: 'heartbeat', peer, view: viewOf(s, now), timeoutMs: s.delayMs, sentAt: now },
    ],
  };
}

/**
 * A member whose leader's heartbeat shows a lease reaching well past its own (the leader started
 * arbitrating, lease.ts beginArbitration) asks the leader back at once: only an answer to its own
 * request tells it how long it may follow that lease (followLeader). At most once per heartbeat
 * interval.
 */
export function probeLeader(out: ClusterDecision, v: View, now: number): ClusterDecision {
  const s = out.state;
  const p = s.peers[v.node];
  if (s.service !== 'Running' || s.leader !== v.node || !p || !leaseValid(s, now)) return out;
  if (now + (v.leaseRemainingMs ?? 0) <= s.leaseUntil + s.delayMs) return out;
  if (p.probedAt !== undefined && now - p.probedAt < s.delayMs) return out;
  return {
    state: { ...s, peers: { ...s.peers, [v.node]: { ...p, probedAt: now } } },
    effects: [
      ...out.effects,
      { type: 'heartbeat', peer: v.node, view: viewOf(s, now), timeoutMs: s.delayMs, sentAt: now },
    ],
  };
}

/** A peer missed SameSubnetThreshold heartbeats in a row (docs/domain.md §Heartbeats). */
export function onPeerDown(s: ClusterState, peer: string, missed: number, now: number): ClusterDecision {
  if (s.service !== 'Running' || !s.members.includes(peer)) return { state: s, effects: [] };
  return regroupIfActing(s, now, [nodeRemovedByHeartbeats(peer, missed, s.threshold, s.delayMs)]);
}

/**
 * The lowest-id member still running (heard, and not showing its cluster service stopped) sets
 * the membership without the others; the rest adopt its push. A member that stopped counts as
 * gone: a follower whose acting leader lost its arbitration and stopped must not wait for it
 * forever, it regroups (and loses quorum, Event 1177) itself.
 */
function regroupIfActing(
  s: ClusterState,
  now: number,
  pre: ClusterEffectOrTimer[],
  gone: string[] = [],
): ClusterDecision {
  const alive = s.members.filter(
    (m) => m === s.self || (!s.peers[m]?.down && !leftMembership(s, m) && !gone.includes(m)),
  );
  const acting = [...alive].sort(byId(s))[0];
  if (acting !== s.self || alive.length === s.members.length) return { state: s, effects: [] };
  const removed = s.members.filter((m) => !alive.includes(m));
  return changeMembership(s, alive, removed, now, pre);
}

/**
 * Whether a member's last view shows its cluster service out of this membership (stopped for lack
 * of quorum, fenced, removed): a view of this membership's epoch or a later one. A view sent
 * before the member was admitted (it answered Joining, at an older epoch) does not count: taken
 * for a departure, it made a node that had just joined regroup everyone else away at formation
 * and lose quorum (found by the deterministic simulation on four-node.yaml).
 */
function leftMembership(s: ClusterState, m: string): boolean {
  const v = s.peers[m]?.view;
  return !!v && v.service !== 'Running' && v.epoch >= s.epoch;
}

/**
 * A member that ran and now answers Joining with an older epoch restarted within the heartbeat
 * threshold (a power cycle or a killed process shorter than SameSubnetDelay × SameSubnetThreshold):
 * it left the cluster, and the acting member regroups without it so that it can join again.
 * Without this the peer kept a restarted leader as member and leader for good, and the restarted
 * node stayed Joining (found by the deterministic simulation, seed 15 of the seed topology).
 * Null when the view tells of no such restart, or this node does not act on it.
 */
function regroupRestarted(
  s0: ClusterState,
  v: View,
  now: number,
  before: View | null | undefined,
): ClusterDecision | null {
  const peer = s0.peers[v.node];
  if (
    !peer ||
    s0.service !== 'Running' ||
    v.service !== 'Joining' ||
    before?.service !== 'Running' ||
    // Its epoch went back: the process lost its state (restarted). A node that left the cluster
    // keeps its epoch, and a view that arrives late (sent before it left) must not count.
    v.epoch >= before.epoch ||
    !s0.members.includes(v.node)
  )
    return null;
  const r = regroupIfActing(
    { ...s0, peers: { ...s0.peers, [v.node]: { ...peer, view: v } } },
    now,
    [],
    [v.node],
  );
  return r.state.members.length !== s0.members.length ? r : null;
}

/**
 * Learns from a peer's view: who runs, who leads, and whether this node was removed. `before` is
 * the peer's previous view (the one this node held until this one arrived).
 */
export function onView(
  s0: ClusterState,
  v: View,
  now: number,
  before = s0.peers[v.node]?.view,
): ClusterDecision {
  let s = s0;
  const peer = s.peers[v.node];
  if (!peer) return { state: s, effects: [] };
  const restarted = regroupRestarted(s0, v, now, before);
  if (restarted) return restarted;
  if (peer.view !== v) s = { ...s, peers: { ...s.peers, [v.node]: { ...peer, view: v } } };
  // The leader's view may show it now holds the witness (it won an arbitration and told us at
  // once, pokeMembers): count it now, before its push of the new membership is judged.
  if (s.service === 'Running' && v.node === s.leader && v.witnessHeld) s = refreshQuorum(s, now);
  // A running cluster whose newer membership leaves this node out: it was removed while it was
  // frozen or cut off. Stop the roles it still believes it owns, then rejoin.
  if (
    s.service === 'Running' &&
    v.service === 'Running' &&
    v.epoch > s.epoch &&
    !v.members.includes(s.self) &&
    v.members.includes(v.node)
  ) {
    return leaveCluster(
      s,
      now,
      'Joining',
      `removed from the cluster membership (epoch ${v.epoch}) while unreachable`,
    );
  }
  // A member's cluster service was stopped by the administrator: it leaves cleanly.
  if (s.service === 'Running' && v.adminStop === 'stopped' && s.members.includes(v.node)) {
    const r = onCleanLeave(s, v.node, now);
    if (r.state !== s) return r;
  }
  // A member stopped its cluster service while another is down: a regroup is pending, and the
  // member that was to decide it may be the one that stopped. Or a member's cluster service
  // stopped (lost quorum, fenced, removed) in this membership or a later one — not a view sent
  // before it was admitted, whose epoch is older: it left, and the acting member regroups without
  // it. Without this, a member whose peers had all left kept their membership, and its leader's,
  // for good, while they waited for it to admit them (found by the deterministic simulation:
  // four-node seed 36, default timing, Pending from 530 s to the end).
  if (
    s.service === 'Running' &&
    v.service !== 'Running' &&
    s.members.includes(v.node) &&
    (s.members.some((m) => s.peers[m]?.down) || leftMembership(s, v.node))
  ) {
    const r = regroupIfActing(s, now, []);
    if (r.state !== s) return r;
  }
  // The leader admits a node that wants to join, or re-admits one that fell out.
  if (mayAdmit(s, v)) {
    const members = [...new Set([...s.members, v.node])].sort(byId(s));
    return changeMembership(s, members, [], now, [nodeJoined(v.node)]);
  }
  return { state: s, effects: [] };
}

/** Whether this leader admits (or re-admits) the node whose view `v` it just took. */
function mayAdmit(s: ClusterState, v: View): boolean {
  return (
    s.service === 'Running' &&
    s.leader === s.self &&
    s.quorum.has &&
    !s.fencing &&
    v.service !== 'Running' &&
    // A node whose service the administrator stopped stays out until it is started.
    !v.adminStop &&
    // A member's view from before it was admitted (Joining at an older epoch, overtaken by the
    // push that admitted it) is no wish to join again: re-admitting it logged a second join and
    // moved the epoch on (a real run of node-partition-witness; the simulation's order hid it).
    !(s.members.includes(v.node) && v.epoch < s.epoch) &&
    !s.peers[v.node]?.down &&
    // Only a node that every member hears, and that hears every member, joins (docs/design.md §Regroup).
    s.members.every((m) => m === v.node || connected(s, m, v.node))
  );
}
