/**
 * A node out of the cluster arbitrates for the witness again only when it is due: after a
 * challenge it posted, when the witness said the holder's chance to defend ends; after a denial,
 * a defence interval later. It asked again at once before, about 450 times a second while
 * partitioned from the holder (found by the deterministic simulation, seed 3).
 */
import { describe, expect, it } from 'vitest';
import { twoNodeCore } from '../test-support.js';
import type { ClusterEffect, ClusterState } from './decide.js';
import { tryForm } from './regroup.js';
import { onWitnessResult } from './witness.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';
const NOW = 100_000;

/** N1, out of the cluster, alone: it may form only with the witness. */
function alone(): ClusterState {
  const s = twoNodeCore(N1);
  return { ...s, service: 'Stopped' };
}

const arbitrates = (effects: readonly unknown[]) =>
  effects.some((e) => (e as ClusterEffect).type === 'witness' && (e as { op: string }).op === 'arbitrate');

describe('a node out of the cluster asking the witness again', () => {
  it('arbitrates when nothing stops it (the setting of the cases below)', () => {
    expect(arbitrates(tryForm(alone(), NOW).effects)).toBe(true);
  });

  it('waits for the time the witness named after a challenge it posted', () => {
    const busy = { ...alone(), witness: { ...alone().witness, busy: true } };
    const r = onWitnessResult(
      busy,
      {
        type: 'witnessResult',
        op: 'arbitrate',
        ok: true,
        outcome: 'challenged',
        owner: N2,
        epoch: 4,
        retryAfterMs: 2900,
      },
      NOW,
    );
    expect(arbitrates(r.effects)).toBe(false);
    expect(r.effects).toContainEqual(
      expect.objectContaining({ type: 'startTimer', id: 'witness', ms: 2900 }),
    );
    expect(arbitrates(tryForm(r.state, NOW + 2899).effects)).toBe(false);
    expect(arbitrates(tryForm(r.state, NOW + 2900).effects)).toBe(true);
  });

  it('waits a defence interval after a denial', () => {
    const busy = { ...alone(), witness: { ...alone().witness, busy: true } };
    const r = onWitnessResult(
      busy,
      { type: 'witnessResult', op: 'arbitrate', ok: true, outcome: 'denied', owner: N2, epoch: 4 },
      NOW,
    );
    expect(arbitrates(r.effects)).toBe(false);
    expect(arbitrates(tryForm(r.state, NOW + 999).effects)).toBe(false);
    expect(arbitrates(tryForm(r.state, NOW + 1000).effects)).toBe(true);
  });
});
