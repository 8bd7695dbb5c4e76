/**
 * liveness-after-heal: once the last fault is lifted, the cluster settles within a bound — the
 * liveness phase TigerBeetle's VOPR runs after healing — and stays settled. Settled means a
 * stable window: from some sample on, every sample says its node is Running with quorum, counts
 * every node a member, and shows every role Online (a role that flaps back to Failed ends the
 * window; a node that never rejoins never opens it). The window must open within the bound after
 * the heal and the history must go on for TAIL_MS after it opens, so that what follows the heal
 * is observed. Only roles seen Online at some point count: a role never brought online is not
 * expected to come back.
 *
 * The bound derives from the run's timing profile (docs/chaos.md §Liveness bound): detection
 * (SameSubnetDelay × SameSubnetThreshold) + arbitration (the witness challenge wait) + a VM's
 * boot, times LIVENESS_FACTOR.
 */
import { isRecoveryKind } from '../../orchestrator/faults/kinds.js';
import { entriesOf, type History, type StateEntry, type TimingFigures } from '../history.js';
import { timingOf } from './evidence.js';
import { at, type CheckResult } from './types.js';

/** How many times detection + arbitration + boot the cluster may take to settle after a heal. */
export const LIVENESS_FACTOR = 4;

/** How long the history must go on after the stable window opens. */
export const TAIL_MS = 5000;

/** Tuning of liveness-after-heal. */
export interface LivenessAfterHealOptions {
  /** The bound itself, in place of the one derived from the timing profile. */
  boundMs?: number;
  /** The factor on detection + arbitration + boot (default LIVENESS_FACTOR). */
  livenessFactor?: number;
}

/** The time of the last heal: the last fault lifted, or the last recovery fault (heal, thaw…). */
export function lastHealAt(h: History): number | null {
  let last: number | null = null;
  for (const f of entriesOf(h, 'fault'))
    if (f.phase === 'end' || isRecoveryKind(f.kind)) last = Math.max(last ?? 0, f.t);
  return last;
}

/** The bound after a heal: factor × (detection + arbitration + boot). */
export function livenessBoundMs(t: TimingFigures, factor = LIVENESS_FACTOR): number {
  return factor * (t.sameSubnetDelayMs * t.sameSubnetThreshold + t.witnessChallengeWaitMs + t.vmBootMs);
}

/** Why a sample is not settled, or null when it is. */
function unsettled(s: StateEntry, nodes: string[], roles: string[]): string | null {
  if (s.service !== 'Running' || !s.hasQuorum)
    return `${s.node} was ${s.service}${s.hasQuorum ? '' : ' without quorum'}`;
  const out = nodes.filter((n) => !s.members.includes(n));
  if (out.length > 0) return `${s.node}'s membership lacked ${out.join(', ')}`;
  const down = roles.filter((r) => s.roles[r]?.state !== 'Online');
  if (down.length > 0)
    return down
      .map(
        (r) =>
          `${r} was ${s.roles[r]?.state ?? 'absent'}${s.roles[r]?.owner ? ` on ${s.roles[r]!.owner}` : ''}`,
      )
      .join(', ');
  return null;
}

/** The stable window after `from`: when it opens, or why there is none yet. */
function stableWindow(after: StateEntry[], nodes: string[], roles: string[]) {
  let lastBad: { s: StateEntry; why: string } | null = null;
  for (const s of after) {
    const why = unsettled(s, nodes, roles);
    if (why) lastBad = { s, why };
  }
  const open = lastBad ? after.filter((s) => s.t > lastBad!.s.t) : after;
  const absent = nodes.filter((n) => !open.some((s) => s.node === n));
  const opensAt = open.length > 0 && absent.length === 0 ? open[0]!.t : null;
  const why = absent.length > 0 && !lastBad ? `${absent.join(', ')} not sampled since` : (lastBad?.why ?? '');
  return { opensAt, lastBad, why };
}

/** Checks that the cluster settles within the bound after the last heal, and stays settled. */
export function livenessAfterHeal(h: History, opts: LivenessAfterHealOptions = {}): CheckResult {
  const name = 'liveness-after-heal';
  const timing = timingOf(h);
  const boundMs = opts.boundMs ?? (timing ? livenessBoundMs(timing, opts.livenessFactor) : null);
  if (boundMs === null)
    return {
      name,
      verdict: 'unknown',
      details: 'The history names no timing profile to derive the bound from.',
    };
  const healed = lastHealAt(h);
  const from = healed ?? 0;
  const since = healed === null ? 'the start (no fault was lifted)' : `the last heal at ${at(from)}`;
  const samples = entriesOf(h, 'state').sort((a, b) => a.t - b.t);
  const roles = [
    ...new Set(samples.flatMap((s) => Object.keys(s.roles).filter((r) => s.roles[r]!.state === 'Online'))),
  ].sort();
  const nodes = [...new Set(samples.map((s) => s.node))].sort();
  const after = samples.filter((s) => s.t >= from);
  if (after.length === 0) return { name, verdict: 'unknown', details: `No state sample after ${since}.` };
  if (roles.length === 0) return { name, verdict: 'unknown', details: 'No role was ever seen Online.' };
  const w = stableWindow(after, nodes, roles);
  const lastSample = after[after.length - 1]!.t;
  const what = `${roles.length} role(s) Online and ${nodes.length} node(s) in the cluster`;
  if (w.opensAt !== null && w.opensAt - from <= boundMs) {
    if (lastSample - w.opensAt < TAIL_MS)
      return {
        name,
        verdict: 'unknown',
        details: `Recording ended too soon: ${what} from ${at(w.opensAt)}, but the last sample is ${Math.round(lastSample - w.opensAt)} ms later (${TAIL_MS} ms needed).`,
      };
    return {
      name,
      verdict: 'pass',
      details: `${what} from ${Math.round(w.opensAt - from)} ms after ${since} (bound ${boundMs} ms) until the end, ${Math.round(lastSample - w.opensAt)} ms later.`,
    };
  }
  if (w.opensAt === null && lastSample - from < boundMs)
    return {
      name,
      verdict: 'unknown',
      details: `The history ends ${Math.round(lastSample - from)} ms after ${since}, before the ${boundMs} ms bound, not yet settled: ${w.why}${w.lastBad ? ` at ${at(w.lastBad.s.t)}` : ''}.`,
    };
  const last = w.lastBad ? ` (last unsettled at ${at(w.lastBad.s.t)}: ${w.why})` : ` (${w.why})`;
  return {
    name,
    verdict: 'fail',
    details: `Not settled for good within ${boundMs} ms of ${since}${last}.`,
    ...(w.lastBad ? { offending: [w.lastBad.s] } : {}),
  };
}
