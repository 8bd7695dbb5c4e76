/**
 * A bounded, sequenced log that followers read from a position and then follow as it grows: the
 * storage controller's log of acknowledged writes and reservation changes, and a node's log of
 * its VMs' workload writes, which a chaos recorder outside the process follows. The log keeps only
 * the newest `capacity` entries; a follower that asks for entries already dropped is told how many
 * it missed, so a gap in the evidence is never mistaken for an absence of events.
 */

/** One entry and its position (1, 2, … from the process's start). */
export interface Sequenced<T> {
  seq: number;
  entry: T;
}

/** What a follower reading from a position gets first: what it missed, then what is still kept. */
export interface Backlog<T> {
  /** Entries after the position that were dropped before the follower asked. */
  missed: number;
  entries: Sequenced<T>[];
}

/** The default bound: the last 200 000 entries (tens of MB at most). */
export const FOLLOW_LOG_CAPACITY = 200_000;

/** What a follow is served from: a FollowLog, or a log that keeps its entries another way. */
export interface Followable<T> {
  /** The entries after `afterSeq` still kept, and how many after it were already dropped. */
  after(afterSeq: number): Backlog<T>;
  /** Calls `cb` with every entry appended from now on; returns the function that stops it. */
  follow(cb: (e: Sequenced<T>) => void): () => void;
}

/** A ring buffer of entries with followers. */
export class FollowLog<T> implements Followable<T> {
  private readonly ring: T[] = [];
  /** The seq the next appended entry gets. */
  private next = 1;
  private readonly followers = new Set<(e: Sequenced<T>) => void>();

  constructor(readonly capacity = FOLLOW_LOG_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity ${capacity} must be ≥ 1`);
  }

  /** Appends an entry and hands it to every follower; returns its seq. */
  append(entry: T): number {
    const seq = this.next++;
    this.ring[(seq - 1) % this.capacity] = entry;
    for (const f of this.followers) f({ seq, entry });
    return seq;
  }

  /** The seq of the oldest entry still kept (the next one when empty). */
  get oldest(): number {
    return Math.max(1, this.next - this.capacity);
  }

  /** The seq of the newest entry (0 when nothing was appended). */
  get newest(): number {
    return this.next - 1;
  }

  /** The entries after `afterSeq` still kept, and how many after it were already dropped. */
  after(afterSeq: number): Backlog<T> {
    const from = Math.max(afterSeq + 1, this.oldest);
    const missed = Math.max(0, this.oldest - (afterSeq + 1));
    const entries: Sequenced<T>[] = [];
    for (let seq = from; seq < this.next; seq++)
      entries.push({ seq, entry: this.ring[(seq - 1) % this.capacity] as T });
    return { missed, entries };
  }

  /** Calls `cb` with every entry appended from now on; returns the function that stops it. */
  follow(cb: (e: Sequenced<T>) => void): () => void {
    this.followers.add(cb);
    return () => {
      this.followers.delete(cb);
    };
  }
}

/** The server side of a follow: where entries go and how the call ends. */
export interface FollowCall<W> {
  write(msg: W): unknown;
  on(event: 'cancelled' | 'close' | 'error', cb: () => void): unknown;
}

/**
 * Serves a follower: a `missed` message first when it fell behind, then the backlog after
 * `afterSeq`, then every new entry until the call is cancelled or closes.
 */
export function serveFollow<T, W>(
  log: Followable<T>,
  afterSeq: number,
  call: FollowCall<W>,
  toWire: (e: Sequenced<T>) => W,
  missedWire: (missed: number) => W,
): void {
  const backlog = log.after(afterSeq);
  if (backlog.missed > 0) call.write(missedWire(backlog.missed));
  for (const e of backlog.entries) call.write(toWire(e));
  const stop = log.follow((e) => call.write(toWire(e)));
  call.on('cancelled', stop);
  call.on('close', stop);
  call.on('error', stop);
}
