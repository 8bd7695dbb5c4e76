/**
 * services/hyperv-node/vm: the Hyper-V VM manager of one node, as a pure core. VM definitions
 * and their lifecycle (Off → Starting → Running → Saving → Saved), the address each Running VM
 * answers on, and each VM's disk workload — sequence-numbered records written one at a time
 * through MPIO. Memory buffers, files, NATS and storage are the adapter's (../vm-host.ts); it
 * reports back with messages, each tagged with the start epoch it belongs to so a late answer
 * from an earlier run of the VM cannot move the current one.
 *
 * Files, all pure: model.ts (states, messages, effects, shared helpers), lifecycle.ts (states
 * and transitions), workload.ts (record writes and memory dirtying), registry.ts (the node's set
 * of VMs: create, define, remove), migration-source.ts and migration-target.ts (a migration's
 * two ends as the VM sees them), this file (decideVm, which only dispatches).
 */
import type { Ctx } from '../../actor/actor.js';
import { booted, memoryFailed, memoryReady, save, saved, saveFailed, start, stop } from './lifecycle.js';
import { beginMigration, migratedAway, migrationFailed, pause, resume } from './migration-source.js';
import { incoming, incomingAbort, incomingResume } from './migration-target.js';
import { refuse, type VmDecision, type VmManagerState, type VmMsg, withVm } from './model.js';
import { create, define, diskAllocated, remove } from './registry.js';
import { dirtyTick, setWorkload, tick, writeDone } from './workload.js';

/** The VM core: decide one message. */
export function decideVm(state: VmManagerState, msg: VmMsg, ctx: Ctx): VmDecision {
  switch (msg.type) {
    case 'create':
      return create(state, msg.replyTo, msg.req);
    case 'diskAllocated':
      return diskAllocated(state, msg.replyTo, msg.req, msg.offset);
    case 'diskAllocationFailed':
      return refuse(state, msg.replyTo, msg.code, msg.message);
    case 'start':
      return withVm(state, msg.replyTo, msg.name, (vm) => start(state, vm, ctx));
    case 'stop':
      return withVm(state, msg.replyTo, msg.name, (vm) => stop(vm));
    case 'save':
      return withVm(state, msg.replyTo, msg.name, (vm) => save(vm, ctx));
    case 'setWorkload':
      return withVm(state, msg.replyTo, msg.name, (vm) =>
        setWorkload(vm, msg.enabled, msg.intervalMs, msg.dirtyPagesPerSec, ctx),
      );
    case 'define':
      return define(state, msg.replyTo, msg.spec, msg.saved === true, ctx.now);
    case 'remove':
      return remove(state, msg.replyTo, msg.name);
    case 'beginMigration':
      return withVm(state, msg.replyTo, msg.name, (vm) => beginMigration(state, vm, msg.to));
    case 'pause':
      return pause(state, msg.replyTo, msg.name, ctx);
    case 'resume':
      return withVm(state, msg.replyTo, msg.name, (vm) => resume(vm, ctx));
    case 'migrationFailed':
      return withVm(state, msg.replyTo, msg.name, (vm) => migrationFailed(vm, msg.hold, ctx));
    case 'migratedAway':
      return migratedAway(state, msg.replyTo, msg.name);
    case 'incoming':
      return incoming(state, msg.replyTo, msg.spec, msg.from, ctx);
    case 'incomingResume':
      return withVm(state, msg.replyTo, msg.name, (vm) => incomingResume(vm, msg.device, ctx));
    case 'incomingAbort':
      return incomingAbort(state, msg.replyTo, msg.name);
    case 'dirtyTick':
      return dirtyTick(state, msg.name, msg.epoch, ctx);
    case 'memoryReady':
      return memoryReady(state, msg.name, msg.epoch, msg.lastSeq ?? 0, ctx);
    case 'memoryFailed':
      return memoryFailed(state, msg.name, msg.epoch, msg.error);
    case 'booted':
      return booted(state, msg.name, msg.epoch, ctx);
    case 'saved':
      return saved(state, msg.name, msg.epoch, ctx);
    case 'saveFailed':
      return saveFailed(state, msg.name, msg.epoch, msg.error, ctx);
    case 'tick':
      return tick(state, msg.name, ctx);
    case 'writeDone':
      return writeDone(state, msg.name, msg.seq, msg.outcome);
  }
}
