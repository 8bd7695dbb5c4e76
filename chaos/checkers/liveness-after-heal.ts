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
 *
 * A role an operator is moving (a live or quick migration, `move-started`) is Pending while the
 * move lasts; for up to the bound after the move started that is no failure — a move has the
 * bound to hand its role over, as the cluster has after a heal — and only a role still not Online
 * past it counts against the window.
 *
 * Online is the nodes' own word. A role counted in a window that passed must also answer from
 * outside: each VM the workstation pinged in the window's last TAIL_MS must have answered at least
 * one of those pings, or the window fails (a VM that ran nowhere while its role showed Online:
 * the simulation's four-node seed 26 before registry.ts goneVms).
 *
 * A role the cluster left Failed because it exceeded its failover threshold (Event 1254: nodes − 1
 * failovers in 6 h) is tried again only after RetryPeriodOnFailure (1 h by default; docs/domain.md
 * §Resources and groups), as the real cluster does: it is judged on its own, due Online within the
 * bound after its retry; a history that ends before then says `unknown` for it, never `pass`.
 */
import { isRecoveryKind } from '../../orchestrator/faults/kinds.js';
import { TIMINGS } from '../../orchestrator/topology/timing.js';
import { FAILOVER_THRESHOLD_EVENT_ID } from '../../services/hyperv-node/cluster/core/event-catalog.js';
import { entriesOf, type History, type StateEntry, type TimingFigures } from '../history.js';
import { timingOf } from './evidence.js';
import { answersByVm } from './two-hosts.js';
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

/** Whether role `role` may be other than Online at time `t` (an operator's move under way). */
type Excused = (role: string, t: number) => boolean;

/**
 * The operator's moves of a history, as when each role may be other than Online: from each
 * `move-started` (logged by the leader as it marks the role moving) for `boundMs`.
 */
export function movesUnderWay(h: History, boundMs: number): Excused {
  const starts = new Map<string, number[]>();
  for (const e of entriesOf(h, 'event')) {
    const role = e.data.role;
    if (e.kind !== 'move-started' || typeof role !== 'string') continue;
    starts.set(role, [...(starts.get(role) ?? []), e.t]);
  }
  return (role, t) => (starts.get(role) ?? []).some((from) => t >= from && t <= from + boundMs);
}

/** Why a sample is not settled, or null when it is. */
function unsettled(s: StateEntry, nodes: string[], roles: string[], excused: Excused): string | null {
  if (s.service !== 'Running' || !s.hasQuorum)
    return `${s.node} was ${s.service}${s.hasQuorum ? '' : ' without quorum'}`;
  const out = nodes.filter((n) => !s.members.includes(n));
  if (out.length > 0) return `${s.node}'s membership lacked ${out.join(', ')}`;
  const down = roles.filter((r) => s.roles[r]?.state !== 'Online' && !excused(r, s.t));
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
function stableWindow(after: StateEntry[], nodes: string[], roles: string[], excused: Excused) {
  let lastBad: { s: StateEntry; why: string } | null = null;
  for (const s of after) {
    const why = unsettled(s, nodes, roles, excused);
    if (why) lastBad = { s, why };
  }
  const open = lastBad ? after.filter((s) => s.t > lastBad!.s.t) : after;
  const absent = nodes.filter((n) => !open.some((s) => s.node === n));
  const opensAt = open.length > 0 && absent.length === 0 ? open[0]!.t : null;
  const why = absent.length > 0 && !lastBad ? `${absent.join(', ')} not sampled since` : (lastBad?.why ?? '');
  return { opensAt, lastBad, why };
}

/** A window judged: the verdict, why, and the sample that last broke it. */
type Judged = Pick<CheckResult, 'verdict' | 'details' | 'offending'>;

/**
 * Judges one stable window over the samples after `from`: it must open within `boundMs` of
 * `from` and the history must go on TAIL_MS after it opens; `since` and `what` word the details.
 */
function judgeWindow(
  after: StateEntry[],
  scope: { nodes: string[]; roles: string[]; from: number; boundMs: number; excused: Excused },
  since: string,
  what: string,
): Judged {
  const { from, boundMs } = scope;
  const w = stableWindow(after, scope.nodes, scope.roles, scope.excused);
  const lastSample = after[after.length - 1]!.t;
  if (w.opensAt !== null && w.opensAt - from <= boundMs) {
    if (lastSample - w.opensAt < TAIL_MS)
      return {
        verdict: 'unknown',
        details: `Recording ended too soon: ${what} from ${at(w.opensAt)}, but the last sample is ${Math.round(lastSample - w.opensAt)} ms later (${TAIL_MS} ms needed).`,
      };
    return {
      verdict: 'pass',
      details: `${what} from ${Math.round(w.opensAt - from)} ms after ${since} (bound ${boundMs} ms) until the end, ${Math.round(lastSample - w.opensAt)} ms later.`,
    };
  }
  if (w.opensAt === null && lastSample - from < boundMs)
    return {
      verdict: 'unknown',
      details: `The history ends ${Math.round(lastSample - from)} ms after ${since}, before the ${boundMs} ms bound, not yet settled: ${w.why}${w.lastBad ? ` at ${at(w.lastBad.s.t)}` : ''}.`,
    };
  const last = w.lastBad ? ` (last unsettled at ${at(w.lastBad.s.t)}: ${w.why})` : ` (${w.why})`;
  return {
    verdict: 'fail',
    details: `Not settled for good within ${boundMs} ms of ${since}${last}.`,
    ...(w.lastBad ? { offending: [w.lastBad.s] } : {}),
  };
}

/**
 * The roles, among `roles`, that the workstation pinged from `from` to `to` and that answered
 * none of those pings: role → how many went unanswered. A role an operator moved meanwhile is
 * left out.
 */
export function unansweredRoles(
  h: History,
  roles: string[],
  span: { from: number; to: number },
  excused: Excused,
): Map<string, number> {
  const within = (t: number) => t >= span.from && t <= span.to;
  const sent = new Map<string, number>();
  for (const op of entriesOf(h, 'op'))
    if (op.f === 'ping' && op.phase === 'invoke' && roles.includes(op.vm) && within(op.t))
      sent.set(op.vm, (sent.get(op.vm) ?? 0) + 1);
  const answers = answersByVm(h);
  const out = new Map<string, number>();
  for (const [vm, n] of sent) {
    if (excused(vm, span.from) || excused(vm, span.to)) continue;
    if (!answers.get(vm)?.some((a) => within(a.start))) out.set(vm, n);
  }
  return out;
}

/** A passing window whose roles also answered the workstation's pings in its last TAIL_MS. */
function answeredToo(
  h: History,
  judged: Judged,
  roles: string[],
  lastSample: number,
  excused: Excused,
): Judged {
  if (judged.verdict !== 'pass') return judged;
  const span = { from: lastSample - TAIL_MS, to: lastSample };
  const silent = unansweredRoles(h, roles, span, excused);
  if (silent.size === 0) return judged;
  const which = [...silent].map(([vm, n]) => `${vm} answered none of the ${n} pings sent to it`).join('; ');
  return {
    verdict: 'fail',
    details: `The nodes showed every role Online, but in the last ${TAIL_MS} ms (${at(span.from)}–${at(span.to)}) ${which}.`,
  };
}

/** RetryPeriodOnFailure of the run: its start line's profile, else the named timing profile's. */
function retryPeriodOf(h: History): number | null {
  const start = entriesOf(h, 'run').find((r) => r.phase === 'start');
  if (!start) return null;
  return start.profile?.retryPeriodOnFailureMs ?? TIMINGS[start.timing]?.retryPeriodOnFailureMs ?? null;
}

/**
 * The roles left Failed by their failover threshold (Event 1254) that the real cluster tries
 * again only after `from`: role → the time of its last 1254 and when its retry is due (Infinity
 * when the history gives no RetryPeriodOnFailure to tell).
 */
export function thresholdFailures(
  h: History,
  roles: string[],
  from: number,
): Map<string, { failedAt: number; dueAt: number }> {
  const retryMs = retryPeriodOf(h);
  const out = new Map<string, { failedAt: number; dueAt: number }>();
  for (const e of entriesOf(h, 'event')) {
    const role = e.data.role;
    if (e.eventId !== FAILOVER_THRESHOLD_EVENT_ID || typeof role !== 'string' || !roles.includes(role))
      continue;
    const dueAt = retryMs === null ? Number.POSITIVE_INFINITY : e.t + retryMs;
    if (dueAt > from && e.t >= (out.get(role)?.failedAt ?? 0)) out.set(role, { failedAt: e.t, dueAt });
  }
  return out;
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
  const failed = thresholdFailures(h, roles, from);
  const kept = roles.filter((r) => !failed.has(r));
  const what = `${kept.length} role(s) Online and ${nodes.length} node(s) in the cluster`;
  const excused = movesUnderWay(h, boundMs);
  const window = judgeWindow(after, { nodes, roles: kept, from, boundMs, excused }, since, what);
  const judged = [answeredToo(h, window, kept, after[after.length - 1]!.t, excused)];
  for (const [role, f] of failed) {
    const why = `${role} was left Failed by its failover threshold (Event 1254 at ${at(f.failedAt)})`;
    if (!Number.isFinite(f.dueAt)) {
      judged.push({ verdict: 'unknown', details: `${why}; the history gives no RetryPeriodOnFailure.` });
      continue;
    }
    const retry = `its retry after RetryPeriodOnFailure at ${at(f.dueAt)}`;
    const one = { nodes: [], roles: [role], from: f.dueAt, boundMs, excused };
    const r = judgeWindow(after, one, retry, `${role} Online`);
    judged.push(
      r.verdict === 'unknown' && !r.details.startsWith('Recording')
        ? {
            verdict: 'unknown',
            details: `${why}: not expected Online before ${retry} + ${boundMs} ms, after the history ends.`,
          }
        : { ...r, details: `${why}: ${r.details}` },
    );
  }
  // fail beats unknown beats pass, as in the overall verdict (index.ts).
  const verdict = judged.some((j) => j.verdict === 'fail')
    ? 'fail'
    : judged.some((j) => j.verdict === 'unknown')
      ? 'unknown'
      : 'pass';
  return {
    name,
    verdict,
    details: judged.map((j) => j.details).join(' '),
    ...(judged.some((j) => j.offending) ? { offending: judged.flatMap((j) => j.offending ?? []) } : {}),
  };
}
