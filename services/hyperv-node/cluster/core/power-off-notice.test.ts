/**
 * A lost peer whose blade the chassis's management module announced powered off (fencing.ts
 * poweredOff): the survivor takes its roles over without waiting out its lease, since none of
 * its processes runs; an announcement the peer outlived changes nothing
 * (docs/design.md §Fencing before takeover).
 */
import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../../sim/cluster-harness.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

/** VM1 online on HVR2NODO2 of a formed two-node cluster (fast timing: 250 ms × 4). */
function withRoleOnN2(): ClusterHarness {
  const sim = new ClusterHarness([N1, N2]);
  sim.formWithRole('VM1', N2);
  sim.run(500);
  return sim;
}

/** From Event 1135 (N2 removed) on N1 to VM1's failover start there, stepping 5 ms at a time. */
function removalToStart(sim: ClusterHarness): number {
  sim.until('VM1 failed over to HVR2NODO1', () =>
    sim.events.some((e) => e.node === N1 && e.kind === 'failover'),
  );
  const removed = sim.events.find((e) => e.node === N1 && e.eventId === 1135)?.at;
  const started = sim.events.find((e) => e.node === N1 && e.kind === 'failover')?.at;
  expect(removed).toBeDefined();
  return (started as number) - (removed as number);
}

describe('a lost peer powered off through the management module', () => {
  it('is taken over without waiting out its lease; a power cut the MM did not announce waits', () => {
    const announced = withRoleOnN2();
    announced.powerOffThroughMm(N2);
    const quick = removalToStart(announced);

    const silent = withRoleOnN2();
    silent.powerOff(N2); // the backplane alone: nobody announces it
    const waited = removalToStart(silent);

    // The preempt's round trips and the start, no lease (377 ms against 7 ms at seed 1).
    expect(quick).toBeLessThan(100);
    expect(waited - quick).toBeGreaterThan(200);
    expect(announced.fences.map((f) => f.victims)).toEqual([[N2]]);
    announced.run(1000); // the guest boots
    expect(announced.answering('VM1')).toEqual([N1]);
  });

  it('takes over as soon as the announcement comes, when it comes after the removal', () => {
    const sim = withRoleOnN2();
    sim.powerOff(N2);
    sim.until('N2 removed', () => sim.events.some((e) => e.node === N1 && e.eventId === 1135));
    sim.run(50); // the preempt is done; the takeover waits for the lease
    expect(sim.events.some((e) => e.node === N1 && e.kind === 'failover')).toBe(false);
    const at = sim.now;
    sim.deliver(N1, { type: 'peerPoweredOff', node: N2 });
    sim.until('VM1 failed over', () => sim.events.some((e) => e.node === N1 && e.kind === 'failover'));
    expect(sim.now - at).toBeLessThan(50);
  });

  it('waits out the lease of a peer that answered after an announcement of its power off', () => {
    /** N2 frozen; the removal-to-start time, checking at every step that VM1 answers once at most. */
    const frozen = (staleNotice: boolean) => {
      const sim = withRoleOnN2();
      // A stale (or false) announcement: N2 still runs and answers heartbeats after it.
      if (staleNotice) sim.deliver(N1, { type: 'peerPoweredOff', node: N2 });
      sim.run(1000);
      sim.freeze(N2);
      for (let t = 0; t < 5000; t += 5) {
        sim.run(5);
        expect(sim.answering('VM1').length, `at ${sim.now} ms`).toBeLessThanOrEqual(1);
      }
      return removalToStart(sim);
    };
    const withNotice = frozen(true);
    expect(withNotice).toBeGreaterThan(0);
    expect(withNotice).toBe(frozen(false));
  });
});
