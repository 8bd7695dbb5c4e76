/**
 * Block I/O on a LUN: reads and writes checked against the mapping, the range, the reservation
 * and the in-flight limit, and the store's completions that release replies and barriers. Pure.
 */
import type { Ctx } from '../../actor/actor.js';
import { underFault } from './faults.js';
import {
  ABORTED_TASKS_MAX,
  accessibleLun,
  type Barrier,
  fail,
  type LunRecord,
  nexusId,
  type Outcome,
  refuse,
  type StorageDecision,
  type StorageEffect,
  type StorageMsg,
  type StorageState,
  type WriteTask,
} from './model.js';

/** Largest single read or write, so one command never outgrows a gRPC message (64 MiB). */
export const IO_BYTES_MAX = 16 * 1024 * 1024;

/** Writes accepted but not yet durable, across all LUNs; more is OVERLOADED, not queued forever. */
export const INFLIGHT_WRITES_MAX = 4096;

/** A read: checked against the mapping and range, then faulted or handed to the store. */
export function read(
  state: StorageState,
  msg: Extract<StorageMsg, { type: 'read' }>,
  ctx: Ctx,
): StorageDecision {
  const lun = accessibleLun(state, msg.lun, msg.initiator);
  checkRange(state, lun, msg.offset, msg.length);
  // Reads are always allowed under Write Exclusive – Registrants Only (docs/domain.md §Persistent reservations).
  const hit = underFault(state, lun.name, ctx);
  if (hit.failed) {
    return fail(
      hit.state,
      msg.reqId,
      'MEDIUM_ERROR',
      `injected media error reading LUN ${lun.name} at byte ${msg.offset}; nothing was read`,
    );
  }
  const effect: StorageEffect = {
    type: 'readBlocks',
    reqId: msg.reqId,
    lun: lun.name,
    offset: msg.offset,
    length: msg.length,
    ...(hit.delayMs > 0 ? { delayMs: hit.delayMs } : {}),
  };
  return { state: hit.state, effects: [effect] };
}

/** A write: checked against mapping, range, reservation and in-flight limit, then faulted or handed to the store. */
export function write(
  state: StorageState,
  msg: Extract<StorageMsg, { type: 'write' }>,
  ctx: Ctx,
): StorageDecision {
  const lun = accessibleLun(state, msg.lun, msg.initiator);
  checkRange(state, lun, msg.offset, msg.data.length);
  const id = nexusId(msg.initiator!);
  // Write Exclusive – Registrants Only: once reserved, only registered I_T nexuses may write.
  if (lun.pr.reservation && !lun.pr.registrations.some((r) => r.initiator === id)) {
    refuse('RESERVATION_CONFLICT', `${id} is not registered on LUN ${lun.name}, which is reserved`);
  }
  if (state.inflight.length >= INFLIGHT_WRITES_MAX) {
    refuse('OVERLOADED', `${INFLIGHT_WRITES_MAX} writes are already in flight on the controller; retry`);
  }
  const tasks = abort(state, msg.task);
  if (msg.task && tasks.aborted[msg.task.id] === true) {
    return fail(
      tasks,
      msg.reqId,
      'ABORTED',
      `write task ${msg.task.id} arrived after its initiator had abandoned it (timed out and retried): not executed`,
    );
  }
  const hit = underFault(tasks, lun.name, ctx);
  if (hit.failed) {
    // A media error is a definite failure: the data never reaches the LUN file.
    return fail(
      hit.state,
      msg.reqId,
      'MEDIUM_ERROR',
      `injected media error writing LUN ${lun.name} at byte ${msg.offset}; nothing was written`,
    );
  }
  // A delayed write is in flight from now on, so a preempt's barrier waits for it too.
  return {
    state: {
      ...hit.state,
      inflight: [...state.inflight, { reqId: msg.reqId, lun: lun.name, bytes: msg.data.length }],
    },
    effects: [
      {
        type: 'writeBlocks',
        reqId: msg.reqId,
        lun: lun.name,
        offset: msg.offset,
        data: msg.data,
        ...(hit.delayMs > 0 ? { delayMs: hit.delayMs } : {}),
      },
    ],
  };
}

/**
 * Takes note of the write tasks a command's initiator has abandoned: one that arrives later is
 * refused (ABORTED) instead of overwriting what the initiator wrote since. A real initiator
 * aborts a timed-out task before it retries the I/O (SAM-5 ABORT TASK, or the I_T nexus reset of
 * the failed path), and a SAS fabric does not hold a frame for a second; dcbox's paths can (a TCP
 * retransmission, a frozen switch process, the simulation's lost messages), so each write carries
 * the tasks its initiator gave up on, and the controller plays the abort's part (docs/design.md
 * §Abandoned writes). The oldest are forgotten first, past ABORTED_TASKS_MAX.
 */
function abort(state: StorageState, task: WriteTask | undefined): StorageState {
  // `=== true`: the table is a plain object, and an id such as "constructor" must not match.
  const fresh = task?.abandoned.filter((id) => state.aborted[id] !== true) ?? [];
  if (fresh.length === 0) return state;
  const aborted = { ...state.aborted };
  const order = [...state.abortedOrder, ...fresh];
  for (const id of fresh) aborted[id] = true;
  while (order.length > ABORTED_TASKS_MAX) delete aborted[order.shift() as string];
  return { ...state, aborted, abortedOrder: order };
}

/** Writes that landed (or failed) on the store: reply to each and release the barriers they held. */
export function writeDone(state: StorageState, reqIds: number[], error: string | undefined): StorageDecision {
  const done = new Set(reqIds);
  const effects: StorageEffect[] = [];
  for (const w of state.inflight) {
    if (!done.has(w.reqId)) continue;
    const outcome: Outcome = error
      ? { ok: false, code: 'IO_ERROR', message: `write failed on the controller: ${error}` }
      : { ok: true, value: { written: w.bytes } };
    effects.push({ type: 'reply', reqId: w.reqId, outcome });
  }
  const barriers: Barrier[] = [];
  for (const b of state.barriers) {
    const waitFor = b.waitFor.filter((id) => !done.has(id));
    if (waitFor.length === 0) effects.push(...b.effects);
    else barriers.push({ ...b, waitFor });
  }
  return {
    state: { ...state, inflight: state.inflight.filter((w) => !done.has(w.reqId)), barriers },
    effects,
  };
}

/** Refuses a command that is not whole blocks, too long, or beyond the LUN. */
export function checkRange(state: StorageState, lun: LunRecord, offset: number, length: number): void {
  const bs = state.blockSize;
  if (!Number.isSafeInteger(offset) || offset % bs !== 0 || length <= 0 || length % bs !== 0) {
    refuse(
      'INVALID_ARGUMENT',
      `offset ${offset} and length ${length} must be whole ${bs}-byte blocks, at least one block`,
    );
  }
  if (length > IO_BYTES_MAX)
    refuse('INVALID_ARGUMENT', `length ${length} exceeds ${IO_BYTES_MAX} bytes a command`);
  if (offset + length > lun.sizeBytes) {
    refuse(
      'OUT_OF_RANGE',
      `bytes ${offset}..${offset + length} lie beyond LUN ${lun.name} (${lun.sizeBytes} bytes)`,
    );
  }
}
