/**
 * Witness arbitration: the leader holds and defends the witness, a partition that needs it
 * arbitrates for it, and the others watch who holds it; the answer settles quorum.
 */
import { injected } from '../../../process/injected-bugs.js';
import { assignCsvCoordinators } from './csv-coordination.js';
import {
  configFromWitness,
  partitionInTime,
  witnessArbitrated,
  witnessDenied,
  witnessLost,
  witnessOffline,
} from './event-catalog.js';
import { noteChallenge, startFencing, takeOver } from './fencing.js';
import { pokeMembers } from './heartbeat-view.js';
import { awaitsLeader, defenceLate, extendForChallenge, leaseValid, refreshQuorum } from './lease.js';
import { loseQuorum } from './leave.js';
import type { ClusterDecision, ClusterEffectOrTimer, ClusterMsg } from './protocol.js';
import { usesWitness } from './quorum.js';
import { tryForm } from './regroup.js';
import { push } from './replication.js';
import { reconcile } from './roles.js';
import { askingWitness, type ClusterState } from './state.js';

/** Every witness interval: defend the witness, arbitrate for it, or watch who holds it. */
export function onWitnessTick(s0: ClusterState, now: number): ClusterDecision {
  const s = refreshQuorum(s0, now);
  const effects: ClusterEffectOrTimer[] = [
    { type: 'startTimer', id: 'witness', ms: s.defendMs, msg: { type: 'witnessTick' } },
  ];
  // A cluster service the administrator stopped asks the witness nothing.
  if (!usesWitness(s.model) || s.witness.busy || s.adminStop?.phase === 'stopped')
    return { state: s, effects };
  const lead = s.service === 'Running' && s.leader === s.self;
  // The leader holds and defends the witness; the others only watch who holds it.
  const op = s.witness.held ? 'defend' : lead ? 'arbitrate' : 'get';
  if (
    op === 'arbitrate' &&
    !s.witness.arbitrating &&
    s.witness.owner &&
    s.members.includes(s.witness.owner) &&
    s.witness.owner !== s.self
  ) {
    // Another member holds it: nothing to arbitrate, just watch.
    return {
      state: askingWitness(s, now),
      effects: [
        ...effects,
        { type: 'witness', op: 'get', epoch: s.witness.epoch, configVersion: s.config.version },
      ],
    };
  }
  // A challenge posted now extends an arbitrating node's lease (lease.ts extendForChallenge).
  const posting = op === 'arbitrate' ? extendForChallenge(s, now) : s;
  return {
    state: askingWitness(posting, now),
    effects: [...effects, { type: 'witness', op, epoch: s.witness.epoch, configVersion: s.config.version }],
  };
}

/** The witness answered (or not): update what this node knows of it, then settle quorum. */
export function onWitnessResult(
  s0: ClusterState,
  msg: Extract<ClusterMsg, { type: 'witnessResult' }>,
  now: number,
): ClusterDecision {
  const askedAt = s0.witness.askedAt ?? now;
  const calls = Math.max((s0.witness.calls ?? 1) - 1, 0);
  let s: ClusterState = {
    ...s0,
    witness: { ...s0.witness, busy: false, calls, askedAt: calls > 0 ? s0.witness.askedAt : null },
  };
  const effects: ClusterEffectOrTimer[] = [];
  if (!msg.ok) {
    const lost = s.witness.held;
    s = { ...s, witness: { ...s.witness, status: 'offline', held: false } };
    if (lost) effects.push(witnessOffline(msg.error));
    return settleQuorum(s, now, effects);
  }
  // injected bug stale-config-on-rejoin: a node out of the cluster does not take the newer one.
  const stale = injected(s.bugs, 'stale-config-on-rejoin');
  if (msg.config && msg.config.version > s.config.version && s.service !== 'Running' && !stale) {
    // A disk witness keeps the newest cluster database: take it (partition in time, docs/domain.md §Partition in time).
    s = { ...s, config: msg.config };
    effects.push({ type: 'persist', config: msg.config }, configFromWitness(msg.config.version));
  }
  const answer = { owner: msg.owner ?? null, epoch: msg.epoch ?? s.witness.epoch };
  const after =
    msg.op === 'get'
      ? { state: afterGet(s, msg, answer), effects: [] }
      : msg.op === 'defend'
        ? afterDefend(s, msg, answer, now, askedAt)
        : afterArbitrate(s, msg, answer, now, askedAt);
  const settled = settleQuorum(after.state, now, [...effects, ...after.effects]);
  // A defence may be what a pending takeover waited for (fencing.ts takeOver).
  if (msg.op !== 'defend' || !settled.state.fencing?.fenced) return settled;
  const t = takeOver(settled.state, now);
  return { state: t.state, effects: [...settled.effects, ...t.effects] };
}

