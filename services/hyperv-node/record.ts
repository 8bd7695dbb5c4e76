/**
 * The records a VM's disk workload writes: fixed 4096-byte blocks with a sequence number and a
 * CRC32, so a checker can read the LUN back and tell an intact acknowledged record from a torn,
 * stale or corrupted one. Integration tests import encode/decode/verify from here.
 *
 * Layout (big-endian):
 *   0   u32  magic 'DCBR'
 *   4   u16  format version (3; version 2 drew its payload a byte at a time, version 1 also had
 *            no writer and its payload at 88)
 *   6   u16  length of the VM name in bytes
 *   8   64   VM name, UTF-8, zero-padded
 *   72  u64  sequence number
 *   80  u64  time the record was written (ms since the epoch)
 *   88  u16  length of the writer's host name in bytes
 *   90  32   the writer's host name, UTF-8, zero-padded
 *   122 u64  the writer's incarnation (the VM instance that wrote it, new at every start)
 *   130 ...  payload derived from the sequence number (PAYLOAD_BYTES): xorshift32 words,
 *            little-endian, the last one cut short
 *   4092 u32 CRC32 (node:zlib) over bytes 0..4091
 *
 * The writer and incarnation let the read-back tell an acknowledged record from one a later
 * instance wrote under the same sequence number (a VM restarted elsewhere continues from the
 * newest record on its disk).
 */
import { crc32 } from 'node:zlib';

/** Every record is one 4 KiB block. */
export const RECORD_SIZE = 4096;
/** 'DCBR' in ASCII. */
export const RECORD_MAGIC = 0x44434252;
export const RECORD_VERSION = 3;
/** VM names longer than this (in UTF-8 bytes) cannot be written into a record. */
export const RECORD_NAME_BYTES = 64;
/** Writer host names longer than this (in UTF-8 bytes) cannot be written into a record. */
export const RECORD_WRITER_BYTES = 32;

const NAME_AT = 8;
const SEQ_AT = NAME_AT + RECORD_NAME_BYTES;
const TIME_AT = SEQ_AT + 8;
const WRITER_LEN_AT = TIME_AT + 8;
const WRITER_AT = WRITER_LEN_AT + 2;
const INCARNATION_AT = WRITER_AT + RECORD_WRITER_BYTES;
const PAYLOAD_AT = INCARNATION_AT + 8;
/** Where version 1 records, which had no writer, kept their payload. */
const PAYLOAD_V1_AT = TIME_AT + 8;
const CRC_AT = RECORD_SIZE - 4;
/** Bytes of payload in each record. */
export const PAYLOAD_BYTES = CRC_AT - PAYLOAD_AT;

/** The decoded fields of a record. */
export interface DiskRecord {
  vm: string;
  seq: number;
  timeMs: number;
  /** The host whose VM instance wrote it (absent in version 1 records). */
  writer?: string;
  /** That VM instance's incarnation, 16 hex digits (absent in version 1 records). */
  incarnation?: string;
}

/** Why a block is not a valid record, or the record it holds. */
export type RecordCheck =
  | { ok: true; record: DiskRecord }
  | {
      ok: false;
      reason: 'empty' | 'bad-magic' | 'bad-version' | 'bad-crc' | 'bad-payload' | 'wrong-record' | 'bad-size';
      detail: string;
    };

/** The xorshift32 state a payload starts from: seeded from the seq, never zero. */
function payloadSeed(seq: number): number {
  return (Math.imul(seq >>> 0, 0x9e3779b1) ^ Math.floor(seq / 2 ** 32) ^ 0x5bd1e995) >>> 0 || 1;
}

/** One xorshift32 step. */
function xorshift(x0: number): number {
  let x = x0;
  x ^= x << 13;
  x >>>= 0;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

/** Versions 1 and 2: one xorshift32 step per byte, its low byte. */
function bytePayload(seq: number, out: Uint8Array): void {
  let x = payloadSeed(seq);
  for (let i = 0; i < out.length; i++) {
    x = xorshift(x);
    out[i] = x & 0xff;
  }
}

/** Scratch words for wordPayload, one record's payload long (rounded up). */
const scratch = new DataView(new ArrayBuffer(Math.ceil(4096 / 4) * 4));

/**
 * Version 3: one xorshift32 step per four bytes, little-endian — a quarter of the steps: every
 * record a VM writes and every one read back is filled, and in the simulation it was a tenth of
 * the run.
 */
function wordPayload(seq: number, out: Uint8Array): void {
  let x = payloadSeed(seq);
  for (let i = 0; i < out.length; i += 4) {
    x = xorshift(x);
    scratch.setUint32(i, x, true);
  }
  out.set(new Uint8Array(scratch.buffer, 0, out.length));
}

/** Fills `out` with the payload of record `seq` in the given format version. */
function fillPayload(seq: number, out: Uint8Array, version = RECORD_VERSION): void {
  if (version < 3) bytePayload(seq, out);
  else wordPayload(seq, out);
}

/** Encodes record `seq` of VM `vm` written at `timeMs` into a new 4096-byte block. */
export function encodeRecord(rec: DiskRecord): Buffer {
  const name = Buffer.from(rec.vm, 'utf8');
  if (name.length === 0 || name.length > RECORD_NAME_BYTES) {
    throw new Error(
      `VM name ${JSON.stringify(rec.vm)} must be 1..${RECORD_NAME_BYTES} UTF-8 bytes to fit a record`,
    );
  }
  if (!Number.isSafeInteger(rec.seq) || rec.seq < 0)
    throw new Error(`record seq ${rec.seq} is not a safe non-negative integer`);
  const writer = Buffer.from(rec.writer ?? '', 'utf8');
  if (writer.length > RECORD_WRITER_BYTES)
    throw new Error(
      `writer ${JSON.stringify(rec.writer)} must be at most ${RECORD_WRITER_BYTES} UTF-8 bytes`,
    );
  const incarnation = rec.incarnation ?? '0000000000000000';
  if (!/^[0-9a-f]{16}$/.test(incarnation))
    throw new Error(`incarnation ${JSON.stringify(rec.incarnation)} must be 16 lower-case hex digits`);
  const buf = Buffer.alloc(RECORD_SIZE);
  buf.writeUInt32BE(RECORD_MAGIC, 0);
  buf.writeUInt16BE(RECORD_VERSION, 4);
  buf.writeUInt16BE(name.length, 6);
  name.copy(buf, NAME_AT);
  buf.writeBigUInt64BE(BigInt(rec.seq), SEQ_AT);
  buf.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(rec.timeMs))), TIME_AT);
  buf.writeUInt16BE(writer.length, WRITER_LEN_AT);
  writer.copy(buf, WRITER_AT);
  buf.write(incarnation, INCARNATION_AT, 'hex');
  fillPayload(rec.seq, buf.subarray(PAYLOAD_AT, CRC_AT));
  buf.writeUInt32BE(crc32(buf.subarray(0, CRC_AT)), CRC_AT);
  return buf;
}

