import { describe, expect, it } from 'vitest';
import { Simulation, type TimerEffect } from '../actor/actor.js';
import type { VmSpec } from '../actor/config.js';
import { RECORD_SIZE } from './record.js';
import {
  decideVm,
  initialVms,
  REGION_SIZE_BYTES,
  REGION_START_BYTES,
  type VmEffect,
  type VmManagerState,
  type VmMsg,
} from './vm.js';

const MIB = 1024 * 1024;
const BOOT = 3000;
const INTERVAL = 100;

const vm1: VmSpec = {
  name: 'VirtualMachine1',
  memoryMiB: 512,
  diskPath: 'C:\\ClusterStorage\\Volume1\\VirtualMachine1\\VirtualMachine1.vhd',
  lun: 'CSV1',
  diskOffsetBytes: 0,
  diskSizeBytes: 64 * MIB,
  switchName: 'VMs',
  node: 'HVR2NODO2',
};
const elsewhere: VmSpec = { ...vm1, name: 'VirtualMachine2', node: 'HVR2NODO1', diskOffsetBytes: 64 * MIB };

function sim(nodeId = 2) {
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

type Eff = VmEffect | TimerEffect<VmMsg>;
const replyOf = (effects: Eff[]) =>
  effects.find((e) => e.type === 'reply') as Extract<VmEffect, { type: 'reply' }> | undefined;
const kinds = (effects: Eff[]) => effects.map((e) => e.type);

/** Brings VirtualMachine1 to Running. */
function running(s: ReturnType<typeof sim>) {
  s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
  s.send({ type: 'memoryReady', name: 'VirtualMachine1', epoch: 1 });
  s.advance(BOOT);
  expect(s.state.vms.VirtualMachine1?.run.state).toBe('Running');
}

describe('VM definitions', () => {
  it("defines this host's topology VMs at start, Off", () => {
    const s = sim();
    expect(Object.keys(s.state.vms)).toEqual(['VirtualMachine1']);
    expect(s.state.vms.VirtualMachine1?.run).toEqual({ state: 'Off' });
  });

  it('creates a VM on the CSV LUN in the region private to the node, one extent after another', () => {
    const s = sim(2);
    const req = {
      name: 'VM3',
      memoryMiB: 256,
      diskPath: 'C:\\ClusterStorage\\Volume1\\VM3\\VM3.vhd',
      diskSizeMiB: 100,
      switchName: 'VMs',
    };
    const first = replyOf(s.send({ type: 'create', replyTo: 'a', req }));
    const second = replyOf(s.send({ type: 'create', replyTo: 'b', req: { ...req, name: 'VM4' } }));
    const start = REGION_START_BYTES + REGION_SIZE_BYTES;
    expect(first?.reply).toMatchObject({
      ok: true,
      vm: { spec: { lun: 'CSV1', diskOffsetBytes: start, diskSizeBytes: 100 * MIB } },
    });
    expect(second?.reply).toMatchObject({
      ok: true,
      vm: { spec: { diskOffsetBytes: start + 100 * MIB, node: 'HVR2NODO2' } },
    });
    expect(s.state.vms.VM3?.run.state).toBe('Off');
  });

  it.each([
    [
      { switchName: 'Internal' },
      'INVALID_ARGUMENT',
      /virtual switch "Internal" does not exist on HVR2NODO2 \(it has: VMs\)/,
    ],
    [
      { diskPath: 'D:\\VMs\\x.vhd' },
      'INVALID_ARGUMENT',
      /disk_path must be a file under C:\\ClusterStorage\\Volume1\\/,
    ],
    [{ name: 'VirtualMachine1' }, 'ALREADY_EXISTS', /already exists/],
    [{ name: 'my vm' }, 'INVALID_ARGUMENT', /letters, digits/],
    [{ memoryMiB: 0 }, 'INVALID_ARGUMENT', /memory_mib/],
    [{ diskSizeMiB: 9000 }, 'INVALID_ARGUMENT', /no room for a 9000 MiB disk/],
  ])('refuses a VM with %o', (change, code, message) => {
    const s = sim();
    const req = {
      name: 'VM3',
      memoryMiB: 256,
      diskPath: 'C:\\ClusterStorage\\Volume1\\VM3\\VM3.vhd',
      diskSizeMiB: 100,
      switchName: 'VMs',
      ...change,
    };
    const r = replyOf(s.send({ type: 'create', replyTo: 'a', req }))?.reply;
    expect(r).toMatchObject({ ok: false, code });
    expect(r?.ok === false && r.message).toMatch(message);
    expect(s.state.vms.VM3).toBeUndefined();
  });
});

describe('VM lifecycle', () => {
  it('starts Off → Starting → Running once memory is there and the boot time has passed', () => {
    const s = sim();
    const started = s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
    expect(started[0]).toEqual({
      type: 'allocMemory',
      vm: 'VirtualMachine1',
      epoch: 1,
      memoryMiB: 512,
      restore: false,
    });
    expect(replyOf(started)?.reply).toMatchObject({ ok: true, vm: { run: { state: 'Starting' } } });
    expect(s.send({ type: 'memoryReady', name: 'VirtualMachine1', epoch: 1 })).toEqual([
      {
        type: 'startTimer',
        id: 'boot:VirtualMachine1',
        ms: BOOT,
        msg: { type: 'booted', name: 'VirtualMachine1', epoch: 1 },
      },
    ]);
    expect(s.advance(BOOT - 1)).toEqual([]);
    const up = s.advance(1);
    expect(kinds(up)).toEqual(['listen', 'log', 'startTimer']);
    expect(s.state.vms.VirtualMachine1?.run).toEqual({ state: 'Running', epoch: 1, since: BOOT });
  });

  it('refuses to start a Running VM and to act on an unknown one', () => {
    const s = sim();
    running(s);
    expect(replyOf(s.send({ type: 'start', replyTo: 'x', name: 'VirtualMachine1' }))?.reply).toEqual({
      ok: false,
      code: 'BAD_STATE',
      message: 'cannot start VM VirtualMachine1: it is Running',
    });
    expect(replyOf(s.send({ type: 'stop', replyTo: 'x', name: 'Nope' }))?.reply).toEqual({
      ok: false,
      code: 'NOT_FOUND',
      message: 'no VM named Nope on HVR2NODO2',
    });
    expect(replyOf(s.send({ type: 'save', replyTo: 'x', name: 'VirtualMachine1' }))?.reply).toMatchObject({
      ok: true,
    });
    expect(replyOf(s.send({ type: 'save', replyTo: 'y', name: 'VirtualMachine1' }))?.reply).toMatchObject({
      code: 'BAD_STATE',
    });
  });

  it('turns a Running VM off: it stops answering, writing, and gives its memory back', () => {
    const s = sim();
    running(s);
    const off = s.send({ type: 'stop', replyTo: 'r', name: 'VirtualMachine1' });
    expect(off.slice(0, 3)).toEqual([
      { type: 'unlisten', vm: 'VirtualMachine1' },
      { type: 'cancelTimer', id: 'tick:VirtualMachine1' },
      { type: 'freeMemory', vm: 'VirtualMachine1' },
    ]);
    expect(s.state.vms.VirtualMachine1?.run).toEqual({ state: 'Off' });
    expect(s.pendingTimers()).toEqual([]);
  });

  it('saves a Running VM to a file and restores its memory from it at the next start', () => {
    const s = sim();
    running(s);
    const saving = s.send({ type: 'save', replyTo: 'r', name: 'VirtualMachine1' });
    expect(kinds(saving)).toEqual(['unlisten', 'cancelTimer', 'saveMemory', 'reply']);
    expect(s.state.vms.VirtualMachine1?.run.state).toBe('Saving');
    expect(s.send({ type: 'saved', name: 'VirtualMachine1', epoch: 1 })).toEqual([
      { type: 'freeMemory', vm: 'VirtualMachine1' },
    ]);
    expect(s.state.vms.VirtualMachine1?.run.state).toBe('Saved');
    const again = s.send({ type: 'start', replyTo: 'r2', name: 'VirtualMachine1' });
    expect(again[0]).toEqual({
      type: 'allocMemory',
      vm: 'VirtualMachine1',
      epoch: 2,
      memoryMiB: 512,
      restore: true,
    });
  });

  it('ignores a late answer meant for an earlier start of the VM', () => {
    const s = sim();
    s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
    s.send({ type: 'stop', replyTo: 'r', name: 'VirtualMachine1' });
    s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
    expect(s.send({ type: 'memoryReady', name: 'VirtualMachine1', epoch: 1 })).toEqual([]);
    expect(s.state.vms.VirtualMachine1?.run).toMatchObject({
      state: 'Starting',
      epoch: 2,
      memoryReady: false,
    });
  });

  it('keeps the saved state when restoring it fails', () => {
    const s = sim();
    running(s);
    s.send({ type: 'save', replyTo: 'r', name: 'VirtualMachine1' });
    s.send({ type: 'saved', name: 'VirtualMachine1', epoch: 1 });
    s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
    s.send({ type: 'memoryFailed', name: 'VirtualMachine1', epoch: 2, error: 'ENOENT' });
    expect(s.state.vms.VirtualMachine1?.run.state).toBe('Saved');
  });
});

describe('disk workload', () => {
  const writes = (effects: Eff[]) =>
    effects.flatMap((e) => (e.type === 'writeRecord' ? [`${e.seq}@${e.offset}`] : []));

  it('writes one record per tick, at offset + (seq mod records) * 4096, one at a time', () => {
    const s = sim();
    running(s);
    expect(writes(s.advance(INTERVAL))).toEqual([`1@${RECORD_SIZE}`]);
    // The write is still under way at the next tick: no second write is started.
    expect(writes(s.advance(INTERVAL))).toEqual([]);
    s.send({ type: 'writeDone', name: 'VirtualMachine1', seq: 1, outcome: { ok: true } });
    expect(writes(s.advance(INTERVAL))).toEqual([`2@${2 * RECORD_SIZE}`]);
    s.send({ type: 'writeDone', name: 'VirtualMachine1', seq: 2, outcome: { ok: true } });
    expect(s.state.vms.VirtualMachine1?.workload).toMatchObject({
      acked: [{ first: 1, last: 2 }],
      nextSeq: 3,
      inFlight: null,
    });
  });

  it('counts a refused write as failed, a write of unknown fate as unknown, and retries the same seq', () => {
    const s = sim();
    running(s);
    s.advance(INTERVAL);
    s.send({
      type: 'writeDone',
      name: 'VirtualMachine1',
      seq: 1,
      outcome: { ok: false, definite: true, code: 'RESERVATION_CONFLICT', message: 'preempted' },
    });
    expect(writes(s.advance(INTERVAL))).toEqual([`1@${RECORD_SIZE}`]);
    s.send({
      type: 'writeDone',
      name: 'VirtualMachine1',
      seq: 1,
      outcome: { ok: false, definite: false, code: 'ALL_PATHS_DOWN', message: 'no path' },
    });
    expect(writes(s.advance(INTERVAL))).toEqual([`1@${RECORD_SIZE}`]);
    s.send({ type: 'writeDone', name: 'VirtualMachine1', seq: 1, outcome: { ok: true } });
    expect(s.state.vms.VirtualMachine1?.workload).toMatchObject({
      failedWrites: 1,
      unknownWrites: 1,
      lastError: 'ALL_PATHS_DOWN: no path',
      acked: [{ first: 1, last: 1 }],
      nextSeq: 2,
    });
  });

  it('can be disabled and given a new interval', () => {
    const s = sim();
    running(s);
    const off = s.send({
      type: 'setWorkload',
      replyTo: 'r',
      name: 'VirtualMachine1',
      enabled: false,
      intervalMs: 0,
    });
    expect(off[0]).toEqual({ type: 'cancelTimer', id: 'tick:VirtualMachine1' });
    expect(writes(s.advance(10 * INTERVAL))).toEqual([]);
    s.send({ type: 'setWorkload', replyTo: 'r', name: 'VirtualMachine1', enabled: true, intervalMs: 500 });
    expect(writes(s.advance(499))).toEqual([]);
    expect(writes(s.advance(1))).toEqual([`1@${RECORD_SIZE}`]);
  });

  it('stops writing when the VM is saved, and carries on from the next seq when it runs again', () => {
    const s = sim();
    running(s);
    s.advance(INTERVAL);
    s.send({ type: 'writeDone', name: 'VirtualMachine1', seq: 1, outcome: { ok: true } });
    s.send({ type: 'save', replyTo: 'r', name: 'VirtualMachine1' });
    expect(writes(s.advance(10 * INTERVAL))).toEqual([]);
    s.send({ type: 'saved', name: 'VirtualMachine1', epoch: 1 });
    s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
    s.send({ type: 'memoryReady', name: 'VirtualMachine1', epoch: 2 });
    s.advance(BOOT);
    expect(writes(s.advance(INTERVAL))).toEqual([`2@${2 * RECORD_SIZE}`]);
  });
});
