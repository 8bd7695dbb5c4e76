/**
 * The administrator's verbs on a node, beside the leader's commands (commands.ts pauseNode,
 * resumeNode): the drain of a paused node, stopping and starting the cluster service, and what
 * the other members do when a node leaves cleanly (docs/domain.md §Administrator verbs).
 *
 * A drain runs on the node being drained: it moves its roles one at a time through the ordinary
 * move workflow (moves.ts), to the node the failover policy chooses, so there is at most one
 * migration per node pair. A stop drains the same way by quick migration, then leaves the
 * membership and stays out until it is started; the acting leader removes it without fencing
 * when it owns no role any more.
 */
import { drainBlocked, nodeLeftCleanly, serviceStarted, serviceStopping } from './admin-events.js';
import { leftCluster } from './event-catalog.js';
import { onMoveRequest } from './moves.js';
import { chooseTarget } from './policy.js';
import type { ClusterDecision, ClusterEffectOrTimer, ClusterMsg } from './protocol.js';
import { changeMembership } from './regroup.js';
import { reconcile } from './roles.js';
import { byId, type ClusterState, hostsFor, type RoleConfig } from './state.js';

const none = (s: ClusterState): ClusterDecision => ({ state: s, effects: [] });

/** How this node's roles must leave it now: live for a drain, quick for a stop, or not at all. */
function drainKind(s: ClusterState): 'live' | 'quick' | null {
  if (s.adminStop?.phase === 'stopping') return 'quick';
  return s.config.paused?.[s.self]?.drain ? 'live' : null;
}

