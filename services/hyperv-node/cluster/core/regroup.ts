/**
 * Regroup: the leader sets a new membership (bumping the epoch, checking quorum, fencing the
 * removed nodes), and a node outside a running cluster forms one when it may.
 */

import { quorumForced } from './admin-events.js';
import { connected, largestConnectedSet } from './connectivity.js';
import { assignCsvCoordinators } from './csv-coordination.js';
import { clusterFormed, nodeRemovedByLeader } from './event-catalog.js';
import { startFencing } from './fencing.js';
import { pokeMembers } from './heartbeat-view.js';
import {
  beginArbitration,
  countsUnwonWitness,
  heardMembers,
  partitionHoldsWitness,
  refreshQuorum,
  witnessFresh,
} from './lease.js';
import { loseQuorum } from './leave.js';
import type { ClusterDecision, ClusterEffectOrTimer } from './protocol.js';
import { countVotes, usesWitness } from './quorum.js';
import { push } from './replication.js';
import { reconcile } from './roles.js';
import { askingWitness, byId, type ClusterState, freshWindow } from './state.js';

/**
 * The leader sets a new membership: bumps the epoch, checks quorum (arbitrating for the witness
 * when it decides), fences removed nodes before anything of theirs is taken over, and pushes.
 */
export function changeMembership(
  s0: ClusterState,
  members: string[],
  removed: string[],
  now: number,
  pre: ClusterEffectOrTimer[],
): ClusterDecision {
  const seen = Math.max(s0.epoch, ...Object.values(s0.peers).map((p) => p.view?.epoch ?? 0));
  // The new membership's configuration outranks every version any peer has shown us.
  const version =
    Math.max(s0.config.version, ...Object.values(s0.peers).map((p) => p.view?.configVersion ?? 0)) + 1;
  let s = refreshQuorum(
    {
      ...s0,
      config: { ...s0.config, version },
      members,
      epoch: seen + 1,
      leader: s0.self,
      service: 'Running',
    },
    now,
  );
  const effects: ClusterEffectOrTimer[] = [...pre];
  // A membership that removes nodes (and fences them) counts only the members this node heard
  // lately: a leader cut off from everyone still counts those it has not yet timed out, and kept
  // quorum with them while it fenced the one that timed out first, as the others regrouped
  // without it (four-node seed 43, default timing: two memberships of epoch 8 with quorum).
  // (A forced quorum, docs/domain.md §Forcing quorum, is left as it was.)
  const heard = heardMembers(s, now, members).length;
  const heardVotes = countVotes(s.model, s.nodes.length, heard, partitionHoldsWitness(s, now, members));
  const unheard = removed.length > 0 && !s.forceQuorum && !heardVotes.has;
  // Short of quorum by the members heard, it says so (its samples, Event 1177) as any partition does.
  if (unheard) s = { ...s, quorum: heardVotes };
  const voters = unheard ? heard : members.length;
  if (!s.quorum.has) {
    if (usesWitness(s.model) && countVotes(s.model, s.nodes.length, voters, true).has) {
      // Only the witness can decide: arbitrate before giving up (docs/domain.md §Heartbeats, regroup).
      // Arbitration does not stop this node's roles: its lease spans the arbitration (lease.ts).
      // The challenge goes out now, even while another witness call is still answering: its
      // lease is extended only as it is posted (lease.ts extendForChallenge), and posted later
      // the lease may have lapsed already, stopping a survivor's roles (simulation seed 25).
      s = beginArbitration(s, now, true);
      effects.push(...pokeMembers(s, now));
      s = askingWitness(s, now);
      effects.push({
        type: 'witness',
        op: s.witness.held ? 'defend' : 'arbitrate',
        epoch: s.witness.epoch,
        configVersion: s.config.version,
      });
      // Fencing waits for quorum: a partition that may lose must never preempt the winners.
      s = { ...s, pendingRemoved: [...new Set([...s.pendingRemoved, ...removed])] };
      return { state: s, effects };
    }
    return loseQuorum(s, now, effects);
  }
  if (removed.length) {
    s = startFencing(s, removed, now);
    effects.push({ type: 'fence', victims: s.fencing?.victims ?? removed });
  }
  s = assignCsvCoordinators(s);
  const r = reconcile(s, now);
  return { state: r.state, effects: [...effects, ...push(r.state), ...r.effects] };
}

/**
 * A node outside a running cluster: if no running member answers, the node with the newest
 * configuration among those that answer (the lowest id among equals) forms the cluster once it has quorum (with the witness if it must), and
 * not before every node had a chance to appear unless the detection window has passed.
 */
