import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { metricNameProblems } from '../observability/metrics.js';
import { storageMetrics } from './metrics.js';

describe('storage-controller metrics', () => {
  it('follow the naming rules', async () => {
    const r = new Registry();
    storageMetrics(r);
    expect(await metricNameProblems(r)).toEqual([]);
  });

  it('count operations, bytes and conflicts per LUN; latency only of what succeeded', async () => {
    const r = new Registry();
    const o = storageMetrics(r);
    o.io('CSV1', 'write', 4096, 0.002, null);
    o.io('CSV1', 'write', 0, 0.001, 'RESERVATION_CONFLICT');
    o.conflict('CSV1', 'write');
    const text = await r.metrics();
    expect(text).toContain('dcbox_storage_io_total{lun="CSV1",op="write",result="ok"} 1');
    expect(text).toContain('dcbox_storage_io_total{lun="CSV1",op="write",result="reservation_conflict"} 1');
    expect(text).toContain('dcbox_storage_io_bytes_total{lun="CSV1",op="write"} 4096');
    expect(text).toContain('dcbox_storage_io_latency_seconds_count{lun="CSV1",op="write"} 1');
    expect(text).toContain('dcbox_storage_reservation_conflicts_total{lun="CSV1",command="write"} 1');
  });
});
