/**
 * On-disk formats shared by the services that keep a small document on a LUN. This folder holds:
 * - slotted-doc.ts (pure): the slotted document codec used by the CSV file table
 *   (services/hyperv-node/csv/table-codec.ts) and the disk witness
 *   (services/quorum/witness-doc.ts).
 *
 * A slotted document lives in two slots at the start of its LUN, written alternately: generation
 * g goes to slot g % 2. Each slot is a 24-byte header (magic, format, generation, JSON length,
 * CRC32), the document as JSON and zero padding to whole 512-byte blocks. A write torn by a crash
 * damages only the slot being written, so the previous generation stays readable in the other
 * one; a reader takes the intact slot with the highest generation. The codec does no I/O of its
 * own: the loader reads through a function it is given.
 */
import { crc32 } from 'node:zlib';

/** The block size of the LUN: every slot covers whole blocks. */
export const BLOCK_BYTES = 512;
/** Each of the two slots spans this many bytes: slot 0 at offset 0, slot 1 right after. */
export const SLOT_BYTES = 4 * 1024 * 1024;
/** magic (8) + format (4) + generation (4) + JSON length (4) + CRC32 (4). */
export const HEADER_BYTES = 24;
/** The header's bytes that the CRC32 covers before the JSON: all but the CRC itself. */
const CRC_COVERS_BYTES = 20;
/** The only header format written so far. */
const FORMAT = 1;
/** The largest generation the header's 32-bit field holds. */
const GENERATION_MAX = 0xffffffff;

/** What tells one user's documents from another's on the disk. */
export interface SlottedFormat {
  /** Eight latin1 characters at the start of every slot, e.g. "DCBOXCSV". */
  magic: string;
  /** What a reason calls the document when the magic is missing: "no <name> magic". */
  name: string;
}

/** One of the two slots. */
export type Slot = 0 | 1;

/** The LUN offset of slot 0 or 1. */
export function slotOffset(slot: Slot): number {
  return slot * SLOT_BYTES;
}

/** The slot that generation g is written to. */
export function slotOf(generation: number): Slot {
  return (generation % 2) as Slot;
}

/**
 * Encodes a document's JSON with its generation as the bytes of one slot, padded to whole
 * blocks. `what` names the document in the error thrown when it does not fit ("the witness
 * document"); a generation outside 1..2^32-1 is a caller's bug and throws too.
 */
export function encodeSlot(format: SlottedFormat, json: string, generation: number, what: string): Buffer {
  if (!Number.isInteger(generation) || generation < 1 || generation > GENERATION_MAX)
    throw new Error(`${what}: generation ${generation} must be an integer in 1..${GENERATION_MAX}`);
  const body = Buffer.from(json, 'utf8');
  const total = wholeBlocks(HEADER_BYTES + body.length);
  if (total > SLOT_BYTES)
    throw new Error(`${what} is ${body.length} bytes; a slot holds ${SLOT_BYTES - HEADER_BYTES}`);
  const buf = Buffer.alloc(total);
  magicOf(format).copy(buf, 0);
  buf.writeUInt32LE(FORMAT, 8);
  buf.writeUInt32LE(generation, 12);
  buf.writeUInt32LE(body.length, 16);
  body.copy(buf, HEADER_BYTES);
  buf.writeUInt32LE(crc32(body, crc32(buf.subarray(0, CRC_COVERS_BYTES))), CRC_COVERS_BYTES);
  return buf;
}

/** What a slot's first block says; `bytes` is how much to read (whole blocks) to check the slot. */
export type SlotHeader =
  | { kind: 'empty' }
  | { kind: 'bad'; reason: string }
  | { kind: 'header'; generation: number; bytes: number };

/** Reads a slot's header from its first block; all zeros is an empty slot (a fresh LUN). */
export function readHeader(format: SlottedFormat, head: Uint8Array): SlotHeader {
  const buf = asBuffer(head);
  if (buf.length < HEADER_BYTES) return { kind: 'bad', reason: `short read of ${buf.length} bytes` };
  if (!buf.subarray(0, 8).equals(magicOf(format))) {
    return buf.subarray(0, HEADER_BYTES).every((b) => b === 0)
      ? { kind: 'empty' }
      : { kind: 'bad', reason: `no ${format.name} magic` };
  }
  const version = buf.readUInt32LE(8);
  if (version !== FORMAT) return { kind: 'bad', reason: `unknown format ${version}` };
  const length = buf.readUInt32LE(16);
  if (HEADER_BYTES + length > SLOT_BYTES) return { kind: 'bad', reason: `length ${length} exceeds the slot` };
  return { kind: 'header', generation: buf.readUInt32LE(12), bytes: wholeBlocks(HEADER_BYTES + length) };
}