/** The roles this node owns that a drain may move now (nothing in flight on their VMs). */
function movable(s: ClusterState): RoleConfig[] {
  return Object.values(s.config.roles)
    .filter((r) => r.owner === s.self && !r.moving && !r.failed && !s.vmBusy[r.name])
    .filter((r) => !s.drainFailed?.includes(r.name))
    .filter((r) => ['Running', 'Off', 'Saved', 'Absent'].includes(s.vms[r.name] ?? 'Absent'))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * One step of a drain: when no move of this node's is under way, start moving its next role to
 * the node the failover policy chooses (preferred owners first, then the least loaded). A stop
 * whose roles are all gone (or that no node can take) then leaves the cluster.
 */
export function drainStep(s: ClusterState, now: number): ClusterDecision {
  const kind = drainKind(s);
  if (!kind && s.drainFailed?.length) return { state: { ...s, drainFailed: [] }, effects: [] };
  if (!kind || s.service !== 'Running' || Object.keys(s.moves).length > 0) return none(s);
  const load: Record<string, number> = {};
  for (const r of Object.values(s.config.roles)) load[r.owner] = (load[r.owner] ?? 0) + 1;
  const blocked: ClusterEffectOrTimer[] = [];
  for (const role of movable(s)) {
    const to = chooseTarget({
      from: s.self,
      up: hostsFor(s),
      preferredOwners: role.preferredOwners,
      groupsPerNode: load,
    });
    if (!to) {
      blocked.push(drainBlocked(role.name, s.self));
      continue;
    }
    const vmState = s.vms[role.name] ?? 'Absent';
    const replyTo = `${DRAIN_PREFIX}${now}:${role.name}`;
    return onMoveRequest(s, { type: 'moveRequest', replyTo, role: role.name, to, kind, vmState });
  }
  // A stop leaves once nothing is left to move: a role whose move failed, or that no node can
  // take, stays owned here and the leader fences this node before restarting it elsewhere.
  const waiting = Object.values(s.config.roles).some(
    (r) => r.owner === s.self && !r.failed && !s.drainFailed?.includes(r.name) && !movable(s).includes(r),
  );
  if (kind === 'quick' && !waiting) return finishStop(s, now, blocked);
  return none(s);
}

/** The reply id of a drain's move: the prefix, the time, and the role. */
const DRAIN_PREFIX = 'drain:';

/**
 * Notes the drain moves that failed in a decision's replies: a drain does not try the same role
 * again (a stop then leaves without it), until the drain ends.
 */
export function noteDrainFailures(d: ClusterDecision): ClusterState {
  const failed = d.effects.flatMap((e) =>
    e.type === 'reply' && !e.ok && e.replyTo.startsWith(DRAIN_PREFIX)
      ? [e.replyTo.slice(e.replyTo.indexOf(':', DRAIN_PREFIX.length) + 1)]
      : [],
  );
  if (failed.length === 0) return d.state;
  return { ...d.state, drainFailed: [...new Set([...(d.state.drainFailed ?? []), ...failed])] };
}

/** The drain of a stop is over: leave the membership and stay out until started. */
function finishStop(s0: ClusterState, now: number, pre: ClusterEffectOrTimer[]): ClusterDecision {
  const replyTo = s0.adminStop?.replyTo ?? null;
  const s: ClusterState = {
    ...s0,
    service: 'Stopped',
    members: [],
    leader: null,
    leaseUntil: 0,
    fencing: null,
    pendingRemoved: [],
    needsRegister: true,
    adminStop: { phase: 'stopped', replyTo: null },
    forceQuorum: false,
    // It gives the witness up: a stopped service defends nothing, so the others may arbitrate for it.
    witness: { ...s0.witness, held: false, arbitrating: false, arbitrationDeadline: null },
  };
  const votes = { votes: s0.quorum.votes, needed: s0.quorum.needed, total: s0.quorum.total };
  const left = leftCluster(
    `The Cluster service on ${s0.self} was stopped by the administrator: it left the cluster.`,
    'left-cluster',
    votes,
  );
  const r = reconcile(s, now);
  const reply: ClusterEffectOrTimer[] = replyTo ? [{ type: 'reply', replyTo, ok: true }] : [];
  return { state: r.state, effects: [...pre, left, ...r.effects, ...reply] };
}

type ServiceControl = Extract<ClusterMsg, { type: 'serviceControl' }>;

/** The administrator stops or starts this node's cluster service. */
export function onServiceControl(s: ClusterState, msg: ServiceControl, now: number): ClusterDecision {
  return msg.action === 'stop' ? stopService(s, msg.replyTo, now) : startService(s, msg, now);
}

function stopService(s: ClusterState, replyTo: string, now: number): ClusterDecision {
  if (s.adminStop?.phase === 'stopped') return { state: s, effects: [{ type: 'reply', replyTo, ok: true }] };
  const stopping: ClusterState = { ...s, adminStop: { phase: 'stopping', replyTo }, drainFailed: [] };
  // A node outside a running cluster has no roles to move: it stops at once.
  if (s.service !== 'Running') return finishStop(stopping, now, []);
  const d = drainStep(stopping, now);
  return { state: d.state, effects: [serviceStopping(s.self), ...d.effects] };
}

function startService(s: ClusterState, msg: ServiceControl, now: number): ClusterDecision {
  const reply: ClusterEffectOrTimer = { type: 'reply', replyTo: msg.replyTo, ok: true };
  if (s.service === 'Running' && !s.adminStop) return { state: s, effects: [reply] };
  const started = { ...s, adminStop: null, forceQuorum: msg.forceQuorum };
  // A stop still draining is cancelled: the node stays a member.
  if (s.service === 'Running') return { state: started, effects: [serviceStarted(s.self, false), reply] };
  return {
    state: { ...started, service: 'Joining', startedAt: now },
    effects: [serviceStarted(s.self, msg.forceQuorum), reply],
  };
}

/**
 * A member's view shows its cluster service stopped by the administrator: the acting leader
 * (the lowest-id member still running) removes it from the membership. A clean leave needs no
 * fencing: the node stopped its VMs and gave up its disks itself. Only a node that still owned
 * roles (no other node could take them) is fenced before they start elsewhere.
 */
export function onCleanLeave(s: ClusterState, node: string, now: number): ClusterDecision {
  const alive = s.members.filter(
    (m) => m === s.self || (!s.peers[m]?.down && (s.peers[m]?.view?.service ?? 'Running') === 'Running'),
  );
  if ([...alive].sort(byId(s))[0] !== s.self || alive.includes(node)) return none(s);
  const owns = (m: string) => Object.values(s.config.roles).some((r) => r.owner === m);
  const cleanlyLeft = (m: string) => s.peers[m]?.view?.adminStop === 'stopped' && !owns(m);
  const gone = s.members.filter((m) => !alive.includes(m));
  const fence = gone.filter((m) => !cleanlyLeft(m));
  return changeMembership(s, alive, fence, now, [nodeLeftCleanly(node, s.self, fence.includes(node))]);
}
