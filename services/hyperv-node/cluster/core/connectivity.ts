/**
 * Regroup with every node: which members hear each other, as each reports in its heartbeats, and
 * the largest fully connected set of members with quorum that the leader keeps
 * (docs/design.md §Regroup).
 */
import { partitionHoldsWitness } from './lease.js';
import { countVotes } from './quorum.js';
import { byId, type ClusterState, idOf } from './state.js';

/** The peers this node hears: every peer that answered and has not missed SameSubnetThreshold heartbeats in a row since. */
export function hearsOf(s: ClusterState): string[] {
  return Object.entries(s.peers)
    .filter(([, p]) => !p.down && p.lastOkAt !== null)
    .map(([n]) => n)
    .sort(byId(s));
}

/**
 * Whether `a` hears `b`, as the leader knows it: its own heartbeats for itself, a peer's last view
 * for that peer (a view without reachability, from an older version, hears everyone).
 */
function hears(s: ClusterState, a: string, b: string): boolean {
  if (a === s.self) return !s.peers[b]?.down && s.peers[b]?.lastOkAt !== null;
  const v = s.peers[a]?.view;
  return !v?.hears || v.hears.includes(b);
}

/** Whether two nodes hear each other, as each side reports. */
export function connected(s: ClusterState, a: string, b: string): boolean {
  return hears(s, a, b) && hears(s, b, a);
}

/** Orders candidate sets: larger first, then with the witness holder, then the lowest node ids. */
function better(s: ClusterState, a: string[], b: string[], withWitness: (set: string[]) => boolean): boolean {
  if (a.length !== b.length) return a.length > b.length;
  const wa = withWitness(a);
  if (wa !== withWitness(b)) return wa;
  for (let i = 0; i < a.length; i++) {
    const d = idOf(s, a[i] as string) - idOf(s, b[i] as string);
    if (d !== 0) return d < 0;
  }
  return false;
}

/**
 * The largest set of `candidates` that contains this node (the leader, which decides and pushes
 * the membership), in which every two nodes hear each other, and that has quorum; ties go to
 * the set holding the witness, then to the lowest node ids. Null when no such set has quorum.
 * Every subset is tried: a cluster has at most 16 nodes (2^15 sets containing the leader).
 */
export function largestConnectedSet(s: ClusterState, candidates: string[], now: number): string[] | null {
  const others = candidates.filter((c) => c !== s.self).sort(byId(s));
  const withWitness = (set: string[]) => partitionHoldsWitness(s, now, set);
  let best: string[] | null = null;
  for (let mask = 0; mask < 1 << others.length; mask++) {
    const set = [s.self, ...others.filter((_, i) => mask & (1 << i))].sort(byId(s));
    if (best && set.length < best.length) continue;
    if (!set.every((a, i) => set.slice(i + 1).every((b) => connected(s, a, b)))) continue;
    if (!countVotes(s.model, s.nodes.length, set.length, withWitness(set)).has) continue;
    if (!best || better(s, set, best, withWitness)) best = set;
  }
  return best;
}
