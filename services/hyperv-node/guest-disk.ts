/**
 * The guest's virtual disk, an adapter: the workload's record writes through the node's block
 * device (each record also lands in a page of guest memory), and the scan for the newest record
 * at a cold boot. Each record write is logged as issued and as answered (write-log.ts), as it
 * happens. Outcomes go back to the VM core as data, never thrown.
 */

import type { Clock } from '../actor/clock.js';
import { DcboxError, ERROR_CODES } from '../actor/errors.js';
import { contentHash } from '../observability/content-hash.js';
import type { VmSpec } from '../process/config.js';
import type { Logger } from '../process/log.js';
import { type ScanResult, scanJournal } from './journal-scan.js';
import type { GuestMemory } from './migration/guest-memory.js';
import type { IoResult, StorageOp } from './mpio.js';
import { encodeRecord } from './record.js';
import type { VmEffect, WriteOutcome } from './vm/model.js';
import type { WriteLog } from './write-log.js';

/**
 * Where a VM's disk I/O goes: MPIO (Multipath) by default; the cluster routes CSV I/O through
 * its CSV layer (direct or redirected). Errors come back as data, never thrown.
 */
export interface BlockDevice {
  io(lun: string, op: StorageOp): Promise<IoResult>;
}

/** The VM instance that writes a record: its host and its incarnation (16 hex digits). */
export interface RecordWriter {
  host: string;
  incarnation: string;
}

/** The block of one workload record, naming its writer. */
export function workloadRecord(
  effect: Extract<VmEffect, { type: 'writeRecord' }>,
  writer: RecordWriter,
): Buffer {
  return encodeRecord({
    vm: effect.vm,
    seq: effect.seq,
    timeMs: effect.timeMs,
    writer: writer.host,
    incarnation: writer.incarnation,
  });
}

/** Writes one workload record's block; resolves with its outcome as the VM core counts it. */
export async function writeRecord(
  disks: BlockDevice,
  mem: GuestMemory | undefined,
  effect: Extract<VmEffect, { type: 'writeRecord' }>,
  block: Buffer,
): Promise<WriteOutcome> {
  // The guest dirties its memory as it works: the record also lands in a page of its RAM, so
  // saved state and migration carry real, changing contents.
  if (mem && mem.buf.length >= block.length)
    mem.write((effect.seq % Math.floor(mem.buf.length / block.length)) * block.length, block);
  const r = await disks.io(effect.lun, { kind: 'write', offset: effect.offset, data: block });
  return r.ok
    ? { ok: true }
    : { ok: false, definite: ERROR_CODES[r.code].definite, code: r.code, message: r.message };
}

/**
 * Writes one workload record naming its writer (this host and the VM run's incarnation), logged
 * in `log` as issued and as answered, as it happens; resolves with its outcome.
 */
export async function writeLoggedRecord(
  disks: BlockDevice,
  mem: GuestMemory | undefined,
  effect: Extract<VmEffect, { type: 'writeRecord' }>,
  host: string,
  log: WriteLog,
  clock: Clock,
): Promise<WriteOutcome> {
  const writer = { host, incarnation: log.incarnation(effect.epoch) };
  const block = workloadRecord(effect, writer);
  const done = log.issued({
    timeMs: clock.now(),
    vm: effect.vm,
    recordSeq: effect.seq,
    ...writer,
    hash: contentHash(block),
    lun: effect.lun,
    offset: effect.offset,
  });
  const outcome = await writeRecord(disks, mem, effect, block);
  if (outcome.ok) done('ok', clock.now());
  else done(outcome.definite ? 'fail' : 'info', clock.now(), `${outcome.code}: ${outcome.message}`);
  return outcome;
}

/**
 * The newest record of a VM on its virtual disk, read at a cold boot (0 when none), up to the
 * journal's end (journal-scan.ts). A guest that cannot read its disk does not boot: guessing its
 * newest record from part of the disk made a restarted VM write over records it had acknowledged
 * (found by a seeded campaign with storage errors during a failover). The start fails, and the
 * cluster's restart policy tries again.
 */
export async function lastSeqOnDisk(disks: BlockDevice, spec: VmSpec, log: Logger): Promise<number> {
  const r = await new Promise<ScanResult>((resolve) =>
    scanJournal((lun, op, done) => void disks.io(lun, op).then(done), spec, resolve),
  );
  if (r.ok) return r.lastSeq;
  const failure = new DcboxError(r.code, r.error);
  log('warn', 'could not scan the virtual disk at boot', { vm: spec.name, error: String(failure) });
  throw failure;
}
