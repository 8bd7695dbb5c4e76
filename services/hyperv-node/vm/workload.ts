/**
 * The guest's work, pure: sequence-numbered, checksummed records written to its virtual disk
 * one at a time through MPIO, what became of each write, and the memory the guest dirties while
 * it runs (what live migration has to copy again).
 */
import type { Ctx, TimerEffect } from '../../actor/actor.js';
import type { VmSpec } from '../../process/config.js';
import { addAck } from '../ack-ranges.js';
import { recordOffset } from '../record.js';
import {
  current,
  DIRTY_PAGES_PER_SEC,
  dirtyTimer,
  guestUp,
  put,
  tickTimer,
  type VmDecision,
  type VmInstanceState,
  type VmManagerState,
  type VmMsg,
  type VmStep,
  type WorkloadState,
  type WriteOutcome,
} from './model.js';

/**
 * The guest dirties its memory in batches, at most this often (and, for a slow rate, once per
 * page: a guest dirtying one page a second ticks once a second). Each tick is one decision of
 * the node's VM manager, so a hundred VMs ticking every 10 ms cost a node most of a core.
 */
export const DIRTY_TICK_MS = 50;
/** More than 4 GB/s of dirtied memory is a typo, not a workload. */
const DIRTY_PAGES_PER_SEC_MAX = 1_000_000;

/** How long a guest waits between batches of dirtied pages at a rate. */
export function dirtyTickMs(pagesPerSec: number): number {
  return Math.min(1000, Math.max(DIRTY_TICK_MS, Math.floor(1000 / Math.max(pagesPerSec, 1e-9))));
}

/** The workload of a VM just defined: enabled, nothing written yet. */
export function freshWorkload(intervalMs: number, spec: VmSpec): WorkloadState {
  return {
    enabled: true,
    intervalMs,
    nextSeq: 1,
    acked: [],
    failedWrites: 0,
    unknownWrites: 0,
    lastError: '',
    inFlight: null,
    dirtyPagesPerSec: spec.dirtyPagesPerSec ?? DIRTY_PAGES_PER_SEC,
    dirtyAt: 0,
    dirtyCarry: 0,
  };
}

/** The timer of the VM's next record write. */
export function tickAfter(vm: VmInstanceState): TimerEffect<VmMsg> {
  return {
    type: 'startTimer',
    id: tickTimer(vm.spec.name),
    ms: vm.workload.intervalMs,
    msg: { type: 'tick', name: vm.spec.name },
  };
}

/** The timer of the guest's next batch of dirtied pages. */
export function dirtyAfter(vm: VmInstanceState, epoch: number): TimerEffect<VmMsg> {
  return {
    type: 'startTimer',
    id: dirtyTimer(vm.spec.name),
    ms: dirtyTickMs(vm.workload.dirtyPagesPerSec),
    msg: { type: 'dirtyTick', name: vm.spec.name, epoch },
  };
}

/** Turns the workload on or off, with a new interval and dirty-page rate (SetWorkload). */
export function setWorkload(
  vm: VmInstanceState,
  enabled: boolean,
  intervalMs: number,
  dirtyPagesPerSec: number | undefined,
  ctx: Ctx,
): VmStep {
  if (!Number.isInteger(intervalMs) || intervalMs < 0) {
    return {
      code: 'INVALID_ARGUMENT',
      message: `interval_ms must be a non-negative integer, got ${intervalMs}`,
    };
  }
  const rate = dirtyPagesPerSec ?? vm.workload.dirtyPagesPerSec;
  if (!Number.isInteger(rate) || rate < 0 || rate > DIRTY_PAGES_PER_SEC_MAX) {
    return {
      code: 'INVALID_ARGUMENT',
      message: `dirty_pages_per_sec must be an integer 0..${DIRTY_PAGES_PER_SEC_MAX}, got ${rate}`,
    };
  }
  const workload = {
    ...vm.workload,
    enabled,
    intervalMs: intervalMs || vm.workload.intervalMs,
    dirtyPagesPerSec: rate,
    dirtyAt: ctx.now,
    dirtyCarry: 0,
  };
  const next = { ...vm, workload };
  if (!guestUp(vm)) return { vm: next, effects: [] };
  return {
    vm: next,
    effects: [
      enabled ? tickAfter(next) : { type: 'cancelTimer', id: tickTimer(vm.spec.name) },
      rate > 0 ? dirtyAfter(next, vm.run.epoch) : { type: 'cancelTimer', id: dirtyTimer(vm.spec.name) },
    ],
  };
}

