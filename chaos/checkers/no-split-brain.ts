/**
 * no-split-brain: the cluster never acts as two. WSFC's quorum (a majority of votes,
 * docs/domain.md §Vote arithmetic) exists so that two nodes never both hold quorum unless each
 * counts the other a member; fencing exists so that one VM's disk never has two writers. Four
 * kinds of evidence, none of which is gated by the judged node's own lease:
 * - the workstation's pings: no VM answers from two hosts in overlapping time;
 * - the state samples: no two nodes claim quorum at once while either one's membership leaves
 *   the other out (disjoint member lists, or one side's stale list naming a node the other
 *   removed);
 * - the state samples again: no role is Online on two nodes at once, each saying it runs it;
 * - the storage controller's log: no VM's disk is written by two hosts in overlapping time;
 * - the witness's own record: no node acts as the cluster on the witness's vote (a minority
 *   membership sampled with quorum, or a fence in the controller's log that leaves it a minority)
 *   while the witness names another node its owner (witness-vote.ts).
 */
import { entriesOf, type History, type HistoryEntry, type StateEntry } from '../history.js';
import { hasControllerLog, timingOf, writerOf, writesByVm } from './evidence.js';
import { concurrentClaims, SAMPLE_VALIDITY_MS, samplesByNode } from './samples.js';
import { answerEntries, answersByVm, movedBack, overlappingAnswers, switchBacks } from './two-hosts.js';
import { at, type CheckResult, offendingList } from './types.js';
import { witnessVoteClaims } from './witness-vote.js';

/** Tuning of no-split-brain. */
export interface NoSplitBrainOptions {
  /** A VM that answers from (or whose disk is written by) A, then B, then A again within this long is on two hosts (default 2000). */
  switchBackWindowMs?: number;
  /** How long a state sample stays valid without a newer one (default 500). */
  sampleValidityMs?: number;
}

/** Problems found by one kind of evidence, and the entries that show them. */
interface Found {
  problems: string[];
  offending: HistoryEntry[];
}

/** Violations of "no VM answers from two hosts in overlapping time". */
function vmOnTwoHosts(h: History, windowMs: number): Found {
  const out: Found = { problems: [], offending: [] };
  const planned = movedBack(h);
  for (const [vm, answers] of answersByVm(h)) {
    const back = switchBacks(answers, windowMs).filter((b) => !planned(vm, b));
    const overlap = overlappingAnswers(answers);
    const count = back.length + overlap.length;
    if (count === 0) continue;
    const b = back[0];
    const o = overlap[0];
    const first = b
      ? `${vm} answered from ${b.before.host}, then ${b.during.host} at ${at(b.during.end)}, then ${b.after.host} again at ${at(b.after.end)}`
      : `${vm} answered from ${o!.a.host} (op ${o!.a.ok.id}, ${at(o!.a.start)}–${o!.a.end}) and from ${o!.b.host} (op ${o!.b.ok.id}, ${at(o!.b.start)}–${o!.b.end}) in overlapping time`;
    out.problems.push(`${first}${count > 1 ? ` (${count} such answers in all)` : ''}`);
    for (const x of back)
      out.offending.push(x.lastBefore.ok, ...answerEntries(x.during), ...answerEntries(x.after));
    for (const x of overlap) out.offending.push(...answerEntries(x.a), ...answerEntries(x.b));
  }
  return out;
}

/**
 * Whether two quorum claims leave each other out. Disjoint member lists always do. A stale list
 * (one node still names the other, which removed it) does once the stale node had its own
 * detection window to notice: each node detects missed heartbeats on its own (docs/domain.md
 * §Heartbeats, regroup), so a removed node cannot know before its own threshold passes. Its VMs
 * acting in that window are judged by the pings and the controller's log, which allow nothing.
 *
 * The list that names the other may instead be the newer one (a higher membership epoch): the
 * other node has not yet heard of an admission. A membership change reaches the members one by
 * one and commits once a majority holds it (docs/domain.md §Vote arithmetic), so the node just
 * admitted, or a member the leader's push reached first, names a member whose own list does not
 * name it yet — one cluster in the middle of an update, not two (simulation seeds 6 and 20 of
 * four-node.yaml, fast timing: the push reached the joiner 0.6 ms before another member, and a
 * sample fell between). It counts once the lagging member stayed behind longer than the same
 * window after the newer membership, naming the lagging member, was first sampled: a node that
 * left sits Stopped at an epoch of its own, newer than the others', and naming nobody, which is
 * not yet the admission (four-node seed 103 of the default timing: the joiner's 11 s Stopped at
 * a newer epoch were counted as the lag of a member that heard of its admission 0.2 s late).
 */
function excludes(byNode: Map<string, StateEntry[]>, detectionMs: number) {
  // The first sample of `by`'s current run of samples, up to t, that satisfy `holds`.
  const runStart = (by: string, t: number, holds: (x: StateEntry) => boolean) => {
    const list = (byNode.get(by) ?? []).filter((x) => x.t <= t);
    let i = list.length - 1;
    while (i > 0 && holds(list[i - 1]!)) i--;
    return list[i]?.t ?? t;
  };
  return (a: StateEntry, b: StateEntry): boolean => {
    const aNamesB = a.members.includes(b.node);
    const bNamesA = b.members.includes(a.node);
    if (!aNamesB && !bNamesA) return true;
    if (aNamesB && bNamesA) return false;
    const [namer, other] = aNamesB ? [a, b] : [b, a];
    const t = Math.max(a.t, b.t);
    if (namer.epoch > other.epoch)
      return (
        other.t - runStart(namer.node, t, (x) => x.epoch > other.epoch && x.members.includes(other.node)) >
        detectionMs
      );
    return namer.t - runStart(other.node, t, (x) => !x.members.includes(namer.node)) > detectionMs;
  };
}

