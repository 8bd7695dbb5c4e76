/**
 * The witness document on its medium: validation of what is read back, and the on-LUN layout of
 * a disk witness — the two slots of a slotted document (services/disk-format/slotted-doc.ts,
 * shared with the CSV file table), written alternately, so a write torn by a storage crash never
 * loses the previous state (and so never lets an epoch go backwards).
 */
import * as slotted from '../disk-format/slotted-doc.js';
import type { WitnessDoc, WitnessKind } from '../witness-protocol/core.js';

export {
  BLOCK_BYTES,
  HEADER_BYTES,
  type ReadAt,
  SLOT_BYTES,
  type SlotHeader,
} from '../disk-format/slotted-doc.js';

/**
 * The largest cluster configuration a disk witness keeps: JSON escaping can grow a string up to
 * six times, and the escaped document must still fit in one slot.
 */
export const CONFIG_JSON_BYTES_MAX = 512 * 1024;

/** The disk witness's magic; its bytes on the LUN are unchanged since the format's first use. */
const WITNESS_FORMAT: slotted.SlottedFormat = { magic: 'DCBOXWIT', name: 'witness' };

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
  return slotted.encodeSlot(WITNESS_FORMAT, JSON.stringify(doc), generation, 'the witness document');
}

/** Reads a slot's header from its first block. */
export function readHeader(head: Uint8Array): slotted.SlotHeader {
  return slotted.readHeader(WITNESS_FORMAT, head);
}

/** Decodes a whole slot; a CRC mismatch (a torn or corrupt write) makes it bad. */
export function decodeSlot(buf: Uint8Array): slotted.DecodedSlot {
  return slotted.decodeSlot(WITNESS_FORMAT, buf);
}

/**
 * Loads the JSON of the newest intact slot and its generation, or null when no slot is intact
 * (a blank LUN, or one whose every slot is torn): the witness then starts as one that never saved.
 */
export async function loadNewestSlot(
  read: slotted.ReadAt,
): Promise<{ generation: number; json: string } | null> {
  const loaded = await slotted.loadNewest(WITNESS_FORMAT, read, (json) => json);
  return loaded.kind === 'ok' ? { generation: loaded.generation, json: loaded.doc } : null;
}
