/**
 * The file table's place on the LUN: in the volume's reserved head (the first 64 MiB), two slots
 * written alternately, each a small header, the table as JSON and a CRC32 in whole 512-byte
 * blocks. Generation g goes to slot g % 2, so a write torn by a crash damages only the slot being
 * written and the previous generation stays readable in the other (the disk witness does the
 * same: services/quorum/witness-doc.ts).
 */
import { crc32 } from 'node:zlib';
import { BLOCK_BYTES, DATA_START_BYTES, type FileTable, validateTable } from './file-table.js';

/** Each slot spans this many bytes: slot 0 at offset 0, slot 1 right after. */
export const SLOT_BYTES = 4 * 1024 * 1024;
/** A read or write of one command carries at most this much (the storage's limit is 16 MiB). */
export const TABLE_BYTES_MAX = SLOT_BYTES;

const MAGIC = Buffer.from('DCBOXCSV', 'latin1');
const FORMAT = 1;
/** magic (8) + format (4) + generation (4) + JSON length (4) + CRC32 (4). */
export const HEADER_BYTES = 24;

// Both slots must fit in the reserved head, before the first VM extent.
if (2 * SLOT_BYTES > DATA_START_BYTES) throw new Error('the two table slots do not fit in the CSV head');

/** The LUN offset of slot 0 or 1. */
export function slotOffset(slot: 0 | 1): number {
  return slot * SLOT_BYTES;
}

/** The slot that generation g is written to. */
export function slotOf(generation: number): 0 | 1 {
  return (generation % 2) as 0 | 1;
}

/** Encodes a table with its generation as the bytes of one slot, padded to whole blocks. */
export function encodeTable(table: FileTable, generation: number): Buffer {
  if (!Number.isInteger(generation) || generation < 1 || generation > 0xffffffff)
    throw new Error(`table generation ${generation} must be an integer in 1..4294967295`);
  const json = Buffer.from(JSON.stringify(table), 'utf8');
  const total = Math.ceil((HEADER_BYTES + json.length) / BLOCK_BYTES) * BLOCK_BYTES;
  if (total > SLOT_BYTES)
    throw new Error(
      `the file table of ${table.volume} is ${json.length} bytes; a slot holds ${SLOT_BYTES - HEADER_BYTES}`,
    );
  const buf = Buffer.alloc(total);
  MAGIC.copy(buf, 0);
  buf.writeUInt32LE(FORMAT, 8);
  buf.writeUInt32LE(generation, 12);
  buf.writeUInt32LE(json.length, 16);
  json.copy(buf, HEADER_BYTES);
  buf.writeUInt32LE(crc32(json, crc32(buf.subarray(0, 20))), 20);
  return buf;
}

/** What a slot's first block says; `bytes` is how much to read (whole blocks) to check the slot. */
export type SlotHeader =
  | { kind: 'empty' }
  | { kind: 'bad'; reason: string }
  | { kind: 'header'; generation: number; bytes: number };

/** Reads a slot's header from its first block. */
export function readHeader(head: Uint8Array): SlotHeader {
  const buf = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (buf.length < HEADER_BYTES) return { kind: 'bad', reason: `short read of ${buf.length} bytes` };
  if (!buf.subarray(0, 8).equals(MAGIC)) {
    return buf.subarray(0, HEADER_BYTES).every((b) => b === 0)
      ? { kind: 'empty' }
      : { kind: 'bad', reason: 'no CSV table magic' };
  }
  const format = buf.readUInt32LE(8);
  if (format !== FORMAT) return { kind: 'bad', reason: `unknown format ${format}` };
  const length = buf.readUInt32LE(16);
  if (HEADER_BYTES + length > SLOT_BYTES) return { kind: 'bad', reason: `length ${length} exceeds the slot` };
  const bytes = Math.ceil((HEADER_BYTES + length) / BLOCK_BYTES) * BLOCK_BYTES;
  return { kind: 'header', generation: buf.readUInt32LE(12), bytes };
}

/** Decodes a whole slot; a CRC mismatch (a torn or corrupt write) makes it bad. */
export function decodeSlot(
  bytes: Uint8Array,
  expect: { volume: string; lun: string },
  where: string,
):
  | { kind: 'empty' }
  | { kind: 'bad'; reason: string }
  | { kind: 'ok'; generation: number; table: FileTable } {
  const h = readHeader(bytes);
  if (h.kind !== 'header') return h;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = buf.readUInt32LE(16);
  if (buf.length < HEADER_BYTES + length)
    return { kind: 'bad', reason: `short read: ${buf.length} of ${HEADER_BYTES + length} bytes` };
  const json = buf.subarray(HEADER_BYTES, HEADER_BYTES + length);
  if (crc32(json, crc32(buf.subarray(0, 20))) !== buf.readUInt32LE(20))
    return { kind: 'bad', reason: 'CRC32 mismatch' };
  try {
    return {
      kind: 'ok',
      generation: h.generation,
      table: validateTable(JSON.parse(json.toString('utf8')), expect, where),
    };
  } catch (err) {
    return { kind: 'bad', reason: (err as Error).message };
  }
}

/** Reads `length` bytes at `offset` of the LUN, or fails with a message. */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

/** The outcome of loading: no table yet (a fresh LUN), or the newest intact one. */
export type Loaded =
  | { kind: 'fresh' }
  | { kind: 'ok'; generation: number; table: FileTable; slot: 0 | 1; skipped: string[] };

/**
 * Loads the newest intact table: reads both headers, then the slots newest first, and takes the
 * first whose CRC and contents check out. Both slots empty means a fresh volume; anything else
 * with no intact slot is corruption, reported with both slots' reasons (never formatted over).
 */
export async function loadTable(read: ReadAt, expect: { volume: string; lun: string }): Promise<Loaded> {
  const slots = [0, 1] as const;
  const headers = await Promise.all(
    slots.map(async (s) => readHeader(await read(slotOffset(s), BLOCK_BYTES))),
  );
  if (headers.every((h) => h.kind === 'empty')) return { kind: 'fresh' };
  const order = slots
    .filter((s) => headers[s]?.kind === 'header')
    .sort((a, b) => gen(headers[b]) - gen(headers[a]));
  const reasons: string[] = slots.map((s) => {
    const h = headers[s] as SlotHeader;
    return h.kind === 'bad' ? h.reason : h.kind;
  });
  // A newer slot that does not check out was torn by a crash mid-write: skip it, say so.
  const skipped: string[] = [];
  for (const s of order) {
    const h = headers[s] as Extract<SlotHeader, { kind: 'header' }>;
    const where = `CSV table slot ${s} of ${expect.lun}`;
    const decoded = decodeSlot(await read(slotOffset(s), h.bytes), expect, where);
    if (decoded.kind === 'ok')
      return { kind: 'ok', generation: decoded.generation, table: decoded.table, slot: s, skipped };
    reasons[s] = decoded.kind === 'bad' ? decoded.reason : 'empty';
    skipped.push(`slot ${s} (generation ${h.generation}): ${reasons[s]}`);
  }
  throw new Error(`no intact file table on ${expect.lun}: slot 0 ${reasons[0]}, slot 1 ${reasons[1]}`);
}

function gen(h: SlotHeader | undefined): number {
  return h?.kind === 'header' ? h.generation : -1;
}
