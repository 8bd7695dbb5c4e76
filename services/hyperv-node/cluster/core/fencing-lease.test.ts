/**
 * How long a winner waits before it restarts a removed node's roles: until the victim's lease
 * surely ended (fencing.ts victimsLeaseEnd). The victim renews its lease on answers from this
 * node; the last may be one this node gave to the victim's own heartbeat request, after the last
 * answer the victim gave here (found by the simulation's swarm, seed 417 of the default timing).
 */
import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../../sim/cluster-harness.js';
import { victimsLeaseEnd } from './fencing.js';
import { type ClusterState, freshWindow, leaseMs } from './state.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

/** N1, the leader and witness holder of N1 and N2, with N2 last heard as given. */
function leaderWith(peer: { lastOkAt: number; lastHeardAt?: number }): ClusterState {
  const sim = new ClusterHarness([N1, N2]);
  sim.formWithRole('VM1', N2);
  sim.run(500);
  const s = sim.node(N1);
  expect(s.witness.held).toBe(true);
  const p = s.peers[N2] as ClusterState['peers'][string];
  return { ...s, leaseExtendedUntil: 0, peers: { ...s.peers, [N2]: { ...p, ...peer } } };
}

describe('victimsLeaseEnd', () => {
  it("counts from the victim's last answer when no request of it came later", () => {
    const s = leaderWith({ lastOkAt: 10_000 });
    expect(victimsLeaseEnd(s, [N2], 10_000)).toBe(10_000 + freshWindow(s) + leaseMs(s));
  });

  it('counts from the answer to its last request taken here, which may reach it a heartbeat interval later', () => {
    const s = leaderWith({ lastOkAt: 10_000, lastHeardAt: 10_550 });
    expect(victimsLeaseEnd(s, [N2], 10_000)).toBe(10_550 + s.delayMs + freshWindow(s) + leaseMs(s));
    // A request taken before the last answer adds nothing that answer did not.
    const earlier = leaderWith({ lastOkAt: 10_000, lastHeardAt: 10_000 - s.delayMs - 1 });
    expect(victimsLeaseEnd(earlier, [N2], 10_000)).toBe(10_000 + freshWindow(s) + leaseMs(s));
  });
});
