/**
 * Acknowledged sequence numbers kept as sorted, disjoint, inclusive ranges: a checker needs to
 * know exactly which records a VM was told are durable, and ranges stay small however long the
 * workload runs.
 */

/** An inclusive range of sequence numbers. */
export interface SeqRange {
  first: number;
  last: number;
}

/** Adds one seq, merging with neighbouring ranges; returns a new array and leaves `ranges` as is. */
export function addAck(ranges: readonly SeqRange[], seq: number): SeqRange[] {
  const out: SeqRange[] = [];
  let merged: SeqRange = { first: seq, last: seq };
  let placed = false;
  for (const r of ranges) {
    if (r.last + 1 < merged.first) {
      out.push(r);
    } else if (merged.last + 1 < r.first) {
      if (!placed) {
        out.push(merged);
        placed = true;
      }
      out.push(r);
    } else {
      merged = { first: Math.min(r.first, merged.first), last: Math.max(r.last, merged.last) };
    }
  }
  if (!placed) out.push(merged);
  return out;
}

/** True when `seq` lies in one of the ranges. */
export function isAcked(ranges: readonly SeqRange[], seq: number): boolean {
  return ranges.some((r) => r.first <= seq && seq <= r.last);
}

/** How many seqs the ranges hold. */
export function countAcked(ranges: readonly SeqRange[]): number {
  return ranges.reduce((n, r) => n + (r.last - r.first + 1), 0);
}
