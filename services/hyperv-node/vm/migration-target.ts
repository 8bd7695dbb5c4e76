/**
 * The target side of a migration as the VM core sees it, pure: the skeleton VM
 * built when a migration comes in (its memory arriving), its resume with the source's device
 * state, and its removal when the migration is abandoned. The stream is migration/target.ts's.
 */
import type { Ctx } from '../../actor/actor.js';
import type { VmSpec } from '../../process/config.js';
import { running } from './lifecycle.js';
import {
  badState,
  type DeviceState,
  drop,
  put,
  refuse,
  replyWith,
  settled,
  type VmDecision,
  type VmInstanceState,
  type VmManagerState,
  type VmStep,
} from './model.js';
import { freshEntry, specProblem } from './registry.js';

/** Creates the skeleton VM of an incoming migration, with empty memory allocated. */
export function incoming(
  state: VmManagerState,
  replyTo: string,
  given: VmSpec,
  from: string,
  ctx: Ctx,
): VmDecision {
  const spec: VmSpec = { ...given, node: state.host };
  const problem = specProblem(state, spec);
  if (problem) return refuse(state, replyTo, 'INVALID_ARGUMENT', problem);
  const busy = Object.values(state.vms).find((v) => v.run.state === 'Incoming' && v.run.from === from);
  if (busy) {
    return refuse(
      state,
      replyTo,
      'BAD_STATE',
      `a migration from ${from} to ${state.host} is already under way (VM ${busy.spec.name}); 2008 R2 runs one at a time per node pair`,
    );
  }
  const old = state.vms[spec.name];
  if (old && !settled(old))
    return refuse(
      state,
      replyTo,
      'BAD_STATE',
      `VM ${spec.name} is already ${old.run.state} on ${state.host}`,
    );
  const epoch = (old?.epoch ?? 0) + 1;
  const vm: VmInstanceState = {
    ...freshEntry(spec, state.writeIntervalMs),
    epoch,
    run: { state: 'Incoming', epoch, from, since: ctx.now },
  };
  const effects: VmDecision['effects'] = [];
  if (old) effects.push({ type: 'forget', vm: spec.name });
  effects.push(
    { type: 'allocIncoming', vm: spec.name, memoryMiB: spec.memoryMiB },
    { type: 'log', level: 'info', msg: 'VM migrating in', fields: { vm: spec.name, from } },
    { type: 'reply', replyTo, reply: { ok: true, vm } },
  );
  return { state: put(state, vm), effects };
}

/** The VM resumes here with the source's device state: same workload seq, acked writes, uptime. */
export function incomingResume(vm: VmInstanceState, device: DeviceState, ctx: Ctx): VmStep {
  if (vm.run.state !== 'Incoming') return badState(vm, 'resume an incoming');
  const withDevice: VmInstanceState = {
    ...vm,
    workload: {
      ...vm.workload,
      enabled: device.enabled,
      intervalMs: device.intervalMs || vm.workload.intervalMs,
      nextSeq: device.nextSeq,
      acked: device.acked,
      failedWrites: device.failedWrites,
      unknownWrites: device.unknownWrites,
      lastError: device.lastError,
      dirtyPagesPerSec: device.dirtyPagesPerSec,
    },
  };
  const r = running(withDevice, vm.run.epoch, ctx.now - device.uptimeMs, ctx, device.bootLeftMs);
  return {
    vm: r.vm,
    effects: [
      ...r.effects,
      { type: 'log', level: 'info', msg: 'VM resumed after migration', fields: { vm: vm.spec.name } },
    ],
  };
}

/** An incoming migration that failed: the skeleton VM goes. */
export function incomingAbort(state: VmManagerState, replyTo: string, name: string): VmDecision {
  const vm = state.vms[name];
  if (vm?.run.state !== 'Incoming') return replyWith(state, replyTo, vm ?? null);
  return {
    state: drop(state, name),
    effects: [
      { type: 'forget', vm: name },
      { type: 'log', level: 'warn', msg: 'incoming migration abandoned', fields: { vm: name } },
      { type: 'reply', replyTo, reply: { ok: true, vm: null } },
    ],
  };
}
