/**
 * What the VM core's tests share: a node with two topology VMs (one of them on this host) run
 * in a simulation, and small readers of the effects it emits.
 */
import { expect } from 'vitest';
import { Simulation, type TimerEffect } from '../../actor/actor.js';
import type { VmSpec } from '../../process/config.js';
import { decideVm } from './core.js';
import type { VmEffect, VmManagerState, VmMsg } from './model.js';
import { initialVms } from './registry.js';

export const MIB = 1024 * 1024;
export const BOOT = 3000;
export const INTERVAL = 100;

/** A VM of this host (HVR2NODO2). */
export const vm1: VmSpec = {
  name: 'VirtualMachine1',
  memoryMiB: 512,
  diskPath: 'C:\\ClusterStorage\\Volume1\\VirtualMachine1\\VirtualMachine1.vhd',
  lun: 'CSV1',
  diskOffsetBytes: 0,
  diskSizeBytes: 64 * MIB,
  switchName: 'VMs',
  node: 'HVR2NODO2',
};
/** A VM of another host, left out of this one. */
export const elsewhere: VmSpec = {
  ...vm1,
  name: 'VirtualMachine2',
  node: 'HVR2NODO1',
  diskOffsetBytes: 64 * MIB,
};

/** A simulated VM manager of HVR2NODO2. */
export function sim(nodeId = 2) {
  return new Simulation<VmManagerState, VmMsg, VmEffect>(
    decideVm,
    initialVms({
      host: 'HVR2NODO2',
      nodeId,
      switches: ['VMs'],
      luns: ['Quorum', 'CSV1'],
      vms: [vm1, elsewhere],
      bootMs: BOOT,
      writeIntervalMs: INTERVAL,
    }),
    { self: 'HVR2NODO2' },
  );
}

/** Any effect of the VM core. */
export type Eff = VmEffect | TimerEffect<VmMsg>;
/** The reply among some effects. */
export const replyOf = (effects: Eff[]) =>
  effects.find((e) => e.type === 'reply') as Extract<VmEffect, { type: 'reply' }> | undefined;
/** The types of some effects, in order. */
export const kinds = (effects: Eff[]) => effects.map((e) => e.type);
/** Sets VirtualMachine1's dirty-page rate alone (no disk records), as SetWorkload does. */
export const dirtyRate = (s: ReturnType<typeof sim>, dirtyPagesPerSec: number) =>
  s.send({
    type: 'setWorkload',
    replyTo: 'r',
    name: 'VirtualMachine1',
    enabled: true,
    intervalMs: 0,
    dirtyPagesPerSec,
  });

/** Brings VirtualMachine1 to Running. */
export function running(s: ReturnType<typeof sim>) {
  s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
  s.send({ type: 'memoryReady', name: 'VirtualMachine1', epoch: 1 });
  s.advance(BOOT);
  expect(s.state.vms.VirtualMachine1?.run.state).toBe('Running');
}
