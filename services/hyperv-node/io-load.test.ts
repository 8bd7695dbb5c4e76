import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../actor/clock.js';
import { DATA_START_BYTES } from './csv/file-table.js';
import { checkIoLoad, type IoLoadSpec, LatencyHistogram, runIoLoad } from './io-load.js';
import type { IoResult, StorageOp } from './mpio.js';

const GiB = 1024 ** 3;
const spec: IoLoadSpec = {
  lun: 'CSV1',
  kind: 'write',
  blockSize: 4096,
  sequential: false,
  depth: 8,
  durationMs: 30,
  offsetBase: 60 * GiB,
  spanBytes: 256 * 1024 * 1024,
};
const vmDisk = {
  path: 'C:\\ClusterStorage\\Volume1\\VM1\\VM1.vhd',
  offset: DATA_START_BYTES,
  sizeBytes: 64 << 20,
};

describe('an I/O load inside the node', () => {
  it("runs only in the CSV's free space, within its limits", () => {
    expect(checkIoLoad(spec, 100 * GiB, [vmDisk])).toBeNull();
    const over = checkIoLoad({ ...spec, offsetBase: DATA_START_BYTES + 4096 }, 100 * GiB, [vmDisk]);
    expect(over?.code).toBe('REFUSED');
    expect(over?.message).toContain('VM1.vhd');
    expect(checkIoLoad({ ...spec, offsetBase: 4096 }, 100 * GiB, [])?.message).toContain("CSV's metadata");
    expect(
      checkIoLoad({ ...spec, offsetBase: 99 * GiB, spanBytes: 2 * GiB }, 100 * GiB, [])?.message,
    ).toContain('runs past the end of LUN CSV1');
    expect(checkIoLoad({ ...spec, blockSize: 1000 }, 100 * GiB, [])?.code).toBe('INVALID_ARGUMENT');
    expect(checkIoLoad({ ...spec, depth: 0 }, 100 * GiB, [])?.code).toBe('INVALID_ARGUMENT');
    expect(checkIoLoad({ ...spec, spanBytes: 6000 }, 100 * GiB, [])?.code).toBe('INVALID_ARGUMENT');
  });

  it('keeps `depth` commands in flight inside its span, sequential blocks in order, and counts failures', async () => {
    // Time moves only when the device completes a command (0.1 ms each), so the load runs the
    // same number of commands however busy the machine is: the 30 ms span is 300 commands.
    const clock = new SimulatedClock(1_000);
    const seen: StorageOp[] = [];
    let inflight = 0;
    let most = 0;
    const device = {
      io: async (_lun: string, op: StorageOp): Promise<IoResult> => {
        seen.push(op);
        most = Math.max(most, ++inflight);
        await new Promise((r) => setImmediate(r));
        inflight--;
        clock.advance(0.1);
        return seen.length % 10 === 0 ? { ok: false, code: 'TIMEOUT', message: 'no answer' } : { ok: true };
      },
    };
    const r = await runIoLoad({ ...spec, sequential: true, spanBytes: 16 * 4096 }, device, clock, 1);
    expect(most).toBe(8);
    expect(r.ops + r.errors).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(300);
    expect(r.errors).toBeGreaterThan(0);
    expect(r.firstError).toBe('TIMEOUT: no answer');
    expect(r.bytes).toBe(r.ops * 4096);
    const offsets = seen.map((op) => (op.kind === 'write' ? op.offset : -1));
    expect(offsets.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => 60 * GiB + (i % 16) * 4096));
  });

  it('gives latency percentiles within a bucket (≈ 4.4%) of the true ones', () => {
    const h = new LatencyHistogram();
    for (let us = 1; us <= 1000; us++) h.add(us);
    expect(h.quantile(0.5)).toBeGreaterThanOrEqual(500);
    expect(h.quantile(0.5)).toBeLessThanOrEqual(500 * 1.045);
    expect(h.quantile(0.99)).toBeGreaterThanOrEqual(990);
    expect(h.quantile(0.99)).toBeLessThanOrEqual(1000);
    expect(h.max).toBe(1000);
    expect(new LatencyHistogram().quantile(0.5)).toBe(0);
  });
});
