import { describe, expect, it } from 'vitest';
import { createFile, emptyTable, type FileTable } from './file-table.js';
import {
  decodeSlot,
  encodeTable,
  loadTable,
  readHeader,
  SLOT_BYTES,
  slotOf,
  slotOffset,
} from './table-codec.js';

const MiB = 1024 * 1024;
const ROOT = 'C:\\ClusterStorage\\Volume1';
const EXPECT = { volume: 'Volume1', lun: 'CSV1' };
const base = emptyTable({ volume: 'Volume1', lun: 'CSV1', root: ROOT, lunSizeBytes: 1024 * MiB });

/** The LUN's head as bytes, read the way the coordinator reads through its device. */
class Head {
  readonly bytes = new Uint8Array(2 * SLOT_BYTES);
  reads = 0;
  read = async (offset: number, length: number): Promise<Uint8Array> => {
    this.reads++;
    return this.bytes.slice(offset, offset + length);
  };
  /** Writes generation g of a table to its slot; `blocks` limits how much lands (a torn write). */
  write(table: FileTable, generation: number, blocks = Number.POSITIVE_INFINITY): void {
    const buf = encodeTable(table, generation);
    this.bytes.set(buf.subarray(0, Math.min(buf.length, blocks * 512)), slotOffset(slotOf(generation)));
  }
}

describe('CSV table encoding', () => {
  it('round-trips a table in whole 512-byte blocks', () => {
    const t = createFile(base, `${ROOT}\\VM1\\VM1.vhd`, 64 * MiB).table;
    const buf = encodeTable(t, 7);
    expect(buf.length % 512).toBe(0);
    expect(readHeader(buf)).toEqual({ kind: 'header', generation: 7, bytes: buf.length });
    expect(decodeSlot(buf, EXPECT, 'slot')).toEqual({ kind: 'ok', generation: 7, table: t });
  });

  it('detects a flipped byte with the CRC', () => {
    const buf = encodeTable(base, 1);
    buf[40] = (buf[40] ?? 0) ^ 0xff;
    expect(decodeSlot(buf, EXPECT, 'slot')).toEqual({ kind: 'bad', reason: 'CRC32 mismatch' });
  });

  it('alternates generations between the two slots', () => {
    expect([1, 2, 3, 4].map(slotOf)).toEqual([1, 0, 1, 0]);
    expect(slotOffset(1)).toBe(SLOT_BYTES);
  });

  it('reports a fresh LUN when both slots are empty', async () => {
    expect(await loadTable(new Head().read, EXPECT)).toEqual({ kind: 'fresh' });
  });

  it('loads the newest generation of the two slots', async () => {
    const head = new Head();
    const t1 = createFile(base, `${ROOT}\\a.vhd`, MiB).table;
    const t2 = createFile(t1, `${ROOT}\\b.vhd`, MiB).table;
    head.write(t1, 1);
    head.write(t2, 2);
    expect(await loadTable(head.read, EXPECT)).toEqual({
      kind: 'ok',
      generation: 2,
      table: t2,
      slot: 0,
      skipped: [],
    });
  });

  it('keeps the previous table when the newest write was torn by a crash', async () => {
    const head = new Head();
    let t = base;
    for (let i = 0; i < 40; i++) t = createFile(t, `${ROOT}\\VM${i}\\VM${i}.vhd`, MiB).table;
    const t3 = createFile(t, `${ROOT}\\new.vhd`, MiB).table;
    head.write(base, 1);
    head.write(t, 2);
    // Generation 3 goes over generation 1's slot; only its first block lands.
    head.write(t3, 3, 1);
    expect(encodeTable(t3, 3).length).toBeGreaterThan(512);
    const loaded = await loadTable(head.read, EXPECT);
    expect(loaded).toMatchObject({ kind: 'ok', generation: 2, table: t, slot: 0 });
    expect(loaded.kind === 'ok' && loaded.skipped).toEqual(['slot 1 (generation 3): CRC32 mismatch']);
  });

  it('refuses to load when no slot is intact, naming both', async () => {
    const head = new Head();
    head.write(base, 1);
    head.bytes[slotOffset(1) + 30] = (head.bytes[slotOffset(1) + 30] as number) ^ 0xff;
    head.bytes.set([1, 2, 3], slotOffset(0));
    await expect(loadTable(head.read, EXPECT)).rejects.toThrow(
      'no intact file table on CSV1: slot 0 no CSV table magic, slot 1 CRC32 mismatch',
    );
  });

  it('refuses a table of another volume', async () => {
    const head = new Head();
    head.write(
      emptyTable({
        volume: 'Volume2',
        lun: 'CSV1',
        root: 'C:\\ClusterStorage\\Volume2',
        lunSizeBytes: 1024 * MiB,
      }),
      1,
    );
    await expect(loadTable(head.read, EXPECT)).rejects.toThrow(/holds the table of Volume2 on CSV1/);
  });
});
