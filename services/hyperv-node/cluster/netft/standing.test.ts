/**
 * What the heartbeat thread answers with while the service is busy (standing.ts): the service's
 * last view, whose lease and witness figures still run down with time, so a late answer never
 * claims more than the node had when it was given.
 */
import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../../sim/cluster-harness.js';
import { standingView, viewOf } from '../core/decide.js';
import { answerAt } from './standing.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

/** A formed two-node cluster (Node and Disk Majority, 250 ms × 4) with VM1 online on HVR2NODO1. */
function formed(): ClusterHarness {
  const sim = new ClusterHarness([N1, N2]);
  sim.formWithRole('VM1', N1);
  sim.run(500);
  return sim;
}

describe('the standing view', () => {
  it('answers at once as the view made then, lease and witness included', () => {
    const sim = formed();
    const s = sim.node(N1);
    expect(s.witness.held).toBe(true);
    const made = viewOf(s, sim.now);
    expect(made.leaseRemainingMs).toBeGreaterThan(0);
    expect(made.witnessHeld).toBe(true);
    expect(answerAt(standingView(s, sim.now), sim.now)).toEqual(made);
  });

  it('answers later with what the view made then would say then: less lease, and the witness only while fresh', () => {
    const sim = formed();
    const s = sim.node(N1);
    const sv = standingView(s, sim.now);
    for (const later of [10, 100, 400, 499, 500, 501, 2000, 60_000]) {
      const t = sim.now + later;
      const answer = answerAt(sv, t);
      expect(answer.leaseRemainingMs).toBe(viewOf(s, t).leaseRemainingMs);
      expect(answer.witnessHeld).toBe(viewOf(s, t).witnessHeld);
      expect(answer.madeAt).toBe(sim.now);
    }
    // The lease ran out within the minute: a late answer gives none, and never the witness.
    expect(answerAt(sv, sim.now + 60_000).leaseRemainingMs).toBe(0);
    expect(answerAt(sv, sim.now + 60_000).witnessHeld).toBe(false);
  });

  it('gives no lease and no witness for a node that held neither', () => {
    const sim = new ClusterHarness([N1, N2]);
    const s = sim.node(N2);
    const sv = standingView(s, sim.now);
    expect(answerAt(sv, sim.now)).toEqual(viewOf(s, sim.now));
    expect(answerAt(sv, sim.now).leaseRemainingMs).toBe(0);
    expect(answerAt(sv, sim.now).witnessHeld).toBe(false);
  });
});
