/**
 * Claims of the witness's vote, judged by the witness itself. A node whose membership is not a
 * majority of the cluster's nodes holds quorum only with the witness's vote
 * (docs/domain.md §Vote arithmetic), and that vote belongs to the node that won the witness by
 * arbitration (docs/domain.md §Witness arbitration). So a node that acts as the cluster with such a
 * membership while the witness names an owner outside it claims a vote its side never won: each
 * side of a partition may then act as the cluster. Two kinds of claim are judged, neither taken
 * on the judged node's word alone:
 * - its sampled view: Running with quorum over a minority membership;
 * - the storage controller's log: a preempt by the node that fences enough nodes that those left
 *   are not a majority (a node fences only once it acts as the cluster without its victims).
 * The owner comes from the witness's own samples: the one before the claim and the one after it,
 * both still valid, must name the same other owner under the same epoch, so a claim made just
 * after a legitimate win (the witness's record changing between two samples) is never judged.
 * The witness is sampled, not followed: neither the disk witness's LUN (the storage controller's
 * log holds only the witness's block writes, as hashes, and the nodes' fencing preempts) nor the
 * file share witness's file keeps a log of who won.
 */
import {
  entriesOf,
  type History,
  type HistoryEntry,
  type StateEntry,
  type WitnessEntry,
} from '../history.js';
import { preemptVictims, reservationsOf } from './evidence.js';
import { at } from './types.js';

/** Problems found, the entries that show them, and how many claims could be judged at all. */
export interface WitnessVoteFound {
  problems: string[];
  offending: HistoryEntry[];
  judged: number;
}

/** The nodes of the cluster: every node sampled and every node any sample names a member. */
function clusterNodes(byNode: Map<string, StateEntry[]>): Set<string> {
  const nodes = new Set(byNode.keys());
  for (const list of byNode.values()) for (const s of list) for (const m of s.members) nodes.add(m);
  return nodes;
}

/**
 * The witness's record around `t`: its last sample at or before `t` and its next one, both
 * within `validityMs` of `t`, naming the same non-empty owner under the same epoch; else null
 * (no sample, a gap, or the record changed in between).
 */
function ownerAround(ws: WitnessEntry[], t: number, validityMs: number): WitnessEntry | null {
  const i = ws.findIndex((w) => w.t > t);
  const before = i === -1 ? ws[ws.length - 1] : ws[i - 1];
  const after = i === -1 ? undefined : ws[i];
  if (!before || !after || t - before.t > validityMs || after.t - t > validityMs) return null;
  if (before.owner === '' || before.owner !== after.owner || before.epoch !== after.epoch) return null;
  return before;
}

/**
 * One claim of the witness's vote: who, when, what it did, the entry that shows it, and the nodes
 * it acted as the cluster with (its membership, or every node but those it fenced).
 */
interface Claim {
  node: string;
  t: number;
  what: string;
  entry: HistoryEntry;
  side: string[];
}

/** Sampled claims: Running with quorum over a minority, the node's previous sample claiming too. */
function sampledClaims(
  byNode: Map<string, StateEntry[]>,
  needsWitness: (n: number) => boolean,
  validityMs: number,
) {
  const out: Claim[] = [];
  const claims = (s: StateEntry) => s.service === 'Running' && s.hasQuorum && needsWitness(s.members.length);
  for (const list of byNode.values())
    for (let i = 1; i < list.length; i++) {
      const s = list[i]!;
      const prev = list[i - 1]!;
      // A node that just came back from a gap (a thaw) gets one sample to catch up with the
      // world; a claim it keeps past that is its own.
      if (!claims(s) || !claims(prev) || s.t - prev.t > validityMs) continue;
      out.push({
        node: s.node,
        t: s.t,
        what: `held quorum with [${s.members.join(', ')}]`,
        entry: s,
        side: s.members,
      });
    }
  return out;
}

/** Fencing claims from the controller's log: a preempt that leaves its initiator a minority. */
function fencingClaims(h: History, nodes: Set<string>, needsWitness: (n: number) => boolean) {
  const out: Claim[] = [];
  const log = reservationsOf(h);
  for (const p of log) {
    if (p.action !== 'preempt') continue;
    const victims = preemptVictims(log, p).filter((v) => v !== p.initiator.host && nodes.has(v));
    if (victims.length === 0 || !needsWitness(nodes.size - victims.length)) continue;
    const what = `preempted ${victims.join(', ')}'s key on ${p.lun} (controller's log), acting as the cluster without ${victims.length > 1 ? 'them' : 'it'}`;
    const side = [...nodes].filter((n) => !victims.includes(n));
    out.push({ node: p.initiator.host, t: p.t, what, entry: p, side });
  }
  return out;
}

/** Every claim of the witness's vote that the witness's own record contradicts. */
export function witnessVoteClaims(
  h: History,
  byNode: Map<string, StateEntry[]>,
  validityMs: number,
): WitnessVoteFound {
  const out: WitnessVoteFound = { problems: [], offending: [], judged: 0 };
  const ws = entriesOf(h, 'witness').sort((a, b) => a.t - b.t);
  if (ws.length === 0) return out;
  const nodes = clusterNodes(byNode);
  const needsWitness = (members: number) => 2 * members <= nodes.size;
  const claims = [
    ...sampledClaims(byNode, needsWitness, validityMs),
    ...fencingClaims(h, nodes, needsWitness),
  ];
  // A node the administrator started with /forcequorum holds quorum without the witness's vote
  // (docs/domain.md §Forcing quorum): the override, not a claim of the vote.
  const forcedAt = new Map<string, number>();
  for (const e of entriesOf(h, 'event'))
    if (e.kind === 'quorum-forced' && !forcedAt.has(e.node)) forcedAt.set(e.node, e.t);
  const bad: { claim: Claim; owner: WitnessEntry }[] = [];
  for (const claim of claims.sort((a, b) => a.t - b.t)) {
    if (claim.t >= (forcedAt.get(claim.node) ?? Number.POSITIVE_INFINITY)) continue;
    const owner = ownerAround(ws, claim.t, validityMs);
    if (!owner) continue;
    out.judged++;
    // The vote counts for every node of the owner's side: with four nodes, a member of the two
    // that keep the cluster with the witness holds quorum as its owner does (docs/domain.md
    // §Vote arithmetic: Node and Disk Majority survives the loss of half the nodes while the
    // witness is online). With two nodes the side is the claiming node alone.
    if (!claim.side.includes(owner.owner)) bad.push({ claim, owner });
  }
  const first = bad[0];
  if (!first) return out;
  const { claim, owner } = first;
  out.problems.push(
    `${claim.node} ${claim.what} at ${at(claim.t)}, a minority of the ${nodes.size} nodes that needs the witness's vote, while the witness named ${owner.owner} its owner (epoch ${owner.epoch})` +
      (bad.length > 1 ? ` (${bad.length} such claims in all)` : ''),
  );
  for (const b of bad) out.offending.push(b.claim.entry, b.owner);
  return out;
}
