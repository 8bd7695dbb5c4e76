import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metricNameProblems } from '../../services/observability/metrics.js';
import { orchestratorMetrics, prometheusConfig } from './metrics.js';

describe('orchestrator metrics', () => {
  it('follow the naming rules and count injected and active faults by kind', async () => {
    const r = new Registry();
    const active = ['kill', 'kill', 'partition'];
    const m = orchestratorMetrics(r, () => active);
    expect(await metricNameProblems(r)).toEqual([]);
    m.injected.inc({ kind: 'kill' });
    const text = await r.metrics();
    expect(text).toContain('dcbox_faults_injected_total{kind="kill"} 1');
    expect(text).toContain('dcbox_faults_injected_total{kind="netem"} 0');
    expect(text).toContain('dcbox_faults_active{kind="kill"} 2');
    expect(text).toContain('dcbox_faults_active{kind="partition"} 1');
  });

  it('writes a Prometheus configuration with one job per component and the orchestrator', () => {
    const yml = prometheusConfig({
      topology: 'seed',
      hosts: [
        { name: 'HVR2NODO1', component: 'hyperv-node', address: '198.18.0.20', grpcPort: 50051 },
        { name: 'HVR2NODO2', component: 'hyperv-node', address: '198.18.0.21', grpcPort: 50051 },
        { name: 'storage', component: 'storage-controller', address: '127.0.0.1', grpcPort: 47200 },
      ],
      orchestrator: '127.0.0.1:27101',
      scrapeIntervalS: 1,
    });
    const doc = parse(yml);
    expect(doc.global.scrape_interval).toBe('1s');
    const jobs = Object.fromEntries(
      doc.scrape_configs.map((j: { job_name: string; static_configs: unknown[] }) => [
        j.job_name,
        j.static_configs,
      ]),
    );
    expect(jobs['dcbox-orchestrator']).toEqual([
      { targets: ['127.0.0.1:27101'], labels: { component: 'orchestrator' } },
    ]);
    expect(jobs['dcbox-hyperv-node']).toEqual([
      { targets: ['198.18.0.20:9464'], labels: { host: 'HVR2NODO1', component: 'hyperv-node' } },
      { targets: ['198.18.0.21:9464'], labels: { host: 'HVR2NODO2', component: 'hyperv-node' } },
    ]);
    expect(jobs['dcbox-storage-controller']).toEqual([
      { targets: ['127.0.0.1:47205'], labels: { host: 'storage', component: 'storage-controller' } },
    ]);
  });
});
