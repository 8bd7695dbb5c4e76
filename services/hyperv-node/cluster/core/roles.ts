/**
 * The roles on this node: their resource and group states, and the reconciliation that runs,
 * saves or terminates this node's VMs to match the configuration, with the restart policy of a
 * resource that failed.
 */

import { injected } from '../../../process/injected-bugs.js';
import { groupFailedHere, registerFailed, resourceFailed, roleStarted } from './event-catalog.js';
import { holdReleased, mayStart, noteHeld, started } from './held-vms.js';
import { inDoubt, leaseValid } from './lease.js';
import { afterResourceFailure } from './policy.js';
import type { ClusterDecision, ClusterEffect, ClusterEffectOrTimer, ClusterMsg } from './protocol.js';
import type { ClusterState, GroupState, ResourceState, RoleConfig } from './state.js';

// ---------------------------------------------------------------------------------------------
// Roles on this node

/** The resource state of a role this node owns, from its VM (names from docs/domain.md §Resources and groups). */
export function localResourceState(s: ClusterState, role: RoleConfig): ResourceState {
  if (role.failed || s.roleErrors[role.name]) return 'Failed';
  const vm = s.vms[role.name] ?? 'Absent';
  switch (vm) {
    case 'Running':
      return role.desired === 'Online' ? 'Online' : 'OfflinePending';
    case 'Starting':
      return 'OnlinePending';
    // Held after a migration whose end is unknown: it answers nothing until released.
    case 'Held':
      return role.desired === 'Online' ? 'OnlinePending' : 'OfflinePending';
    case 'Saving':
      return 'OfflinePending';
    default:
      return role.desired === 'Online' ? 'OnlinePending' : 'Offline';
  }
}

/** A role's group state as this node sees the cluster. */
export function groupState(s: ClusterState, role: RoleConfig): GroupState {
  if (role.failed) return 'Failed';
  if (role.moving) return 'Pending';
  if (s.service === 'Running' && !s.members.includes(role.owner)) return 'Pending';
  const res =
    role.owner === s.self ? localResourceState(s, role) : s.peers[role.owner]?.view?.roles[role.name];
  if (!res) return role.desired === 'Online' ? 'Pending' : 'Offline';
  switch (res) {
    case 'Online':
      return 'Online';
    case 'Offline':
      return 'Offline';
    case 'Failed':
      return 'Failed';
    default:
      return 'Pending';
  }
}

/**
 * Brings this node's VMs in line with the configuration: run what it owns and should be
 * online, save what should be offline, and terminate anything clustered it must not run —
 * everything when the cluster service is not running here (docs/domain.md §Loss of quorum).
 */
export function reconcile(s0: ClusterState, now: number, pre: ClusterEffectOrTimer[] = []): ClusterDecision {
  let s = s0;
  const effects: ClusterEffectOrTimer[] = [...pre];
  // A node in doubt (arbitrating, its lease extended) keeps what runs but starts nothing new.
  const doubt = !s.quorum.has && inDoubt(s, now);
  const active = leaseValid(s, now) && (s.quorum.has || doubt) && !s.needsRegister;
  if (s.service === 'Running' && s.needsRegister && !s.vmBusy.__register) {
    s = { ...s, vmBusy: { ...s.vmBusy, __register: 'register' } };
    effects.push({ type: 'register' });
  }
  for (const role of Object.values(s.config.roles)) {
    const name = role.name;
    if (s.vmBusy[name]) continue;
    const vm = s.vms[name] ?? 'Absent';
    const mine = role.owner === s.self;
    let op: Extract<ClusterEffect, { type: 'vm' }>['op'] | null = null;
    if (role.moving && (mine || role.moving.to === s.self)) continue; // The migration owns the VM now.
    // injected bug answer-after-quorum-loss: a node that lost its lease or quorum keeps its
    // running VMs running (even once the witness's configuration names their new owner) until
    // it rejoins, while the survivors restart them.
    if (!active && vm === 'Running' && injected(s.bugs, 'answer-after-quorum-loss')) continue;
    if (vm === 'Held') {
      // Turning a held VM off never makes a second copy; resuming or saving its memory would
      // write over what the target wrote. Off, it boots cold below once it may run here.
      const release =
        !active || !mine || role.failed || role.desired !== 'Online' || holdReleased(s, name, now);
      op = release ? 'turnOff' : null;
    } else if (!active || !mine || role.failed) {
      if (vm === 'Running' || vm === 'Starting') op = 'turnOff';
      else if (!mine && (vm === 'Off' || vm === 'Saved') && s.service === 'Running') op = 'remove';
    } else if (doubt) {
      op = null;
    } else if (role.desired === 'Online') {
      if (vm === 'Absent') op = 'define';
      else if (vm === 'Off' || vm === 'Saved')
        op = s.roleErrors[name] || !mayStart(s, name, now) ? null : 'start';
    } else if (vm === 'Running') op = 'save';
    if (op) {
      if (op === 'start') s = started(s, name);
      s = { ...s, vmBusy: { ...s.vmBusy, [name]: op } };
      effects.push({ type: 'vm', op, name, spec: op === 'define' ? role.vm : undefined });
    }
  }
  return { state: s, effects };
}

