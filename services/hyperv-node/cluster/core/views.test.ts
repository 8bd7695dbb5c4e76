import { describe, expect, it } from 'vitest';
import { ClusterSim } from '../sim.js';
import { roleView, stateView } from './views.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

describe('the gRPC views of the cluster state', () => {
  it('shows both nodes up, quorum with a valid lease, and the CSV coordinator', () => {
    const sim = new ClusterSim([N1, N2]);
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
    const sim = new ClusterSim([N1, N2]);
    sim.until('formed', () => sim.node(N1).service === 'Running' && sim.node(N2).service === 'Running');
    sim.powerOff(N2);
    sim.until('N2 removed', () => sim.node(N1).members.length === 1);
    const view = stateView(sim.node(N1), sim.now, () => undefined);
    expect(view.nodes.find((n) => n.name === N2)?.state).toBe('Down');
    expect(view.csv[0]?.modes).toEqual([{ node: N1, mode: 'Offline' }]);
    expect(() => roleView(sim.node(N1), 'VM9', sim.now)).toThrow(/no clustered role named VM9/);
  });
});
