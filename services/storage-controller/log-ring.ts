/**
 * The controller log's lines (controller-log.ts), kept in typed arrays instead of one object per
 * line. The log holds the last 200 000 acknowledged writes; as objects (the line, its initiator,
 * its strings, its hash) that was over a million small objects on the heap, which every major
 * garbage collection marked again, and the writes of a busy LUN start one every fraction of a
 * second: with a full log, the controller's collector threads spent as much CPU as its main thread
 * under 1 MiB writes (measured with perf, issue 19). A write's line is now five numbers in
 * typed arrays and an index into a small table of (initiator, LUN) pairs; reservation changes,
 * rare, stay objects. Lines are built again as objects only when a follower reads them. The line
 * types live here (controller-log.ts re-exports them), so the two files import in one direction.
 */
import type { Backlog, Followable, Sequenced } from '../observability/follow-log.js';
import { FOLLOW_LOG_CAPACITY } from '../observability/follow-log.js';
import type { Initiator } from './core/decide.js';

/** A write the controller acknowledged. */
export interface LoggedWrite {
  kind: 'write';
  initiator: Initiator;
  lun: string;
  offset: number;
  length: number;
  hash: string;
}

/** A persistent-reservation change the controller carried out. */
export interface LoggedReservation {
  kind: 'reservation';
  action: 'register' | 'unregister' | 'reserve' | 'release' | 'preempt';
  initiator: Initiator;
  lun: string;
  key: string;
  victimKey?: string;
  /** The hosts whose registrations the preempt removed. */
  victimHosts?: string[];
}

/** What the log says before it is acknowledged. */
export type LogDraft = LoggedWrite | LoggedReservation;

/** One line of the controller's log: a draft acknowledged at `timeMs` (the controller's clock). */
export type ControllerLogEntry = LogDraft & { timeMs: number };

/** How many distinct (initiator, LUN) pairs are kept compact; more are kept as objects. */
const PAIRS_MAX = 65_535;
/** A slot holding an object line (a reservation change, or a write of an unusual pair). */
const OBJECT = 0xffff;

/** A bounded, sequenced log of the controller's lines, followed as FollowLog is. */
export class ControllerLogRing implements Followable<ControllerLogEntry> {
  private readonly timeMs: Float64Array;
  private readonly offset: Float64Array;
  private readonly length: Float64Array;
  /** The 8 bytes of the content hash, as two 32-bit halves. */
  private readonly hashHigh: Uint32Array;
  private readonly hashLow: Uint32Array;
  /** Index into `pairs`, or OBJECT when the line is in `objects`. */
  private readonly pair: Uint16Array;
  private readonly pairs: Pick<LoggedWrite, 'initiator' | 'lun'>[] = [];
  private readonly pairIndex = new Map<string, number>();
  private readonly objects = new Map<number, ControllerLogEntry>();
  /** The seq the next appended line gets. */
  private next = 1;
  private readonly followers = new Set<(e: Sequenced<ControllerLogEntry>) => void>();

  constructor(readonly capacity = FOLLOW_LOG_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity ${capacity} must be ≥ 1`);
    this.timeMs = new Float64Array(capacity);
    this.offset = new Float64Array(capacity);
    this.length = new Float64Array(capacity);
    this.hashHigh = new Uint32Array(capacity);
    this.hashLow = new Uint32Array(capacity);
    this.pair = new Uint16Array(capacity);
  }

  /** Appends a line and hands it to every follower; returns its seq. */
  append(entry: ControllerLogEntry): number {
    const seq = this.next++;
    const slot = (seq - 1) % this.capacity;
    this.objects.delete(slot);
    const p = entry.kind === 'write' && /^[0-9a-f]{16}$/.test(entry.hash) ? this.pairOf(entry) : OBJECT;
    this.pair[slot] = p;
    if (p === OBJECT || entry.kind !== 'write') this.objects.set(slot, entry);
    else {
      this.timeMs[slot] = entry.timeMs;
      this.offset[slot] = entry.offset;
      this.length[slot] = entry.length;
      this.hashHigh[slot] = Number.parseInt(entry.hash.slice(0, 8), 16);
      this.hashLow[slot] = Number.parseInt(entry.hash.slice(8), 16);
    }
    if (this.followers.size > 0) {
      const e = { seq, entry };
      for (const f of this.followers) f(e);
    }
    return seq;
  }

  /** The seq of the oldest line still kept (the next one when empty). */
  get oldest(): number {
    return Math.max(1, this.next - this.capacity);
  }

  /** The seq of the newest line (0 when nothing was appended). */
  get newest(): number {
    return this.next - 1;
  }

  /** The lines after `afterSeq` still kept, and how many after it were already dropped. */
  after(afterSeq: number): Backlog<ControllerLogEntry> {
    const from = Math.max(afterSeq + 1, this.oldest);
    const missed = Math.max(0, this.oldest - (afterSeq + 1));
    const entries: Sequenced<ControllerLogEntry>[] = [];
    for (let seq = from; seq < this.next; seq++) entries.push({ seq, entry: this.line(seq) });
    return { missed, entries };
  }

  /** Calls `cb` with every line appended from now on; returns the function that stops it. */
  follow(cb: (e: Sequenced<ControllerLogEntry>) => void): () => void {
    this.followers.add(cb);
    return () => {
      this.followers.delete(cb);
    };
  }

  /** The line kept for `seq`, as an object. */
  private line(seq: number): ControllerLogEntry {
    const slot = (seq - 1) % this.capacity;
    const p = this.pair[slot] as number;
    if (p === OBJECT) return this.objects.get(slot) as ControllerLogEntry;
    const { initiator, lun } = this.pairs[p] as Pick<LoggedWrite, 'initiator' | 'lun'>;
    const hex = (n: number) => n.toString(16).padStart(8, '0');
    return {
      kind: 'write',
      initiator: { ...initiator },
      lun,
      offset: this.offset[slot] as number,
      length: this.length[slot] as number,
      hash: hex(this.hashHigh[slot] as number) + hex(this.hashLow[slot] as number),
      timeMs: this.timeMs[slot] as number,
    };
  }

  /** The index of a write's (initiator, LUN) pair, or OBJECT once the table is full. */
  private pairOf(w: LoggedWrite): number {
    const key = `${w.initiator.host}\0${w.initiator.port}\0${w.lun}`;
    let p = this.pairIndex.get(key);
    if (p === undefined) {
      if (this.pairs.length >= PAIRS_MAX) return OBJECT;
      p = this.pairs.length;
      this.pairs.push({ initiator: { host: w.initiator.host, port: w.initiator.port }, lun: w.lun });
      this.pairIndex.set(key, p);
    }
    return p;
  }
}