/** Two nodes holding quorum at once while one of them does not count the other a member. */
function twoQuorums(byNode: Map<string, StateEntry[]>, validityMs: number, detectionMs: number): Found {
  const quorate = (s: StateEntry) => s.service === 'Running' && s.hasQuorum;
  const clashes = concurrentClaims(byNode, quorate, excludes(byNode, detectionMs), validityMs);
  if (clashes.length === 0) return { problems: [], offending: [] };
  const c = clashes[0]!;
  return {
    problems: [
      `${c.sample.node} held quorum with [${c.sample.members.join(', ')}] at ${at(c.sample.t)} while ${c.other.node} held quorum with [${c.other.members.join(', ')}]` +
        (clashes.length > 1 ? ` (${clashes.length} such samples in all)` : ''),
    ],
    offending: clashes.flatMap((x) => [x.sample, x.other, x.otherNext]),
  };
}

/** A role that two Running nodes each say they run Online at once. */
function roleOnTwoNodes(h: History, byNode: Map<string, StateEntry[]>, validityMs: number): Found {
  const out: Found = { problems: [], offending: [] };
  const roles = new Set(entriesOf(h, 'state').flatMap((s) => Object.keys(s.roles)));
  for (const role of [...roles].sort()) {
    const runs = (s: StateEntry) =>
      s.service === 'Running' && s.roles[role]?.owner === s.node && s.roles[role]?.state === 'Online';
    const clashes = concurrentClaims(byNode, runs, () => true, validityMs);
    if (clashes.length === 0) continue;
    const c = clashes[0]!;
    out.problems.push(
      `role ${role} was Online on ${c.sample.node} at ${at(c.sample.t)} while ${c.other.node} ran it Online too` +
        (clashes.length > 1 ? ` (${clashes.length} such samples in all)` : ''),
    );
    for (const x of clashes) out.offending.push(x.sample, x.other, x.otherNext);
  }
  return out;
}

/** A VM's disk written by two hosts in overlapping time, from the controller's log. */
function diskWrittenByTwo(h: History, windowMs: number): Found & { writes: number } {
  const out = { problems: [] as string[], offending: [] as HistoryEntry[], writes: 0 };
  const writer = writerOf(h);
  const byVm = new Map<string, { host: string; start: number; end: number; entry: HistoryEntry }[]>();
  for (const [vm, writes] of writesByVm(h)) {
    out.writes += writes.length;
    byVm.set(
      vm,
      writes.map((w) => ({ host: writer(w), start: w.t, end: w.t, entry: w })),
    );
  }
  const planned = movedBack(h);
  for (const [vm, writes] of [...byVm].sort(([a], [b]) => a.localeCompare(b))) {
    const back = switchBacks(
      writes.sort((a, b) => a.end - b.end),
      windowMs,
    ).filter((b) => !planned(vm, b));
    if (back.length === 0) continue;
    const b = back[0]!;
    out.problems.push(
      `${vm}'s disk was written by ${b.before.host}, then ${b.during.host} at ${at(b.during.end)}, then ${b.after.host} again at ${at(b.after.end)} (controller's log)` +
        (back.length > 1 ? ` (${back.length} such writes in all)` : ''),
    );
    for (const x of back) out.offending.push(x.lastBefore.entry, x.during.entry, x.after.entry);
  }
  return out;
}

/** How long a node takes to detect a silent peer in this run (threshold × delay), 0 if unknown. */
function detectionOf(h: History): number {
  const t = timingOf(h);
  return t ? t.sameSubnetDelayMs * t.sameSubnetThreshold : 0;
}

/** Checks every kind of split-brain evidence the history has. */
export function noSplitBrain(h: History, opts: NoSplitBrainOptions = {}): CheckResult {
  const name = 'no-split-brain';
  const windowMs = opts.switchBackWindowMs ?? 2000;
  const validityMs = opts.sampleValidityMs ?? SAMPLE_VALIDITY_MS;
  const byNode = samplesByNode(h);
  const disks = diskWrittenByTwo(h, windowMs);
  const witness = witnessVoteClaims(h, byNode, validityMs);
  const found = [
    vmOnTwoHosts(h, windowMs),
    twoQuorums(byNode, validityMs, detectionOf(h)),
    roleOnTwoNodes(h, byNode, validityMs),
    disks,
    witness,
  ];
  const problems = found.flatMap((f) => f.problems);
  if (problems.length > 0)
    return {
      name,
      verdict: 'fail',
      details: problems.join('. '),
      offending: offendingList(found.flatMap((f) => f.offending)),
    };
  const pings = entriesOf(h, 'op').filter((o) => o.f === 'ping' && o.phase === 'ok').length;
  const claims = entriesOf(h, 'state').filter((s) => s.service === 'Running' && s.hasQuorum).length;
  if (pings === 0 && claims === 0 && disks.writes === 0)
    return {
      name,
      verdict: 'unknown',
      details:
        'The history has no answered pings, no sample of a node with quorum and no controller write to a VM disk to judge.',
    };
  const diskNote = hasControllerLog(h)
    ? `${disks.writes} controller writes to VM disks never came from two hosts at once.`
    : "The history has no storage controller log, so the disks' writers were not judged.";
  const witnessNote = entriesOf(h, 'witness').length
    ? ` ${witness.judged} claims of the witness's vote each came from the owner the witness named.`
    : " The history has no sample of the witness's own record, so claims of its vote were not judged.";
  return {
    name,
    verdict: 'pass',
    details: `${pings} answered pings never came from two hosts at once; ${claims} samples with quorum never showed two nodes with quorum that left each other out, nor a role Online on two nodes. ${diskNote}${witnessNote}`,
  };
}
