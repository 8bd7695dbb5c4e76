/**
 * Two nodes' CsvVolume over a real nats-server (port in 25000-25999) and one LUN kept in a temp
 * file: metadata through the coordinator, redirected I/O when a node's paths fail and back to
 * direct when they return, and a coordinator change that loads the table from the LUN.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Timing } from '../../process/config.js';
import { pollUntil } from '../../process/poll-until.js';
import { connectNats, type NatsConnection } from '../../transport/nats.js';
import type { IoResult, StorageOp } from '../mpio.js';
import type { CsvModeChange } from './core.js';
import { type BlockDevice, CsvVolume, type CsvVolumeOptions } from './csv-volume.js';
import { loadTable } from './table-codec.js';

const PORT = 25101;
const MiB = 1024 * 1024;
const LUN_BYTES = 1024 * MiB;
const ROOT = 'C:\\ClusterStorage\\Volume1';

const timing: Timing = {
  name: 'test',
  sameSubnetDelayMs: 250,
  sameSubnetThreshold: 4,
  pathVerificationPeriodMs: 100,
  ioTimeoutMs: 500,
  moduleHeartbeatMs: 250,
  moduleSilenceMs: 1000,
  witnessDefendIntervalMs: 250,
  witnessChallengeWaitMs: 750,
  vmBootMs: 300,
  vmWriteIntervalMs: 50,
};

/**
 * A stand-in for Multipath in this test: one node's view of the LUN, kept in a shared sparse
 * temp file. `pathsDown` makes every command answer ALL_PATHS_DOWN, as MPIO does once both of a
 * node's paths are lost; `writes` counts the writes that went through this node's device.
 */
class TempFileLunDevice implements BlockDevice {
  pathsDown = false;
  writes = 0;
  constructor(
    private readonly file: FileHandle,
    private readonly lun: string,
  ) {}

  async io(lun: string, op: StorageOp): Promise<IoResult> {
    if (lun !== this.lun) return { ok: false, code: 'NOT_MAPPED', message: `LUN ${lun} is not mapped` };
    if (this.pathsDown)
      return { ok: false, code: 'ALL_PATHS_DOWN', message: `every path to LUN ${lun} failed` };
    switch (op.kind) {
      case 'read': {
        const buf = Buffer.alloc(op.length);
        await this.file.read(buf, 0, op.length, op.offset);
        return { ok: true, data: new Uint8Array(buf), path: 'rssm3' };
      }
      case 'write':
        this.writes++;
        await this.file.write(op.data, 0, op.data.length, op.offset);
        return { ok: true, path: 'rssm3' };
      default:
        return { ok: true, prState: { keys: [] }, path: 'rssm3' };
    }
  }
}

const block = (byte: number) => new Uint8Array(512).fill(byte);