export function tryForm(s: ClusterState, now: number): ClusterDecision {
  // A cluster service the administrator stopped neither forms nor joins (docs/domain.md §Stopping the cluster service).
  if (s.adminStop) return { state: s, effects: [] };
  const fresh = Object.entries(s.peers).filter(
    ([, p]) => !p.down && p.lastOkAt !== null && now - p.lastOkAt <= freshWindow(s),
  );
  if (fresh.some(([, p]) => p.view?.service === 'Running')) return { state: s, effects: [] }; // Its leader admits us.
  const candidates = [s.self, ...fresh.map(([n]) => n)].sort(byId(s));
  if (s.forceQuorum) return formForced(s, candidates, now);
  // The node with the newest configuration forms (the lowest id among equals): nobody forms with
  // an older configuration than one it can see, and nobody waits for a node that waits in turn
  // (found by a seeded campaign: a blade back from a power-off waited for the other's push, as its
  // configuration was older, while the other waited for the lower id to form).
  const versionOf = (n: string) => (n === s.self ? s.config.version : (s.peers[n]?.view?.configVersion ?? 0));
  const former = [...candidates].sort((a, b) => versionOf(b) - versionOf(a) || byId(s)(a, b))[0];
  if (former !== s.self) return { state: s, effects: [] };
  const everyone = candidates.length === s.nodes.length;
  if (!everyone && now - s.startedAt < s.threshold * s.delayMs) return { state: s, effects: [] };
  // Every node that is not here may still hold keys, disks or roles: fence it before taking over.
  const absent = s.nodes.map((n) => n.name).filter((n) => !candidates.includes(n));
  const withoutWitness = countVotes(s.model, s.nodes.length, candidates.length, false);
  if (withoutWitness.has)
    return changeMembership(s, candidates, absent, now, [clusterFormed(candidates, false)]);
  if (!usesWitness(s.model) || !countVotes(s.model, s.nodes.length, candidates.length, true).has)
    return { state: s, effects: [] };
  if (witnessFresh(s, now) || countsUnwonWitness(s))
    return changeMembership(s, candidates, absent, now, [clusterFormed(candidates, true)]);
  if (s.witness.busy) return { state: s, effects: [] };
  // Refused for partition in time: ask the witness again only after a defence interval.
  const refused = s.witness.partitionInTime;
  if (refused && s.config.version < refused.witnessVersion && now - refused.at < s.defendMs)
    return { state: s, effects: [] };
  // Denied, or a challenge posted: ask again only when due, not at once (state.ts askAgainAt).
  if (s.witness.askAgainAt !== null && now < s.witness.askAgainAt) return { state: s, effects: [] };
  return {
    state: askingWitness(s, now),
    effects: [
      {
        type: 'witness',
        op: s.witness.held ? 'defend' : 'arbitrate',
        epoch: s.witness.epoch,
        configVersion: s.config.version,
      },
    ],
  };
}

/**
 * The leader keeps the largest fully connected set of members that has quorum (connectivity.ts)
 * and removes the others, as 2008 R2 removes nodes until the remaining members all hear each
 * other (docs/design.md §Regroup): two members that cannot hear each other but both hear the
 * leader do not stay members. Nothing changes while every two members hear each other, or when
 * no fully connected set has quorum (the failure detector decides then).
 */
export function regroupByReachability(s: ClusterState, now: number): ClusterDecision {
  const unchanged = { state: s, effects: [] };
  if (s.service !== 'Running' || s.leader !== s.self || !s.quorum.has || s.fencing || s.witness.arbitrating)
    return unchanged;
  const alive = s.members.filter((m) => m === s.self || !s.peers[m]?.down);
  const judged = withoutViewsFromBeforeAdmission(s);
  if (alive.every((a, i) => alive.slice(i + 1).every((b) => connected(judged, a, b)))) return unchanged;
  const keep = largestConnectedSet(judged, alive, now);
  if (!keep) return unchanged;
  const removed = s.members.filter((m) => !keep.includes(m));
  return changeMembership(
    s,
    keep,
    removed,
    now,
    removed.map((r) => nodeRemovedByLeader(r, s.self)),
  );
}

/**
 * The leader's knowledge of what its members hear, without the views a member gave before it was
 * admitted: a node that answered Joining heard nobody as a member yet, and its view says nothing
 * of its links (docs/design.md §Regroup). Until a member's view shows it running, it is taken to
 * hear everyone; the failure detector still removes it if it falls silent. Judged on that view, a
 * leader removed a node that had joined a moment before its first regroup, with no fault at all,
 * and kept it out while it waited to take over its roles (found by the deterministic simulation:
 * four-node seed 21, default timing).
 */
function withoutViewsFromBeforeAdmission(s: ClusterState): ClusterState {
  const peers = { ...s.peers };
  for (const m of s.members) {
    const p = peers[m];
    if (p?.view && p.view.service !== 'Running') peers[m] = { ...p, view: { ...p.view, hears: undefined } };
  }
  return { ...s, peers };
}

/**
 * /forcequorum (docs/domain.md §Forcing quorum): this node forms the cluster with the nodes it
 * hears, at once and without quorum, and its configuration becomes the authoritative one: its
 * version goes above every version a peer showed and above the file share witness's marker, so
 * the witness no longer refuses it (partition in time) and every node that joins takes it.
 */
function formForced(s: ClusterState, candidates: string[], now: number): ClusterDecision {
  const marker = s.witness.partitionInTime?.witnessVersion ?? 0;
  const base: ClusterState = {
    ...s,
    config: { ...s.config, version: Math.max(s.config.version, marker) },
    witness: { ...s.witness, partitionInTime: null },
  };
  const absent = s.nodes.map((n) => n.name).filter((n) => !candidates.includes(n));
  const formed = changeMembership(base, candidates, absent, now, []);
  const forced = quorumForced(candidates, formed.state.config.version, marker);
  return { state: formed.state, effects: [forced, ...formed.effects] };
}
