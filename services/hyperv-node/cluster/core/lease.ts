/**
 * Quorum of the current membership and the lease it gives the roles: who counts as fresh, who
 * holds the witness, and until when this node's roles may act.
 */
import { injected } from '../../../process/injected-bugs.js';
import { countVotes, usesWitness } from './quorum.js';
import { arbitrationMs, type ClusterState, freshWindow, leaseMs, type View } from './state.js';

/** Whether this node holds the witness and defended it within the fresh window. */
export function witnessFresh(s: ClusterState, now: number): boolean {
  return (
    s.witness.held && s.witness.lastDefendOkAt !== null && now - s.witness.lastDefendOkAt <= freshWindow(s)
  );
}

/**
 * injected bug witness-without-arbitration: this node counts the witness's vote whenever the
 * witness answers, without winning it by arbitration — while it runs and when it forms.
 */
export function countsUnwonWitness(s: ClusterState): boolean {
  return injected(s.bugs, 'witness-without-arbitration') && s.witness.status === 'online';
}

/**
 * Whether a peer's last view allows it to vote with this node: a peer that runs a cluster of its
 * own, one without this node, does not (found by a seeded campaign: a thawed node counted a peer
 * that had formed its own cluster meanwhile, and that peer's witness, as votes of its own).
 */
function sharesCluster(s: ClusterState, peer: string): boolean {
  const v = s.peers[peer]?.view;
  return !(v?.service === 'Running' && !v.members.includes(s.self));
}

/** Whether this node's partition holds the witness: held by a member that confirmed it lately. */
export function partitionHoldsWitness(s: ClusterState, now: number, members: string[]): boolean {
  if (!usesWitness(s.model)) return false;
  if (members.includes(s.self) && (witnessFresh(s, now) || countsUnwonWitness(s))) return true;
  return members.some((m) => {
    const p = s.peers[m];
    return (
      !!p &&
      !p.down &&
      sharesCluster(s, m) &&
      p.view?.witnessHeld === true &&
      p.lastOkAt !== null &&
      now - p.lastOkAt <= freshWindow(s)
    );
  });
}

/** Recomputes quorum for the current membership, and renews the lease when it is fresh. */
export function refreshQuorum(s: ClusterState, now: number): ClusterState {
  const members = s.service === 'Running' ? s.members : [s.self];
  const real = countVotes(s.model, s.nodes.length, members.length, partitionHoldsWitness(s, now, members));
  // /forcequorum: a running forced cluster has quorum until it gains it by votes; from then on the
  // ordinary rules apply (docs/domain.md §Forcing quorum).
  const forceQuorum = !!s.forceQuorum && !real.has;
  const forced = forceQuorum && s.service === 'Running';
  const quorum = forced ? { ...real, has: true } : real;
  // A fresh quorum counts only peers heard lately: a node frozen past the threshold, or cut
  // off, cannot renew its lease, so it stops answering for its VMs before the survivors
  // restart them elsewhere.
  const fresh = countVotes(
    s.model,
    s.nodes.length,
    heardMembers(s, now, members).length,
    partitionHoldsWitness(s, now, members),
  );
  const leaseUntil = s.service === 'Running' && (fresh.has || forced) ? now + leaseMs(s) : s.leaseUntil;
  return { ...s, quorum, leaseUntil, ...(s.forceQuorum ? { forceQuorum } : {}) };
}

/** This node and the members of `members` it heard from within the fresh window. */
export function heardMembers(s: ClusterState, now: number, members: readonly string[]): string[] {
  return members.filter(
    (m) =>
      m === s.self ||
      ((s.peers[m]?.lastOkAt ?? Number.NEGATIVE_INFINITY) >= now - freshWindow(s) && sharesCluster(s, m)),
  );
}

/** Whether this node's roles may act now (the adapter gates VM echo replies on it). */
export function leaseValid(s: ClusterState, now: number): boolean {
  return s.service === 'Running' && now <= s.leaseUntil;
}

/**
 * The partition starts arbitrating for the witness. Arbitration is doubt, not loss of quorum: in
 * 2008 R2 a node's VMs stop only when its cluster service stops for lack of quorum (Event 1177)
 * or its disk access is refused (docs/domain.md §Loss of quorum, §Witness arbitration). So a
 * challenger whose lease still holds keeps its roles running, and its lease is extended — once,
 * never renewed — to the arbitration's deadline: the challenge wait plus a margin
 * (`arbitrationMs`). A lease that already lapsed (a node that thaws after a freeze, say) is not
 * revived, and the witness holder gets no extension: it defends, and a holder that cannot defend
 * is about to lose the witness to someone else. The winner waits for this deadline before it
 * restarts a loser's roles (fencing.ts), so a loser still never answers for a VM that runs
 * elsewhere (docs/design.md §Leases during arbitration).
 */
export function beginArbitration(s: ClusterState, now: number, posted: boolean): ClusterState {
  if (s.witness.arbitrating) return s;
  const next: ClusterState = {
    ...s,
    witness: { ...s.witness, arbitrating: true, arbitrationDeadline: null },
  };
  return posted ? extendForChallenge(next, now) : next;
}

