/**
 * A node restarted within the heartbeat threshold (powered off and on again before its peer
 * missed SameSubnetThreshold heartbeats) has left the cluster: its peer regroups without it and
 * it joins again, rather than being kept as a member — and as leader — while it waits to join
 * for good (found by the deterministic simulation, seed 15 of the seed topology).
 */
import { describe, expect, it } from 'vitest';
import { ClusterSim } from '../sim.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

describe('a node restarted within the heartbeat threshold', () => {
  for (const restarted of [N1, N2])
    it(`rejoins the cluster when ${restarted === N1 ? 'the leader' : 'the other node'} comes back before it was missed`, () => {
      const sim = new ClusterSim([N1, N2]);
      sim.formWithRole('VM1', N2);
      sim.run(500);
      sim.powerOff(restarted);
      // 250 ms × 4 detect a silent node after 1 s: back after 600 ms, before that.
      sim.run(600);
      sim.powerOn(restarted);
      sim.until(
        'both nodes run the cluster together',
        () => [N1, N2].every((n) => sim.node(n).service === 'Running' && sim.node(n).members.length === 2),
        15_000,
      );
      expect(sim.node(N1).leader).toBe(sim.node(N2).leader);
    });
});
