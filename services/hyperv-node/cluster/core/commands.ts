/**
 * Commands the leader carries out on the replicated configuration: make a VM highly available,
 * bring a role online or offline, move a role or a CSV, fail a role over. Each command has one
 * handler; small guards (`requireLeader`, `requireQuorum`, `requireActiveMember`, …) return the
 * refusal the caller gets, or undefined when the command may go on.
 */
import type { ErrorCode } from '../../../actor/errors.js';
import { nodePaused, nodeResumed } from './admin-events.js';
import {
  csvCoordinatorChanged,
  failoverThresholdExceeded,
  moveEnded,
  moveStarted,
  noNodeCanHost,
  roleCreated,
  roleFailover,
} from './event-catalog.js';
import { chooseTarget, failoverThreshold, mayFailOver } from './policy.js';
import type { ClusterDecision, ClusterEffectOrTimer, Command } from './protocol.js';
import { bump, push, withRole } from './replication.js';
import { forgetFailures, ownerAmongMembers } from './role-policies.js';
import { reconcile } from './roles.js';
import { type ClusterState, hostsFor, isPaused, isStopping, type RoleConfig } from './state.js';

/** A command refused: nothing changes and the caller gets the code and the message. */
export interface Refusal {
  code: ErrorCode;
  message: string;
}

/** A command carried out: the changed state (pushed once reconciled) and the events it logs. */
interface Change {
  state: ClusterState;
  events: ClusterEffectOrTimer[];
}

/** What a handler decides; 'unchanged' answers the caller at once without a push. */
type Outcome = Refusal | Change | 'unchanged';

const refusal = (code: ErrorCode, message: string): Refusal => ({ code, message });

/** A reply effect that refuses a request. */
export function refuse(replyTo: string, code: ErrorCode, message: string): ClusterEffectOrTimer {
  return { type: 'reply', replyTo, ok: false, code, message };
}

/** Commands are carried out by the leader of a running cluster only. */
export function requireLeader(s: ClusterState): Refusal | undefined {
  if (s.service === 'Running' && s.leader === s.self) return undefined;
  return refusal(
    'UNAVAILABLE',
    `${s.self} is not the cluster leader (service ${s.service}, leader ${s.leader ?? 'none'})`,
  );
}

/** A change needs quorum: a partition without it must not change the configuration. */
export function requireQuorum(s: ClusterState): Refusal | undefined {
  return s.quorum.has ? undefined : refusal('UNAVAILABLE', 'the cluster has no quorum');
}

/** A target node must be in the current membership. */
export function requireActiveMember(s: ClusterState, node: string): Refusal | undefined {
  return s.members.includes(node)
    ? undefined
    : refusal('BAD_STATE', `${node} is not an active cluster member`);
}

/**
 * A role may move only to a node that takes roles: a paused node, or one whose cluster service
 * is stopping, refuses them (docs/domain.md §Pause and drain).
 */
export function requireHost(s: ClusterState, node: string): Refusal | undefined {
  if (isPaused(s, node))
    return refusal('BAD_STATE', `${node} is paused: no role can move to it until it is resumed`);
  if (isStopping(s, node))
    return refusal('BAD_STATE', `the Cluster service on ${node} is stopping: no role can move to it`);
  return undefined;
}

/** One move at a time: nobody else touches a role's VM while it migrates. */
export function requireNotMoving(role: RoleConfig): Refusal | undefined {
  return role.moving
    ? refusal('BAD_STATE', `${role.name} is already moving to ${role.moving.to}`)
    : undefined;
}

/** The leader carries out a command, or refuses it; a change is pushed before the caller hears back. */
export function onCommand(s: ClusterState, replyTo: string, cmd: Command, now: number): ClusterDecision {
  const outcome = requireLeader(s) ?? requireQuorum(s) ?? handle(s, cmd, now);
  if (outcome === 'unchanged') return { state: s, effects: [{ type: 'reply', replyTo, ok: true }] };
  if ('code' in outcome) return { state: s, effects: [refuse(replyTo, outcome.code, outcome.message)] };
  const r = reconcile(outcome.state, now);
  return { state: r.state, effects: [...outcome.events, ...push(r.state, [replyTo]), ...r.effects] };
}

function handle(s: ClusterState, cmd: Command, now: number): Outcome {
  if (cmd.op === 'makeHa') return makeHa(s, cmd);
  if (cmd.op === 'moveCsv') return moveCsv(s, cmd);
  if (cmd.op === 'pauseNode') return pauseNode(s, cmd);
  if (cmd.op === 'resumeNode') return resumeNode(s, cmd.node);
  const role = s.config.roles[cmd.role];
  if (!role) return refusal('NOT_FOUND', `no clustered role named ${cmd.role}`);
  switch (cmd.op) {
    case 'online':
    case 'offline':
      return setDesired(s, role, cmd.op === 'online' ? 'Online' : 'Offline');
    case 'beginMove':
      return beginMove(s, role, cmd);
    case 'endMove':
      return endMove(s, role, cmd.ok);
    case 'failRole':
      return failRole(s, role, cmd, now);
  }
}