/**
 * The challenge goes to the witness now: the arbitrating node's lease is extended to the
 * arbitration's deadline if it still holds — once. Only when the challenge is posted, never
 * before: the holder judges from its defences whether a removed node challenged while its lease
 * held (fencing.ts noteChallenge), and an extension granted while the witness client was still
 * busy with another call let a loser answer for its VMs for a second and a half after the winner,
 * having seen no challenge in its defence, restarted them (found by the deterministic
 * simulation, seed 7 of the seed topology: a partition of the VMs' owner).
 */
export function extendForChallenge(s: ClusterState, now: number): ClusterState {
  if (!s.witness.arbitrating || s.witness.arbitrationDeadline !== null) return s;
  // injected bug lease-lapses-on-arbitration: the lease is renewed only on fresh quorum, as
  // before issue 15, so a survivor whose peer (the leader, the witness's owner) failed lets its
  // lease lapse while it arbitrates, and its VMs stop answering.
  if (!leaseValid(s, now) || s.witness.held || injected(s.bugs, 'lease-lapses-on-arbitration')) return s;
  const deadline = now + arbitrationMs(s);
  return {
    ...s,
    leaseUntil: Math.max(s.leaseUntil, deadline),
    leaseExtendedUntil: Math.max(s.leaseExtendedUntil, deadline),
    witness: { ...s.witness, arbitrationDeadline: deadline },
  };
}

/**
 * A member follows its leader's lease. While the leader arbitrates for the witness, only the
 * leader's lease is extended (beginArbitration), and a member of its partition cannot confirm
 * quorum by itself (the witness's vote is being decided): without this, its roles would stop
 * although its partition keeps quorum (found with 3 and 4 nodes; docs/design.md §Leases during arbitration).
 * So an answer from the leader of this node's membership renews this node's lease
 * to what remained of the leader's lease when it answered, measured from when this node asked:
 * never past the leader's own lease. A lapsed lease is never revived.
 */
export function followLeader(
  s: ClusterState,
  v: View,
  sentAt: number | undefined,
  now: number,
): ClusterState {
  if (sentAt === undefined || !leaseValid(s, now) || s.leader !== v.node || v.leader !== v.node) return s;
  // injected bug lease-lapses-on-arbitration: nor does a member follow its leader's lease.
  if (injected(s.bugs, 'lease-lapses-on-arbitration')) return s;
  if (v.service !== 'Running' || v.epoch < s.epoch || !v.members.includes(s.self)) return s;
  const until = sentAt + (v.leaseRemainingMs ?? 0);
  return until > s.leaseUntil ? { ...s, leaseUntil: until } : s;
}

/**
 * Whether this member awaits its leader's word on quorum: its leader, heard lately, runs the
 * membership this node holds, a membership that has quorum only with the witness's vote, which
 * this node cannot yet count. A leader pushes a membership only with quorum, but the push and the
 * heartbeat that shows the leader holding the witness (pokeMembers) travel apart, and the push may
 * arrive first: counted against the leader's older view, the membership lacked quorum and the
 * member turned its running VMs off, to start them again when the heartbeat came (found moving
 * survivors.test.ts onto the full simulation: four nodes, the witness owner that does not lead
 * frozen; docs/design.md §Leases during arbitration).
 */
export function awaitsLeader(s: ClusterState, now: number): boolean {
  if (s.service !== 'Running' || !s.leader || s.leader === s.self || !usesWitness(s.model)) return false;
  if (!countVotes(s.model, s.nodes.length, s.members.length, true).has) return false;
  const p = s.peers[s.leader];
  const v = p?.view;
  return (
    !!p &&
    !!v &&
    !p.down &&
    p.lastOkAt !== null &&
    now - p.lastOkAt <= freshWindow(s) &&
    v.service === 'Running' &&
    v.leader === v.node &&
    v.members.includes(s.self)
  );
}

/**
 * Whether this node holds the witness but its last granted defence is older than the fresh
 * window, while its membership has quorum with the witness's vote: a defence answered late (a
 * reply retransmitted, a slow Quorum LUN) or the next one not yet asked. The witness is not lost:
 * its owner keeps it until a challenger replaces its key and it fails to restore it, and a node's
 * VMs stop only when its cluster service stops for lack of quorum or its disk access is refused
 * (docs/domain.md §Witness arbitration, §Loss of quorum). Only a refused or failed defence loses
 * it. Until then the node is in doubt, and its lease, renewed only while the witness is fresh,
 * still bounds how long its roles may act (found by the deterministic simulation, fast seed 1:
 * the survivor of a power-off turned both VMs off and on again when a defence's reply came
 * 400 ms late; docs/design.md §Leases during arbitration).
 */
export function defenceLate(s: ClusterState, now: number): boolean {
  if (s.service !== 'Running' || !usesWitness(s.model) || !s.witness.held) return false;
  return countVotes(s.model, s.nodes.length, s.members.length, true).has && !witnessFresh(s, now);
}

/**
 * Whether this node is in doubt while its lease holds: arbitrating for quorum (its lease
 * extended), a member awaiting its leader's word on it (awaitsLeader), or a holder whose
 * defence is late (defenceLate).
 */
export function inDoubt(s: ClusterState, now: number): boolean {
  return (s.witness.arbitrating || awaitsLeader(s, now) || defenceLate(s, now)) && leaseValid(s, now);
}
