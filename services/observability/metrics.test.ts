import { Counter, Gauge, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  makeRegistry,
  metricNameProblems,
  metricsEndpoint,
  setStateSet,
  startMetricsServer,
} from './metrics.js';

const info = { version: '0.1.0', topology: 'seed', seed: '1', host: 'HVR2NODO1', component: 'hyperv-node' };

describe('process metrics', () => {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const c of closers.splice(0)) c();
  });

  it('names the process metrics and dcbox_info by the rules', async () => {
    const r = makeRegistry(info);
    expect(await metricNameProblems(r)).toEqual([]);
    const text = await r.metrics();
    expect(text).toContain(
      'dcbox_info{version="0.1.0",topology="seed",seed="1",host="HVR2NODO1",component="hyperv-node"} 1',
    );
    expect(text).toContain('dcbox_process_resident_memory_bytes');
  });

  it('finds what breaks the rules: prefix, _total, units', async () => {
    const r = new Registry();
    new Counter({ name: 'dcbox_heartbeats', help: 'h', registers: [r] });
    new Gauge({ name: 'cluster_members', help: 'h', registers: [r] });
    new Gauge({ name: 'dcbox_blackout_ms', help: 'h', registers: [r] });
    expect(await metricNameProblems(r)).toEqual([
      'dcbox_heartbeats: a counter without _total',
      'cluster_members: not dcbox_[a-z0-9_]+',
      'dcbox_blackout_ms: time must be in seconds',
    ]);
  });

  it('puts /metrics on gRPC port + 5 in the local runtime and on 9464 of the host address in netns', () => {
    expect(metricsEndpoint({ address: '127.0.0.1', grpcPort: 47210 })).toEqual({
      address: '127.0.0.1',
      port: 47215,
    });
    expect(metricsEndpoint({ address: '198.18.0.20', grpcPort: 50051 })).toEqual({
      address: '198.18.0.20',
      port: 9464,
    });
  });

  it('sets one series per state, 1 for the current one', async () => {
    const r = new Registry();
    const g = new Gauge({ name: 'dcbox_x_state', help: 'h', labelNames: ['role', 'state'], registers: [r] });
    setStateSet(g, { role: 'VM1' }, 'state', ['Online', 'Offline'], 'Offline');
    const text = await r.metrics();
    expect(text).toContain('dcbox_x_state{role="VM1",state="Online"} 0');
    expect(text).toContain('dcbox_x_state{role="VM1",state="Offline"} 1');
  });

  it('serves GET /metrics in the Prometheus text format and 404 elsewhere', async () => {
    const r = makeRegistry(info, { processMetrics: false });
    const server = await startMetricsServer(r, '127.0.0.1', 0);
    closers.push(() => server.close());
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toContain('# TYPE dcbox_info gauge');
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
  });
});
