import { describe, expect, it } from 'vitest';
import { Simulation, type TimerEffect } from '../../actor/actor.js';
import type { VmSpec } from '../../process/config.js';
import { RECORD_SIZE } from '../record.js';
import { decideVm } from './core.js';
import { deviceStateOf } from './migration-source.js';
import type { VmEffect, VmManagerState, VmMsg } from './model.js';
import { changedVms, initialVms, REGION_SIZE_BYTES, REGION_START_BYTES } from './registry.js';
import { DIRTY_TICK_MS, dirtyTickMs } from './workload.js';

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
/** Sets VirtualMachine1's dirty-page rate alone (no disk records), as SetWorkload does. */
const dirtyRate = (s: ReturnType<typeof sim>, dirtyPagesPerSec: number) =>
  s.send({
    type: 'setWorkload',
    replyTo: 'r',
    name: 'VirtualMachine1',
    enabled: true,
    intervalMs: 0,
    dirtyPagesPerSec,
  });

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
    // A cold boot's time runs while the guest reads its disk's journal (memoryReady).
    expect(started[1]).toEqual({
      type: 'startTimer',
      id: 'boot:VirtualMachine1',
      ms: BOOT,
      msg: { type: 'booted', name: 'VirtualMachine1', epoch: 1 },
    });
    expect(replyOf(started)?.reply).toMatchObject({ ok: true, vm: { run: { state: 'Starting' } } });
    expect(s.send({ type: 'memoryReady', name: 'VirtualMachine1', epoch: 1 })).toEqual([]);
    expect(s.advance(BOOT - 1)).toEqual([]);
    const up = s.advance(1);
    expect(kinds(up)).toEqual(['log', 'listen', 'startTimer', 'startTimer']);
    expect(s.state.vms.VirtualMachine1?.run).toEqual({ state: 'Running', epoch: 1, since: BOOT });
  });

  it('runs a cold-booted guest only once its disk is read, however long that takes past the boot time', () => {
    const s = sim();
    s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
    expect(s.advance(BOOT + 500)).toEqual([]);
    expect(s.state.vms.VirtualMachine1?.run).toMatchObject({
      state: 'Starting',
      bootDone: true,
      memoryReady: false,
    });
    const up = s.send({ type: 'memoryReady', name: 'VirtualMachine1', epoch: 1, lastSeq: 41 });
    expect(kinds(up)).toEqual(['log', 'listen', 'startTimer', 'startTimer']);
    expect(s.state.vms.VirtualMachine1?.run).toEqual({ state: 'Running', epoch: 1, since: BOOT + 500 });
    // The journal carries on after the newest record found on the disk.
    expect(s.state.vms.VirtualMachine1?.workload.nextSeq).toBe(42);
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
    expect(kinds(saving)).toEqual(['unlisten', 'cancelTimer', 'saveMemory', 'cancelTimer', 'reply']);
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

describe('memory dirtying', () => {
  const dirtied = (effects: Eff[]) =>
    effects.reduce((n, e) => n + (e.type === 'dirtyMemory' ? e.pages : 0), 0);

  it('dirties rate × time pages in batches every 50 ms (once a page when slower) while running, carrying fractions', () => {
    const s = sim();
    running(s);
    // The default 256 pages/s: 12.8 pages a batch, 256 in a second, exactly.
    const second = s.advance(1000);
    expect(dirtied(second)).toBe(256);
    expect(second.filter((e) => e.type === 'dirtyMemory').length).toBeLessThanOrEqual(20);
    dirtyRate(s, 2);
    // Two pages a second: one batch every 500 ms, not twenty idle ticks.
    const slow = s.advance(2000);
    expect(dirtied(slow)).toBe(4);
    expect(
      slow.filter((e) => e.type === 'startTimer' && e.id === 'dirty:VirtualMachine1').length,
    ).toBeLessThanOrEqual(5);
    expect(dirtyTickMs(1)).toBe(1000);
    expect(dirtyTickMs(0.1)).toBe(1000);
    expect(dirtyTickMs(100_000)).toBe(DIRTY_TICK_MS);
    dirtyRate(s, 5000);
    expect(dirtied(s.advance(100))).toBe(500);
  });

  it('stops dirtying when the rate is set to 0, and while the VM is off', () => {
    const s = sim();
    running(s);
    const off = dirtyRate(s, 0);
    expect(off).toContainEqual({ type: 'cancelTimer', id: 'dirty:VirtualMachine1' });
    expect(dirtied(s.advance(1000))).toBe(0);
    expect(replyOf(dirtyRate(s, -1))?.reply).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
    dirtyRate(s, 100);
    s.send({ type: 'stop', replyTo: 'r', name: 'VirtualMachine1' });
    expect(dirtied(s.advance(1000))).toBe(0);
    expect(s.pendingTimers()).toEqual([]);
  });

  it("takes a VM's dirty rate from its spec", () => {
    const s = sim();
    s.send({ type: 'define', replyTo: 'r', spec: { ...vm1, name: 'Busy', dirtyPagesPerSec: 1000 } });
    s.send({ type: 'start', replyTo: 'r', name: 'Busy' });
    s.send({ type: 'memoryReady', name: 'Busy', epoch: 1 });
    s.advance(BOOT);
    expect(dirtied(s.advance(1000))).toBe(1000);
  });
});

describe('registry operations for the cluster', () => {
  const other: VmSpec = { ...vm1, name: 'Role2', node: 'HVR2NODO1', diskOffsetBytes: 128 * MIB };

  it('defines a VM with exactly the given extent, Off, and is idempotent for the same spec', () => {
    const s = sim();
    const first = replyOf(s.send({ type: 'define', replyTo: 'a', spec: other }))?.reply;
    expect(first).toMatchObject({
      ok: true,
      vm: { run: { state: 'Off' }, spec: { diskOffsetBytes: 128 * MIB, node: 'HVR2NODO2' } },
    });
    const again = s.send({ type: 'define', replyTo: 'b', spec: other });
    expect(kinds(again)).toEqual(['reply']);
    expect(replyOf(again)?.reply).toEqual(first);
  });

  it('replaces a different definition that is Off, refuses one that is running', () => {
    const s = sim();
    const moved = { ...vm1, diskOffsetBytes: 256 * MIB };
    expect(kinds(s.send({ type: 'define', replyTo: 'a', spec: moved }))).toEqual(['forget', 'log', 'reply']);
    expect(s.state.vms.VirtualMachine1?.spec.diskOffsetBytes).toBe(256 * MIB);
    running(s);
    expect(replyOf(s.send({ type: 'define', replyTo: 'b', spec: vm1 }))?.reply).toEqual({
      ok: false,
      code: 'BAD_STATE',
      message: 'a different VM named VirtualMachine1 is Running on HVR2NODO2',
    });
    expect(replyOf(s.send({ type: 'define', replyTo: 'c', spec: moved }))?.reply).toMatchObject({ ok: true });
  });

  it('refuses a definition on a virtual switch the node lacks', () => {
    const s = sim();
    expect(
      replyOf(s.send({ type: 'define', replyTo: 'a', spec: { ...other, switchName: 'Internal' } }))?.reply,
    ).toMatchObject({
      ok: false,
      code: 'INVALID_ARGUMENT',
    });
  });

  it('removes an Off or Saved VM, is fine with an unknown one, and refuses a running one', () => {
    const s = sim();
    running(s);
    expect(replyOf(s.send({ type: 'remove', replyTo: 'a', name: 'VirtualMachine1' }))?.reply).toMatchObject({
      ok: false,
      code: 'BAD_STATE',
    });
    s.send({ type: 'save', replyTo: 'r', name: 'VirtualMachine1' });
    s.send({ type: 'saved', name: 'VirtualMachine1', epoch: 1 });
    const gone = s.send({ type: 'remove', replyTo: 'b', name: 'VirtualMachine1' });
    expect(gone).toContainEqual({ type: 'forget', vm: 'VirtualMachine1' });
    expect(replyOf(gone)?.reply).toEqual({ ok: true, vm: null });
    expect(s.state.vms.VirtualMachine1).toBeUndefined();
    expect(replyOf(s.send({ type: 'remove', replyTo: 'c', name: 'VirtualMachine1' }))?.reply).toEqual({
      ok: true,
      vm: null,
    });
  });

  it('turns off a VM at once, pausing or paused too, without saving anything', () => {
    const s = sim();
    running(s);
    s.advance(INTERVAL);
    s.send({ type: 'pause', replyTo: 'p', name: 'VirtualMachine1' });
    const off = s.send({ type: 'stop', replyTo: 'o', name: 'VirtualMachine1' });
    expect(kinds(off)).not.toContain('saveMemory');
    expect(off).toContainEqual({ type: 'freeMemory', vm: 'VirtualMachine1' });
    // The pause that was waiting for the write hears that the VM went off.
    expect(off.find((e) => e.type === 'reply' && e.replyTo === 'p')).toMatchObject({
      reply: { ok: false, code: 'BAD_STATE' },
    });
    expect(s.state.vms.VirtualMachine1?.run).toEqual({ state: 'Off' });
  });

  it('reports which VMs changed lifecycle state, new ones included', () => {
    const s = sim();
    const before = s.state;
    s.send({ type: 'define', replyTo: 'a', spec: other });
    s.send({ type: 'start', replyTo: 'b', name: 'VirtualMachine1' });
    const after = s.state;
    expect(changedVms(before, after).map((v) => `${v.spec.name}:${v.run.state}`)).toEqual([
      'VirtualMachine1:Starting',
      'Role2:Off',
    ]);
    s.send({ type: 'setWorkload', replyTo: 'c', name: 'Role2', enabled: false, intervalMs: 0 });
    expect(changedVms(after, s.state)).toEqual([]);
  });

  it('reports a reservation conflict on the disk of a running VM once per run, leaving it Running', () => {
    const s = sim();
    running(s);
    const conflict = {
      ok: false as const,
      definite: true,
      code: 'RESERVATION_CONFLICT' as const,
      message: 'preempted',
    };
    s.advance(INTERVAL);
    const first = s.send({ type: 'writeDone', name: 'VirtualMachine1', seq: 1, outcome: conflict });
    expect(first).toEqual([
      { type: 'fault', vm: 'VirtualMachine1', reason: 'RESERVATION_CONFLICT: preempted' },
    ]);
    s.advance(INTERVAL);
    expect(s.send({ type: 'writeDone', name: 'VirtualMachine1', seq: 1, outcome: conflict })).toEqual([]);
    expect(s.state.vms.VirtualMachine1?.run.state).toBe('Running');
    const unknown = { ok: false as const, definite: false, code: 'ALL_PATHS_DOWN' as const, message: 'x' };
    s.advance(INTERVAL);
    expect(s.send({ type: 'writeDone', name: 'VirtualMachine1', seq: 1, outcome: unknown })).toEqual([]);
  });

  it('creates a VM on the extent the caller allocated, leaving the node region untouched', () => {
    const s = sim();
    const req = {
      name: 'VM9',
      memoryMiB: 64,
      diskPath: 'C:\\ClusterStorage\\Volume1\\VM9\\VM9.vhd',
      diskSizeMiB: 10,
      switchName: 'VMs',
      diskOffsetBytes: 512 * MIB,
    };
    const next = s.state.nextDiskOffset;
    expect(replyOf(s.send({ type: 'create', replyTo: 'a', req }))?.reply).toMatchObject({
      ok: true,
      vm: { spec: { diskOffsetBytes: 512 * MIB, diskSizeBytes: 10 * MIB } },
    });
    expect(s.state.nextDiskOffset).toBe(next);
    expect(
      replyOf(s.send({ type: 'create', replyTo: 'b', req: { ...req, name: 'VM10', diskOffsetBytes: 100 } }))
        ?.reply,
    ).toMatchObject({
      ok: false,
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('creating a VM whose disk the CSV coordinator allocates', () => {
  const csvSim = () => {
    const base = sim();
    return new Simulation<VmManagerState, VmMsg, VmEffect>(
      decideVm,
      { ...base.state, csvAllocates: true },
      { self: 'HVR2NODO2' },
    );
  };
  const req = {
    name: 'VM9',
    memoryMiB: 64,
    diskPath: 'C:\\ClusterStorage\\Volume1\\VM9\\VM9.vhd',
    diskSizeMiB: 10,
    switchName: 'VMs',
  };

  it('asks the coordinator for the disk file, then defines the VM on the extent it gave', () => {
    const s = csvSim();
    const next = s.state.nextDiskOffset;
    expect(s.send({ type: 'create', replyTo: 'a', req })).toEqual([
      { type: 'allocateDisk', replyTo: 'a', req, sizeBytes: 10 * MIB },
    ]);
    expect(s.state.vms.VM9).toBeUndefined();
    const effects = s.send({ type: 'diskAllocated', replyTo: 'a', req, offset: 768 * MIB });
    expect(replyOf(effects)?.reply).toMatchObject({
      ok: true,
      vm: { spec: { diskOffsetBytes: 768 * MIB, diskSizeBytes: 10 * MIB } },
    });
    expect(s.state.nextDiskOffset).toBe(next);
  });

  it('refuses a bad request without making a file, and removes a file it could not use', () => {
    const s = csvSim();
    expect(kinds(s.send({ type: 'create', replyTo: 'a', req: { ...req, memoryMiB: 0 } }))).toEqual(['reply']);
    s.send({ type: 'create', replyTo: 'b', req });
    // Another VM of that name was created while the file was being made.
    s.send({ type: 'define', replyTo: 'c', spec: { ...vm1, name: 'VM9', diskOffsetBytes: 256 * MIB } });
    const effects = s.send({ type: 'diskAllocated', replyTo: 'b', req, offset: 768 * MIB });
    expect(effects[0]).toEqual({ type: 'releaseDisk', path: req.diskPath });
    expect(replyOf(effects)?.reply).toMatchObject({ ok: false, code: 'ALREADY_EXISTS' });
  });

  it("passes the coordinator's refusal on", () => {
    const s = csvSim();
    s.send({ type: 'create', replyTo: 'a', req });
    const effects = s.send({
      type: 'diskAllocationFailed',
      replyTo: 'a',
      code: 'OUT_OF_RANGE',
      message: 'full',
    });
    expect(replyOf(effects)?.reply).toEqual({ ok: false, code: 'OUT_OF_RANGE', message: 'full' });
  });
});

describe('migration, source and target sides', () => {
  it('holds one migration per node pair', () => {
    const s = sim();
    running(s);
    s.send({ type: 'define', replyTo: 'a', spec: { ...vm1, name: 'Other', diskOffsetBytes: 128 * MIB } });
    s.send({ type: 'start', replyTo: 'b', name: 'Other' });
    s.send({ type: 'memoryReady', name: 'Other', epoch: 1 });
    s.advance(BOOT);
    expect(
      replyOf(s.send({ type: 'beginMigration', replyTo: 'c', name: 'VirtualMachine1', to: 'HVR2NODO1' }))
        ?.reply,
    ).toMatchObject({ ok: true });
    expect(
      replyOf(s.send({ type: 'beginMigration', replyTo: 'd', name: 'Other', to: 'HVR2NODO1' }))?.reply,
    ).toMatchObject({
      ok: false,
      code: 'BAD_STATE',
      message: expect.stringMatching(
        /from HVR2NODO2 to HVR2NODO1 is already under way \(VM VirtualMachine1\)/,
      ),
    });
    expect(
      replyOf(s.send({ type: 'beginMigration', replyTo: 'e', name: 'Other', to: 'HVR2NODO3' }))?.reply,
    ).toMatchObject({ ok: true });
    expect(replyOf(s.send({ type: 'save', replyTo: 'f', name: 'Other' }))?.reply).toMatchObject({
      code: 'BAD_STATE',
    });
    s.send({ type: 'migrationFailed', replyTo: 'g', name: 'VirtualMachine1', hold: false });
    expect(
      replyOf(s.send({ type: 'beginMigration', replyTo: 'h', name: 'VirtualMachine1', to: 'HVR2NODO1' }))
        ?.reply,
    ).toMatchObject({ ok: true });
  });

  it('pauses only once the write under way is settled, so the device state is final', () => {
    const s = sim();
    running(s);
    s.advance(INTERVAL);
    const pausing = s.send({ type: 'pause', replyTo: 'p', name: 'VirtualMachine1' });
    expect(kinds(pausing)).toEqual(['unlisten', 'cancelTimer', 'cancelTimer']);
    expect(s.state.vms.VirtualMachine1?.run.state).toBe('Pausing');
    const paused = s.send({ type: 'writeDone', name: 'VirtualMachine1', seq: 1, outcome: { ok: true } });
    expect(replyOf(paused)).toMatchObject({
      replyTo: 'p',
      reply: { ok: true, vm: { run: { state: 'Paused' } } },
    });
    expect(s.advance(1000)).toEqual([]);
    const vm = s.state.vms.VirtualMachine1;
    expect(vm && deviceStateOf(vm, s.now)).toMatchObject({
      nextSeq: 2,
      acked: [{ first: 1, last: 1 }],
      uptimeMs: INTERVAL,
    });
  });

  it('resumes the VM on the source when the migration fails, unless its fate is unknown', () => {
    const s = sim();
    running(s);
    s.send({ type: 'beginMigration', replyTo: 'a', name: 'VirtualMachine1', to: 'HVR2NODO1' });
    s.send({ type: 'pause', replyTo: 'b', name: 'VirtualMachine1' });
    const held = s.send({ type: 'migrationFailed', replyTo: 'c', name: 'VirtualMachine1', hold: true });
    expect(kinds(held)).toEqual(['reply']);
    expect(s.state.vms.VirtualMachine1).toMatchObject({ run: { state: 'Paused' }, migratingTo: null });
    const back = s.send({ type: 'resume', replyTo: 'd', name: 'VirtualMachine1' });
    expect(kinds(back)).toEqual(['listen', 'startTimer', 'startTimer', 'reply']);
    expect(s.state.vms.VirtualMachine1?.run).toEqual({ state: 'Running', epoch: 1, since: BOOT });
  });

  it('forgets a VM that migrated away', () => {
    const s = sim();
    running(s);
    expect(
      replyOf(s.send({ type: 'migratedAway', replyTo: 'a', name: 'VirtualMachine1' }))?.reply,
    ).toMatchObject({ code: 'BAD_STATE' });
    s.send({ type: 'pause', replyTo: 'b', name: 'VirtualMachine1' });
    expect(kinds(s.send({ type: 'migratedAway', replyTo: 'c', name: 'VirtualMachine1' }))).toEqual([
      'forget',
      'log',
      'reply',
    ]);
    expect(s.state.vms.VirtualMachine1).toBeUndefined();
  });

  it('builds a skeleton VM for an incoming migration and resumes it with the carried device state', () => {
    const s = sim();
    s.advance(50_000);
    const incoming = { ...vm1, name: 'Arriving', node: 'HVR2NODO1', diskOffsetBytes: 128 * MIB };
    const created = s.send({ type: 'incoming', replyTo: 'a', spec: incoming, from: 'HVR2NODO1' });
    expect(created[0]).toEqual({ type: 'allocIncoming', vm: 'Arriving', memoryMiB: 512 });
    expect(s.state.vms.Arriving?.run).toEqual({
      state: 'Incoming',
      epoch: 1,
      from: 'HVR2NODO1',
      since: 50_000,
    });
    expect(
      replyOf(
        s.send({ type: 'incoming', replyTo: 'b', spec: { ...incoming, name: 'Second' }, from: 'HVR2NODO1' }),
      )?.reply,
    ).toMatchObject({
      code: 'BAD_STATE',
    });
    const device = {
      enabled: true,
      intervalMs: INTERVAL,
      nextSeq: 42,
      acked: [{ first: 1, last: 41 }],
      failedWrites: 1,
      unknownWrites: 2,
      lastError: 'x',
      dirtyPagesPerSec: 256,
      uptimeMs: 7000,
    };
    s.send({ type: 'incomingResume', replyTo: 'c', name: 'Arriving', device });
    expect(s.state.vms.Arriving?.run).toEqual({ state: 'Running', epoch: 1, since: 43_000 });
    expect(s.state.vms.Arriving?.workload).toMatchObject({
      nextSeq: 42,
      acked: [{ first: 1, last: 41 }],
      failedWrites: 1,
    });
    const w = s.advance(INTERVAL).find((e) => e.type === 'writeRecord');
    expect(w).toMatchObject({ seq: 42 });
  });

  it('refuses an incoming VM that already runs here, and drops an abandoned skeleton', () => {
    const s = sim();
    running(s);
    expect(
      replyOf(s.send({ type: 'incoming', replyTo: 'a', spec: vm1, from: 'HVR2NODO1' }))?.reply,
    ).toMatchObject({
      code: 'BAD_STATE',
      message: 'VM VirtualMachine1 is already Running on HVR2NODO2',
    });
    s.send({ type: 'incoming', replyTo: 'b', spec: { ...vm1, name: 'Skel' }, from: 'HVR2NODO1' });
    expect(kinds(s.send({ type: 'incomingAbort', replyTo: 'c', name: 'Skel' }))).toEqual([
      'forget',
      'log',
      'reply',
    ]);
    expect(s.state.vms.Skel).toBeUndefined();
    // Aborting leaves a VM that is not a skeleton alone.
    expect(kinds(s.send({ type: 'incomingAbort', replyTo: 'd', name: 'VirtualMachine1' }))).toEqual([
      'reply',
    ]);
    expect(s.state.vms.VirtualMachine1?.run.state).toBe('Running');
  });
});

describe('cold boot after a failover', () => {
  it('carries the disk journal on after the newest record found on the disk', () => {
    const s = sim();
    s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
    s.send({ type: 'memoryReady', name: 'VirtualMachine1', epoch: 1, lastSeq: 41 });
    s.advance(BOOT);
    expect(s.state.vms.VirtualMachine1?.workload.nextSeq).toBe(42);
    const writes = s.advance(INTERVAL).filter((e) => e.type === 'writeRecord');
    expect(writes[0]).toMatchObject({ type: 'writeRecord', seq: 42 });
  });
});