type WitnessResult = Extract<ClusterMsg, { type: 'witnessResult' }>;
/** Who holds the witness, as its answer says. */
type WitnessAnswer = { owner: string | null; epoch: number };

/** A watcher learns who holds the witness. */
function afterGet(s: ClusterState, msg: WitnessResult, { owner, epoch }: WitnessAnswer): ClusterState {
  const held = owner === s.self && s.witness.held;
  return { ...s, witness: { ...s.witness, owner, epoch, status: msg.status ?? 'online', held } };
}

/** The holder defended the witness, or learns it lost it. */
function afterDefend(
  s: ClusterState,
  msg: WitnessResult,
  { owner, epoch }: WitnessAnswer,
  now: number,
  askedAt: number,
) {
  if (msg.outcome === 'granted') {
    const witness = {
      ...s.witness,
      owner: s.self,
      epoch,
      status: 'online' as const,
      held: true,
      lastDefendOkAt: askedAt,
      ...seenChallenge(s, msg.challenged === true, now),
    };
    return { state: noteChallenge({ ...s, witness }), effects: [] };
  }
  const witness = { ...s.witness, owner, epoch, status: 'online' as const, held: false };
  return { state: { ...s, witness }, effects: [witnessLost(owner, epoch)] };
}

/** What a defence's answer tells of challenges: a new one was posted since the last defence. */
function seenChallenge(s: ClusterState, challenged: boolean, now: number) {
  if (!challenged) return { challengeSeenAt: null, challengeAfter: null };
  if (s.witness.challengeSeenAt !== null) return {};
  return { challengeSeenAt: now, challengeAfter: s.witness.lastDefendOkAt };
}

/** Arbitration won, challenged (try again once the holder had its chance to defend), or denied. */
function afterArbitrate(
  s: ClusterState,
  msg: WitnessResult,
  { owner, epoch }: WitnessAnswer,
  now: number,
  askedAt: number,
): { state: ClusterState; effects: ClusterEffectOrTimer[] } {
  if (msg.outcome === 'granted') {
    const witness = {
      ...s.witness,
      owner: s.self,
      epoch,
      status: 'online' as const,
      held: true,
      lastDefendOkAt: askedAt,
    };
    // `arbitrating` stays set: settleQuorum sees the win, fences the removed nodes and takes over.
    const next = { ...s, witness: { ...witness, partitionInTime: null, askAgainAt: null } };
    // A forced cluster records its configuration on the witness as soon as it holds it, so that
    // the marker protects the authoritative configuration (docs/domain.md §Forcing quorum).
    const record = s.forceQuorum && s.service === 'Running' && s.leader === s.self ? push(next) : [];
    return { state: next, effects: [witnessArbitrated(epoch), ...record] };
  }
  if (msg.outcome === 'challenged') {
    const retryMs = msg.retryAfterMs ?? s.defendMs;
    const witness = {
      ...s.witness,
      owner,
      epoch,
      status: 'online' as const,
      held: false,
      askAgainAt: now + retryMs,
    };
    const retry: ClusterEffectOrTimer = {
      type: 'startTimer',
      id: 'witness',
      ms: retryMs,
      msg: { type: 'witnessTick' },
    };
    return { state: { ...s, witness }, effects: [retry] };
  }
  return afterDenied(s, msg, { owner, epoch }, now);
}

