import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodeRecord,
  encodeRecord,
  RECORD_SIZE,
  recordOffset,
  recordsPerDisk,
  verifyRecord,
} from './record.js';

describe('disk records', () => {
  const rec = { vm: 'VirtualMachine1', seq: 123_456_789_012, timeMs: 1_700_000_000_123 };

  it('encodes a 4096-byte block that decodes and verifies back to the same record', () => {
    const block = encodeRecord(rec);
    expect(block.length).toBe(RECORD_SIZE);
    expect(decodeRecord(block)).toEqual(rec);
    expect(verifyRecord(block, { vm: rec.vm, seq: rec.seq })).toEqual({ ok: true, record: rec });
  });

  it('gives different payloads to different seqs', () => {
    const a = encodeRecord({ ...rec, seq: 1 });
    const b = encodeRecord({ ...rec, seq: 2 });
    expect(a.subarray(100, 200).equals(b.subarray(100, 200))).toBe(false);
  });

  it('detects a single flipped bit anywhere in the block', () => {
    for (const at of [0, 5, 20, 75, 85, 2000, 4091, 4095]) {
      const block = encodeRecord(rec);
      block[at] = (block[at] as number) ^ 0x10;
      const check = verifyRecord(block);
      expect(check.ok, `flip at byte ${at}`).toBe(false);
    }
  });

  it('says why a block is not the expected record', () => {
    expect(verifyRecord(Buffer.alloc(RECORD_SIZE))).toMatchObject({ ok: false, reason: 'empty' });
    expect(verifyRecord(Buffer.alloc(10))).toMatchObject({ ok: false, reason: 'bad-size' });
    const torn = encodeRecord(rec);
    torn.fill(0, 2048);
    expect(verifyRecord(torn)).toMatchObject({ ok: false, reason: 'bad-crc' });
    expect(verifyRecord(encodeRecord(rec), { seq: rec.seq + 1 })).toMatchObject({
      ok: false,
      reason: 'wrong-record',
    });
    expect(verifyRecord(encodeRecord(rec), { vm: 'VirtualMachine2' })).toMatchObject({
      ok: false,
      reason: 'wrong-record',
    });
  });

  it('names its writer and incarnation, so a rewrite of the same seq by another instance differs', () => {
    const a = { ...rec, writer: 'HVR2NODO2', incarnation: '0123456789abcdef' };
    const b = { ...rec, writer: 'HVR2NODO1', incarnation: 'fedcba9876543210' };
    expect(decodeRecord(encodeRecord(a))).toEqual(a);
    expect(verifyRecord(encodeRecord(b), { vm: rec.vm, seq: rec.seq })).toEqual({ ok: true, record: b });
    expect(encodeRecord(a).equals(encodeRecord(b))).toBe(false);
    expect(() => encodeRecord({ ...a, incarnation: 'xyz' })).toThrow(/16 lower-case hex/);
    expect(() => encodeRecord({ ...a, writer: 'w'.repeat(33) })).toThrow(/32/);
  });

  it('refuses names that do not fit the fixed-width field', () => {
    expect(() => encodeRecord({ ...rec, vm: 'x'.repeat(65) })).toThrow(/64/);
  });

  it('places record n at offset + (n mod recordsPerDisk) * 4096', () => {
    const size = 64 * 1024 * 1024;
    expect(recordsPerDisk(size)).toBe(16384);
    expect(recordOffset(1_000_000, size, 1)).toBe(1_000_000 + 4096);
    expect(recordOffset(1_000_000, size, 16384)).toBe(1_000_000);
    expect(recordOffset(1_000_000, size, 16385)).toBe(1_000_000 + 4096);
  });

  it('still verifies a version 2 record, whose payload was drawn a byte at a time', () => {
    const a = { vm: 'VirtualMachine1', seq: 42, timeMs: 1_700_000_000_123, writer: 'HVR2NODO2' };
    const v2 = encodeRecord({ ...a, incarnation: '0123456789abcdef' });
    v2.writeUInt16BE(2, 4);
    let x = (Math.imul(42, 0x9e3779b1) ^ 0x5bd1e995) >>> 0;
    for (let i = 130; i < 4092; i++) {
      x = (x ^ (x << 13)) >>> 0;
      x ^= x >>> 17;
      x = (x ^ (x << 5)) >>> 0;
      v2[i] = x & 0xff;
    }
    v2.writeUInt32BE(crc32(v2.subarray(0, 4092)), 4092);
    // What version 2's encoder wrote for this record (the hash of its block, taken before v3).
    expect(createHash('sha1').update(v2).digest('hex')).toBe('d2b1f386deeab21253341368084da8c902990803');
    expect(verifyRecord(v2, { vm: a.vm, seq: 42 })).toMatchObject({ ok: true, record: { seq: 42 } });
    expect(encodeRecord({ ...a, incarnation: '0123456789abcdef' }).equals(v2)).toBe(false);
  });
});
