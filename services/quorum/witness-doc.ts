/**
 * The witness document on its medium: validation of what is read back, and the on-LUN layout of
 * a disk witness — a small header, the JSON and a CRC32, in whole 512-byte blocks, in one of two
 * slots written alternately, so a write torn by a storage crash never loses the previous state
 * (and so never lets an epoch go backwards).
 */
import { crc32 } from 'node:zlib';
import type { WitnessDoc, WitnessKind } from './core.js';

/** The block size of the LUN: every witness write covers whole blocks. */
export const BLOCK_BYTES = 512;
/** Each of the two slots spans this many bytes, the first at offset 0, the second right after. */
export const SLOT_BYTES = 4 * 1024 * 1024;
/**
 * The largest cluster configuration a disk witness keeps: JSON escaping can grow a string up to
 * six times, and the escaped document must still fit in one slot.
 */
export const CONFIG_JSON_BYTES_MAX = 512 * 1024;

const MAGIC = Buffer.from('DCBOXWIT', 'latin1');
const FORMAT = 1;
/** magic (8) + format (4) + generation (4) + JSON length (4) + CRC32 (4). */
export const HEADER_BYTES = 24;

/** Checks that what was read back is a witness document of this cluster and kind. */
export function parseDoc(
  json: string,
  expect: { cluster: string; kind: WitnessKind },
  where: string,
): WitnessDoc {
  const raw = JSON.parse(json) as Partial<WitnessDoc>;
  const fields: [keyof WitnessDoc, string][] = [
    ['cluster', 'string'],
    ['kind', 'string'],
    ['owner', 'string'],
    ['epoch', 'number'],
    ['configVersion', 'number'],
    ['configJson', 'string'],
  ];
  for (const [name, type] of fields) {
    if (typeof raw[name] !== type)
      throw new Error(`${where}: field ${name} should be a ${type}, found ${JSON.stringify(raw[name])}`);
  }
  const doc = raw as WitnessDoc;
  if (doc.cluster !== expect.cluster || doc.kind !== expect.kind) {
    throw new Error(
      `${where} holds the ${doc.kind} witness of cluster ${doc.cluster}, not the ${expect.kind} witness of ${expect.cluster}`,
    );
  }
  return doc;
}

/** Encodes a document with its generation as the bytes of one slot, padded to whole blocks. */
export function encodeSlot(doc: WitnessDoc, generation: number): Buffer {
  const json = Buffer.from(JSON.stringify(doc), 'utf8');
  const total = Math.ceil((HEADER_BYTES + json.length) / BLOCK_BYTES) * BLOCK_BYTES;
  if (total > SLOT_BYTES)
    throw new Error(
      `the witness document is ${json.length} bytes; a slot holds ${SLOT_BYTES - HEADER_BYTES}`,
    );
  const buf = Buffer.alloc(total);
  MAGIC.copy(buf, 0);
  buf.writeUInt32LE(FORMAT, 8);
  buf.writeUInt32LE(generation >>> 0, 12);
  buf.writeUInt32LE(json.length, 16);
  json.copy(buf, HEADER_BYTES);
  buf.writeUInt32LE(crc32(json, crc32(buf.subarray(0, 20))), 20);
  return buf;
}

/** What a slot's header says; `bytes` is how much must be read to check the whole slot. */
export type SlotHeader =
  | { kind: 'empty' }
  | { kind: 'bad'; reason: string }
  | { kind: 'header'; generation: number; bytes: number };

/** Reads a slot's header from its first block. */
export function readHeader(head: Buffer): SlotHeader {
  if (head.length < HEADER_BYTES) return { kind: 'bad', reason: `short read of ${head.length} bytes` };
  if (!head.subarray(0, 8).equals(MAGIC)) {
    return head.subarray(0, HEADER_BYTES).every((b) => b === 0)
      ? { kind: 'empty' }
      : { kind: 'bad', reason: 'no witness magic' };
  }
  const format = head.readUInt32LE(8);
  if (format !== FORMAT) return { kind: 'bad', reason: `unknown format ${format}` };
  const length = head.readUInt32LE(16);
  if (HEADER_BYTES + length > SLOT_BYTES) return { kind: 'bad', reason: `length ${length} exceeds the slot` };
  return { kind: 'header', generation: head.readUInt32LE(12), bytes: HEADER_BYTES + length };
}

/** Decodes a whole slot; a CRC mismatch (a torn or corrupt write) makes it bad. */
export function decodeSlot(
  buf: Buffer,
): { kind: 'empty' } | { kind: 'bad'; reason: string } | { kind: 'ok'; generation: number; json: string } {
  const h = readHeader(buf);
  if (h.kind !== 'header') return h;
  if (buf.length < h.bytes) return { kind: 'bad', reason: `short read: ${buf.length} of ${h.bytes} bytes` };
  const json = buf.subarray(HEADER_BYTES, h.bytes);
  const expected = buf.readUInt32LE(20);
  if (crc32(json, crc32(buf.subarray(0, 20))) !== expected) return { kind: 'bad', reason: 'CRC32 mismatch' };
  return { kind: 'ok', generation: h.generation, json: json.toString('utf8') };
}