/** A workload tick: writes the next record unless one is still under way. */
export function tick(state: VmManagerState, name: string, ctx: Ctx): VmDecision {
  const vm = state.vms[name];
  if (!vm || !guestUp(vm) || !vm.workload.enabled) return { state, effects: [] };
  const effects: VmDecision['effects'] = [tickAfter(vm)];
  if (vm.workload.inFlight !== null) return { state, effects };
  const seq = vm.workload.nextSeq;
  const offset = recordOffset(vm.spec.diskOffsetBytes, vm.spec.diskSizeBytes, seq);
  const epoch = vm.run.epoch;
  effects.push({ type: 'writeRecord', vm: name, seq, lun: vm.spec.lun, offset, timeMs: ctx.now, epoch });
  return { state: put(state, { ...vm, workload: { ...vm.workload, inFlight: seq } }), effects };
}

/**
 * Counts a write's outcome. An acknowledged seq is durable and the workload moves on; a write
 * refused definitely counts as failed, one whose fate is unknown (timeout, path loss) as
 * unknown — never as failed, since it may have landed. Either way the same seq is written
 * again at the next tick. A RESERVATION_CONFLICT means the node was fenced off the disk: the
 * cluster hears of it once per run and decides; the VM is left as it is. A VM pausing for a
 * migration is Paused once its write is settled.
 */
export function writeDone(
  state: VmManagerState,
  name: string,
  seq: number,
  outcome: WriteOutcome,
): VmDecision {
  const vm = state.vms[name];
  if (!vm || vm.workload.inFlight !== seq) return { state, effects: [] };
  let next: VmInstanceState = { ...vm, workload: counted(vm.workload, seq, outcome) };
  const effects: VmDecision['effects'] = [];
  const run = vm.run;
  if (
    !outcome.ok &&
    outcome.code === 'RESERVATION_CONFLICT' &&
    (run.state === 'Running' || run.state === 'Pausing') &&
    vm.faultEpoch !== run.epoch
  ) {
    next = { ...next, faultEpoch: run.epoch };
    effects.push({ type: 'fault', vm: name, reason: `${outcome.code}: ${outcome.message}` });
  }
  if (run.state === 'Pausing') {
    // Paused keeps all a Pausing run had (its boot under way too) but whom to answer.
    const { replyTo: _, ...paused } = run;
    next = { ...next, run: { ...paused, state: 'Paused' } };
    effects.push({ type: 'reply', replyTo: run.replyTo, reply: { ok: true, vm: next } });
  }
  return { state: put(state, next), effects };
}

/** The workload after one write settled: acknowledged, failed, or of unknown fate. */
function counted(workload: WorkloadState, seq: number, outcome: WriteOutcome): WorkloadState {
  const w = { ...workload, inFlight: null };
  if (outcome.ok) {
    w.acked = addAck(w.acked, seq);
    w.nextSeq = seq + 1;
  } else if (outcome.definite) {
    w.failedWrites += 1;
    w.lastError = `${outcome.code}: ${outcome.message}`;
  } else {
    w.unknownWrites += 1;
    w.lastError = `${outcome.code}: ${outcome.message}`;
  }
  return w;
}

/** The guest dirties its memory: rate × elapsed pages, the fraction carried to the next batch. */
export function dirtyTick(state: VmManagerState, name: string, epoch: number, ctx: Ctx): VmDecision {
  const vm = current(state, name, epoch, 'Running');
  if (!vm || !guestUp(vm) || vm.workload.dirtyPagesPerSec <= 0) return { state, effects: [] };
  const w = vm.workload;
  // At most one second's worth after a stall, so a frozen process does not thrash on waking.
  const elapsedMs = Math.min(1000, Math.max(0, ctx.now - w.dirtyAt));
  const exact = (w.dirtyPagesPerSec * elapsedMs) / 1000 + w.dirtyCarry;
  const pages = Math.floor(exact);
  const next: VmInstanceState = { ...vm, workload: { ...w, dirtyAt: ctx.now, dirtyCarry: exact - pages } };
  const effects: VmDecision['effects'] = [dirtyAfter(next, epoch)];
  if (pages > 0) effects.push({ type: 'dirtyMemory', vm: name, pages, seq: w.nextSeq });
  return { state: put(state, next), effects };
}