/** The vmBusy mark of a VM whose last operation was refused: nothing is asked of it until the next tick. */
export const RETRY_AT_TICK = 'retry-at-tick';

/** Lifts the RETRY_AT_TICK marks: the tick may ask again. */
export function clearRetryMarks(s: ClusterState): ClusterState {
  const marked = Object.keys(s.vmBusy).filter((n) => s.vmBusy[n] === RETRY_AT_TICK);
  if (marked.length === 0) return s;
  const vmBusy = { ...s.vmBusy };
  for (const n of marked) delete vmBusy[n];
  return { ...s, vmBusy };
}

/** A VM operation ended: log a start, or apply the restart policy to a failure. */
export function onVmOpDone(
  s0: ClusterState,
  msg: Extract<ClusterMsg, { type: 'vmOpDone' }>,
  now: number,
): ClusterDecision {
  const vmBusy = { ...s0.vmBusy };
  delete vmBusy[msg.name];
  const s: ClusterState = { ...s0, vmBusy };
  const effects: ClusterEffectOrTimer[] = [];
  const role = s.config.roles[msg.name];
  if (!msg.ok && (!role || role.owner !== s.self))
    // Tried again at the next tick, not in this instant: the VM manager refuses the same op
    // until something changes (turning off a VM that is still coming in by migration, whose
    // source was just taken over), and an immediate retry looped forever (sim seed 93).
    return reconcile({ ...s, vmBusy: { ...vmBusy, [msg.name]: RETRY_AT_TICK } }, now, effects);
  if (msg.ok || !role || role.owner !== s.self) {
    if (msg.ok && msg.op === 'start' && role) effects.push(roleStarted(role.name, s.self));
    return reconcile(s, now, effects);
  }
  return failedHere(s, msg.name, msg.op, msg.error, now);
}

/**
 * A start the VM manager had accepted failed before the VM ran (say its disk could not be read
 * at boot): the role's resource failed to come online here, as when the start is refused.
 */
export function onVmStartFailed(
  s: ClusterState,
  msg: Extract<ClusterMsg, { type: 'vmStartFailed' }>,
  now: number,
): ClusterDecision {
  const role = s.config.roles[msg.name];
  if (!role || role.owner !== s.self || role.desired !== 'Online') return { state: s, effects: [] };
  return failedHere(s, msg.name, 'start', msg.error, now);
}

/** A resource that failed to come online: restart in place, then fail over (docs/domain.md §Resources and groups). */
function failedHere(s0: ClusterState, name: string, op: string, error: string | undefined, now: number) {
  let s = s0;
  const policy = afterResourceFailure(s.restarts[name] ?? [], now);
  const effects: ClusterEffectOrTimer[] = [resourceFailed(name, op, error)];
  if (policy.action === 'restart') {
    s = { ...s, restarts: { ...s.restarts, [name]: [...policy.recent, now] } };
    return reconcile(s, now, effects);
  }
  s = {
    ...s,
    roleErrors: { ...s.roleErrors, [name]: error ?? 'failed' },
    restarts: { ...s.restarts, [name]: [] },
    failReportedAt: { ...s.failReportedAt, [name]: now },
  };
  // Its restarts ran out: the group did not come online here (1205), and the leader moves it on.
  return {
    state: s,
    effects: [
      ...effects,
      groupFailedHere(name, s.self, op),
      {
        type: 'forward',
        cmd: { op: 'failRole', role: name, from: s.self, reason: error ?? 'failed' },
      } as const,
    ],
  };
}

/** The reservation keys were registered again (or not): roles may run once they are. */
export function onRegistered(
  s: ClusterState,
  msg: Extract<ClusterMsg, { type: 'registered' }>,
  now: number,
): ClusterDecision {
  const vmBusy = { ...s.vmBusy };
  delete vmBusy.__register;
  const next = { ...s, vmBusy, needsRegister: msg.ok ? false : s.needsRegister };
  return reconcile(next, now, msg.ok ? [] : [registerFailed(msg.error)]);
}

/** The VM manager reports a VM's state on this node. */
export function onVmState(
  s: ClusterState,
  msg: Extract<ClusterMsg, { type: 'vmState' }>,
  now: number,
): ClusterDecision {
  const vms = { ...s.vms, [msg.name]: msg.state };
  return reconcile(noteHeld({ ...s, vms }, msg.name, s.vms[msg.name], msg.state, now), now);
}
