/**
 * Leases during arbitration (docs/design.md §Leases during arbitration): a survivor's roles run
 * on while it arbitrates for the witness, whichever node failed, and a node that loses the
 * arbitration or was removed still never answers for a VM that runs elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../../sim/cluster-harness.js';
import { expectSurvivorUninterrupted, FAILURES, fail } from '../test-support.js';
import { refreshQuorum, witnessFresh } from './lease.js';
import { onHbResult } from './membership.js';
import { freshWindow } from './state.js';
import { onWitnessResult, onWitnessTick } from './witness.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

/** A formed two-node cluster (Node and Disk Majority, 250 ms × 4) with role VM1 online on `owner`. */
function withRoleOn(owner: string): ClusterHarness {
  const sim = new ClusterHarness([N1, N2]);
  sim.formWithRole('VM1', owner);
  sim.run(500);
  return sim;
}

describe('survivors never stop (leases during arbitration)', () => {
  const cases: { failed: string; survivor: string; what: string }[] = [
    { failed: N1, survivor: N2, what: 'the leader and witness owner' },
    { failed: N2, survivor: N1, what: 'the other node' },
  ];
  for (const { failed, survivor, what } of cases) {
    for (const how of FAILURES) {
      it(`keeps VM1 on ${survivor} Online and answering, its lease never lapsing, when ${what} fails (${how})`, () => {
        const sim = withRoleOn(survivor);
        const recover = fail(sim, failed, how);
        expectSurvivorUninterrupted(sim, survivor, 3000);
        expect(sim.node(survivor).members).toEqual([survivor]);
        expect(sim.node(survivor).quorum.has).toBe(true);
        recover();
        expectSurvivorUninterrupted(sim, survivor, 3000);
      });
    }
  }
});

describe('safety while leases span arbitration', () => {
  it('a node that loses the arbitration stops its VM before the winner starts it', () => {
    const sim = withRoleOn(N2);
    sim.partition([N1], [N2]);
    const answeredBy: { at: number; node: string }[] = [];
    for (let t = 0; t < 6000; t += 5) {
      sim.run(5);
      const who = sim.answering('VM1');
      expect(who.length, `VM1 answered by ${who.join()} at ${sim.now} ms`).toBeLessThanOrEqual(1);
      for (const node of who) answeredBy.push({ at: sim.now, node });
    }
    const lastOnLoser = answeredBy.filter((a) => a.node === N2).at(-1)?.at;
    const firstOnWinner = answeredBy.find((a) => a.node === N1)?.at;
    const stopped = sim.events.find((e) => e.node === N2 && e.eventId === 1177)?.at;
    const started = sim.events.find((e) => e.node === N1 && e.kind === 'failover')?.at;
    expect(lastOnLoser).toBeDefined();
    expect(firstOnWinner).toBeDefined();
    expect(stopped).toBeDefined();
    expect(started).toBeDefined();
    expect(lastOnLoser!).toBeLessThan(firstOnWinner!);
    expect(stopped!).toBeLessThan(started!);
    expect(sim.node(N2).service).toBe('Stopped');
  });

  it('a frozen leader that thaws after being removed never answers for its moved VM', () => {
    const sim = withRoleOn(N1);
    sim.freeze(N1);
    sim.until('VM1 moved to N2', () => sim.answering('VM1').join() === N2, 10_000);
    sim.run(500);
    sim.thaw(N1);
    for (let t = 0; t < 3000; t += 5) {
      sim.run(5);
      expect(sim.answering('VM1'), `at ${sim.now} ms`).toEqual([N2]);
    }
    expect(sim.vmsOn(N1).VM1).toBeUndefined();
  });

  it('a leader frozen through the survivor’s arbitration never answers for its VM again once it moved', () => {
    const sim = withRoleOn(N1);
    sim.freeze(N1);
    for (let t = 0; t < 6000; t += 5) {
      sim.run(5);
      expect(sim.answering('VM1').length, `at ${sim.now} ms`).toBeLessThanOrEqual(1);
    }
    sim.thaw(N1);
    for (let t = 0; t < 3000; t += 5) {
      sim.run(5);
      expect(sim.answering('VM1'), `at ${sim.now} ms`).toEqual([N2]);
    }
  });
});

describe('the witness lease counts from the request', () => {
  it('a defence answered late holds the witness only from when it was sent', () => {
    const sim = withRoleOn(N1);
    const s0 = sim.node(N1);
    expect(s0.witness.held).toBe(true);
    const t0 = sim.now + 1;
    const asked = onWitnessTick({ ...s0, witness: { ...s0.witness, busy: false } }, t0);
    expect(asked.effects).toContainEqual(expect.objectContaining({ type: 'witness', op: 'defend' }));
    // The answer takes 400 ms to arrive (a loaded machine): the witness granted it at most then.
    const answered = onWitnessResult(
      asked.state,
      {
        type: 'witnessResult',
        op: 'defend',
        ok: true,
        outcome: 'granted',
        owner: N1,
        epoch: s0.witness.epoch,
      },
      t0 + 400,
    ).state;
    expect(answered.witness.lastDefendOkAt).toBe(t0);
    expect(witnessFresh(answered, t0 + freshWindow(answered))).toBe(true);
    expect(witnessFresh(answered, t0 + freshWindow(answered) + 1)).toBe(false);
  });
});

describe('stale heartbeat answers (a thawed node)', () => {
  it('an answer is as fresh as its request, and one to an older request than the last changes nothing', () => {
    const sim = withRoleOn(N1);
    const s0 = sim.node(N2);
    const last = s0.peers[N1]!;
    const t = sim.now + 1;
    const fresh = onHbResult(
      s0,
      { type: 'hbResult', peer: N1, ok: true, view: last.view!, sentAt: t },
      t + 300,
    );
    // Answered more than a heartbeat interval (250 ms) after its request: as fresh as the request.
    expect(fresh.state.peers[N1]?.lastOkAt).toBe(t);
    const prompt = onHbResult(
      s0,
      { type: 'hbResult', peer: N1, ok: true, view: last.view!, sentAt: t },
      t + 20,
    );
    expect(prompt.state.peers[N1]?.lastOkAt).toBe(t + 20);
    const before = fresh.state;
    const oldView = { ...last.view!, service: 'Joining' as const, members: [] };
    const stale = onHbResult(
      before,
      { type: 'hbResult', peer: N1, ok: true, view: oldView, sentAt: t - 4000 },
      t + 305,
    );
    expect(stale.state).toBe(before);
  });

  it('a peer that runs a cluster without this node gives it no vote', () => {
    const sim = withRoleOn(N1);
    const s0 = sim.node(N2);
    const now = sim.now + 1;
    const peer = { ...s0.peers[N1]!, lastOkAt: now };
    const agreeing = refreshQuorum({ ...s0, peers: { [N1]: peer } }, now);
    expect(agreeing.leaseUntil).toBeGreaterThan(now);
    const apart = { ...peer, view: { ...peer.view!, members: [N1], epoch: peer.view!.epoch + 1 } };
    const alone = refreshQuorum(
      { ...s0, leaseUntil: 0, witness: { ...s0.witness, held: false }, peers: { [N1]: apart } },
      now,
    );
    expect(alone.leaseUntil).toBe(0);
  });
});
