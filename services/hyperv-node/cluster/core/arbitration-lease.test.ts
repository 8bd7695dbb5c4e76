/**
 * A node's lease is extended for an arbitration only when its challenge goes to the witness: the
 * holder judges from its defences whether a removed node challenged while its lease held, so an
 * extension granted before the challenge is posted (the witness client busy with another call)
 * let a loser answer for VMs the winner had already restarted (found by the simulation, seed 7).
 */
import { describe, expect, it } from 'vitest';
import { twoNodeCore } from '../test-support.js';
import type { ClusterState } from './decide.js';
import { beginArbitration } from './lease.js';
import { onWitnessTick } from './witness.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

/** N2 leads a cluster of its own after removing N1, its lease holding until 10 s, without the witness. */
function removedPeer(busy: boolean): ClusterState {
  const s = twoNodeCore(N2);
  return {
    ...s,
    service: 'Running',
    leader: N2,
    members: [N2],
    leaseUntil: 10_000,
    witness: { ...s.witness, held: false, busy, owner: N1 },
  };
}

describe('the lease of an arbitration', () => {
  it('is not extended while the challenge cannot be posted yet', () => {
    const s = beginArbitration(removedPeer(true), 9_000, false);
    expect(s.witness.arbitrating).toBe(true);
    expect(s.leaseUntil).toBe(10_000);
    expect(s.witness.arbitrationDeadline).toBeNull();
  });

  it('is extended to the arbitration deadline when the challenge goes out, if it still holds', () => {
    const s = beginArbitration(removedPeer(true), 9_000, false);
    const posted = onWitnessTick({ ...s, witness: { ...s.witness, busy: false } }, 9_500);
    expect(posted.effects).toContainEqual(expect.objectContaining({ type: 'witness', op: 'arbitrate' }));
    expect(posted.state.leaseUntil).toBeGreaterThan(10_000);
    expect(posted.state.witness.arbitrationDeadline).toBe(posted.state.leaseUntil);
  });

  it('is not revived when it lapsed before the challenge went out', () => {
    const s = beginArbitration(removedPeer(true), 9_000, false);
    const posted = onWitnessTick({ ...s, witness: { ...s.witness, busy: false } }, 10_500);
    expect(posted.effects).toContainEqual(expect.objectContaining({ type: 'witness', op: 'arbitrate' }));
    expect(posted.state.leaseUntil).toBe(10_000);
  });

  it('is extended at once when the challenge goes out with the regroup', () => {
    const s = beginArbitration(removedPeer(false), 9_000, true);
    expect(s.leaseUntil).toBeGreaterThan(10_000);
  });
});
