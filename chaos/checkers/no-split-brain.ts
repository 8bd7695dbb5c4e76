/**
 * no-split-brain: no VM answers from two hosts in overlapping time, and no two disjoint
 * partitions hold quorum at once. WSFC's quorum (a majority of votes, docs/domain.md §Vote arithmetic) exists so that
 * the second never happens; the first is what a client would see if it did.
 */
import { entriesOf, type History, type HistoryEntry, type OpEntry, type StateEntry } from '../history.js';
import { concurrentClaims, SAMPLE_VALIDITY_MS, samplesByNode } from './samples.js';
import { at, type CheckResult, offendingList } from './types.js';

/** Tuning of no-split-brain. */
export interface NoSplitBrainOptions {
  /** A VM that answers from A, then B, then A again within this long is on two hosts (default 2000). */
  switchBackWindowMs?: number;
  /** How long a state sample stays valid without a newer one (default 500). */
  sampleValidityMs?: number;
}

/** An ok ping with the time it was invoked. */
interface Answer {
  ok: OpEntry;
  invoke: OpEntry | undefined;
  host: string;
  start: number;
  end: number;
}

/** Ok pings per VM, ordered by completion, each with its invoke. */
function answersByVm(h: History): Map<string, Answer[]> {
  const invokes = new Map<string, OpEntry>();
  const by = new Map<string, Answer[]>();
  for (const op of entriesOf(h, 'op')) {
    if (op.f !== 'ping') continue;
    const key = `${op.process}/${op.id}`;
    if (op.phase === 'invoke') invokes.set(key, op);
    if (op.phase !== 'ok' || !op.host) continue;
    const invoke = invokes.get(key);
    const answer = { ok: op, invoke, host: op.host, start: invoke?.t ?? op.t, end: op.t };
    const list = by.get(op.vm) ?? [];
    list.push(answer);
    by.set(op.vm, list);
  }
  for (const list of by.values()) list.sort((a, b) => a.end - b.end);
  return by;
}

function opEntries(a: Answer): HistoryEntry[] {
  return a.invoke ? [a.invoke, a.ok] : [a.ok];
}

/** Violations of "no VM answers from two hosts in overlapping time". */
function vmOnTwoHosts(h: History, windowMs: number): { problems: string[]; offending: HistoryEntry[] } {
  const problems: string[] = [];
  const offending: HistoryEntry[] = [];
  for (const [vm, answers] of answersByVm(h)) {
    let count = 0;
    let first = '';
    // A → B → A within the window, in completion order: the VM ran on A after B took it over.
    const runs: Answer[][] = [];
    for (const a of answers) {
      const last = runs[runs.length - 1];
      if (last && last[0]!.host === a.host) last.push(a);
      else runs.push([a]);
    }
    for (let i = 1; i + 1 < runs.length; i++) {
      const [before, during, after] = [runs[i - 1]!, runs[i]!, runs[i + 1]!];
      const back = after[0]!;
      const switched = during[0]!;
      if (before[0]!.host !== back.host || back.end - switched.end > windowMs) continue;
      count++;
      first ||= `${vm} answered from ${before[0]!.host}, then ${switched.host} at ${at(switched.end)}, then ${back.host} again at ${at(back.end)}`;
      offending.push(before[before.length - 1]!.ok, ...opEntries(switched), ...opEntries(back));
    }
    // Two answers from different hosts whose [invoke, ok] intervals overlap.
    const byStart = [...answers].sort((a, b) => a.start - b.start);
    const open: Answer[] = [];
    for (const a of byStart) {
      for (let i = open.length - 1; i >= 0; i--) if (open[i]!.end <= a.start) open.splice(i, 1);
      const clash = open.find((o) => o.host !== a.host);
      if (clash) {
        count++;
        first ||= `${vm} answered from ${clash.host} (op ${clash.ok.id}, ${at(clash.start)}–${clash.end}) and from ${a.host} (op ${a.ok.id}, ${at(a.start)}–${a.end}) in overlapping time`;
        offending.push(...opEntries(clash), ...opEntries(a));
      }
      open.push(a);
    }
    if (count > 0) problems.push(`${first}${count > 1 ? ` (${count} such answers in all)` : ''}`);
  }
  return { problems, offending };
}

function disjoint(a: StateEntry, b: StateEntry): boolean {
  return !a.members.some((m) => b.members.includes(m));
}

/** Checks both halves of no-split-brain. */
export function noSplitBrain(h: History, opts: NoSplitBrainOptions = {}): CheckResult {
  const name = 'no-split-brain';
  const windowMs = opts.switchBackWindowMs ?? 2000;
  const vms = vmOnTwoHosts(h, windowMs);
  const byNode = samplesByNode(h);
  const quorate = (s: StateEntry) => s.service === 'Running' && s.hasQuorum;
  const clashes = concurrentClaims(byNode, quorate, disjoint, opts.sampleValidityMs ?? SAMPLE_VALIDITY_MS);
  const problems = [...vms.problems];
  const offending = [...vms.offending];
  if (clashes.length > 0) {
    const c = clashes[0]!;
    problems.push(
      `${c.sample.node} held quorum with [${c.sample.members.join(', ')}] at ${at(c.sample.t)} while ${c.other.node} held quorum with [${c.other.members.join(', ')}]` +
        (clashes.length > 1 ? ` (${clashes.length} such samples in all)` : ''),
    );
    for (const x of clashes) offending.push(x.sample, x.other, x.otherNext);
  }
  if (problems.length > 0)
    return { name, verdict: 'fail', details: problems.join('. '), offending: offendingList(offending) };
  const pings = entriesOf(h, 'op').filter((o) => o.f === 'ping' && o.phase === 'ok').length;
  const samples = entriesOf(h, 'state').length;
  if (pings === 0 && samples === 0)
    return {
      name,
      verdict: 'unknown',
      details: 'The history has no answered pings and no state samples to judge.',
    };
  return {
    name,
    verdict: 'pass',
    details: `${pings} answered pings never came from two hosts at once; ${samples} state samples never showed two disjoint partitions with quorum.`,
  };
}
