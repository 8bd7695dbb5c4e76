import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emptyTable } from '../hyperv-node/csv/file-table.js';
import { encodeTable, loadTable } from '../hyperv-node/csv/table-codec.js';
import { encodeSlot as encodeWitness, loadNewestSlot } from '../quorum/witness-doc.js';
import type { WitnessDoc } from '../witness-protocol/core.js';
import {
  BLOCK_BYTES,
  decodeSlot,
  encodeSlot,
  loadNewest,
  readHeader,
  SLOT_BYTES,
  type SlottedFormat,
  slotOf,
  slotOffset,
} from './slotted-doc.js';

const FORMAT: SlottedFormat = { magic: 'DCBOXTST', name: 'test' };
const identity = (json: string) => json;

/** A LUN's head in memory; `blocks` limits how much of a write lands (a write torn by a crash). */
class Head {
  readonly bytes = new Uint8Array(2 * SLOT_BYTES);
  read = async (offset: number, length: number): Promise<Uint8Array> =>
    this.bytes.slice(offset, offset + length);
  put(buf: Buffer, generation: number, blocks = Number.POSITIVE_INFINITY): void {
    this.bytes.set(
      buf.subarray(0, Math.min(buf.length, blocks * BLOCK_BYTES)),
      slotOffset(slotOf(generation)),
    );
  }
  write(json: string, generation: number, blocks = Number.POSITIVE_INFINITY): void {
    this.put(encodeSlot(FORMAT, json, generation, 'the test document'), generation, blocks);
  }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('slotted document codec', () => {
  it('round-trips a document in whole 512-byte blocks behind its magic', () => {
    const buf = encodeSlot(FORMAT, '{"a":1}', 7, 'the test document');
    expect(buf.length).toBe(BLOCK_BYTES);
    expect(buf.subarray(0, 8).toString('latin1')).toBe('DCBOXTST');
    expect(readHeader(FORMAT, buf)).toEqual({ kind: 'header', generation: 7, bytes: BLOCK_BYTES });
    expect(decodeSlot(FORMAT, buf)).toEqual({ kind: 'ok', generation: 7, json: '{"a":1}' });
  });

  it('tells an empty slot from one of another format', () => {
    const other = encodeSlot({ magic: 'DCBOXOTH', name: 'other' }, '{}', 1, 'x');
    expect(readHeader(FORMAT, new Uint8Array(BLOCK_BYTES))).toEqual({ kind: 'empty' });
    expect(readHeader(FORMAT, other)).toEqual({ kind: 'bad', reason: 'no test magic' });
  });

  it('detects a flipped byte with the CRC and a short read by its length', () => {
    const buf = encodeSlot(FORMAT, JSON.stringify({ text: 'x'.repeat(1000) }), 1, 'd');
    expect(decodeSlot(FORMAT, buf.subarray(0, BLOCK_BYTES))).toEqual({
      kind: 'bad',
      reason: `short read: 512 of ${24 + 1011} bytes`,
    });
    buf[40] = (buf[40] ?? 0) ^ 0xff;
    expect(decodeSlot(FORMAT, buf)).toEqual({ kind: 'bad', reason: 'CRC32 mismatch' });
  });

  it('refuses a generation the header cannot hold and a document larger than a slot', () => {
    expect(() => encodeSlot(FORMAT, '{}', 0, 'the test document')).toThrow(/generation 0 must be an integer/);
    expect(() => encodeSlot(FORMAT, '{}', 2 ** 32, 'the test document')).toThrow(/generation/);
    expect(() => encodeSlot(FORMAT, 'x'.repeat(SLOT_BYTES), 1, 'the test document')).toThrow(
      /the test document is 4194304 bytes; a slot holds 4194280/,
    );
  });

  it('reports a fresh LUN, then the newest of two generations', async () => {
    const head = new Head();
    expect(await loadNewest(FORMAT, head.read, identity)).toEqual({ kind: 'fresh' });
    head.write('"one"', 1);
    head.write('"two"', 2);
    expect(await loadNewest(FORMAT, head.read, identity)).toEqual({
      kind: 'ok',
      generation: 2,
      doc: '"two"',
      slot: 0,
      skipped: [],
    });
  });

  it('keeps the previous generation when the newest write was torn by a crash', async () => {
    const head = new Head();
    head.write('"one"', 1);
    head.write('"two"', 2);
    head.write(JSON.stringify('three'.repeat(500)), 3, 1);
    expect(await loadNewest(FORMAT, head.read, identity)).toEqual({
      kind: 'ok',
      generation: 2,
      doc: '"two"',
      slot: 0,
      skipped: ['slot 1 (generation 3): CRC32 mismatch'],
    });
  });

  it("skips a slot the caller's parser refuses, and names both slots when none is intact", async () => {
    const head = new Head();
    head.write('"old"', 1);
    head.write('"refused"', 2);
    const parse = (json: string) => {
      if (json === '"refused"') throw new Error('not ours');
      return json;
    };
    expect(await loadNewest(FORMAT, head.read, parse)).toMatchObject({ kind: 'ok', generation: 1, slot: 1 });
    head.bytes[slotOffset(1) + 26] = (head.bytes[slotOffset(1) + 26] as number) ^ 0xff;
    expect(await loadNewest(FORMAT, head.read, parse)).toEqual({
      kind: 'none',
      reasons: ['not ours', 'CRC32 mismatch'],
    });
  });
});

describe('both users of the codec', () => {
  const table = emptyTable({
    volume: 'Volume1',
    lun: 'CSV1',
    root: 'C:\\ClusterStorage\\Volume1',
    lunSizeBytes: 1024 * 1024 * 1024,
  });
  const witness: WitnessDoc = {
    cluster: 'HVR2CLUSTER',
    kind: 'disk',
    owner: 'HVR2NODO1',
    epoch: 5,
    configVersion: 50,
    configJson: '{"nodes":["A"]}',
  };

  it('writes the same bytes as before the codec was shared (on-disk formats unchanged)', () => {
    // Digests taken from the two separate codecs this module replaced.
    const t = encodeTable(table, 3);
    const w = encodeWitness(witness, 6);
    expect(t.subarray(0, 24).toString('hex')).toBe('4443424f5843535601000000030000006b0000001b74659e');
    expect(sha256(t)).toBe('745905bc6e1b3a315b77c51419d2e6143d47135038b8ab7b7c795aaadba4f1a0');
    expect(w.subarray(0, 24).toString('hex')).toBe('4443424f5857495401000000060000007b000000c0cac04d');
    expect(sha256(w)).toBe('930a642637e017b400703c01f42ae4a65b00d0f70bd24f2eb49dffc17f1841da');
  });

  it('round-trips a CSV file table and a witness document, each through its own magic', async () => {
    const csv = new Head();
    csv.put(encodeTable(table, 3), 3);
    expect(await loadTable(csv.read, { volume: 'Volume1', lun: 'CSV1' })).toEqual({
      kind: 'ok',
      generation: 3,
      table,
      slot: 1,
      skipped: [],
    });
    const lun = new Head();
    lun.put(encodeWitness(witness, 6), 6);
    expect(await loadNewestSlot(lun.read)).toEqual({ generation: 6, json: JSON.stringify(witness) });
    // Neither reads the other's document as its own.
    expect(await loadNewestSlot(csv.read)).toBeNull();
    await expect(loadTable(lun.read, { volume: 'Volume1', lun: 'CSV1' })).rejects.toThrow(
      'no intact file table on CSV1: slot 0 no CSV table magic, slot 1 empty',
    );
  });
});