function makeHa(s: ClusterState, cmd: Extract<Command, { op: 'makeHa' }>): Outcome {
  if (s.config.roles[cmd.vm.name])
    return refusal('ALREADY_EXISTS', `${cmd.vm.name} is already a clustered role`);
  // Making a VM highly available needs it off (or saved): docs/domain.md §Resources and groups, the wizard fails otherwise.
  if (cmd.vmState !== 'Off' && cmd.vmState !== 'Saved')
    return refusal(
      'BAD_STATE',
      `${cmd.vm.name} is ${cmd.vmState}: a virtual machine must be turned off or saved before it can be made highly available`,
    );
  if (!s.members.includes(cmd.owner)) return refusal('BAD_STATE', `${cmd.owner} is not a cluster member`);
  const state = bump(s, (c) =>
    withRole(c, {
      name: cmd.vm.name,
      vm: cmd.vm,
      owner: cmd.owner,
      preferredOwners: cmd.preferredOwners,
      allowFailback: cmd.allowFailback,
      desired: 'Offline',
      moving: null,
      failovers: [],
      failed: false,
    }),
  );
  return { state, events: [roleCreated(cmd.vm.name, cmd.owner)] };
}

/** Online or Offline: a role whose owner is gone is brought online on a member; its failures are forgotten. */
function setDesired(s: ClusterState, role: RoleConfig, desired: 'Online' | 'Offline'): Outcome {
  const owner = ownerAmongMembers(s, role);
  // A paused node's groups can be taken offline but not brought online (docs/domain.md §Pause and drain).
  if (desired === 'Online' && role.desired !== 'Online' && isPaused(s, owner))
    return refusal(
      'BAD_STATE',
      `${role.name} is owned by ${owner}, which is paused: it cannot be brought online there`,
    );
  const next = bump(s, (c) => withRole(c, { ...role, desired, owner, failed: false }));
  return { state: forgetFailures(next, role.name), events: [] };
}

function beginMove(s: ClusterState, role: RoleConfig, cmd: Extract<Command, { op: 'beginMove' }>): Outcome {
  const refused =
    requireNotMoving(role) ??
    requireActiveMember(s, cmd.to) ??
    requireHost(s, cmd.to) ??
    (cmd.to === role.owner ? refusal('BAD_STATE', `${role.name} already runs on ${cmd.to}`) : undefined);
  if (refused) return refused;
  const state = bump(s, (c) => withRole(c, { ...role, moving: { to: cmd.to, kind: cmd.kind } }));
  return { state, events: [moveStarted(role.name, role.owner, cmd.to, cmd.kind)] };
}

function endMove(s: ClusterState, role: RoleConfig, ok: boolean): Outcome {
  if (!role.moving) return 'unchanged';
  const to = role.moving.to;
  const state = bump(s, (c) =>
    withRole(c, ok ? { ...role, owner: to, moving: null, desired: 'Online' } : { ...role, moving: null }),
  );
  return { state, events: [moveEnded(role.name, role.owner, to, ok)] };
}

function moveCsv(s: ClusterState, cmd: Extract<Command, { op: 'moveCsv' }>): Outcome {
  const v = s.config.csv[cmd.volume];
  if (!v) return refusal('NOT_FOUND', `no Cluster Shared Volume named ${cmd.volume}`);
  const refused = requireActiveMember(s, cmd.to);
  if (refused) return refused;
  const state = bump(s, (c) => ({ ...c, csv: { ...c.csv, [v.volume]: { ...v, coordinator: cmd.to } } }));
  return { state, events: [csvCoordinatorChanged(v, cmd.to, v.coordinator, 'move')] };
}

/** A role that exhausted its restarts on its owner fails over, or fails for good past the threshold. */
function failRole(
  s: ClusterState,
  role: RoleConfig,
  cmd: Extract<Command, { op: 'failRole' }>,
  now: number,
): Outcome {
  if (role.owner !== cmd.from) return 'unchanged';
  const allowed = mayFailOver(role.failovers, now, s.nodes.length);
  const target = chooseTarget({
    from: role.owner,
    up: hostsFor(s),
    preferredOwners: role.preferredOwners,
    groupsPerNode: {},
  });
  if (!allowed.allowed || !target) {
    const state = bump(s, (c) =>
      withRole(c, { ...role, failed: true, failedAt: now, failovers: allowed.recent }),
    );
    const failed = allowed.allowed
      ? noNodeCanHost(role.name)
      : failoverThresholdExceeded(role.name, failoverThreshold(s.nodes.length));
    return { state, events: [failed] };
  }
  const state = bump(s, (c) =>
    withRole(c, { ...role, owner: target, failovers: [...allowed.recent, now], failed: false }),
  );
  return { state, events: [roleFailover(role.name, role.owner, target, cmd.reason)] };
}

/** Pause a member: it keeps its roles, nothing moves to it; with drain, its roles move off. */
function pauseNode(s: ClusterState, cmd: Extract<Command, { op: 'pauseNode' }>): Outcome {
  if (!s.nodes.some((n) => n.name === cmd.node))
    return refusal('NOT_FOUND', `no cluster node named ${cmd.node}`);
  const refused = requireActiveMember(s, cmd.node);
  if (refused) return refused;
  const was = s.config.paused?.[cmd.node];
  if (was && (was.drain || !cmd.drain)) return 'unchanged';
  const state = bump(s, (c) => ({ ...c, paused: { ...c.paused, [cmd.node]: { drain: cmd.drain } } }));
  return { state, events: [nodePaused(cmd.node, cmd.drain)] };
}

/** Resume a paused node: roles may move to it again (a resume moves nothing back by itself). */
function resumeNode(s: ClusterState, node: string): Outcome {
  if (!s.nodes.some((n) => n.name === node)) return refusal('NOT_FOUND', `no cluster node named ${node}`);
  if (!isPaused(s, node)) return 'unchanged';
  const paused = { ...s.config.paused };
  delete paused[node];
  return { state: bump(s, (c) => ({ ...c, paused })), events: [nodeResumed(node)] };
}
