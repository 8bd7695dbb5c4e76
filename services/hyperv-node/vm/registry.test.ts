import { describe, expect, it } from 'vitest';
import { Simulation } from '../../actor/actor.js';
import type { VmSpec } from '../../process/config.js';
import { decideVm } from './core.js';
import type { VmEffect, VmManagerState, VmMsg } from './model.js';
import { changedVms, goneVms, REGION_SIZE_BYTES, REGION_START_BYTES } from './registry.js';
import { INTERVAL, kinds, MIB, replyOf, running, sim, vm1 } from './test-support.js';

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

  it('reports every VM that left as gone: an abandoned incoming skeleton, one migrated away, one removed', () => {
    const s = sim();
    s.send({ type: 'incoming', replyTo: 'a', spec: { ...other, node: 'elsewhere' }, from: 'N9' });
    const incoming = s.state;
    expect(incoming.vms.Role2?.run.state).toBe('Incoming');
    s.send({ type: 'incomingAbort', replyTo: 'b', name: 'Role2' });
    expect(goneVms(incoming, s.state)).toEqual(['Role2']);
    running(s);
    s.send({ type: 'beginMigration', replyTo: 'c', name: 'VirtualMachine1', to: 'HVR2NODO1' });
    s.send({ type: 'pause', replyTo: 'd', name: 'VirtualMachine1' });
    const migrating = s.state;
    expect(goneVms(incoming, migrating)).toEqual(['Role2']);
    s.send({ type: 'migratedAway', replyTo: 'e', name: 'VirtualMachine1' });
    expect(goneVms(migrating, s.state)).toEqual(['VirtualMachine1']);
    s.send({ type: 'define', replyTo: 'f', spec: other });
    const defined = s.state;
    s.send({ type: 'remove', replyTo: 'g', name: 'Role2' });
    expect(goneVms(defined, s.state)).toEqual(['Role2']);
    expect(goneVms(s.state, s.state)).toEqual([]);
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
