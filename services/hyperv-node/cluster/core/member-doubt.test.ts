/**
 * A member awaits its leader's word on quorum (docs/design.md §Leases during arbitration): the
 * leader's push of a new membership may arrive before the heartbeat that shows the leader holding
 * the witness. Counted against the leader's older view, the membership lacked quorum and the
 * member turned its running VM off (found moving survivors.test.ts onto the full simulation: four
 * nodes, the witness owner that does not lead frozen). The member now keeps its VM running while
 * its lease holds, and has quorum once the leader's heartbeat arrives.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../../../actor/clock.js';
import { fastCore, onlineRole } from '../test-support.js';
import { type ClusterState, decideCluster, type View } from './decide.js';
import type { ClusterDecision, ClusterMsg } from './protocol.js';

const [N1, N2, N3, N4] = ['HVR2NODO1', 'HVR2NODO2', 'HVR2NODO3', 'HVR2NODO4'];
const NOW = 10_000;

/** N1's view as N3 holds it: leading {N1, N3} (epoch 8), the witness not yet shown held. */
function leaderView(witnessHeld: boolean): View {
  return {
    node: N1,
    service: 'Running',
    epoch: 8,
    members: [N1, N3],
    leader: N1,
    configVersion: 20,
    witness: { owner: N2, epoch: 2, status: 'online' },
    witnessHeld,
    roles: {},
    leaseRemainingMs: 500,
  };
}

/**
 * HVR2NODO3, a member of the 4-node Node and Disk Majority cluster {N1, N2, N3} led by N1, running
 * its role VM3, its lease holding until 10.5 s; N1 answered 10 ms ago, arbitrating after removing
 * the frozen N2 (N4 is off).
 */
function member(): ClusterState {
  const s = fastCore(N3, [N1, N2, N3, N4]);
  const role = onlineRole('VM3', N3);
  return {
    ...s,
    service: 'Running',
    epoch: 7,
    members: [N1, N2, N3],
    leader: N1,
    quorum: { has: true, votes: 3, needed: 3, total: 5 },
    leaseUntil: NOW + 500,
    config: { version: 19, roles: { VM3: role }, csv: {} },
    vms: { VM3: 'Running' },
    needsRegister: false,
    witness: { ...s.witness, owner: N2, epoch: 2, status: 'online' },
    peers: {
      ...s.peers,
      [N1]: { lastOkAt: NOW - 10, lastAskedAt: NOW - 10, missed: 0, down: false, view: leaderView(false) },
      [N2]: { lastOkAt: NOW - 1200, missed: 4, down: true, view: null },
    },
  };
}

/** N1's push of the membership {N1, N3}, sent once it won the witness. */
const push: ClusterMsg = {
  type: 'configPush',
  from: N1,
  config: { version: 20, roles: member().config.roles, csv: {} },
  epoch: 8,
  members: [N1, N3],
  leader: N1,
};

const turnsOff = (d: ClusterDecision) =>
  d.effects.some((e) => e.type === 'vm' && (e as { op: string }).op === 'turnOff');
const decide = (s: ClusterState, msg: ClusterMsg, now: number) =>
  decideCluster(s, msg, { now, random: new Random(1), self: N3 });

describe('a member whose leader’s push arrives before its heartbeat', () => {
  it('keeps its running VM while it awaits the leader’s word on quorum', () => {
    const pushed = decide(member(), push, NOW);
    expect(pushed.state.members).toEqual([N1, N3]);
    expect(pushed.state.service).toBe('Running');
    expect(turnsOff(pushed), JSON.stringify(pushed.effects)).toBe(false);
    // The leader's heartbeat, showing it holds the witness, settles quorum.
    const heard = decide(pushed.state, { type: 'hbRequest', view: leaderView(true) }, NOW + 100);
    expect(heard.state.quorum.has).toBe(true);
    expect(turnsOff(heard)).toBe(false);
  });

  it('does not stop its cluster service on a witness answer that comes in between', () => {
    const pushed = decide(member(), push, NOW);
    const answer: ClusterMsg = {
      type: 'witnessResult',
      op: 'get',
      ok: true,
      owner: N1,
      epoch: 3,
      status: 'online',
    };
    const asked = { ...pushed.state, witness: { ...pushed.state.witness, busy: true, askedAt: NOW } };
    const got = decide(asked, answer, NOW + 50);
    expect(got.state.service).toBe('Running');
    expect(turnsOff(got)).toBe(false);
  });

  it('turns its VM off once its lease lapsed without the leader’s word', () => {
    const pushed = decide(member(), push, NOW);
    const late = decide(pushed.state, { type: 'tick' }, NOW + 501);
    expect(turnsOff(late)).toBe(true);
  });
});
