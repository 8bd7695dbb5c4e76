/**
 * A witness holder whose defence is answered late keeps the witness
 * (docs/design.md §Leases during arbitration): its last granted defence grows older than the fresh
 * window only because the reply was retransmitted or the Quorum LUN was slow, and nothing refused
 * it. The survivor of
 * a power-off (fast seed 1 of the deterministic simulation) counted the witness's vote lost for
 * that instant, turned both its VMs off at its next heartbeat tick and started them again when the
 * defence came back. It now keeps what runs while its lease holds, and starts nothing new.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../../../actor/clock.js';
import { fastCore, onlineRole } from '../test-support.js';
import { type ClusterState, decideCluster } from './decide.js';
import type { ClusterDecision, ClusterMsg } from './protocol.js';

const [N1, N2] = ['HVR2NODO1', 'HVR2NODO2'];
/** The last granted defence was asked at 8.8 s; with 250 ms heartbeats the witness is fresh until 9.3 s. */
const DEFENDED_AT = 8_800;

/**
 * HVR2NODO1 alone in the two-node Node and Disk Majority cluster (N2 was removed and fenced),
 * holding the witness, running VM1, its lease renewed at 9.3 s until 10.175 s, a defence asked at
 * 9.05 s still unanswered (its reply lost and sent again).
 */
function survivor(): ClusterState {
  const s = fastCore(N1, [N1, N2]);
  const role = onlineRole('VM1', N1);
  return {
    ...s,
    service: 'Running',
    epoch: 2,
    members: [N1],
    leader: N1,
    quorum: { has: true, votes: 2, needed: 2, total: 3 },
    leaseUntil: 10_175,
    config: { version: 5, roles: { VM1: role }, csv: {} },
    vms: { VM1: 'Running' },
    needsRegister: false,
    witness: {
      ...s.witness,
      owner: N1,
      epoch: 1,
      status: 'online',
      held: true,
      lastDefendOkAt: DEFENDED_AT,
      busy: true,
      askedAt: 9_050,
      calls: 1,
    },
    peers: { ...s.peers, [N2]: { lastOkAt: 7_000, missed: 4, down: true, view: null } },
  };
}

const turnsOff = (d: ClusterDecision) =>
  d.effects.some((e) => e.type === 'vm' && (e as { op: string }).op === 'turnOff');
const leaves = (d: ClusterDecision) => d.state.service !== 'Running';
const decide = (s: ClusterState, msg: ClusterMsg, now: number) =>
  decideCluster(s, msg, { now, random: new Random(1), self: N1 });
const defended = (outcome: 'granted' | 'denied', owner = N1): ClusterMsg => ({
  type: 'witnessResult',
  op: 'defend',
  ok: true,
  outcome,
  owner,
  epoch: 1,
});

describe('a witness holder whose defence is answered late', () => {
  it('keeps its running VM while its lease holds', () => {
    const tick = decide(survivor(), { type: 'tick' }, 9_600);
    expect(tick.state.quorum.has).toBe(false);
    expect(turnsOff(tick), JSON.stringify(tick.effects)).toBe(false);
    expect(leaves(tick)).toBe(false);
  });

  it('stays in the cluster when the late defence is granted, and has quorum at the next one', () => {
    // Granted at 9.6 s, counted from when it was asked (9.05 s): still not fresh.
    const late = decide(survivor(), defended('granted'), 9_600);
    expect(leaves(late)).toBe(false);
    expect(turnsOff(late)).toBe(false);
    const asked = { ...late.state, witness: { ...late.state.witness, busy: true, askedAt: 9_650, calls: 1 } };
    const next = decide(asked, defended('granted'), 9_660);
    expect(next.state.quorum.has).toBe(true);
    expect(next.state.leaseUntil).toBeGreaterThan(10_175);
  });

  it('turns its VM off once its lease lapsed without a defence', () => {
    const tick = decide(survivor(), { type: 'tick' }, 10_200);
    expect(turnsOff(tick)).toBe(true);
  });

  it('leaves the cluster when the defence is refused', () => {
    const lost = decide(survivor(), defended('denied', N2), 9_600);
    expect(leaves(lost)).toBe(true);
    expect(turnsOff(lost)).toBe(true);
  });
});
