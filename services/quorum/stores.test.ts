import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WitnessDoc } from '../witness-protocol/core.js';
import { type BlockDevice, FileStore, LunStore } from './stores.js';
import { BLOCK_BYTES, decodeSlot, encodeSlot, SLOT_BYTES } from './witness-doc.js';

const doc = (epoch: number, owner = 'HVR2NODO1'): WitnessDoc => ({
  cluster: 'HVR2CLUSTER',
  kind: 'disk',
  owner,
  epoch,
  configVersion: epoch * 10,
  configJson: JSON.stringify({ nodes: ['HVR2NODO1', 'HVR2NODO2'], epoch }),
});

/** A LUN in memory that records every write and can tear the next one. */
class MemoryLun implements BlockDevice {
  readonly bytes = Buffer.alloc(2 * SLOT_BYTES + BLOCK_BYTES);
  readonly writes: { offset: number; length: number }[] = [];
  tearNext = false;
  down = false;

  async read(offset: number, length: number): Promise<Buffer> {
    if (this.down) throw new Error('14 UNAVAILABLE: No connection established');
    return Buffer.from(this.bytes.subarray(offset, offset + length));
  }

  async write(offset: number, data: Buffer): Promise<void> {
    if (this.down) throw new Error('14 UNAVAILABLE: No connection established');
    this.writes.push({ offset, length: data.length });
    if (this.tearNext) {
      // A crash in the middle of the write: only the first block reached the disk.
      this.tearNext = false;
      data.copy(this.bytes, offset, 0, BLOCK_BYTES);
      throw new Error('4 DEADLINE_EXCEEDED');
    }
    data.copy(this.bytes, offset);
  }
}

const expect_ = { cluster: 'HVR2CLUSTER', kind: 'disk' as const, lun: 'Quorum' };

describe('disk witness on its LUN', () => {
  it('encodes a slot as a header, the JSON and a CRC32 in whole 512-byte blocks', () => {
    const slot = encodeSlot(doc(3), 7);
    expect(slot.length % BLOCK_BYTES).toBe(0);
    expect(slot.subarray(0, 8).toString('latin1')).toBe('DCBOXWIT');
    expect(decodeSlot(slot)).toEqual({ kind: 'ok', generation: 7, json: JSON.stringify(doc(3)) });
    const corrupt = Buffer.from(slot);
    corrupt[30] = (corrupt[30] ?? 0) ^ 0xff;
    expect(decodeSlot(corrupt)).toEqual({ kind: 'bad', reason: 'CRC32 mismatch' });
  });

  it('reads a blank LUN as a witness that never saved anything', async () => {
    expect(await new LunStore(new MemoryLun(), expect_).load()).toBeNull();
  });

  it('alternates slots and reloads the newest state after a restart', async () => {
    const lun = new MemoryLun();
    const store = new LunStore(lun, expect_);
    await store.load();
    for (let e = 1; e <= 3; e++) await store.save(doc(e));
    expect(lun.writes.map((w) => [w.offset, w.length % BLOCK_BYTES])).toEqual([
      [SLOT_BYTES, 0],
      [0, 0],
      [SLOT_BYTES, 0],
    ]);
    expect(await new LunStore(lun, expect_).load()).toEqual(doc(3));
  });

  it('keeps the previous state when a write is torn, so the epoch never goes backwards past it', async () => {
    const lun = new MemoryLun();
    const store = new LunStore(lun, expect_);
    await store.load();
    await store.save(doc(1));
    await store.save(doc(2));
    lun.tearNext = true;
    // A configuration spanning several blocks, of which only the first lands.
    const big = { ...doc(3, 'HVR2NODO2'), configJson: JSON.stringify({ vms: 'x'.repeat(3000) }) };
    await expect(store.save(big)).rejects.toThrow('DEADLINE_EXCEEDED');
    const restarted = new LunStore(lun, expect_);
    expect(await restarted.load()).toEqual(doc(2));
    // The next save overwrites the torn slot, not the good one.
    await restarted.save(doc(4));
    expect(lun.writes.at(-1)?.offset).toBe(lun.writes.at(-2)?.offset);
    expect(await new LunStore(lun, expect_).load()).toEqual(doc(4));
  });

  it('refuses a LUN that holds another cluster’s witness', async () => {
    const lun = new MemoryLun();
    await new LunStore(lun, { ...expect_, cluster: 'OTHER' }).save({ ...doc(1), cluster: 'OTHER' });
    await expect(new LunStore(lun, expect_).load()).rejects.toThrow(
      'LUN Quorum holds the disk witness of cluster OTHER, not the disk witness of HVR2CLUSTER',
    );
  });

  it('fails load, save and probe while the storage is unreachable', async () => {
    const lun = new MemoryLun();
    const store = new LunStore(lun, expect_);
    lun.down = true;
    await expect(store.load()).rejects.toThrow('UNAVAILABLE');
    await expect(store.save(doc(1))).rejects.toThrow('UNAVAILABLE');
    await expect(store.probe()).rejects.toThrow('UNAVAILABLE');
  });
});

describe('file share witness', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const fsDoc = (epoch: number): WitnessDoc => ({ ...doc(epoch), kind: 'file-share', configJson: '' });

  it('saves into the cluster’s own folder atomically and loads it back', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dcbox-fsw-'));
    const store = new FileStore(dir, { cluster: 'HVR2CLUSTER', kind: 'file-share' });
    expect(await store.load()).toBeNull();
    await store.save(fsDoc(1));
    await store.save(fsDoc(2));
    expect(await readdir(join(dir, 'HVR2CLUSTER'))).toEqual(['witness.json']);
    expect(await new FileStore(dir, { cluster: 'HVR2CLUSTER', kind: 'file-share' }).load()).toEqual(fsDoc(2));
    await store.probe();
  });

  it('names the file and the field when the file is not a witness document', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dcbox-fsw-'));
    const store = new FileStore(dir, { cluster: 'HVR2CLUSTER', kind: 'file-share' });
    await store.save(fsDoc(1));
    const text = JSON.parse(await readFile(store.path, 'utf8'));
    await writeFile(store.path, JSON.stringify({ ...text, epoch: 'one' }));
    await expect(store.load()).rejects.toThrow(`${store.path}: field epoch should be a number, found "one"`);
  });
});
