/**
 * The Grafana dashboard shipped in observability/ is built on metrics that exist: every dcbox_
 * name its queries and annotations use is registered by some process (fast, no data center).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { orchestratorMetrics } from '../orchestrator/daemon/metrics.js';
import { initialCluster } from '../services/hyperv-node/cluster/core/decide.js';
import { nodeMetrics } from '../services/hyperv-node/metrics.js';
import { initialMpio } from '../services/hyperv-node/mpio.js';
import { mmMetrics } from '../services/management-module/metrics.js';
import { makeRegistry } from '../services/observability/metrics.js';
import { storageMetrics } from '../services/storage-controller/metrics.js';
import { projectRoot } from '../services/transport/grpc.js';

/** Every metric name any dcbox process registers, with a histogram's series suffixes. */
async function allNames(): Promise<Set<string>> {
  const r = makeRegistry({ version: '', topology: '', seed: '', host: '', component: '' });
  const cluster = initialCluster({
    cluster: 'C',
    self: 'N1',
    nodes: [{ name: 'N1', id: 1 }],
    model: 'node-majority',
    delayMs: 1000,
    threshold: 5,
    defendMs: 1000,
    witnessKeepsConfig: false,
    csv: [],
    saved: null,
    now: 0,
  });
  const mpio = initialMpio({
    policy: 'none',
    nodeKey: '1',
    luns: [],
    paths: [{ host: 'rssm3', ioBay: 3 }],
    verifyPeriodMs: 1000,
  });
  nodeMetrics(r, { cluster: () => cluster, csv: () => [], mpio: () => mpio });
  storageMetrics(r);
  mmMetrics(r, {
    chassis: () => ({ blades: [], io_modules: [], storage_modules: [] }),
    loginFailures: () => 0,
  });
  orchestratorMetrics(r, () => []);
  const names = new Set<string>();
  for (const m of await r.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

describe('the Grafana dashboard', () => {
  it('uses only metrics that dcbox processes serve, and annotates injected faults', async () => {
    const text = readFileSync(join(projectRoot, 'observability', 'grafana-dashboard.json'), 'utf8');
    const dash = JSON.parse(text) as { annotations: { list: { expr?: string }[] }; panels: unknown[] };
    const used = new Set(text.match(/dcbox_[a-z0-9_]+/g) ?? []);
    const served = await allNames();
    expect([...used].filter((n) => !served.has(n))).toEqual([]);
    for (const n of [
      'dcbox_cluster_service_state',
      'dcbox_cluster_quorum_votes',
      'dcbox_cluster_role_state',
      'dcbox_faults_active',
      'dcbox_storage_io_latency_seconds_bucket',
    ])
      expect(used).toContain(n);
    expect(dash.annotations.list.some((a) => a.expr?.includes('dcbox_faults_injected_total'))).toBe(true);
  });
});
