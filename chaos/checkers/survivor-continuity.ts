/**
 * survivor-continuity: a fault on one node must not disturb the VMs of the nodes that keep
 * quorum. A VM whose node stays in the partition that keeps quorum throughout a fault neither
 * stops nor loses more pings than the experiment tolerates (default none) — whichever node
 * failed, leader or not, witness owner or not, CSV coordinator or not. Failover clustering moves
 * only the roles of the nodes it lost (docs/domain.md §Resources and groups); the others keep
 * running.
 *
 * "Stays in the quorum partition throughout" is read from the samples: the node is not a target
 * of a fault on the node itself (kill, freeze, power-off, netem), every one of its samples from
 * the last before the fault to the fault's end says Running, with no gap longer than
 * sampleGapMaxMs, and the first and last of them say it has quorum (a node on the losing side of
 * a partition stops its cluster service, docs/domain.md §Loss of quorum). Faults on the storage itself (storage-crash, -slow, -errors) take every
 * node's disk away, so no node is a healthy survivor of them and they are not judged here; nor is
 * a node during another fault that overlaps (with --overlap): a fault on the node itself or on
 * the storage. A VM an operator began to move (live or quick migration, `move-started`) from the
 * last sample before the fault to its end is not judged over that fault either: its pause, or
 * its Pending while it moves, is the operator's doing.
 */
import type { FaultKind } from '../../orchestrator/faults/kinds.js';
import {
  endOf,
  entriesOf,
  type History,
  type HistoryEntry,
  type OpEntry,
  type StateEntry,
} from '../history.js';
import { samplesByNode } from './samples.js';
import { at, type CheckResult, offendingList } from './types.js';

/** Tuning of survivor-continuity. */
export interface SurvivorContinuityOptions {
  /** Lost pings a survivor's VM may have during one fault (default 0). */
  survivorLostPingsMax?: number;
  /** The longest gap between a survivor's samples that still shows it stayed (default 1000). */
  sampleGapMaxMs?: number;
}

/** Faults on a node itself: their targets are not survivors. */
const NODE_FAULTS: readonly FaultKind[] = ['kill', 'freeze', 'power-off', 'netem'];
/** A node's own events that say it left the cluster: quorum lost (1177), fenced, removed. */
const LEAVING: readonly string[] = ['quorum-lost', 'fenced-self', 'left-cluster'];
/** Faults on the storage: every node's disk is hit, so nobody is a survivor. */
const STORAGE_FAULTS: readonly FaultKind[] = ['storage-crash', 'storage-slow', 'storage-errors'];

/** A fault's span. */
interface Span {
  id: string;
  kind: string;
  targets: string[];
  start: number;
  end: number;
}

/** Every injected fault with its span (one never lifted lasts to the end of the history). */
function allSpans(h: History): Span[] {
  const out = new Map<string, Span>();
  for (const f of entriesOf(h, 'fault')) {
    if (f.phase === 'start' && !out.has(f.id))
      out.set(f.id, { id: f.id, kind: f.kind, targets: f.targets, start: f.t, end: endOf(h) });
    const s = out.get(f.id);
    if (f.phase === 'end' && s) s.end = f.t;
  }
  return [...out.values()];
}

const isStorageFault = (s: Span) => (STORAGE_FAULTS as readonly string[]).includes(s.kind);

/**
 * Whether `node` is hit itself while `span` lasts: a fault on the node, or on the storage, that
 * overlaps the span (with --overlap a survivor of one fault can be the target of another).
 */
function hitDuring(node: string, span: Span, all: Span[]): boolean {
  return all.some(
    (o) =>
      o.start <= span.end &&
      o.end >= span.start &&
      (isStorageFault(o) ||
        ((NODE_FAULTS as readonly string[]).includes(o.kind) && o.targets.includes(node))),
  );
}

/**
 * The node's samples from its last before `span` to the span's end, if they show it stayed in
 * the partition that keeps quorum: Running throughout, with quorum before the fault and at its
 * end. The node's own quorum flag in between is not trusted to excuse it: a survivor whose
 * lease lapsed while another node failed is exactly what this invariant catches.
 */
function stayed(list: StateEntry[], span: Span, gapMaxMs: number, left: number[]): StateEntry[] | null {
  const firstIn = list.findIndex((s) => s.t >= span.start);
  const from = firstIn === -1 ? list.length - 1 : Math.max(0, firstIn - 1);
  const window = list.slice(from).filter((s) => s.t <= span.end);
  if (window.length === 0 || window[0]!.t > span.start) return null;
  if (span.end - window[window.length - 1]!.t > gapMaxMs) return null;
  // Quorum at both ends; a dip in between is what the invariant is about, not a reason to skip.
  if (!window[0]!.hasQuorum || !window[window.length - 1]!.hasQuorum) return null;
  // A node that said it lost quorum or left the cluster in between did not stay, though the
  // samples around a quick stop and re-form may all show it Running.
  if (left.some((t) => t >= window[0]!.t && t <= span.end)) return null;
  for (let i = 0; i < window.length; i++) {
    if (window[i]!.service !== 'Running') return null;
    if (i > 0 && window[i]!.t - window[i - 1]!.t > gapMaxMs) return null;
  }
  return window;
}

