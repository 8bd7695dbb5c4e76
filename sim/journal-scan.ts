/**
 * The cold boot's journal scan on a simulated node, through the node's block device (its CSV or
 * MPIO, so the reads cross the simulated RSSMs to the controller core), as
 * services/hyperv-node/guest-disk.ts `lastSeqOnDisk` does it on a real node: the disk read in
 * 4 MiB pieces, four in flight, every 4 KiB slot checked with the real record verifier, and a
 * read that fails fails the whole scan (the start fails, and the cluster's restart policy tries
 * again). It is written with callbacks instead of promises, since a promise's continuation would
 * run outside the simulation's event queue.
 */
import type { IoResult, StorageOp } from '../services/hyperv-node/mpio.js';
import { RECORD_SIZE, verifyRecord } from '../services/hyperv-node/record.js';
import type { VmSpec } from '../services/process/config.js';

/** The size of one read of the scan, as guest-disk.ts reads. */
export const SCAN_CHUNK_BYTES = 4 * 1024 * 1024;
/** Reads in flight, as guest-disk.ts issues them. */
export const SCAN_READS = 4;

/** One block I/O of the node; `done` gets its outcome. */
export type BlockIo = (lun: string, op: StorageOp, done: (r: IoResult) => void) => void;

/** The newest seq of the VM's records in one piece of its disk (0 when none). */
export function newestInPiece(data: Uint8Array, vm: string): number {
  let last = 0;
  for (let i = 0; i + RECORD_SIZE <= data.length; i += RECORD_SIZE) {
    // A never-written slot is all zeros; its first byte is enough to skip it (a record starts
    // with the magic 'DCBR'), and verifyRecord would call it empty anyway.
    if (data[i] === 0) continue;
    const check = verifyRecord(data.subarray(i, i + RECORD_SIZE), { vm });
    if (check.ok && check.record.seq > last) last = check.record.seq;
  }
  return last;
}

/**
 * Scans a VM's disk for its newest record; `done` gets it (0 when the disk holds none), or the
 * error of the first read that failed.
 */
export function scanJournal(
  io: BlockIo,
  spec: VmSpec,
  done: (r: { ok: true; lastSeq: number } | { ok: false; error: string }) => void,
): void {
  const offsets: number[] = [];
  for (let off = 0; off < spec.diskSizeBytes; off += SCAN_CHUNK_BYTES) offsets.push(off);
  let last = 0;
  let failure: string | null = null;
  let readers = Math.min(SCAN_READS, offsets.length);
  if (readers === 0) {
    done({ ok: true, lastSeq: 0 });
    return;
  }
  const finished = () => {
    if (--readers > 0) return;
    done(failure === null ? { ok: true, lastSeq: last } : { ok: false, error: failure });
  };
  const next = (): void => {
    const off = offsets.shift();
    if (off === undefined || failure !== null) {
      finished();
      return;
    }
    const length = Math.min(SCAN_CHUNK_BYTES, spec.diskSizeBytes - off);
    io(spec.lun, { kind: 'read', offset: spec.diskOffsetBytes + off, length }, (r) => {
      if (!r.ok || !r.data) {
        const why = r.ok ? 'no data' : `${r.code}: ${r.message}`;
        failure ??= `reading ${spec.name}'s disk at ${off}: ${why}`;
        finished();
        return;
      }
      last = Math.max(last, newestInPiece(r.data, spec.name));
      next();
    });
  };
  for (let i = readers; i > 0; i--) next();
}