/** A decoded slot: empty, bad with a reason, or its generation and JSON. */
export type DecodedSlot =
  | { kind: 'empty' }
  | { kind: 'bad'; reason: string }
  | { kind: 'ok'; generation: number; json: string };

/** Decodes a whole slot; a CRC mismatch (a torn or corrupt write) makes it bad. */
export function decodeSlot(format: SlottedFormat, bytes: Uint8Array): DecodedSlot {
  const h = readHeader(format, bytes);
  if (h.kind !== 'header') return h;
  const buf = asBuffer(bytes);
  const end = HEADER_BYTES + buf.readUInt32LE(16);
  if (buf.length < end) return { kind: 'bad', reason: `short read: ${buf.length} of ${end} bytes` };
  const json = buf.subarray(HEADER_BYTES, end);
  if (crc32(json, crc32(buf.subarray(0, CRC_COVERS_BYTES))) !== buf.readUInt32LE(CRC_COVERS_BYTES))
    return { kind: 'bad', reason: 'CRC32 mismatch' };
  return { kind: 'ok', generation: h.generation, json: json.toString('utf8') };
}

/** Reads `length` bytes at `offset` of the LUN, or rejects. */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

/**
 * The outcome of loading: both slots empty (a fresh LUN), the newest intact document, or no
 * intact slot at all, with each slot's reason.
 */
export type LoadedSlot<T> =
  | { kind: 'fresh' }
  | { kind: 'ok'; generation: number; doc: T; slot: Slot; skipped: string[] }
  | { kind: 'none'; reasons: [string, string] };

/**
 * Loads the newest intact document: reads both headers, then the slots newest first, and takes
 * the first whose CRC checks out and that `parse` accepts (parse throws to refuse a slot). A
 * newer slot that does not check out was torn by a crash mid-write; it is skipped and listed in
 * `skipped`, so the caller can say so.
 */
export async function loadNewest<T>(
  format: SlottedFormat,
  read: ReadAt,
  parse: (json: string, slot: Slot) => T,
): Promise<LoadedSlot<T>> {
  const slots = [0, 1] as const;
  const heads = await Promise.all(slots.map((s) => read(slotOffset(s), BLOCK_BYTES)));
  const headers = heads.map((h) => readHeader(format, h));
  if (headers.every((h) => h.kind === 'empty')) return { kind: 'fresh' };
  const reasons = headers.map((h) => (h.kind === 'bad' ? h.reason : h.kind)) as [string, string];
  const order = slots
    .filter((s) => headers[s]?.kind === 'header')
    .sort((a, b) => generationOf(headers[b]) - generationOf(headers[a]));
  const skipped: string[] = [];
  for (const s of order) {
    const h = headers[s] as Extract<SlotHeader, { kind: 'header' }>;
    const head = heads[s] as Uint8Array;
    const whole = h.bytes <= head.length ? head : await read(slotOffset(s), h.bytes);
    const decoded = parseSlot(decodeSlot(format, whole), (json) => parse(json, s));
    if (decoded.kind === 'ok')
      return { kind: 'ok', generation: h.generation, doc: decoded.doc, slot: s, skipped };
    reasons[s] = decoded.reason;
    skipped.push(`slot ${s} (generation ${h.generation}): ${decoded.reason}`);
  }
  return { kind: 'none', reasons };
}

/** Applies the caller's parser to a decoded slot; a parser's refusal makes the slot bad. */
function parseSlot<T>(
  slot: DecodedSlot,
  parse: (json: string) => T,
): { kind: 'ok'; doc: T } | { kind: 'bad'; reason: string } {
  if (slot.kind === 'empty') return { kind: 'bad', reason: 'empty' };
  if (slot.kind === 'bad') return slot;
  try {
    return { kind: 'ok', doc: parse(slot.json) };
  } catch (err) {
    return { kind: 'bad', reason: (err as Error).message };
  }
}

function generationOf(h: SlotHeader | undefined): number {
  return h?.kind === 'header' ? h.generation : -1;
}

function wholeBlocks(bytes: number): number {
  return Math.ceil(bytes / BLOCK_BYTES) * BLOCK_BYTES;
}

function magicOf(format: SlottedFormat): Buffer {
  const magic = Buffer.from(format.magic, 'latin1');
  if (magic.length !== 8) throw new Error(`slotted document magic "${format.magic}" must be 8 characters`);
  return magic;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
