import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../sim/cluster-harness.js';
import { metricNameProblems } from '../observability/metrics.js';
import { groupState } from './cluster/core/decide.js';
import { nodeMetrics } from './metrics.js';
import { initialMpio } from './mpio.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

function registry(sim: ClusterHarness) {
  const r = new Registry();
  const mpio = initialMpio({
    policy: 'failover-only',
    nodeKey: '0000000000010001',
    luns: ['CSV1'],
    paths: [
      { host: 'rssm3', ioBay: 3 },
      { host: 'rssm4', ioBay: 4 },
    ],
    verifyPeriodMs: 60_000,
  });
  const m = nodeMetrics(r, {
    cluster: () => sim.node(N1),
    csv: () => [
      {
        volume: 'Volume1',
        coordinator: sim.node(N1).config.csv.Volume1?.coordinator ?? null,
        mode: 'Direct',
      },
    ],
    mpio: () => mpio,
  });
  return { r, m };
}

describe('hyperv-node metrics', () => {
  it('follow the naming rules', async () => {
    const { r } = registry(new ClusterHarness([N1, N2]));
    expect(await metricNameProblems(r)).toEqual([]);
  });

  it('show membership, quorum, witness, CSV, role state and paths from the cores at scrape time', async () => {
    const sim = new ClusterHarness([N1, N2]);
    const { r, m } = registry(sim);
    sim.until('formed', () => sim.node(N1).service === 'Running' && sim.node(N1).witness.held);
    const spec = sim.defineVm(N1, 'VM1');
    sim.command(N1, {
      op: 'makeHa',
      vm: spec,
      owner: N1,
      vmState: 'Off',
      preferredOwners: [],
      allowFailback: false,
    });
    sim.run(10);
    sim.command(N1, { op: 'online', role: 'VM1' });
    sim.until('VM1 online', () => groupState(sim.node(N1), sim.node(N1).config.roles.VM1!) === 'Online');
    m.heartbeatsSent.inc({ peer: N2 });
    m.blackoutSeconds.observe({ kind: 'live' }, 0.004);
    const text = await r.metrics();
    expect(text).toContain('dcbox_cluster_members 2');
    expect(text).toContain('dcbox_cluster_quorum_votes 3');
    expect(text).toContain('dcbox_cluster_quorum_votes_needed 2');
    expect(text).toContain('dcbox_cluster_quorum 1');
    expect(text).toContain('dcbox_cluster_service_state{state="Running"} 1');
    expect(text).toMatch(/dcbox_cluster_witness_owner_info\{owner="HVR2NODO1",status="online"\} 1/);
    expect(text).toContain('dcbox_cluster_role_state{role="VM1",state="Online"} 1');
    expect(text).toContain('dcbox_cluster_role_state{role="VM1",state="Offline"} 0');
    expect(text).toContain('dcbox_csv_coordinator{volume="Volume1"} 1');
    expect(text).toContain('dcbox_csv_io_mode{volume="Volume1",mode="Direct"} 1');
    expect(text).toContain('dcbox_mpio_path_state{lun="CSV1",path="rssm3",state="Active"} 1');
    // Failover Only keeps the second path in Standby, as `dcbox paths` shows it.
    expect(text).toContain('dcbox_mpio_path_state{lun="CSV1",path="rssm4",state="Standby"} 1');
    expect(text).toContain('dcbox_cluster_heartbeats_sent_total{peer="HVR2NODO2"} 1');
    expect(text).toContain('dcbox_migration_blackout_seconds_bucket{le="0.005",kind="live"} 1');
  });
});
