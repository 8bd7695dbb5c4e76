/**
 * The real CSV I/O core on simulated nodes: a node that lost its paths redirects its I/O through
 * the coordinator, which refuses a node outside the cluster; a pause holds I/O until the
 * coordinator is named; the coordinator loads its file table from the LUN's two slots, skipping
 * a torn one.
 */
import { describe, expect, it } from 'vitest';
import { encodeTable, slotOffset } from '../services/hyperv-node/csv/table-codec.js';
import type { IoResult, StorageOp } from '../services/hyperv-node/mpio.js';
import type { Timing } from '../services/process/config.js';
import { SimCsvVolume } from './csv.js';
import { SimDisk } from './disk.js';
import { HistoryLog } from './history-log.js';
import { SimHost } from './host.js';
import { LAN, Network } from './network.js';
import { SimRandom } from './random.js';
import { Scheduler } from './scheduler.js';

const MIB = 1024 * 1024;
const timing = {
  ioTimeoutMs: 1000,
  sameSubnetDelayMs: 1000,
  sameSubnetThreshold: 5,
  pathVerificationPeriodMs: 60_000,
} as Timing;
const VM_FILE = { path: 'C:\\ClusterStorage\\Volume1\\VM1\\VM1.vhd', offset: 64 * MIB, sizeBytes: 64 * MIB };

/** Two nodes sharing one disk; `pathsDown` nodes' MPIO answers ALL_PATHS_DOWN. */
function rig(opts: { pathsDown?: string[]; members?: string[] } = {}) {
  const sched = new Scheduler();
  const random = new SimRandom(3);
  const world = { sched, random };
  const net = new Network(sched, random, LAN);
  const history = new HistoryLog(sched);
  const disk = new SimDisk(512);
  const writers: string[] = [];
  const volumes = new Map<string, SimCsvVolume>();
  for (const name of ['N1', 'N2']) {
    const host = new SimHost(name);
    net.add(host);
    const mpio = (lun: string, op: StorageOp, done: (r: IoResult) => void) =>
      sched.after(1, 'mpio', () => {
        if (opts.pathsDown?.includes(name))
          return done({ ok: false, code: 'ALL_PATHS_DOWN', message: 'no path' });
        if (op.kind === 'write') {
          disk.write(lun, op.offset, op.data);
          disk.sync([{ lun, offset: op.offset, length: op.data.length }]);
          writers.push(`${name} ${op.offset}`);
          return done({ ok: true });
        }
        if (op.kind === 'read') return done({ ok: true, data: disk.read(lun, op.offset, op.length) });
        done({ ok: true });
      });
    volumes.set(
      name,
      new SimCsvVolume({
        world,
        host,
        net,
        history,
        timing,
        cluster: 'C',
        volume: { volume: 'Volume1', lun: 'CSV1', path: 'C:\\ClusterStorage\\Volume1' },
        lunSizeBytes: 100 * 1024 * MIB,
        seed: [VM_FILE],
        mpio,
        admitRedirect: (node) => ((opts.members ?? ['N1', 'N2']).includes(node) ? 'perform' : 'refuse'),
        epoch: () => 1,
      }),
    );
  }
  const v = (n: string) => volumes.get(n) as SimCsvVolume;
  const write = (node: string, offset: number) => {
    let result: IoResult | null = null;
    v(node).io('CSV1', { kind: 'write', offset, data: new Uint8Array(4096).fill(1) }, (r) => {
      result = r;
    });
    return () => result as IoResult | null;
  };
  return { sched, disk, writers, history, v, write };
}

describe('the CSV I/O core on simulated nodes', () => {
  it('redirects the I/O of a node without paths through the coordinator, and reports it Redirected', () => {
    const r = rig({ pathsDown: ['N1'] });
    for (const n of ['N1', 'N2']) r.v(n).coordinate('N2');
    r.sched.runUntil(500);
    const done = r.write('N1', 100 * MIB);
    r.sched.runUntil(1000);
    expect(done()).toEqual({ ok: true });
    expect(r.writers).toContain(`N2 ${100 * MIB}`);
    expect(r.v('N1').mode).toBe('Redirected');
    const modes = r.history.entries.filter((e) => e.type === 'event' && e.kind === 'csv-mode');
    expect(modes.map((e) => (e as { eventId: number }).eventId)).toContain(5121);
  });

  it('refuses redirected I/O of a node that is not a member of the cluster', () => {
    const r = rig({ pathsDown: ['N1'], members: ['N2'] });
    for (const n of ['N1', 'N2']) r.v(n).coordinate('N2');
    r.sched.runUntil(500);
    const done = r.write('N1', 100 * MIB);
    r.sched.runUntil(1000);
    expect(done()).toMatchObject({ ok: false, code: 'RESERVATION_CONFLICT' });
    expect(r.writers).not.toContain(`N2 ${100 * MIB}`);
  });

  it('holds I/O while coordination moves and lets it go once a coordinator is named', () => {
    const r = rig();
    r.v('N1').coordinate(null);
    const done = r.write('N1', 100 * MIB);
    r.sched.runUntil(5000);
    expect(done()).toBeNull();
    expect(r.v('N1').mode).toBe('Paused');
    r.v('N1').coordinate('N2');
    r.sched.runUntil(5100);
    expect(done()).toEqual({ ok: true });
  });

  it('writes the seeded table on a fresh LUN, and skips a torn newer slot at the next load', () => {
    const r = rig();
    r.v('N2').coordinate('N2');
    r.sched.runUntil(500);
    const t = r.v('N2').table;
    expect(t.serving).toBe(true);
    expect(t.generation).toBe(1);
    expect(t.table?.files.map((f) => f.path)).toEqual([VM_FILE.path]);
    // Generation 2, a table of several blocks, torn in slot 0: its first block written, the rest not.
    const files = Array.from({ length: 20 }, (_, i) => ({
      ...VM_FILE,
      path: `${VM_FILE.path}${i}`,
      offset: (i + 1) * 128 * MIB,
    }));
    const torn = encodeTable({ ...(t.table as NonNullable<typeof t.table>), files }, 2);
    expect(torn.length).toBeGreaterThan(1024);
    r.disk.write('CSV1', slotOffset(0), torn.subarray(0, 512));
    r.disk.sync([{ lun: 'CSV1', offset: slotOffset(0), length: 512 }]);
    r.v('N2').coordinate('N1');
    r.v('N1').coordinate('N1');
    r.sched.runUntil(1000);
    const n1 = r.v('N1').table;
    expect(n1.serving).toBe(true);
    expect(n1.generation).toBe(1);
    expect(n1.table?.files.map((f) => f.path)).toEqual([VM_FILE.path]);
  });
});
