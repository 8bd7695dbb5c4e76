/**
 * A VM's lifecycle, pure: Off → Starting → Running → Saving → Saved, Turn Off from any running
 * state, and the answers of the adapter (memory allocated or read back, boot time passed, state
 * saved) that move a start or a save on. Each answer carries the start epoch it belongs to, so
 * a late answer from an earlier run of the VM cannot move the current one.
 */
import type { Ctx, TimerEffect } from '../../actor/actor.js';
import {
  badState,
  bootTimer,
  current,
  dirtyTimer,
  migrating,
  put,
  tickTimer,
  type VmDecision,
  type VmEffect,
  type VmInstanceState,
  type VmManagerState,
  type VmMoved,
  type VmMsg,
  type VmRunState,
  type VmStep,
} from './model.js';
import { dirtyAfter, tickAfter } from './workload.js';

/** Starts an Off VM (cold boot) or restores a Saved one. */
export function start(state: VmManagerState, vm: VmInstanceState, ctx: Ctx): VmStep {
  if (vm.run.state !== 'Off' && vm.run.state !== 'Saved') return badState(vm, 'start');
  const restoring = vm.run.state === 'Saved';
  const epoch = vm.epoch + 1;
  const name = vm.spec.name;
  return {
    vm: { ...vm, epoch, run: { state: 'Starting', epoch, since: ctx.now, restoring, memoryReady: false } },
    effects: [
      { type: 'allocMemory', vm: name, epoch, memoryMiB: vm.spec.memoryMiB, restore: restoring },
      // A cold boot takes its time while the guest reads its disk (the journal scan comes with
      // memoryReady); a restore resumes only once its memory is read back.
      ...(restoring
        ? []
        : [
            {
              type: 'startTimer',
              id: bootTimer(name),
              ms: state.bootMs,
              msg: { type: 'booted', name, epoch },
            } as const,
          ]),
    ],
  };
}

/** Turns the VM off at once (Hyper-V's Turn Off): memory is dropped, nothing is saved. */
export function stop(vm: VmInstanceState): VmStep {
  const name = vm.spec.name;
  if (vm.run.state === 'Starting') {
    return {
      vm: { ...vm, run: { state: 'Off' } },
      effects: [
        { type: 'cancelTimer', id: bootTimer(name) },
        { type: 'freeMemory', vm: name },
      ],
    };
  }
  if (vm.run.state === 'Running' || vm.run.state === 'Pausing' || vm.run.state === 'Paused') {
    const effects: (VmEffect | TimerEffect<VmMsg>)[] = [
      { type: 'unlisten', vm: name },
      { type: 'cancelTimer', id: tickTimer(name) },
      { type: 'freeMemory', vm: name },
      { type: 'cancelTimer', id: dirtyTimer(name) },
      ...stopBoot(vm),
    ];
    if (vm.run.state === 'Pausing') {
      const message = `VM ${name} was turned off while pausing`;
      effects.push({
        type: 'reply',
        replyTo: vm.run.replyTo,
        reply: { ok: false, code: 'BAD_STATE', message },
      });
    }
    return { vm: { ...vm, run: { state: 'Off' } }, effects };
  }
  return badState(vm, 'stop');
}

/** Saves a Running VM: it stops answering and writing, and its memory goes to a file. */
export function save(vm: VmInstanceState, ctx: Ctx): VmStep {
  if (vm.run.state !== 'Running') return badState(vm, 'save');
  if (vm.migratingTo) return migrating(vm, 'save');
  const name = vm.spec.name;
  return {
    vm: { ...vm, run: { state: 'Saving', epoch: vm.run.epoch, since: ctx.now } },
    effects: [
      { type: 'unlisten', vm: name },
      { type: 'cancelTimer', id: tickTimer(name) },
      { type: 'saveMemory', vm: name, epoch: vm.run.epoch },
      { type: 'cancelTimer', id: dirtyTimer(name) },
      // A guest saved while it booted resumes after the restore's own wait (memoryReady).
      ...stopBoot(vm),
    ],
  };
}

/** The boot timer of a VM whose guest is still booting, cancelled (turned off, saved or paused). */
export function stopBoot(vm: VmInstanceState): TimerEffect<VmMsg>[] {
  const booting = 'bootsAt' in vm.run && vm.run.bootsAt !== undefined;
  return booting ? [{ type: 'cancelTimer', id: bootTimer(vm.spec.name) }] : [];
}

/**
 * A VM entering Running at `since` (boot, failed save, resume, migration in). With its guest
 * up it answers on its address, and its disk workload and memory dirtying run; a guest with
 * `bootLeftMs` still to boot (a resume or a migration during its boot) does so once that is over.
 */
export function running(
  vm: VmInstanceState,
  epoch: number,
  since: number,
  ctx: Ctx,
  bootLeftMs = 0,
): VmMoved {
  if (bootLeftMs > 0) {
    const name = vm.spec.name;
    return {
      vm: { ...vm, run: { state: 'Running', epoch, since, bootsAt: ctx.now + bootLeftMs } },
      effects: [
        { type: 'startTimer', id: bootTimer(name), ms: bootLeftMs, msg: { type: 'booted', name, epoch } },
      ],
    };
  }
  const next: VmInstanceState = {
    ...vm,
    run: { state: 'Running', epoch, since },
    workload: { ...vm.workload, inFlight: null, dirtyAt: ctx.now, dirtyCarry: 0 },
  };
  const effects: (VmEffect | TimerEffect<VmMsg>)[] = [{ type: 'listen', vm: vm.spec.name }];
  if (next.workload.enabled) effects.push(tickAfter(next));
  if (next.workload.dirtyPagesPerSec > 0) effects.push(dirtyAfter(next, epoch));
  return { vm: next, effects };
}

