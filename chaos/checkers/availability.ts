/**
 * Availability per VM as a client saw it: how many pings were sent, how many were lost (failed
 * or unknown), and the downtime — the longest gap between two answered pings.
 */
import { entriesOf, type History } from '../history.js';

/** What one VM's client saw. */
export interface VmAvailability {
  /** Pings that completed (ok, fail or info). */
  pings: number;
  /** Pings that failed or timed out. */
  lostPings: number;
  /** The longest gap between consecutive answered pings, in ms. */
  downtimeMs: number;
}

/** Per VM availability from the ping operations. */
export function availability(h: History): Record<string, VmAvailability> {
  const by = new Map<string, { pings: number; lost: number; oks: number[]; first: number; last: number }>();
  for (const op of entriesOf(h, 'op')) {
    if (op.f !== 'ping' || op.phase === 'invoke') continue;
    let v = by.get(op.vm);
    if (!v) {
      v = { pings: 0, lost: 0, oks: [], first: op.t, last: op.t };
      by.set(op.vm, v);
    }
    v.pings++;
    v.first = Math.min(v.first, op.t);
    v.last = Math.max(v.last, op.t);
    if (op.phase === 'ok') v.oks.push(op.t);
    else v.lost++;
  }
  const out: Record<string, VmAvailability> = {};
  for (const vm of [...by.keys()].sort()) {
    const v = by.get(vm)!;
    const oks = v.oks.sort((a, b) => a - b);
    // A VM that never answered was down for as long as it was pinged.
    let downtimeMs = oks.length === 0 ? v.last - v.first : 0;
    for (let i = 1; i < oks.length; i++) downtimeMs = Math.max(downtimeMs, oks[i]! - oks[i - 1]!);
    out[vm] = { pings: v.pings, lostPings: v.lost, downtimeMs: Math.round(downtimeMs) };
  }
  return out;
}
