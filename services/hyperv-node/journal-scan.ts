/**
 * The cold boot's journal scan, one core for both worlds: a VM that boots cold reads its disk for
 * the newest of its records and carries its journal on from there. guest-disk.ts `lastSeqOnDisk`
 * runs it on a real node, sim/vm-host.ts on a simulated one, through the node's block device (its
 * CSV or MPIO, so the reads cross the RSSMs to the controller). The disk is read in 1 MiB pieces,
 * four in flight, every 4 KiB slot checked with the real record verifier, and a read that fails
 * fails the whole scan (the start fails, and the cluster's restart policy tries again). It is
 * written with callbacks instead of promises, since in the simulation a promise's continuation
 * would run outside the event queue.
 *
 * The scan ends at the journal's end, as a guest's journal replay does: a VM writes its records in
 * seq order, one at a time, and the same seq again until it is acknowledged (vm/workload.ts), so
 * its records fill the disk from the start without a gap until the journal wraps. A piece with
 * nothing but zeros is past the end of the first lap, and nothing of the VM lies beyond it. Read
 * whole, the 64 MiB disks of the seed cost every cold boot 64 MiB through the controller, an RSSM
 * and the node, and on a 2-core machine a failover's boot delayed the survivor's witness defence
 * past its lease, which turned its VMs off and booted them again, in a loop.
 */
import type { ErrorCode } from '../actor/errors.js';
import type { VmSpec } from '../process/config.js';
import type { IoResult, StorageOp } from './mpio.js';
import { RECORD_SIZE, verifyRecord } from './record.js';

/** The size of one read of the scan. */
export const SCAN_CHUNK_BYTES = 1024 * 1024;
/** Reads in flight, as a guest's storage stack issues them. */
export const SCAN_READS = 4;

/** One block I/O of the node; `done` gets its outcome. */
export type BlockIo = (lun: string, op: StorageOp, done: (r: IoResult) => void) => void;

/** What a scan found: the newest seq (0 when none), or the first read that failed. */
export type ScanResult = { ok: true; lastSeq: number } | { ok: false; error: string; code: ErrorCode };

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

const ZEROS = new Uint8Array(SCAN_CHUNK_BYTES);

/** Whether a piece of the disk was never written: every byte of it is zero. */
export function neverWritten(data: Uint8Array): boolean {
  const zeros = data.byteLength <= ZEROS.byteLength ? ZEROS.subarray(0, data.byteLength) : null;
  return zeros !== null && Buffer.from(data.buffer, data.byteOffset, data.byteLength).equals(zeros);
}

/** Scans a VM's disk for its newest record, up to the journal's end; `done` gets what it found. */
export function scanJournal(io: BlockIo, spec: VmSpec, done: (r: ScanResult) => void): void {
  const offsets: number[] = [];
  for (let off = 0; off < spec.diskSizeBytes; off += SCAN_CHUNK_BYTES) offsets.push(off);
  let last = 0;
  let failure: Extract<ScanResult, { ok: false }> | null = null;
  let end = Number.POSITIVE_INFINITY;
  let readers = Math.min(SCAN_READS, offsets.length);
  if (readers === 0) {
    done({ ok: true, lastSeq: 0 });
    return;
  }
  const finished = () => {
    if (--readers > 0) return;
    done(failure ?? { ok: true, lastSeq: last });
  };
  const next = (): void => {
    const off = offsets.shift();
    if (off === undefined || off > end || failure !== null) {
      finished();
      return;
    }
    const length = Math.min(SCAN_CHUNK_BYTES, spec.diskSizeBytes - off);
    io(spec.lun, { kind: 'read', offset: spec.diskOffsetBytes + off, length }, (r) => {
      if (!r.ok || !r.data) {
        const why = r.ok ? 'no data' : `${r.code}: ${r.message}`;
        failure ??= {
          ok: false,
          error: `reading ${spec.name}'s disk at ${off}: ${why}`,
          code: r.ok ? 'IO_ERROR' : r.code,
        };
        finished();
        return;
      }
      if (neverWritten(r.data)) end = Math.min(end, off);
      else last = Math.max(last, newestInPiece(r.data, spec.name));
      next();
    });
  };
  for (let i = readers; i > 0; i--) next();
}