/** Arbitration denied: another holds the witness; a forced cluster or a partition in time may follow. */
function afterDenied(
  s: ClusterState,
  msg: WitnessResult,
  { owner, epoch }: WitnessAnswer,
  now: number,
): { state: ClusterState; effects: ClusterEffectOrTimer[] } {
  const witness = {
    ...s.witness,
    owner,
    epoch,
    status: 'online' as const,
    held: false,
    arbitrating: false,
    arbitrationDeadline: null,
    askAgainAt: now + s.defendMs,
  };
  const marker = msg.configVersion ?? 0;
  if (s.forceQuorum && s.service === 'Running' && marker >= s.config.version) {
    // A forced cluster's configuration is the authoritative one: it goes above the marker
    // (docs/domain.md §Forcing quorum), and the next arbitration is granted.
    const config = { ...s.config, version: marker + 1 };
    return {
      state: { ...s, config, witness },
      effects: [witnessDenied(owner, epoch), ...push({ ...s, config })],
    };
  }
  if (s.service !== 'Running' && !s.witnessKeepsConfig && marker > s.config.version) {
    // A file share witness refused a node whose configuration is older than its marker:
    // partition in time (docs/domain.md §Partition in time). Log it once per versions.
    const seen = s.witness.partitionInTime;
    const again = seen?.configVersion === s.config.version && seen.witnessVersion === marker;
    const refused = { configVersion: s.config.version, witnessVersion: marker, at: now };
    return {
      state: { ...s, witness: { ...witness, partitionInTime: refused } },
      effects: again ? [] : [partitionInTime(s.config.version, marker)],
    };
  }
  return { state: { ...s, witness }, effects: [witnessDenied(owner, epoch)] };
}

/** After the witness answered: a running partition keeps, wins or loses quorum; a joining one may form. */
export function settleQuorum(s0: ClusterState, now: number, pre: ClusterEffectOrTimer[]): ClusterDecision {
  const s = refreshQuorum(s0, now);
  if (s.service !== 'Running') {
    const f = tryForm(s, now);
    return { state: f.state, effects: [...pre, ...f.effects] };
  }
  if (s.quorum.has) {
    if (!s.witness.arbitrating) {
      const r = reconcile(s, now);
      return { state: r.state, effects: [...pre, ...r.effects] };
    }
    // Arbitration won: now fence and take over what the removed nodes held.
    let won: ClusterState = {
      ...s,
      witness: { ...s.witness, arbitrating: false, arbitrationDeadline: null },
      pendingRemoved: [],
    };
    const effects = [...pre];
    if (s.pendingRemoved.length) {
      won = startFencing(won, s.pendingRemoved, now);
      effects.push({ type: 'fence', victims: won.fencing?.victims ?? s.pendingRemoved });
    }
    const r = reconcile(assignCsvCoordinators(won), now);
    // Members see this node hold the witness (and its renewed lease) before its push arrives.
    return {
      state: r.state,
      effects: [...effects, ...pokeMembers(r.state, now), ...push(r.state), ...r.effects],
    };
  }
  // Without quorum: keep arbitrating while the challenge is open, give up once it is denied; a
  // member that awaits its leader's word on quorum waits for it while its lease holds; a holder
  // whose defence was granted late still holds the witness, and the next defence settles it.
  if (
    (s.witness.arbitrating && s.witness.status === 'online') ||
    (awaitsLeader(s, now) && leaseValid(s, now)) ||
    defenceLate(s, now)
  ) {
    const r = reconcile(s, now);
    return { state: r.state, effects: [...pre, ...r.effects] };
  }
  return loseQuorum(s, now, pre);
}
