/**
 * A VM operation the VM manager refuses on a VM this node does not own is asked again at the next
 * tick, never in the same instant: turning off a VM still coming in by migration is refused until
 * the migration ends, and the immediate retry looped forever (simulation seed 93 of the seed
 * topology, once a powered-off source's roles were taken over at once).
 */
import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../../sim/cluster-harness.js';
import { Random } from '../../../actor/clock.js';
import { decideCluster } from './decide.js';
import type { ClusterEffectOrTimer, ClusterMsg } from './protocol.js';
import type { ClusterState } from './state.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

const vmOps = (effects: ClusterEffectOrTimer[]) =>
  effects.flatMap((e) => (e.type === 'vm' ? [`${e.op} ${e.name}`] : []));

describe('a refused VM operation on a VM owned elsewhere', () => {
  it('is asked again at the next tick, not at once', () => {
    const sim = new ClusterHarness([N1, N2]);
    sim.formWithRole('VM1', N2);
    sim.run(500);
    // N1 finds a copy of VM1 starting here (an incoming migration, say): it must turn it off.
    let s: ClusterState = { ...sim.node(N1), vms: { ...sim.node(N1).vms, VM1: 'Starting' } };
    const ctx = { now: sim.now, random: new Random(1), self: N1 };
    const step = (msg: ClusterMsg) => {
      const d = decideCluster(s, msg, ctx);
      s = d.state;
      return vmOps(d.effects);
    };
    expect(step({ type: 'vmState', name: 'VM1', state: 'Starting' })).toEqual(['turnOff VM1']);
    const refused = {
      type: 'vmOpDone',
      name: 'VM1',
      op: 'turnOff',
      ok: false,
      error: 'it is Incoming',
    } as const;
    expect(step(refused)).toEqual([]);
    expect(step({ type: 'vmState', name: 'VM1', state: 'Starting' })).toEqual([]);
    expect(step({ type: 'tick' })).toEqual(['turnOff VM1']);
  });
});
