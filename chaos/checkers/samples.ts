/**
 * Reading the nodes' own views out of the state samples. A sample says what one node believed
 * when it answered; it stays valid until that node's next sample or a validity limit, whichever
 * comes first, and a node that did not answer leaves a gap (unknown, not down).
 */
import { entriesOf, type History, type StateEntry } from '../history.js';

/** A sample stays valid this long at most when no newer sample of the node follows. */
export const SAMPLE_VALIDITY_MS = 500;

/** Each node's samples, in time order. */
export function samplesByNode(h: History): Map<string, StateEntry[]> {
  const by = new Map<string, StateEntry[]>();
  for (const s of entriesOf(h, 'state')) {
    let list = by.get(s.node);
    if (!list) {
      list = [];
      by.set(s.node, list);
    }
    list.push(s);
  }
  for (const list of by.values()) list.sort((a, b) => a.t - b.t);
  return by;
}

/** Index of the last sample at or before t, or -1. */
function lastAtOrBefore(list: StateEntry[], t: number): number {
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.t <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** A claiming sample of one node taken while another node's claim held. */
export interface ClaimConflict {
  sample: StateEntry;
  /** The other node's sample before, still valid, which claims too. */
  other: StateEntry;
  /** The other node's next sample, which still claims: the claim held across `sample`. */
  otherNext: StateEntry;
}

/**
 * Moments where two nodes claim at once, on evidence. A node's samples of one round arrive a
 * few milliseconds apart, so a clean handover (old owner's last claim, new owner's first claim in
 * the next round) would look like a short overlap if each claim simply held until the next
 * sample. A conflict therefore needs one node's claiming sample to fall between two claiming
 * samples of the other — the earlier one still valid (validityMs) — so the other's claim
 * provably spans the moment.
 */
export function concurrentClaims(
  byNode: Map<string, StateEntry[]>,
  claims: (s: StateEntry) => boolean,
  conflict: (a: StateEntry, b: StateEntry) => boolean,
  validityMs = SAMPLE_VALIDITY_MS,
): ClaimConflict[] {
  const out: ClaimConflict[] = [];
  for (const [node, list] of byNode) {
    for (const sample of list) {
      if (!claims(sample)) continue;
      for (const [otherNode, others] of byNode) {
        if (otherNode === node) continue;
        const i = lastAtOrBefore(others, sample.t);
        const other = others[i];
        const otherNext = others[i + 1];
        if (!other || !otherNext || sample.t - other.t >= validityMs) continue;
        if (claims(other) && claims(otherNext) && conflict(sample, other) && conflict(sample, otherNext))
          out.push({ sample, other, otherNext });
      }
    }
  }
  return out.sort((a, b) => a.sample.t - b.sample.t);
}