describe('CsvVolume on two nodes over NATS', () => {
  let server: ChildProcess;
  let dir: string;
  let file: FileHandle;
  const ncs: NatsConnection[] = [];
  const vols: CsvVolume[] = [];

  beforeAll(async () => {
    server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(PORT)], { stdio: 'ignore' });
    dir = mkdtempSync(join(tmpdir(), 'dcbox-csv-'));
    file = await open(join(dir, 'CSV1.lun'), 'w+');
    await file.truncate(LUN_BYTES);
  });

  afterAll(async () => {
    for (const v of vols) v.stop();
    for (const nc of ncs) await nc.close();
    server?.kill();
    await file?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One node's volume of cluster `cluster` on the shared LUN file; its membership as its cluster says. */
  const volumeOn = async (
    name: string,
    cluster = 'HVR2CLUSTER',
    membership: Pick<CsvVolumeOptions, 'admitRedirect' | 'epoch'> = {},
    lunFile = file,
  ) => {
    const nc = await connectNats(`nats://127.0.0.1:${PORT}`, name);
    ncs.push(nc);
    const device = new TempFileLunDevice(lunFile, 'CSV1');
    const vol = new CsvVolume({
      cluster,
      node: name,
      volume: 'Volume1',
      lun: 'CSV1',
      path: ROOT,
      lunSizeBytes: LUN_BYTES,
      device,
      nc,
      timing,
      log: () => {},
      ...membership,
    });
    vols.push(vol);
    return { vol, device };
  };

  it('says it is drained only once every I/O through it is answered, offline or not', async () => {
    const own = await open(join(dir, 'CSV1-drain.lun'), 'w+');
    await own.truncate(LUN_BYTES);
    const { vol, device } = await volumeOn('HVR2NODO3', 'DRAINCLUSTER', {}, own);
    vol.setCoordinator('HVR2NODO3');
    await vol.drained();
    // A write held in the device (as MPIO holds one for a path's timeout) keeps the volume busy,
    // even once the node has taken it offline.
    const held: (() => void)[] = [];
    const release = () => {
      for (const go of held.splice(0)) go();
    };
    const io = device.io.bind(device);
    device.io = (lun, op) =>
      op.kind !== 'write' ? io(lun, op) : new Promise((r) => held.push(() => void io(lun, op).then(r)));
    const write = vol.io('CSV1', { kind: 'write', offset: 300 * MiB, data: block(9) });
    let drained = false;
    const waiting = vol.drained().then(() => (drained = true));
    vol.setOnline(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(drained).toBe(false);
    release();
    expect(await write).toMatchObject({ ok: true });
    await waiting;
    expect(drained).toBe(true);
    vol.stop();
    await own.close();
  });

  it('refuses redirected I/O from a node outside the cluster', async () => {
    const own = await open(join(dir, 'CSV1-fence.lun'), 'w+');
    await own.truncate(LUN_BYTES);
    const a = await volumeOn(
      'HVR2NODO1',
      'FENCECLUSTER',
      { admitRedirect: (n) => (n === 'HVR2NODO1' ? 'perform' : 'refuse') },
      own,
    );
    const b = await volumeOn('HVR2NODO2', 'FENCECLUSTER', {}, own);
    /** The first byte of the block the write aims at, as the LUN holds it. */
    const landed = async () => {
      const buf = Buffer.alloc(1);
      await own.read(buf, 0, 1, 200 * MiB);
      return buf[0];
    };
    a.vol.setCoordinator('HVR2NODO1');
    b.vol.setCoordinator('HVR2NODO1');
    b.device.pathsDown = true;
    const refused = await b.vol.io('CSV1', { kind: 'write', offset: 200 * MiB, data: block(7) });
    expect(refused).toMatchObject({ ok: false, code: 'RESERVATION_CONFLICT' });
    expect(await landed()).toBe(0);
    await own.close();
  });

  it('has a member whose I/O was stamped before its last departure reconnect: it asks again with its view now, unless its volume went offline since', async () => {
    const own = await open(join(dir, 'CSV1-reconnect.lun'), 'w+');
    await own.truncate(LUN_BYTES);
    // The coordinator saw HVR2NODO2 leave at epoch 4 (or was out itself then); HVR2NODO2 has
    // not learned the view of epoch 5 that readmitted them yet.
    let epochNow = 4;
    let onReconnect = () => {
      epochNow = 5;
    };
    const stamps: (number | undefined)[] = [];
    const admitRedirect = (node: string, epoch?: number) => {
      if (node !== 'HVR2NODO2') return 'perform' as const;
      stamps.push(epoch);
      if ((epoch ?? 0) > 4) return 'perform' as const;
      onReconnect();
      return 'reconnect' as const;
    };
    const a = await volumeOn('HVR2NODO1', 'RECONNECTCLUSTER', { admitRedirect }, own);
    const b = await volumeOn('HVR2NODO2', 'RECONNECTCLUSTER', { epoch: () => epochNow }, own);
    const landed = async (offset: number) => {
      const buf = Buffer.alloc(1);
      await own.read(buf, 0, 1, offset);
      return buf[0];
    };
    a.vol.setCoordinator('HVR2NODO1');
    b.vol.setCoordinator('HVR2NODO1');
    b.device.pathsDown = true;
    expect(await b.vol.io('CSV1', { kind: 'write', offset: 200 * MiB, data: block(7) })).toMatchObject({
      ok: true,
    });
    expect(stamps).toEqual([4, 5]);
    expect(await landed(200 * MiB)).toBe(7);

    // A node that left took its volume offline: what it sent before is never sent again.
    stamps.length = 0;
    epochNow = 4;
    onReconnect = () => b.vol.setOnline(false);
    const gone = await b.vol.io('CSV1', { kind: 'write', offset: 201 * MiB, data: block(8) });
    expect(gone).toMatchObject({ ok: false });
    expect(stamps).toEqual([4]);
    expect(await landed(201 * MiB)).toBe(0);
    await own.close();
  });

  it('forwards metadata to the coordinator, redirects I/O while paths are down, and hands ownership over', async () => {
    const events: CsvModeChange[] = [];
    const node = async (name: string) => {
      const n = await volumeOn(name);
      n.vol.onEvent((e) => events.push(e));
      return n;
    };
    const a = await node('HVR2NODO1');
    const b = await node('HVR2NODO2');
    const vm1 = {
      path: `${ROOT}\\VirtualMachine1\\VirtualMachine1.vhd`,
      offset: 64 * MiB,
      sizeBytes: 64 * MiB,
    };
    await a.vol.seed([vm1]);
    a.vol.setCoordinator('HVR2NODO1');
    b.vol.setCoordinator('HVR2NODO1');

    // Node B creates a file: the request waits until A has loaded (formatted) the table and serves.
    const created = await b.vol.createFile(`${ROOT}\\VM3\\VM3.vhd`, 4 * MiB);
    expect(created).toEqual({ path: `${ROOT}\\VM3\\VM3.vhd`, offset: 128 * MiB, sizeBytes: 4 * MiB });
    expect(await a.vol.lookup(`${ROOT}\\vm3\\vm3.VHD`)).toEqual(created);
    expect(await b.vol.list()).toEqual([vm1, created]);
    await expect(b.vol.createFile(`${ROOT}\\VM3\\VM3.vhd`, MiB)).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    await expect(b.vol.lookup('D:\\elsewhere.vhd')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(a.vol.status()).toMatchObject({ coordinator: 'HVR2NODO1', serving: true, tableGeneration: 2 });

    // Direct: B's write goes through its own device.
    const aWrites = a.device.writes;
    expect(await b.vol.io('CSV1', { kind: 'write', offset: created.offset, data: block(1) })).toMatchObject({
      ok: true,
    });
    expect(b.device.writes).toBe(1);
    expect(b.vol.mode()).toBe('Direct');

    // B loses both paths: its writes go through A and land through A's device.
    b.device.pathsDown = true;
    const redirected = await b.vol.io('CSV1', {
      kind: 'write',
      offset: created.offset + 512,
      data: block(2),
    });
    expect(redirected).toMatchObject({ ok: true });
    expect(b.vol.mode()).toBe('Redirected');
    expect(a.device.writes).toBe(aWrites + 1);
    expect(b.device.writes).toBe(1);
    const readBack = await b.vol.io('CSV1', { kind: 'read', offset: created.offset, length: 1024 });
    expect(readBack.ok && [...(readBack.data ?? [])].slice(510, 514)).toEqual([1, 1, 2, 2]);
    expect(a.device.writes).toBe(aWrites + 1);
    // A reservation command is never redirected: it answers from B's own (dead) paths.
    expect(await b.vol.io('CSV1', { kind: 'readKeys' })).toMatchObject({ ok: false, code: 'ALL_PATHS_DOWN' });

    // A path returns: the probe puts B back to Direct.
    b.device.pathsDown = false;
    await pollUntil(() => b.vol.mode() === 'Direct', {
      what: 'B back to Direct',
      timeoutMs: 5000,
      intervalMs: 20,
    });
    await b.vol.io('CSV1', { kind: 'write', offset: created.offset + 1024, data: block(3) });
    expect(b.device.writes).toBe(2);
    expect(events.map((e) => `${e.node} ${e.from}->${e.to}`)).toEqual([
      'HVR2NODO2 Direct->Redirected',
      'HVR2NODO2 Redirected->Direct',
    ]);

    // Ownership moves to B: I/O issued during the takeover waits and completes after resume,
    // and B serves the table it read from the LUN.
    a.vol.pause();
    b.vol.pause();
    a.vol.setCoordinator(null);
    b.vol.setCoordinator(null);
    const held = a.vol.io('CSV1', { kind: 'write', offset: created.offset + 1536, data: block(4) });
    expect(a.vol.mode()).toBe('Paused');
    b.vol.setCoordinator('HVR2NODO2');
    a.vol.setCoordinator('HVR2NODO2');
    a.vol.resume();
    b.vol.resume();
    expect(await held).toMatchObject({ ok: true });
    await a.vol.deleteFile(`${ROOT}\\VM3\\VM3.vhd`);
    expect(await a.vol.list()).toEqual([vm1]);
    expect(b.vol.status()).toMatchObject({ serving: true, tableGeneration: 3 });
    expect(a.vol.status()).toMatchObject({ serving: false, coordinator: 'HVR2NODO2' });

    // The LUN's head holds generation 3 with VM1 only.
    const read = async (offset: number, length: number) => {
      const buf = Buffer.alloc(length);
      await file.read(buf, 0, length, offset);
      return new Uint8Array(buf);
    };
    expect(await loadTable(read, { volume: 'Volume1', lun: 'CSV1' })).toMatchObject({
      kind: 'ok',
      generation: 3,
      table: { files: [vm1] },
    });
  });
});
