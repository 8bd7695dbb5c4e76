/**
 * The source side of a migration as the VM core sees it, pure (docs/domain.md §Live migration): the node-pair
 * slot, the pause for stop-and-copy, the resume after a failure (unless the VM's fate is
 * unknown), the hand-over once the target runs it, and the device state that travels with it.
 * The procedure that drives these steps is migration/source-core.ts.
 */
import type { Ctx } from '../../actor/actor.js';
import { bootLeftOf, running, stopBoot } from './lifecycle.js';
import {
  badState,
  type DeviceState,
  dirtyTimer,
  drop,
  migrating,
  put,
  refuse,
  replyWith,
  tickTimer,
  type VmDecision,
  type VmInstanceState,
  type VmManagerState,
  type VmStep,
} from './model.js';

/** Takes the node-pair slot: 2008 R2 runs one live migration at a time per pair (docs/domain.md §Live migration). */
export function beginMigration(state: VmManagerState, vm: VmInstanceState, to: string): VmStep {
  const name = vm.spec.name;
  if (to === state.host) return { code: 'INVALID_ARGUMENT', message: `VM ${name} is already on ${to}` };
  if (vm.run.state !== 'Running') return badState(vm, 'migrate');
  if (vm.migratingTo) return migrating(vm, 'migrate');
  const busy = Object.values(state.vms).find((v) => v.migratingTo === to);
  if (busy) {
    return {
      code: 'BAD_STATE',
      message: `a migration from ${state.host} to ${to} is already under way (VM ${busy.spec.name}); 2008 R2 runs one at a time per node pair`,
    };
  }
  return { vm: { ...vm, migratingTo: to }, effects: [] };
}

/**
 * Pauses a Running VM for stop-and-copy: it stops answering, writing and dirtying memory. The
 * reply comes once the write under way (if any) is settled, so the workload state is final.
 */
export function pause(state: VmManagerState, replyTo: string, name: string, ctx: Ctx): VmDecision {
  const vm = state.vms[name];
  if (!vm) return refuse(state, replyTo, 'NOT_FOUND', `no VM named ${name} on ${state.host}`);
  if (vm.run.state !== 'Running')
    return refuse(state, replyTo, 'BAD_STATE', `cannot pause VM ${name}: it is ${vm.run.state}`);
  // A guest still booting stops its boot too: it goes on where the VM resumes (bootLeftOf).
  const { epoch, since, bootsAt } = vm.run;
  const effects: VmDecision['effects'] = [
    { type: 'unlisten', vm: name },
    { type: 'cancelTimer', id: tickTimer(name) },
    { type: 'cancelTimer', id: dirtyTimer(name) },
    ...stopBoot(vm),
  ];
  const booting = bootsAt === undefined ? {} : { bootsAt };
  if (vm.workload.inFlight !== null) {
    const next: VmInstanceState = {
      ...vm,
      run: { state: 'Pausing', epoch, since, pausedAt: ctx.now, replyTo, ...booting },
    };
    return { state: put(state, next), effects };
  }
  const next: VmInstanceState = {
    ...vm,
    run: { state: 'Paused', epoch, since, pausedAt: ctx.now, ...booting },
  };
  effects.push({ type: 'reply', replyTo, reply: { ok: true, vm: next } });
  return { state: put(state, next), effects };
}

/**
 * Resumes a Paused VM here. The cluster does not use it for a VM held after a migration whose end
 * is unknown: the target may have run it and written its disk meanwhile, so the paused memory is
 * stale and the VM is turned off and booted cold instead (cluster/core/held-vms.ts).
 */
export function resume(vm: VmInstanceState, ctx: Ctx): VmStep {
  if (vm.run.state !== 'Paused') return badState(vm, 'resume');
  return running(vm, vm.run.epoch, vm.run.since, ctx, bootLeftOf(vm.run));
}

/** Frees the node-pair slot; the VM runs on here unless its fate is unknown (`hold`). */
export function migrationFailed(vm: VmInstanceState, hold: boolean, ctx: Ctx): VmStep {
  const next = { ...vm, migratingTo: null };
  if (vm.run.state !== 'Paused' || hold) return { vm: next, effects: [] };
  return running(next, vm.run.epoch, vm.run.since, ctx, bootLeftOf(vm.run));
}

/** The VM runs on the target now: the source forgets it. */
export function migratedAway(state: VmManagerState, replyTo: string, name: string): VmDecision {
  const vm = state.vms[name];
  if (!vm) return replyWith(state, replyTo, null);
  if (vm.run.state !== 'Paused' && vm.run.state !== 'Off')
    return refuse(state, replyTo, 'BAD_STATE', `cannot hand VM ${name} over: it is ${vm.run.state} here`);
  return {
    state: drop(state, name),
    effects: [
      { type: 'forget', vm: name },
      { type: 'log', level: 'info', msg: 'VM migrated away', fields: { vm: name, to: vm.migratingTo } },
      { type: 'reply', replyTo, reply: { ok: true, vm: null } },
    ],
  };
}

/** The state a migration carries for a paused VM: its workload, uptime and what is left of its boot. */
export function deviceStateOf(vm: VmInstanceState, nowMs: number): DeviceState {
  const w = vm.workload;
  const since = 'since' in vm.run ? vm.run.since : nowMs;
  const at = vm.run.state === 'Paused' || vm.run.state === 'Pausing' ? vm.run.pausedAt : nowMs;
  return {
    enabled: w.enabled,
    intervalMs: w.intervalMs,
    nextSeq: w.nextSeq,
    acked: w.acked,
    failedWrites: w.failedWrites,
    unknownWrites: w.unknownWrites,
    lastError: w.lastError,
    dirtyPagesPerSec: w.dirtyPagesPerSec,
    uptimeMs: Math.max(0, at - since),
    bootLeftMs: bootLeftOf(vm.run),
  };
}
