/**
 * Fencing before takeover: the leader preempts the removed nodes' reservation keys, waits until
 * their leases surely expired, then takes over their CSVs and roles.
 */
import { assignCsvCoordinators } from './csv-coordination.js';
import { csvCoordinatorChanged, fenced, fenceFailed } from './event-catalog.js';
import type { ClusterDecision, ClusterEffectOrTimer, ClusterMsg } from './protocol.js';
import { usesWitness } from './quorum.js';
import { push } from './replication.js';
import { failOver } from './role-policies.js';
import { reconcile } from './roles.js';
import {
  arbitrationMs,
  askingWitness,
  type ClusterState,
  freshWindow,
  lastRenewalBasis,
  leaseMs,
} from './state.js';

/**
 * When the removed nodes' ordinary leases surely ended, as docs/design.md §Leases during arbitration
 * sets out: a victim renews its lease at most freshWindow after its last answer from this node
 * (state.ts lastRenewalBasis), for leaseMs more. Counted from its last answer here alone, a victim
 * whose own heartbeat came after it (the nodes tick half an interval apart) kept its VMs running
 * 0.5 s after the winner restarted one (found by the simulation's swarm, seed 417 of the default
 * timing: a VM answered from both nodes). A winner that does not hold the witness cannot see
 * whether a victim challenged it (and so extended its lease to its arbitration's deadline): it
 * adds the whole arbitration. A holder adds it only for a challenge it saw (noteChallenge).
 */
export function victimsLeaseEnd(s: ClusterState, victims: string[], now: number): number {
  // A victim whose blade the chassis announced off since it last answered holds no lease: its
  // processes are gone, and with them every VM it ran.
  const live = victims.filter((v) => !poweredOff(s, v));
  if (live.length === 0) return now;
  const leases = live.map((v) => lastRenewalBasis(s, v, now) + freshWindow(s) + leaseMs(s));
  // A victim that followed this node's lease while it arbitrated may hold its lease until this
  // node's extended deadline (lease.ts followLeader).
  const end = Math.max(now, s.leaseExtendedUntil, ...leases);
  return usesWitness(s.model) && !s.witness.held ? end + arbitrationMs(s) : end;
}

/**
 * Whether the chassis's management module announced the peer's blade powered off after the
 * peer's last answer here (both times on this node's clock, at receipt): the MM announces a power
 * off only once the backplane has cut it, so none of the peer's processes runs, and an answer the
 * peer sent before it died but that arrived after the announcement keeps it "not off", never the
 * reverse. Windows Server 2008 R2 waits for nothing before it restarts a lost node's roles; dcbox
 * waits out the lost node's lease so that no VM answers from two nodes at once, and this is the
 * one case where that wait protects nothing (docs/design.md §Fencing before takeover).
 */
export function poweredOff(s: ClusterState, node: string): boolean {
  const p = s.peers[node];
  return p?.poweredOffAt !== undefined && p.poweredOffAt >= (p.lastOkAt ?? Number.NEGATIVE_INFINITY);
}

/** Every victim of the fencing under way is powered off (see poweredOff). */
function victimsOff(s: ClusterState): boolean {
  return !!s.fencing && s.fencing.victims.every((v) => poweredOff(s, v));
}

/**
 * The chassis announced a peer's blade off. Noted for the fencing to come; if the peer is a victim
 * of the fencing under way, its lease wait ends now, and a takeover that only waited for it
 * goes ahead.
 */
export function onPeerPoweredOff(s0: ClusterState, node: string, now: number): ClusterDecision {
  const peer = s0.peers[node];
  if (!peer) return { state: s0, effects: [] };
  const s: ClusterState = { ...s0, peers: { ...s0.peers, [node]: { ...peer, poweredOffAt: now } } };
  const f = s.fencing;
  if (!f?.victims.includes(node)) return { state: s, effects: [] };
  const leasesEndAt = victimsLeaseEnd(s, f.victims, now);
  const t = noteChallenge({ ...s, fencing: { ...f, leasesEndAt, safeAt: leasesEndAt } });
  return f.fenced ? takeOver(t, now) : { state: t, effects: [] };
}

/**
 * A challenge this holder saw may come from a removed node whose lease still held when it posted
 * it, and which therefore extended its lease to the arbitration's deadline (lease.ts
 * beginArbitration): the takeover waits for that deadline. A challenge posted after the victims'
 * ordinary leases ended (after a clean defence answered past that moment) extends nothing — a node
 * that lost keeps challenging, and must not hold the takeover off forever.
 */
export function noteChallenge(s: ClusterState): ClusterState {
  const f = s.fencing;
  const seen = s.witness.challengeSeenAt;
  // A powered-off victim's lease ended with its processes, whatever it challenged before.
  if (!f || seen === null || victimsOff(s) || (s.witness.challengeAfter ?? -Infinity) >= f.leasesEndAt)
    return s;
  const safeAt = Math.max(f.safeAt, seen + arbitrationMs(s));
  return safeAt === f.safeAt ? s : { ...s, fencing: { ...f, safeAt } };
}

