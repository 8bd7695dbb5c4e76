/**
 * Witness arbitration: the leader holds and defends the witness, a partition that needs it
 * arbitrates for it, and the others watch who holds it; the answer settles quorum.
 */
import { assignCsvCoordinators } from './csv-coordination.js';
import {
  configFromWitness,
  witnessArbitrated,
  witnessDenied,
  witnessLost,
  witnessOffline,
} from './event-catalog.js';
import { startFencing } from './fencing.js';
import { refreshQuorum } from './lease.js';
import { loseQuorum } from './leave.js';
import type { ClusterDecision, ClusterEffectOrTimer, ClusterMsg } from './protocol.js';
import { usesWitness } from './quorum.js';
import { tryForm } from './regroup.js';
import { push } from './replication.js';
import { reconcile } from './roles.js';
import type { ClusterState } from './state.js';

export function onWitnessTick(s0: ClusterState, now: number): ClusterDecision {
  const s = refreshQuorum(s0, now);
  const effects: ClusterEffectOrTimer[] = [
    { type: 'startTimer', id: 'witness', ms: s.defendMs, msg: { type: 'witnessTick' } },
  ];
  if (!usesWitness(s.model) || s.witness.busy) return { state: s, effects };
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
      state: { ...s, witness: { ...s.witness, busy: true } },
      effects: [
        ...effects,
        { type: 'witness', op: 'get', epoch: s.witness.epoch, configVersion: s.config.version },
      ],
    };
  }
  return {
    state: { ...s, witness: { ...s.witness, busy: true } },
    effects: [...effects, { type: 'witness', op, epoch: s.witness.epoch, configVersion: s.config.version }],
  };
}

export function onWitnessResult(
  s0: ClusterState,
  msg: Extract<ClusterMsg, { type: 'witnessResult' }>,
  now: number,
): ClusterDecision {
  let s: ClusterState = { ...s0, witness: { ...s0.witness, busy: false } };
  const effects: ClusterEffectOrTimer[] = [];
  if (!msg.ok) {
    const lost = s.witness.held;
    s = { ...s, witness: { ...s.witness, status: 'offline', held: false } };
    if (lost) effects.push(witnessOffline(msg.error));
    return settleQuorum(s, now, effects);
  }
  if (msg.config && msg.config.version > s.config.version && s.service !== 'Running') {
    // A disk witness keeps the newest cluster database: take it (partition in time, DOMAIN.md §2).
    s = { ...s, config: msg.config };
    effects.push({ type: 'persist', config: msg.config }, configFromWitness(msg.config.version));
  }
  const owner = msg.owner ?? null;
  const epoch = msg.epoch ?? s.witness.epoch;
  switch (msg.op) {
    case 'get':
      s = {
        ...s,
        witness: {
          ...s.witness,
          owner,
          epoch,
          status: msg.status ?? 'online',
          held: owner === s.self && s.witness.held,
        },
      };
      break;
    case 'defend':
      if (msg.outcome === 'granted')
        s = {
          ...s,
          witness: { ...s.witness, owner: s.self, epoch, status: 'online', held: true, lastDefendOkAt: now },
        };
      else {
        s = { ...s, witness: { ...s.witness, owner, epoch, status: 'online', held: false } };
        effects.push(witnessLost(owner, epoch));
      }
      break;
    case 'arbitrate':
      if (msg.outcome === 'granted') {
        s = {
          ...s,
          witness: {
            ...s.witness,
            owner: s.self,
            epoch,
            status: 'online',
            held: true,
            lastDefendOkAt: now,
            arbitrating: false,
          },
        };
        effects.push(witnessArbitrated(epoch));
      } else if (msg.outcome === 'challenged') {
        s = { ...s, witness: { ...s.witness, owner, epoch, status: 'online', held: false } };
        effects.push({
          type: 'startTimer',
          id: 'witness',
          ms: msg.retryAfterMs ?? s.defendMs,
          msg: { type: 'witnessTick' },
        });
      } else {
        s = {
          ...s,
          witness: { ...s.witness, owner, epoch, status: 'online', held: false, arbitrating: false },
        };
        effects.push(witnessDenied(owner, epoch));
      }
      break;
  }
  return settleQuorum(s, now, effects);
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
    let won: ClusterState = { ...s, witness: { ...s.witness, arbitrating: false }, pendingRemoved: [] };
    const effects = [...pre];
    if (s.pendingRemoved.length) {
      won = startFencing(won, s.pendingRemoved, now);
      effects.push({ type: 'fence', victims: won.fencing?.victims ?? s.pendingRemoved });
    }
    const r = reconcile(assignCsvCoordinators(won), now);
    return { state: r.state, effects: [...effects, ...push(r.state), ...r.effects] };
  }
  // Without quorum: keep arbitrating while the challenge is open, give up once it is denied.
  if (s.witness.arbitrating && s.witness.status === 'online') {
    const r = reconcile(s, now);
    return { state: r.state, effects: [...pre, ...r.effects] };
  }
  return loseQuorum(s, now, pre);
}
