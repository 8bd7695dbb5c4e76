/**
 * liveness-after-heal: once the last fault is lifted, every role comes back Online within a
 * bound — the liveness phase TigerBeetle's VOPR runs after healing. A role's state is read from
 * the latest sample of a node that is Running with quorum (the cluster's view, not a stranded
 * node's). Only roles seen Online at some point count: a role never brought online is not
 * expected to come back.
 */
import { isRecoveryKind } from '../../orchestrator/faults/kinds.js';
import { entriesOf, type History, type HistoryEntry } from '../history.js';
import { at, type CheckResult } from './types.js';

/** Tuning of liveness-after-heal. */
export interface LivenessAfterHealOptions {
  /** How long after the last heal every role must be Online (default 30000, for fast timing). */
  boundMs?: number;
}

/** The time of the last heal: the last fault lifted, or the last recovery fault (heal, thaw…). */
export function lastHealAt(h: History): number | null {
  let last: number | null = null;
  for (const f of entriesOf(h, 'fault'))
    if (f.phase === 'end' || isRecoveryKind(f.kind)) last = Math.max(last ?? 0, f.t);
  return last;
}

/** Checks that every role is Online again within the bound after the last heal. */
export function livenessAfterHeal(h: History, opts: LivenessAfterHealOptions = {}): CheckResult {
  const name = 'liveness-after-heal';
  const boundMs = opts.boundMs ?? 30_000;
  const healed = lastHealAt(h);
  const from = healed ?? 0;
  const since = healed === null ? 'the start (no fault was lifted)' : `the last heal at ${at(from)}`;
  const samples = entriesOf(h, 'state').sort((a, b) => a.t - b.t);
  const roles = new Set<string>();
  for (const s of samples)
    for (const [r, v] of Object.entries(s.roles)) if (v.state === 'Online') roles.add(r);
  const after = samples.filter((s) => s.t >= from);
  if (after.length === 0) return { name, verdict: 'unknown', details: `No state sample after ${since}.` };
  if (roles.size === 0) return { name, verdict: 'unknown', details: 'No role was ever seen Online.' };
  const backAt = new Map<string, number>();
  const lastSeen = new Map<string, { owner: string; state: string; sample: HistoryEntry }>();
  for (const s of after) {
    if (s.t - from > boundMs) break;
    if (s.service !== 'Running' || !s.hasQuorum) continue;
    for (const [r, v] of Object.entries(s.roles)) {
      lastSeen.set(r, { ...v, sample: s });
      if (v.state === 'Online' && !backAt.has(r)) backAt.set(r, s.t - from);
    }
  }
  const missing = [...roles].filter((r) => !backAt.has(r)).sort();
  if (missing.length === 0) {
    const slowest = Math.max(...backAt.values());
    return {
      name,
      verdict: 'pass',
      details: `All ${roles.size} role(s) were Online within ${Math.round(slowest)} ms of ${since} (bound ${boundMs} ms).`,
    };
  }
  const why = missing.map((r) => {
    const seen = lastSeen.get(r);
    return seen
      ? `${r} (last seen ${seen.state} on ${seen.owner || 'no owner'})`
      : `${r} (not seen by a node with quorum)`;
  });
  const lastSample = after[after.length - 1]!.t;
  if (lastSample - from < boundMs)
    return {
      name,
      verdict: 'unknown',
      details: `The history ends ${Math.round(lastSample - from)} ms after ${since}, before the ${boundMs} ms bound, with ${why.join(', ')} not yet Online.`,
    };
  const offending = missing.flatMap((r) => {
    const s = lastSeen.get(r)?.sample;
    return s ? [s] : [];
  });
  return {
    name,
    verdict: 'fail',
    details: `Not Online within ${boundMs} ms of ${since}: ${why.join(', ')}.`,
    offending,
  };
}
