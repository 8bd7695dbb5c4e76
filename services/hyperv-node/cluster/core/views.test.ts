import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../../sim/cluster-harness.js';
import { roleView, stateView } from './views.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

describe('the gRPC views of the cluster state', () => {
  it('shows both nodes up, quorum with a valid lease, and the CSV coordinator', () => {
    const sim = new ClusterHarness([N1, N2]);
    sim.until('formed', () => sim.node(N1).service === 'Running' && sim.node(N2).service === 'Running');
    const view = stateView(sim.node(N1), sim.now, () => 'Direct');
    expect(view.nodes.map((n) => n.state)).toEqual(['Up', 'Up']);
    expect(view.quorum.has_quorum).toBe(true);
    expect(view.csv).toEqual([
      {
        volume: 'Volume1',
        path: 'C:\\ClusterStorage\\Volume1',
        lun: 'CSV1',
        coordinator: N1,
        modes: [{ node: N1, mode: 'Direct' }],
      },
    ]);
  });

  it('shows a node that is not running as Down, and refuses an unknown role', () => {
    const sim = new ClusterHarness([N1, N2]);
    sim.until('formed', () => sim.node(N1).service === 'Running' && sim.node(N2).service === 'Running');
    sim.powerOff(N2);
    sim.until('N2 removed', () => sim.node(N1).members.length === 1);
    const view = stateView(sim.node(N1), sim.now, () => undefined);
    expect(view.nodes.find((n) => n.name === N2)?.state).toBe('Down');
    expect(view.csv[0]?.modes).toEqual([{ node: N1, mode: 'Offline' }]);
    expect(() => roleView(sim.node(N1), 'VM9', sim.now)).toThrow(/no clustered role named VM9/);
  });
});

describe('what a node vouches for', () => {
  it('never shows a role Online on a thawed node while the survivor runs it Online', () => {
    const sim = new ClusterHarness([N1, N2]);
    sim.formWithRole('VM1', N2);
    sim.freeze(N2);
    const onN1 = () => roleView(sim.node(N1), 'VM1', sim.now);
    sim.until('VM1 online on N1', () => onN1().owner === N1 && onN1().state === 'Online');
    sim.thaw(N2);
    let both = 0;
    let looked = 0;
    for (let t = 0; t < 3000; t += 5) {
      const n2 = roleView(sim.node(N2), 'VM1', sim.now);
      if (n2.owner === N2 && n2.state === 'Online' && onN1().state === 'Online') both++;
      looked++;
      sim.run(5);
    }
    expect(looked).toBeGreaterThan(0);
    expect(both).toBe(0);
  });
});
