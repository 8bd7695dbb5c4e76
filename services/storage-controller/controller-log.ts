/**
 * The storage controller's own log: every write it acknowledged (initiator as the RSSM stamped
 * it, LUN, offset, length, content hash) and every persistent-reservation change it carried out
 * (register, unregister, reserve, release, preempt with the victim's key and hosts), in the order
 * it acknowledged them. A chaos recorder outside the node follows it over Storage.WatchLog: it is
 * the independent witness of what reached the disk and who fenced whom (docs/chaos.md §History).
 *
 * The core stays pure: `logDraft` (pure) reads a request and the core's decision on it, and the
 * adapter appends the draft when the core's `reply` for that request says ok — a write once it
 * is durable, a preempt once the writes accepted before it have landed. The log is always kept
 * (a bounded ring), so the evidence does not depend on when a recorder connects.
 */
import { contentHash } from '../observability/content-hash.js';
import type { Sequenced } from '../observability/follow-log.js';
import type { PrData, StorageMsg, StorageState } from './core/decide.js';
import { type ControllerLogEntry, ControllerLogRing, type LogDraft } from './log-ring.js';

export type { ControllerLogEntry, LogDraft, LoggedReservation, LoggedWrite } from './log-ring.js';

/**
 * Writes up to this size carry their content hash in the log. The hash exists to match a VM
 * workload's record (one 4 KiB block) across the witnesses; no record is larger, so a larger
 * write (saved state, an I/O load, a copy) could never be matched, and hashing it cost the
 * controller a fifth of its CPU under 1 MiB writes (perf, the bench's storage session). Such a
 * write is logged with an empty hash, and checkers attribute it to its initiator.
 */
export const HASHED_WRITE_BYTES_MAX = 64 * 1024;

const hostOf = (nexus: string) => nexus.slice(0, nexus.lastIndexOf('/'));
const sameReservation = (a: PrData, b: PrData) =>
  a.reservation?.holder === b.reservation?.holder && a.reservation?.key === b.reservation?.key;

/**
 * The log line a request will be once acknowledged, from the state before the core decided it and
 * the state after; null for a request that changes nothing worth logging (reads, a repeated
 * reserve, a release of a reservation the key does not hold, LUN management).
 */
export function logDraft(before: StorageState, msg: StorageMsg, after: StorageState): LogDraft | null {
  if (!('initiator' in msg) || !msg.initiator || !('lun' in msg)) return null;
  const initiator = { host: msg.initiator.host, port: msg.initiator.port };
  const lun = msg.lun;
  const was = before.luns[lun]?.pr;
  const now = after.luns[lun]?.pr;
  switch (msg.type) {
    case 'write':
      return {
        kind: 'write',
        initiator,
        lun,
        offset: msg.offset,
        length: msg.data.length,
        hash: msg.data.length <= HASHED_WRITE_BYTES_MAX ? contentHash(msg.data) : '',
      };
    case 'prRegister': {
      const nexus = `${initiator.host}/${initiator.port}`;
      const old = was?.registrations.find((r) => r.initiator === nexus)?.key ?? '';
      if (msg.key === '') return { kind: 'reservation', action: 'unregister', initiator, lun, key: old };
      return { kind: 'reservation', action: 'register', initiator, lun, key: msg.key.toUpperCase() };
    }
    case 'prReserve':
    case 'prRelease':
      if (!was || !now || sameReservation(was, now)) return null;
      return {
        kind: 'reservation',
        action: msg.type === 'prReserve' ? 'reserve' : 'release',
        initiator,
        lun,
        key: msg.key.toUpperCase(),
      };
    case 'prPreempt': {
      const victimKey = msg.victimKey.toUpperCase();
      const kept = new Set(now?.registrations.map((r) => r.initiator));
      const removed = (was?.registrations ?? []).filter((r) => r.key === victimKey && !kept.has(r.initiator));
      return {
        kind: 'reservation',
        action: 'preempt',
        initiator,
        lun,
        key: msg.key.toUpperCase(),
        victimKey,
        victimHosts: [...new Set(removed.map((r) => hostOf(r.initiator)))],
      };
    }
    default:
      return null;
  }
}

/** The controller's log: drafts waiting for their reply, and the acknowledged lines. */
export class ControllerLog {
  /** The lines, bounded (log-ring.ts); followers read them over Storage.WatchLog. */
  readonly lines: ControllerLogRing;
  private readonly drafts = new Map<number, LogDraft>();

  constructor(
    private readonly now: () => number,
    capacity?: number,
  ) {
    this.lines = new ControllerLogRing(capacity);
  }

  /** Keeps the draft of a request the core just decided (called with its state before and after). */
  decided(before: StorageState, msg: StorageMsg, after: StorageState): void {
    if (!('reqId' in msg)) return;
    const draft = logDraft(before, msg, after);
    if (draft) this.drafts.set(msg.reqId, draft);
  }

  /** The core replied to a request: an ok reply puts its draft in the log, any reply drops it. */
  settled(reqId: number, ok: boolean): void {
    const draft = this.drafts.get(reqId);
    if (!draft) return;
    this.drafts.delete(reqId);
    if (ok) this.lines.append({ ...draft, timeMs: this.now() });
  }
}

/** A log line as Storage.WatchLog sends it (proto ControllerLogEntry). */
export function logEntryWire(bootId: string, e: Sequenced<ControllerLogEntry>) {
  const x = e.entry;
  const common = {
    seq: e.seq,
    boot_id: bootId,
    time_ms: x.timeMs,
    kind: x.kind,
    initiator: x.initiator,
    lun: x.lun,
  };
  if (x.kind === 'write') return { ...common, offset: x.offset, length: x.length, hash: x.hash };
  return {
    ...common,
    action: x.action,
    key: x.key,
    victim_key: x.victimKey ?? '',
    victim_hosts: x.victimHosts ?? [],
  };
}
