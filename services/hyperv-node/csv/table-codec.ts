/**
 * The file table's place on the LUN: in the volume's reserved head (the first 64 MiB), the two
 * slots of a slotted document (services/disk-format/slotted-doc.ts, shared with the disk
 * witness), written alternately, so a write torn by a crash damages only the slot being written
 * and the previous generation stays readable in the other. This module adds the table's magic
 * and checks that what is read back is the table of this volume.
 */
import * as slotted from '../../disk-format/slotted-doc.js';
import { DATA_START_BYTES, type FileTable, validateTable } from './file-table.js';

export {
  HEADER_BYTES,
  type ReadAt,
  SLOT_BYTES,
  type SlotHeader,
  slotOf,
  slotOffset,
} from '../../disk-format/slotted-doc.js';

/** A read or write of one command carries at most this much (the storage's limit is 16 MiB). */
export const TABLE_BYTES_MAX = slotted.SLOT_BYTES;

/** The CSV file table's magic; its bytes on the LUN are unchanged since the format's first use. */
const TABLE_FORMAT: slotted.SlottedFormat = { magic: 'DCBOXCSV', name: 'CSV table' };

// Both slots must fit in the reserved head, before the first VM extent.
if (2 * slotted.SLOT_BYTES > DATA_START_BYTES)
  throw new Error('the two table slots do not fit in the CSV head');

/** Encodes a table with its generation as the bytes of one slot, padded to whole blocks. */
export function encodeTable(table: FileTable, generation: number): Buffer {
  return slotted.encodeSlot(
    TABLE_FORMAT,
    JSON.stringify(table),
    generation,
    `the file table of ${table.volume}`,
  );
}

/** Reads a slot's header from its first block. */
export function readHeader(head: Uint8Array): slotted.SlotHeader {
  return slotted.readHeader(TABLE_FORMAT, head);
}

/** Decodes a whole slot; a CRC mismatch (a torn or corrupt write) or a foreign table makes it bad. */
export function decodeSlot(
  bytes: Uint8Array,
  expect: { volume: string; lun: string },
  where: string,
):
  | { kind: 'empty' }
  | { kind: 'bad'; reason: string }
  | { kind: 'ok'; generation: number; table: FileTable } {
  const slot = slotted.decodeSlot(TABLE_FORMAT, bytes);
  if (slot.kind !== 'ok') return slot;
  try {
    return { kind: 'ok', generation: slot.generation, table: parseTable(slot.json, expect, where) };
  } catch (err) {
    return { kind: 'bad', reason: (err as Error).message };
  }
}

/** The outcome of loading: no table yet (a fresh LUN), or the newest intact one. */
export type Loaded =
  | { kind: 'fresh' }
  | { kind: 'ok'; generation: number; table: FileTable; slot: slotted.Slot; skipped: string[] };

/**
 * Loads the newest intact table: the newest slot whose CRC and contents check out. Both slots
 * empty means a fresh volume; anything else with no intact slot is corruption, reported with
 * both slots' reasons (never formatted over).
 */
export async function loadTable(
  read: slotted.ReadAt,
  expect: { volume: string; lun: string },
): Promise<Loaded> {
  const loaded = await slotted.loadNewest(TABLE_FORMAT, read, (json, s) =>
    parseTable(json, expect, `CSV table slot ${s} of ${expect.lun}`),
  );
  if (loaded.kind === 'fresh') return loaded;
  if (loaded.kind === 'ok') {
    const { generation, doc, slot, skipped } = loaded;
    return { kind: 'ok', generation, table: doc, slot, skipped };
  }
  const [r0, r1] = loaded.reasons;
  throw new Error(`no intact file table on ${expect.lun}: slot 0 ${r0}, slot 1 ${r1}`);
}

function parseTable(json: string, expect: { volume: string; lun: string }, where: string): FileTable {
  return validateTable(JSON.parse(json), expect, where);
}
