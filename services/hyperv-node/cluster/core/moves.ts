/**
 * Moving a role, on the node that owns it: check the request, have the leader mark the role as
 * moving, migrate the VM (or, when it is not running, only change the owner), then have the
 * leader hand the role over — or clear the move when the migration failed. Each step is an
 * effect whose outcome comes back as a message; the adapter only carries them out.
 */
import { ERROR_CODES, type ErrorCode } from '../../../actor/errors.js';
import { requireHost } from './commands.js';
import { migrationDone } from './event-catalog.js';
import type { ClusterDecision, ClusterEffectOrTimer, ClusterMsg } from './protocol.js';
import type { ClusterState, MigrationResult, MoveState } from './state.js';

type MoveRequest = Extract<ClusterMsg, { type: 'moveRequest' }>;

/** The figures of a move that migrated nothing: the VM was not running. */
export function noMigration(vm: string, from: string, to: string, kind: 'live' | 'quick'): MigrationResult {
  return {
    vm,
    from,
    to,
    kind,
    passes: 0,
    bytes_copied: 0,
    duration_ms: 0,
    blackout_ms: 0,
    pass_bytes: [],
    paused_at_ms: 0,
    resumed_at_ms: 0,
  };
}

function refuse(s: ClusterState, replyTo: string, code: ErrorCode, message: string): ClusterDecision {
  return { state: s, effects: [{ type: 'reply', replyTo, ok: false, code, message }] };
}

function withMove(s: ClusterState, id: string, move: MoveState | null): ClusterState {
  const moves = { ...s.moves };
  if (move) moves[id] = move;
  else delete moves[id];
  return { ...s, moves };
}

/** A move asked of this node: only the role's owner migrates its VM. */
export function onMoveRequest(s: ClusterState, msg: MoveRequest): ClusterDecision {
  const role = s.config.roles[msg.role];
  if (!role) return refuse(s, msg.replyTo, 'NOT_FOUND', `no clustered role named ${msg.role}`);
  if (role.owner !== s.self)
    return refuse(s, msg.replyTo, 'BAD_STATE', `${msg.role} is owned by ${role.owner}, not ${s.self}`);
  // A VM held after a migration whose end is unknown may run on that target: moving its role
  // would start it cold elsewhere while it does (held-vms.ts).
  if (msg.vmState === 'Held')
    return refuse(
      s,
      msg.replyTo,
      'BAD_STATE',
      `${msg.role} is held paused on ${s.self} after a migration whose end is unknown`,
    );
  // A paused target refuses at once, before anything starts (the leader checks it again).
  const paused = requireHost(s, msg.to);
  if (paused) return refuse(s, msg.replyTo, paused.code, paused.message);
  const move: MoveState = {
    replyTo: msg.replyTo,
    role: msg.role,
    to: msg.to,
    kind: msg.kind,
    // An offline role moves by changing its owner; nothing runs to migrate.
    offline: msg.vmState !== 'Running',
    step: 'begin',
    result: null,
    error: null,
  };
  return {
    state: withMove(s, msg.replyTo, move),
    effects: [
      {
        type: 'askLeader',
        requestId: msg.replyTo,
        cmd: { op: 'beginMove', role: msg.role, to: msg.to, kind: msg.kind },
      },
    ],
  };
}

/**
 * The leader answered a step of a move: go on to the next step, or answer the caller. A begin
 * that failed without being sure it did not take effect (the leader's commit reached too few
 * copies, or its answer was lost) may have left the role marked as moving in the configuration,
 * which nothing else clears: the role would show Pending for good and every later move be refused
 * (found by the simulation's swarm, seed 32 of the default timing). It is cleared with the leader
 * before the caller hears the failure, as a failed migration is.
 */
export function onLeaderAnswer(
  s: ClusterState,
  msg: Extract<ClusterMsg, { type: 'leaderAnswer' }>,
): ClusterDecision {
  const move = s.moves[msg.requestId];
  if (!move) return { state: s, effects: [] };
  const id = msg.requestId;
  const failed = { code: msg.code ?? 'IO_ERROR', message: msg.message ?? 'refused' };
  if (move.step === 'abort') return finish(s, id, move, move.error ?? failed);
  if (!msg.ok && move.step === 'begin' && !ERROR_CODES[failed.code].definite)
    return endMove(s, id, { ...move, step: 'abort', error: failed }, false);
  if (!msg.ok) return finish(s, id, move, failed);
  if (move.step === 'end') return finish(s, id, move, null);
  if (move.offline) return endMove(s, id, { ...move, step: 'end' }, true);
  return {
    state: withMove(s, id, { ...move, step: 'migrate' }),
    effects: [{ type: 'migrate', moveId: id, role: move.role, to: move.to, kind: move.kind }],
  };
}

/** The VM manager's migration ended: hand the role over, or clear the move. */
export function onMigrated(s: ClusterState, msg: Extract<ClusterMsg, { type: 'migrated' }>): ClusterDecision {
  const move = s.moves[msg.moveId];
  if (move?.step !== 'migrate') return { state: s, effects: [] };
  if (msg.ok && msg.result) return endMove(s, msg.moveId, { ...move, step: 'end', result: msg.result }, true);
  const error = { code: msg.code ?? 'IO_ERROR', message: msg.message ?? 'the migration failed' };
  const out = endMove(s, msg.moveId, { ...move, step: 'abort', error }, false);
  return {
    state: out.state,
    effects: [{ type: 'migrationObserved', kind: move.kind, ok: false, blackoutMs: null }, ...out.effects],
  };
}

function endMove(s: ClusterState, id: string, move: MoveState, ok: boolean): ClusterDecision {
  return {
    state: withMove(s, id, move),
    effects: [{ type: 'askLeader', requestId: id, cmd: { op: 'endMove', role: move.role, ok } }],
  };
}

/** Answers the caller: the failure, or the move's figures (with its metrics and event). */
function finish(
  s: ClusterState,
  id: string,
  move: MoveState,
  error: { code: ErrorCode; message: string } | null,
): ClusterDecision {
  const state = withMove(s, id, null);
  if (error) return { state, effects: [{ type: 'reply', replyTo: move.replyTo, ok: false, ...error }] };
  if (move.offline || !move.result) {
    const result = noMigration(move.role, s.self, move.to, move.kind);
    return { state, effects: [{ type: 'reply', replyTo: move.replyTo, ok: true, result }] };
  }
  const result = move.result;
  const effects: ClusterEffectOrTimer[] = [
    { type: 'migrationObserved', kind: move.kind, ok: true, blackoutMs: result.blackout_ms },
    migrationDone(move.role, move.to, move.kind === 'live', result),
    { type: 'reply', replyTo: move.replyTo, ok: true, result },
  ];
  return { state, effects };
}
