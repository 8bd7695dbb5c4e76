import { describe, expect, it } from 'vitest';
import { healthClient, healthStatusOf, startGrpcServer, waitServing } from './grpc.js';

describe('the health client without health.proto', () => {
  it('reads the status of an encoded HealthCheckResponse', () => {
    expect(healthStatusOf(Uint8Array.from([0x08, 0x01]))).toBe(1); // SERVING
    expect(healthStatusOf(Uint8Array.from([0x08, 0x02]))).toBe(2); // NOT_SERVING
    expect(healthStatusOf(Uint8Array.from([]))).toBe(0); // UNKNOWN, the default
    // Unknown fields before it (a varint, a string) are skipped.
    expect(healthStatusOf(Uint8Array.from([0x10, 0x96, 0x01, 0x1a, 0x02, 0x61, 0x62, 0x08, 0x01]))).toBe(1);
    expect(() => healthStatusOf(Uint8Array.from([0x08, 0x80]))).toThrow(/truncated/);
  });

  it('asks grpc-health-check: NOT_SERVING until the server says it serves', async () => {
    const server = await startGrpcServer('127.0.0.1', 0, []);
    const target = `127.0.0.1:${server.port}`;
    const c = healthClient(target);
    try {
      expect(await c.check(2000)).toBe(false);
      server.setServing(true);
      expect(await c.check(2000)).toBe(true);
      expect(await waitServing(target, { timeoutMs: 2000 })).toBe(true);
    } finally {
      c.close();
      await server.shutdown();
    }
  });

  it('stops waiting for a server that is gone', async () => {
    const started = Date.now();
    expect(
      await waitServing('127.0.0.1:1', { timeoutMs: 60_000, gone: () => Date.now() - started > 200 }),
    ).toBe(false);
  });
});
