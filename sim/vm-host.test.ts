/**
 * The real VM core on a simulated node: a cold boot reads the VM's whole disk through the node's
 * block device (never from the disk image) and carries on its journal after the newest record
 * found there; a boot whose reads fail does not start; records are logged as written.
 */
import { describe, expect, it } from 'vitest';
import { SCAN_CHUNK_BYTES } from '../services/hyperv-node/journal-scan.js';
import type { IoResult, StorageOp } from '../services/hyperv-node/mpio.js';
import { encodeRecord, RECORD_SIZE, recordOffset } from '../services/hyperv-node/record.js';
import type { NodeSettings, Timing, VmSpec } from '../services/process/config.js';
import { HistoryLog } from './history-log.js';
import { SimHost } from './host.js';
import { LAN, Network } from './network.js';
import { SimRandom } from './random.js';
import { Scheduler } from './scheduler.js';
import { SavedStates, SimVmHost } from './vm-host.js';

const MIB = 1024 * 1024;
const spec: VmSpec = {
  name: 'VM1',
  memoryMiB: 512,
  diskPath: 'C:\\ClusterStorage\\Volume1\\VM1\\VM1.vhd',
  lun: 'CSV1',
  diskOffsetBytes: 16 * MIB,
  diskSizeBytes: 10 * MIB,
  switchName: 'VMs',
  node: 'N1',
};
const settings = {
  nodeId: 1,
  virtualSwitches: ['VMs'],
  luns: ['Quorum', 'CSV1'],
  vms: [spec],
} as NodeSettings;
const timing = {
  vmBootMs: 1000,
  vmWriteIntervalMs: 100,
  sameSubnetDelayMs: 1000,
  sameSubnetThreshold: 5,
} as Timing;

/** A node's VM manager over a disk held in a Map, every I/O answered after 1 ms unless `fail`. */
function rig(opts: { newest?: number; fail?: (op: StorageOp) => boolean } = {}) {
  const sched = new Scheduler();
  const world = { sched, random: new SimRandom(1) };
  const host = new SimHost('N1');
  const net = new Network(sched, world.random, LAN);
  net.add(host);
  const history = new HistoryLog(sched);
  const disk = new Map<number, Uint8Array>();
  const ops: StorageOp[] = [];
  const states: string[] = [];
  if (opts.newest) {
    const rec = encodeRecord({
      vm: 'VM1',
      seq: opts.newest,
      timeMs: 0,
      writer: 'N2',
      incarnation: '0'.repeat(16),
    });
    disk.set(recordOffset(spec.diskOffsetBytes, spec.diskSizeBytes, opts.newest), rec);
  }
  const io = (_lun: string, op: StorageOp, done: (r: IoResult) => void) => {
    ops.push(op);
    sched.after(1, 'io', () => {
      if (opts.fail?.(op)) return done({ ok: false, code: 'ALL_PATHS_DOWN', message: 'no path' });
      if (op.kind === 'write') {
        disk.set(op.offset, op.data);
        return done({ ok: true });
      }
      if (op.kind !== 'read') return done({ ok: true });
      const data = new Uint8Array(op.length);
      for (const [at, b] of disk)
        if (at >= op.offset && at < op.offset + op.length) data.set(b, at - op.offset);
      done({ ok: true, data });
    });
  };
  const vms = new SimVmHost(
    world,
    host,
    history,
    {
      io,
      changed: (vm, s) => states.push(`${vm} ${s}`),
      fault: () => {},
      startFailed: (vm, error) => states.push(`${vm} start failed: ${error}`),
    },
    new SavedStates(),
    settings,
    timing,
    net,
  );
  let reply = '';
  vms.op('start', 'VM1', undefined, (ok, error) => {
    reply = ok ? 'ok' : `failed: ${error}`;
  });
  return { sched, vms, ops, states, history, reply: () => reply };
}

describe('the VM core on a simulated node', () => {
  it('reads its disk through the block device up to the journal’s end at a cold boot and continues after the newest record', () => {
    const r = rig({ newest: 41 });
    r.sched.runUntil(1500);
    const reads = r.ops.filter((o) => o.kind === 'read') as Extract<StorageOp, { kind: 'read' }>[];
    // Four pieces in flight; the second holds nothing, so the journal ends in the first (the
    // first piece back asked for a fifth before the second came back).
    expect(reads.map((o) => o.offset)).toEqual([16, 17, 18, 19, 20].map((m) => m * MIB));
    expect(reads.map((o) => o.length)).toEqual(Array(5).fill(SCAN_CHUNK_BYTES));
    expect(r.vms.running('VM1')).toBe(true);
    expect(r.reply()).toBe('ok');
    const writes = r.history.entries.filter((e) => e.type === 'op' && e.f === 'write' && e.phase === 'ok');
    expect(writes.map((e) => (e as { seq: number }).seq).slice(0, 3)).toEqual([42, 43, 44]);
    expect(r.states).toContain('VM1 Running');
  });

  it('does not boot when a read of its disk fails: the start fails, then the VM is Off', () => {
    const r = rig({ newest: 41, fail: (op) => op.kind === 'read' && op.offset === 17 * MIB });
    r.sched.runUntil(5000);
    expect(r.vms.running('VM1')).toBe(false);
    expect(r.vms.stateOf('VM1')).toBe('Off');
    expect(r.states.slice(-2)).toEqual([
      `VM1 start failed: reading VM1's disk at ${MIB}: ALL_PATHS_DOWN: no path`,
      'VM1 Off',
    ]);
    expect(r.ops.some((o) => o.kind === 'write')).toBe(false);
  });

  it('names the writer and a new incarnation at every start in each record and its history line', () => {
    const r = rig();
    r.sched.runUntil(1350);
    const line = r.history.entries.find(
      (e) => e.type === 'op' && e.f === 'write' && e.phase === 'invoke',
    ) as {
      host: string;
      incarnation: string;
      seq: number;
    };
    expect(line.host).toBe('N1');
    expect(line.incarnation).toMatch(/^[0-9a-f]{8}00000001$/);
    expect(line.seq).toBe(1);
    const write = r.ops.find((o) => o.kind === 'write') as Extract<StorageOp, { kind: 'write' }>;
    expect(write.data.length).toBe(RECORD_SIZE);
    expect(write.offset).toBe(recordOffset(spec.diskOffsetBytes, spec.diskSizeBytes, 1));
  });
});
