import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../actor/clock.js';
import { DcboxError } from '../actor/errors.js';
import type { LunFaultState__Output } from '../generated/dcbox/storage/v1/LunFaultState.js';
import type { LunFaults__Output } from '../generated/dcbox/storage/v1/LunFaults.js';
import type { StorageClient } from '../generated/dcbox/storage/v1/Storage.js';
import {
  CLIENT_OPTIONS,
  type GrpcServer,
  insecure,
  protos,
  rpc,
  startGrpcServer,
} from '../transport/grpc.js';
import { fromServiceError } from '../transport/grpc-errors.js';
import { type Controller, openController } from './controller.js';

// A real controller and gRPC server in this process, on a port from this service's test range.
const PORT = 27_401;

describe('storage controller over gRPC: injected LUN faults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcbox-controller-'));
  let controller: Controller;
  let server: GrpcServer;
  let storage: StorageClient;
  const n1 = { host: 'HVR2NODO1', port: 'rssm3' };

  beforeAll(async () => {
    controller = openController({
      self: 'storage',
      dataDir: dir,
      seed: 7,
      clock: systemClock,
      log: () => undefined,
      settings: {
        blockSize: 512,
        luns: [
          { name: 'CSV1', sizeBytes: 1 << 20, mappedTo: ['HVR2NODO1'] },
          { name: 'Quorum', sizeBytes: 1 << 20, mappedTo: ['HVR2NODO1'] },
        ],
        internalInitiators: [],
      },
    });
    const p = protos().dcbox.storage.v1;
    server = await startGrpcServer('127.0.0.1', PORT, [
      { definition: p.Storage.service, name: 'dcbox.storage.v1.Storage', impl: controller.handlers },
    ]);
    server.setServing(true);
    storage = new p.Storage(`127.0.0.1:${PORT}`, insecure(), CLIENT_OPTIONS);
  });

  afterAll(async () => {
    storage.close();
    await server.shutdown();
    controller.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const inject = (lun: string, kind: string, o: { delay_ms?: number; error_rate?: number } = {}) =>
    rpc<LunFaultState__Output>((cb) => storage.InjectFault({ lun, kind, duration_ms: 30_000, ...o }, cb));
  const writeBlock = (lun: string, offset: number, byte: number) =>
    rpc<{ written: number }>((cb) =>
      storage.Write({ lun, initiator: n1, offset, data: Buffer.alloc(512, byte) }, cb),
    );
  const readBlocks = (lun: string, offset: number, length: number) =>
    rpc<{ data: Buffer }>((cb) => storage.Read({ lun, initiator: n1, offset, length }, cb));

  it('answers a write on a slow LUN no sooner than the delay, durably', async () => {
    const state = await inject('CSV1', 'slow', { delay_ms: 200 });
    expect(state).toMatchObject({ lun: 'CSV1', kind: 'slow', delay_ms: 200 });

    const t0 = performance.now();
    expect(await writeBlock('CSV1', 0, 0x11)).toEqual({ written: 512 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200);
    // A healthy LUN is not slowed.
    const t1 = performance.now();
    await writeBlock('Quorum', 0, 0x22);
    expect(performance.now() - t1).toBeLessThan(200);

    await inject('CSV1', 'none');
    const t2 = performance.now();
    expect((await readBlocks('CSV1', 0, 512)).data).toEqual(Buffer.alloc(512, 0x11));
    expect(performance.now() - t2).toBeLessThan(200);
  });

  it('refuses some writes on an erroring LUN with MEDIUM_ERROR, and writes none of them', async () => {
    await inject('Quorum', 'errors', { error_rate: 0.5 });
    const listed = await rpc<LunFaults__Output>((cb) => storage.ListFaults({}, cb));
    expect(listed.faults).toMatchObject([{ lun: 'Quorum', kind: 'errors', error_rate: 0.5 }]);

    const outcomes = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        writeBlock('Quorum', 4096 + i * 512, i + 1).then(
          () => 'ok',
          (err: unknown) => fromServiceError(err),
        ),
      ),
    );
    const failed = outcomes.flatMap((o, i) => (o instanceof DcboxError ? [{ i, err: o }] : []));
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(32);
    for (const { err } of failed) {
      expect(err.code).toBe('MEDIUM_ERROR');
      expect(err.definite).toBe(true);
    }
    await inject('Quorum', 'none');
    const data = (await readBlocks('Quorum', 4096, 32 * 512)).data;
    outcomes.forEach((o, i) => {
      const expected = o === 'ok' ? i + 1 : 0;
      expect(data.subarray(i * 512, (i + 1) * 512)).toEqual(Buffer.alloc(512, expected));
    });
    expect((await rpc<LunFaults__Output>((cb) => storage.ListFaults({}, cb))).faults).toEqual([]);
    // The controller's log holds exactly the writes it acknowledged, none it refused.
    const logged = controller.log.lines
      .after(0)
      .entries.map((e) => e.entry)
      .filter((e) => e.kind === 'write' && e.lun === 'Quorum' && e.offset >= 4096);
    const acked = outcomes.flatMap((o, i) => (o === 'ok' ? [4096 + i * 512] : []));
    expect(logged.map((e) => (e.kind === 'write' ? e.offset : -1)).sort((a, b) => a - b)).toEqual(acked);
  });

  it('logs reservation changes with the preempted hosts and serves its log over WatchLog', async () => {
    const n1b = { host: 'HVR2NODO1', port: 'rssm4' };
    const keyA = '00000000000000AA';
    const keyB = '00000000000000BB';
    const from = controller.log.lines.newest;
    await rpc((cb) => storage.PrRegister({ lun: 'CSV1', initiator: n1, key: keyA }, cb));
    await rpc((cb) => storage.PrRegister({ lun: 'CSV1', initiator: n1b, key: keyB }, cb));
    await rpc((cb) => storage.PrReserve({ lun: 'CSV1', initiator: n1b, key: keyB }, cb));
    await rpc((cb) => storage.PrPreempt({ lun: 'CSV1', initiator: n1, key: keyA, victim_key: keyB }, cb));
    await writeBlock('CSV1', 1024, 0x33);
    const lines: { kind: string; action: string; victim_hosts: string[]; hash: string }[] = [];
    const stream = storage.WatchLog({ after_seq: from });
    stream.on('error', () => undefined); // The cancel below ends it with CANCELLED.
    await new Promise<void>((resolve) => {
      stream.on('data', (m: (typeof lines)[number]) => {
        lines.push(m);
        if (lines.length === 5) resolve();
      });
    });
    stream.cancel();
    expect(lines.map((l) => l.action || l.kind)).toEqual([
      'register',
      'register',
      'reserve',
      'preempt',
      'write',
    ]);
    expect(lines[3]).toMatchObject({ victim_key: keyB, victim_hosts: ['HVR2NODO1'] });
    expect(lines[4]?.hash).toMatch(/^[0-9a-f]{16}$/);
  });
});
