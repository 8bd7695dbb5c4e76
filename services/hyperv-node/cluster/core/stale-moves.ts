/**
 * The leader clears a move mark its role's owner no longer pursues. An owner clears a failed
 * move with the leader itself (moves.ts endMove), but when that request cannot reach the leader
 * (it was frozen, cut off, or its answer was lost) the role stays marked as moving: Pending for
 * good, every later move refused, and nobody touching its VM (found by the simulation's swarm:
 * VirtualMachine2 of seed 32 of the default timing, cleared only by a later failover). A mark is
 * abandoned when the owner's heartbeat view, made with the leader's current configuration (so
 * with the mark), lists no move of that role under way: an owner keeps a move among its moves
 * from before it asks the leader for the mark until the leader has answered its end.
 */
import { moveEnded } from './event-catalog.js';
import { runningVms } from './held-vms.js';
import type { ClusterDecision, ClusterEffectOrTimer } from './protocol.js';
import { bump, push, withRole } from './replication.js';
import type { ClusterState, RoleConfig } from './state.js';

/** The roles this node has a move of under way, for its view. */
export function movesUnderWay(s: ClusterState): string[] {
  return Object.values(s.moves).map((m) => m.role);
}

/** Whether the role's owner, caught up with this configuration, shows no move of it under way. */
function abandoned(s: ClusterState, role: RoleConfig): boolean {
  if (role.owner === s.self) return !movesUnderWay(s).includes(role.name);
  const view = s.peers[role.owner]?.view;
  if (!view?.moves || view.configVersion < s.config.version) return false;
  return !view.moves.includes(role.name);
}

/**
 * Whether the abandoned move had in fact handed the VM over: the owner runs it no more and the
 * target, caught up with this configuration, runs it. Otherwise it is ended as failed — the role
 * stays with its owner, and a copy the target runs is turned off there (roles.ts reconcile).
 */
function handedOver(s: ClusterState, role: RoleConfig, to: string): boolean {
  const runsOn = (node: string) => {
    const view = s.peers[node]?.view;
    if (node === s.self) return runningVms(s).includes(role.name);
    if (!view?.runs || view.configVersion < s.config.version) return null;
    return view.runs.includes(role.name);
  };
  return runsOn(role.owner) === false && runsOn(to) === true;
}

/** The leader ends every abandoned move mark, as the owner's own endMove would have. */
export function clearAbandonedMoves(s0: ClusterState): ClusterDecision {
  if (s0.leader !== s0.self || !s0.quorum.has) return { state: s0, effects: [] };
  let s = s0;
  const events: ClusterEffectOrTimer[] = [];
  for (const role of Object.values(s0.config.roles)) {
    if (!role.moving || !s.members.includes(role.owner) || !abandoned(s0, role)) continue;
    const to = role.moving.to;
    const ok = handedOver(s0, role, to);
    const ended: RoleConfig = ok
      ? { ...role, owner: to, moving: null, desired: 'Online' }
      : { ...role, moving: null };
    s = bump(s, (c) => withRole(c, ended));
    events.push(moveEnded(role.name, role.owner, to, ok));
  }
  if (s === s0) return { state: s0, effects: [] };
  return { state: s, effects: [...events, ...push(s)] };
}