/** One survivor VM's fault, judged. */
interface Judged {
  problem: string | null;
  offending: HistoryEntry[];
}

/** Judges one VM on a survivor over one fault: it stays Online there and answers. */
function judgeVm(
  vm: string,
  node: string,
  span: Span,
  window: StateEntry[],
  pings: OpEntry[],
  max: number,
): Judged | null {
  const stopped = window.find((s) => s.roles[vm]?.owner === node && s.roles[vm]?.state !== 'Online');
  const moved = window.find((s) => s.roles[vm]?.owner !== node);
  if (moved && !stopped) return null; // moved away on purpose (a migration): no longer this node's VM
  const invoked = new Set(
    pings.filter((p) => p.phase === 'invoke' && p.t >= span.start && p.t <= span.end).map((p) => p.id),
  );
  if (invoked.size === 0 && !stopped) return null;
  const lost = pings.filter((p) => invoked.has(p.id) && (p.phase === 'fail' || p.phase === 'info'));
  const what = `${vm} on ${node}, which kept quorum throughout ${span.kind} ${span.id} (t=${Math.round(span.start)}–${Math.round(span.end)} ms)`;
  if (stopped)
    return { problem: `${what}, was ${stopped.roles[vm]?.state} at ${at(stopped.t)}`, offending: [stopped] };
  if (lost.length > max)
    return {
      problem: `${what}, lost ${lost.length} of ${invoked.size} pings (tolerance ${max})`,
      offending: lost,
    };
  return { problem: null, offending: [] };
}

/** Checks every VM of every survivor over every fault. */
export function survivorContinuity(h: History, opts: SurvivorContinuityOptions = {}): CheckResult {
  const name = 'survivor-continuity';
  const max = opts.survivorLostPingsMax ?? 0;
  const byNode = samplesByNode(h);
  const pingsOf = new Map<string, OpEntry[]>();
  const listOf = <T>(m: Map<string, T[]>, k: string): T[] => m.get(k) ?? (m.set(k, []).get(k) as T[]);
  for (const op of entriesOf(h, 'op')) if (op.f === 'ping') listOf(pingsOf, op.vm).push(op);
  const problems: string[] = [];
  const offending: HistoryEntry[] = [];
  let judged = 0;
  const leftAt = new Map<string, number[]>();
  const movedAt = new Map<string, number[]>();
  for (const e of entriesOf(h, 'event')) {
    if (LEAVING.includes(e.kind)) listOf(leftAt, e.node).push(e.t);
    if (e.kind === 'move-started' && typeof e.data.role === 'string') listOf(movedAt, e.data.role).push(e.t);
  }
  const every = allSpans(h);
  const all = every.filter((s) => !isStorageFault(s));
  for (const span of all) {
    for (const [node, list] of byNode) {
      if (hitDuring(node, span, every)) continue;
      const window = stayed(list, span, opts.sampleGapMaxMs ?? 1000, leftAt.get(node) ?? []);
      if (!window) continue;
      const start = window[0]!;
      for (const vm of Object.keys(start.roles).sort()) {
        if (start.roles[vm]?.owner !== node || start.roles[vm]?.state !== 'Online') continue;
        if ((movedAt.get(vm) ?? []).some((t) => t >= start.t && t <= span.end)) continue;
        const j = judgeVm(vm, node, span, window, pingsOf.get(vm) ?? [], max);
        if (!j) continue;
        judged++;
        if (j.problem) problems.push(j.problem);
        offending.push(...j.offending);
      }
    }
  }
  if (problems.length > 0)
    return {
      name,
      verdict: 'fail',
      details: problems.slice(0, 5).join('. ') + (problems.length > 5 ? ` (${problems.length} in all)` : ''),
      offending: offendingList(offending),
    };
  if (judged === 0)
    return {
      name,
      verdict: 'unknown',
      details:
        all.length === 0
          ? 'The history has no fault to judge.'
          : `No VM with pings ran on a node that kept quorum throughout one of the ${all.length} fault(s).`,
    };
  return {
    name,
    verdict: 'pass',
    details: `${judged} (VM, fault) pair(s) on nodes that kept quorum: none stopped or lost more than ${max} ping(s).`,
  };
}
