/**
 * The read-back at the end of a run: every record a VM's workload acknowledged is read from the
 * storage controller and compared with what was acknowledged — present, the same content hash,
 * and the writer and incarnation the record names (docs/chaos.md §History, read-back records).
 * `judgeSlot` is pure; `readBack` does the reads.
 */
import type { Clients } from '../orchestrator/run/clients.js';
import { RECORD_SIZE, recordsPerDisk, verifyRecord } from '../services/hyperv-node/record.js';
import { contentHash } from '../services/observability/content-hash.js';
import { mapPooled } from '../services/process/pooled.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import type { ReadbackRecord } from './history.js';
import type { AckedRecord } from './witnesses.js';

/** One VM's read-back line, without its time. */
export interface ReadbackLine {
  type: 'readback';
  vm: string;
  checked: number;
  missing: number[];
  bad: { seq: number; reason: string }[];
  records: ReadbackRecord[];
}

/**
 * What the slot of record `seq` holds. A valid record of a later lap of the journal (a higher
 * seq that maps to the same slot of a disk of `slots` records) legitimately overwrote it.
 */
export function judgeSlot(vm: string, seq: number, data: Uint8Array, slots: number | null): ReadbackRecord {
  const check = verifyRecord(data, { vm });
  if (!check.ok) return { seq, present: false };
  const r = check.record;
  const found = {
    ...(r.writer ? { writer: r.writer } : {}),
    ...(r.incarnation ? { incarnation: r.incarnation } : {}),
    hash: contentHash(data),
  };
  if (r.seq === seq) return { seq, present: true, ...found };
  if (slots !== null && r.seq > seq && (r.seq - seq) % slots === 0)
    return { seq, present: false, overwrittenBy: r.seq };
  return { seq, present: false, ...found };
}

/** Reads one record's slot, with a few tries; the error when it could not be read. */
async function readSlot(c: Clients, reader: string, rec: AckedRecord): Promise<Buffer | string> {
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await rpc<{ data: Buffer }>((cb) =>
      c.storage().Read(
        {
          lun: rec.lun,
          initiator: { host: reader, port: 'verifier' },
          offset: rec.offset,
          length: RECORD_SIZE,
        },
        deadline(5000),
        cb,
      ),
    ).catch((err) => {
      lastError = String((err as Error).message);
      return null;
    });
    if (r) return r.data;
  }
  return lastError;
}

/** How many slots the read-back asks the controller for at once; one at a time took ~2.5 s a run. */
const READS_IN_FLIGHT = 16;

/**
 * Reads back every acknowledged record of one VM. `sizeBytes` is its disk's size (from the
 * layout), to recognise a later lap of the journal; null when unknown. The reads overlap; the
 * line lists the records in sequence order whatever order they came back in.
 */
export async function readBack(
  c: Clients,
  reader: string,
  vm: string,
  acked: Map<number, AckedRecord>,
  sizeBytes: number | null,
): Promise<ReadbackLine> {
  const slots = sizeBytes === null ? null : recordsPerDisk(sizeBytes);
  const inOrder = [...acked].sort(([a], [b]) => a - b);
  const read = await mapPooled(inOrder, READS_IN_FLIGHT, async ([seq, rec]) => ({
    seq,
    data: await readSlot(c, reader, rec),
  }));
  const line: ReadbackLine = {
    type: 'readback',
    vm,
    checked: read.length,
    missing: [],
    bad: [],
    records: [],
  };
  for (const { seq, data } of read) {
    if (typeof data === 'string') {
      // The record could not be read at all: say why rather than call it lost.
      line.bad.push({ seq, reason: `unreadable: ${data}` });
      continue;
    }
    const found = judgeSlot(vm, seq, data, slots);
    line.records.push(found);
    if (!found.present && found.overwrittenBy === undefined) line.missing.push(seq);
  }
  return line;
}