const ZERO_RECORD = Buffer.alloc(RECORD_SIZE);

/** Decodes a block without checking it; use verifyRecord to know whether it can be trusted. */
export function decodeRecord(block: Uint8Array): DiskRecord {
  const buf = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  const nameLen = Math.min(buf.readUInt16BE(6), RECORD_NAME_BYTES);
  const rec: DiskRecord = {
    vm: buf.toString('utf8', NAME_AT, NAME_AT + nameLen),
    seq: Number(buf.readBigUInt64BE(SEQ_AT)),
    timeMs: Number(buf.readBigUInt64BE(TIME_AT)),
  };
  if (buf.readUInt16BE(4) < 2) return rec;
  const writerLen = Math.min(buf.readUInt16BE(WRITER_LEN_AT), RECORD_WRITER_BYTES);
  if (writerLen > 0) rec.writer = buf.toString('utf8', WRITER_AT, WRITER_AT + writerLen);
  const incarnation = buf.toString('hex', INCARNATION_AT, INCARNATION_AT + 8);
  if (incarnation !== '0000000000000000') rec.incarnation = incarnation;
  return rec;
}

/**
 * Checks a block read back from a disk: magic, version, CRC and the payload derived from the
 * seq; with `expect`, also that it is the record of that VM and seq (not an older lap's).
 */
export function verifyRecord(block: Uint8Array, expect?: { vm?: string; seq?: number }): RecordCheck {
  if (block.byteLength !== RECORD_SIZE) {
    return {
      ok: false,
      reason: 'bad-size',
      detail: `a record is ${RECORD_SIZE} bytes, got ${block.byteLength}`,
    };
  }
  const buf = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  // One memcmp: a boot scans its whole disk, and a byte-by-byte callback over a 64 MiB disk of
  // never-written blocks took seconds of the node's event loop once the reads came back fast.
  if (buf.equals(ZERO_RECORD))
    return { ok: false, reason: 'empty', detail: 'the block is all zeros (never written)' };
  if (buf.readUInt32BE(0) !== RECORD_MAGIC) {
    return { ok: false, reason: 'bad-magic', detail: `magic 0x${buf.readUInt32BE(0).toString(16)}` };
  }
  const version = buf.readUInt16BE(4);
  if (version < 1 || version > RECORD_VERSION) {
    return { ok: false, reason: 'bad-version', detail: `format version ${version}` };
  }
  const stored = buf.readUInt32BE(CRC_AT);
  const computed = crc32(buf.subarray(0, CRC_AT));
  if (stored !== computed) {
    return {
      ok: false,
      reason: 'bad-crc',
      detail: `stored crc ${stored.toString(16)}, computed ${computed.toString(16)}`,
    };
  }
  const record = decodeRecord(buf);
  const payloadAt = version === 1 ? PAYLOAD_V1_AT : PAYLOAD_AT;
  const payload = Buffer.alloc(CRC_AT - payloadAt);
  fillPayload(record.seq, payload, version);
  if (!payload.equals(buf.subarray(payloadAt, CRC_AT))) {
    return { ok: false, reason: 'bad-payload', detail: `payload does not match seq ${record.seq}` };
  }
  if (
    expect &&
    ((expect.vm !== undefined && expect.vm !== record.vm) ||
      (expect.seq !== undefined && expect.seq !== record.seq))
  ) {
    return {
      ok: false,
      reason: 'wrong-record',
      detail: `expected ${expect.vm ?? record.vm}#${expect.seq ?? record.seq}, found ${record.vm}#${record.seq}`,
    };
  }
  return { ok: true, record };
}

/** How many records fit a virtual disk of this size. */
export function recordsPerDisk(diskSizeBytes: number): number {
  return Math.floor(diskSizeBytes / RECORD_SIZE);
}

/** Where on the LUN record `seq` of a disk at `diskOffsetBytes` lives: it wraps around the disk. */
export function recordOffset(diskOffsetBytes: number, diskSizeBytes: number, seq: number): number {
  const slots = recordsPerDisk(diskSizeBytes);
  if (slots < 1) throw new Error(`a disk of ${diskSizeBytes} bytes holds no ${RECORD_SIZE}-byte record`);
  return diskOffsetBytes + (seq % slots) * RECORD_SIZE;
}