/** What is left of a paused VM's boot when it resumes (0 when its guest was up). */
export function bootLeftOf(run: VmRunState): number {
  if ((run.state !== 'Paused' && run.state !== 'Pausing') || run.bootsAt === undefined) return 0;
  return Math.max(0, run.bootsAt - run.pausedAt);
}

/** The VM's memory is there (allocated, or read back from its saved state). */
export function memoryReady(
  state: VmManagerState,
  name: string,
  epoch: number,
  lastSeq: number,
  ctx: Ctx,
): VmDecision {
  const vm = current(state, name, epoch, 'Starting');
  if (vm?.run.state !== 'Starting') return { state, effects: [] };
  // A guest that boots cold carries on its journal after the newest record on its disk, as a
  // restarted guest would: records acknowledged before a failover are never overwritten.
  const nextSeq = Math.max(vm.workload.nextSeq, lastSeq + 1);
  const ready: VmInstanceState = {
    ...vm,
    run: { ...vm.run, memoryReady: true },
    workload: { ...vm.workload, nextSeq },
  };
  // A cold boot runs now (Hyper-V's Enabled: the role is Online) and its guest is up once the
  // boot time has passed, at once if it already has; a restored guest resumes after bootMs once
  // its memory is read back.
  if (!vm.run.restoring) {
    const bootsAt = vm.run.bootDone ? undefined : vm.run.since + state.bootMs;
    return toRunning(state, ready, name, epoch, ctx, bootsAt);
  }
  return {
    state: put(state, ready),
    effects: [
      { type: 'startTimer', id: bootTimer(name), ms: state.bootMs, msg: { type: 'booted', name, epoch } },
    ],
  };
}

/** The VM's memory could not be had: the start fails. */
export function memoryFailed(state: VmManagerState, name: string, epoch: number, error: string): VmDecision {
  const vm = current(state, name, epoch, 'Starting');
  if (vm?.run.state !== 'Starting') return { state, effects: [] };
  // A failed restore keeps the saved state for another try; a failed allocation leaves it Off.
  const run: VmRunState = vm.run.restoring ? { state: 'Saved', savedAt: vm.run.since } : { state: 'Off' };
  // The cluster hears of it as the failure of its start (the resource failed to come online),
  // before it sees the VM Off: its restart policy decides, not an endless retry here.
  return {
    state: put(state, { ...vm, run }),
    effects: [
      { type: 'log', level: 'warn', msg: 'VM failed to start', fields: { vm: name, error } },
      { type: 'startFailed', vm: name, error },
    ],
  };
}

/** The boot time has passed: a running VM's guest is up, a restored one resumes. */
export function booted(state: VmManagerState, name: string, epoch: number, ctx: Ctx): VmDecision {
  const up = current(state, name, epoch, 'Running');
  if (up?.run.state === 'Running' && up.run.bootsAt !== undefined) {
    const r = running(up, epoch, up.run.since, ctx);
    const effects: VmDecision['effects'] = [
      { type: 'log', level: 'info', msg: 'VM guest booted', fields: { vm: name } },
      ...r.effects,
    ];
    return { state: put(state, r.vm), effects };
  }
  const vm = current(state, name, epoch, 'Starting');
  if (vm?.run.state !== 'Starting') return { state, effects: [] };
  // A cold boot runs only once its disk's journal is read too (memoryReady).
  if (!vm.run.memoryReady)
    return { state: put(state, { ...vm, run: { ...vm.run, bootDone: true } }), effects: [] };
  return toRunning(state, vm, name, epoch, ctx);
}

/** The VM runs; its guest is up at once, or at `bootsAt` when its boot timer fires. */
function toRunning(
  state: VmManagerState,
  vm: VmInstanceState,
  name: string,
  epoch: number,
  ctx: Ctx,
  bootsAt?: number,
): VmDecision {
  if (bootsAt !== undefined) {
    const booting: VmInstanceState = { ...vm, run: { state: 'Running', epoch, since: ctx.now, bootsAt } };
    return {
      state: put(state, booting),
      effects: [{ type: 'log', level: 'info', msg: 'VM running', fields: { vm: name, bootsAt } }],
    };
  }
  const r = running(vm, epoch, ctx.now, ctx);
  const effects: VmDecision['effects'] = [
    { type: 'log', level: 'info', msg: 'VM running', fields: { vm: name } },
    ...r.effects,
  ];
  return { state: put(state, r.vm), effects };
}

/** The VM's state is in its file: it is Saved and its memory goes. */
export function saved(state: VmManagerState, name: string, epoch: number, ctx: Ctx): VmDecision {
  const vm = current(state, name, epoch, 'Saving');
  if (!vm) return { state, effects: [] };
  return {
    state: put(state, { ...vm, run: { state: 'Saved', savedAt: ctx.now } }),
    effects: [{ type: 'freeMemory', vm: name }],
  };
}

/** The VM's state could not be written. */
export function saveFailed(
  state: VmManagerState,
  name: string,
  epoch: number,
  error: string,
  ctx: Ctx,
): VmDecision {
  const vm = current(state, name, epoch, 'Saving');
  if (!vm) return { state, effects: [] };
  // The state could not be written: the VM carries on running, as Hyper-V resumes it.
  const r = running(vm, epoch, ctx.now, ctx);
  const effects: VmDecision['effects'] = [
    { type: 'log', level: 'warn', msg: 'VM save failed; it keeps running', fields: { vm: name, error } },
    ...r.effects,
  ];
  return { state: put(state, r.vm), effects };
}