/** Marks the CSVs whose coordinator was removed as moving (coordinator null: nodes pause I/O). */
/**
 * Whether this node may still preempt the victims of its fencing: it runs, with quorum, and the
 * fencing is still under way. The adapters ask before every preempt: a leader that removed one
 * peer, started fencing it, and a moment later removed the last one and lost quorum must not go
 * on to preempt the new majority's leader (found moving the cluster tests onto the simulation:
 * three nodes, the leader cut off alone, fenced the new leader, which then fenced itself).
 */
export function mayFence(s: ClusterState): boolean {
  return s.service === 'Running' && s.quorum.has && s.fencing !== null;
}

export function startFencing(s: ClusterState, removed: string[], now: number): ClusterState {
  const victims = [...new Set([...(s.fencing?.victims ?? []), ...removed])];
  const leasesEndAt = Math.max(now, s.fencing?.leasesEndAt ?? now, victimsLeaseEnd(s, victims, now));
  const safeAt = Math.max(leasesEndAt, s.fencing?.safeAt ?? now);
  let config = s.config;
  const csvPrevious: Record<string, string> = { ...(s.fencing?.csvPrevious ?? {}) };
  for (const v of Object.values(config.csv)) {
    if (v.coordinator && victims.includes(v.coordinator)) {
      csvPrevious[v.volume] = v.coordinator;
      config = { ...config, csv: { ...config.csv, [v.volume]: { ...v, coordinator: null } } };
    }
  }
  if (config !== s.config) config = { ...config, version: config.version + 1 };
  return noteChallenge({
    ...s,
    config,
    fencing: { victims, leasesEndAt, safeAt, fenced: false, busy: true, csvPrevious },
  });
}

/** The storage answered the fencing: retry it, or take over once the removed nodes' leases expired. */
export function onFenceDone(
  s0: ClusterState,
  msg: Extract<ClusterMsg, { type: 'fenceDone' }>,
  now: number,
): ClusterDecision {
  if (!s0.fencing) return { state: s0, effects: [] };
  if (!msg.ok) {
    return {
      state: { ...s0, fencing: { ...s0.fencing, busy: false } },
      effects: [fenceFailed(msg.victims, msg.error)],
    };
  }
  const victims = s0.fencing.victims;
  const s: ClusterState = { ...s0, fencing: { ...s0.fencing, fenced: true, busy: false } };
  const done = fenced(victims, Math.max(0, s.fencing!.safeAt - now));
  if (now < s.fencing!.safeAt)
    return {
      state: s,
      effects: [
        done,
        { type: 'startTimer', id: 'fenceSafe', ms: s.fencing!.safeAt - now, msg: { type: 'fenceSafe' } },
      ],
    };
  const t = takeOver(s, now);
  return { state: t.state, effects: [done, ...t.effects] };
}

/**
 * How long the takeover must still wait: until safeAt (a challenge seen meanwhile pushes it), and
 * for a holder of the witness, until a defence answered after the victims' ordinary leases ended showed whether a removed
 * node challenges it (its lease may then span the arbitration).
 */
function takeOverWaitMs(s: ClusterState, now: number): number {
  const safeAt = s.fencing?.safeAt ?? now;
  if (now < safeAt) return safeAt - now;
  const defended = s.witness.lastDefendOkAt;
  const endedAt = s.fencing?.leasesEndAt ?? now;
  if (usesWitness(s.model) && s.witness.held && !victimsOff(s) && (defended === null || defended < endedAt))
    return s.defendMs;
  return 0;
}

/**
 * The takeover must wait: until safeAt, or, past it, for a defence that shows whether a removed
 * node challenges this holder — asked at once rather than at the next witness tick.
 */
function awaitSafe(s: ClusterState, now: number, waitMs: number): ClusterDecision {
  const timer: ClusterEffectOrTimer = {
    type: 'startTimer',
    id: 'fenceSafe',
    ms: waitMs,
    msg: { type: 'fenceSafe' },
  };
  if (now < (s.fencing?.safeAt ?? now) || s.witness.busy) return { state: s, effects: [timer] };
  return {
    state: askingWitness(s, now),
    effects: [
      timer,
      { type: 'witness', op: 'defend', epoch: s.witness.epoch, configVersion: s.config.version },
    ],
  };
}

/** After fencing, and once the removed nodes' leases surely expired: take their disks and roles. */
export function takeOver(s0: ClusterState, now: number): ClusterDecision {
  if (!s0.fencing?.fenced || s0.leader !== s0.self || s0.service !== 'Running' || !s0.quorum.has)
    return { state: s0, effects: [] };
  const wait = takeOverWaitMs(s0, now);
  if (wait > 0) return awaitSafe(s0, now, wait);
  const victims = s0.fencing.victims;
  const previous = s0.fencing.csvPrevious;
  let s: ClusterState = { ...s0, fencing: null };
  const effects: ClusterEffectOrTimer[] = [];
  const before = s.config.csv;
  s = assignCsvCoordinators(s);
  for (const v of Object.values(s.config.csv)) {
    if (before[v.volume]?.coordinator !== v.coordinator)
      effects.push(
        csvCoordinatorChanged(
          v,
          v.coordinator,
          previous[v.volume] ?? before[v.volume]?.coordinator ?? null,
          'takeover',
        ),
      );
  }
  const fo = failOver(s, victims, now);
  s = fo.state;
  effects.push(...fo.effects);
  const r = reconcile(s, now);
  return { state: r.state, effects: [...effects, ...push(r.state), ...r.effects] };
}
