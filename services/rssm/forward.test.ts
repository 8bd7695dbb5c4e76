import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../actor/actor.js';
import { systemClock } from '../actor/clock.js';
import type { RssmClient } from '../generated/dcbox/storage/v1/Rssm.js';
import type { StorageClient } from '../generated/dcbox/storage/v1/Storage.js';
import { type Controller, openController } from '../storage-controller/controller.js';
import {
  CLIENT_OPTIONS,
  type GrpcServer,
  insecure,
  protos,
  rpc,
  startGrpcServer,
} from '../transport/grpc.js';
import { fromServiceError } from '../transport/grpc-errors.js';
import { decideRssm, initialRssmState, type RssmMsg, type RssmState } from './core.js';
import { rssmServices } from './forward.js';

// Real gRPC servers in this process, on ports from the range assigned to this service's tests.
const CONTROLLER_PORT = 21_501;
const RSSM_PORT = 21_502;

describe('rssm forwarding to a real controller', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcbox-rssm-'));
  let controller: Controller;
  let controllerServer: GrpcServer;
  let rssmServer: GrpcServer;
  let close: () => void;
  let storage: StorageClient;
  let rssm: RssmClient;

  beforeAll(async () => {
    controller = openController({
      self: 'storage',
      dataDir: dir,
      seed: 1,
      clock: systemClock,
      log: () => undefined,
      settings: {
        blockSize: 512,
        luns: [{ name: 'CSV1', sizeBytes: 1 << 20, mappedTo: ['HVR2NODO1'] }],
        internalInitiators: [],
      },
    });
    const p = protos().dcbox.storage.v1;
    controllerServer = await startGrpcServer('127.0.0.1', CONTROLLER_PORT, [
      { definition: p.Storage.service, name: 'dcbox.storage.v1.Storage', impl: controller.handlers },
    ]);
    controllerServer.setServing(true);
    const actor = new Actor<RssmState, RssmMsg, never>({
      self: 'rssm3',
      initial: initialRssmState(3, ['HVR2NODO1', 'HVR2NODO2']),
      decide: decideRssm,
      interpret: () => undefined,
      clock: systemClock,
    });
    const services = rssmServices(
      { rssm: 'rssm3', controller: 'storage', target: `127.0.0.1:${CONTROLLER_PORT}`, ioTimeoutMs: 1000 },
      actor,
    );
    close = services.close;
    rssmServer = await startGrpcServer('127.0.0.1', RSSM_PORT, [
      { definition: p.Storage.service, name: 'dcbox.storage.v1.Storage', impl: services.storage },
      { definition: p.Rssm.service, name: 'dcbox.storage.v1.Rssm', impl: services.rssm },
    ]);
    storage = new p.Storage(`127.0.0.1:${RSSM_PORT}`, insecure(), CLIENT_OPTIONS);
    rssm = new p.Rssm(`127.0.0.1:${RSSM_PORT}`, insecure(), CLIENT_OPTIONS);
  });

  afterAll(async () => {
    storage.close();
    rssm.close();
    close();
    await rssmServer.shutdown();
    await controllerServer.shutdown();
    controller.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const n1 = { host: 'HVR2NODO1', port: '' };

  it('writes and reads blocks through the switch', async () => {
    const data = Buffer.alloc(1024, 0x5a);
    const w = await rpc<{ written: number }>((cb) =>
      storage.Write({ lun: 'CSV1', initiator: n1, offset: 2048, data }, cb),
    );
    expect(w.written).toBe(1024);
    const r = await rpc<{ data: Buffer }>((cb) =>
      storage.Read({ lun: 'CSV1', initiator: n1, offset: 2048, length: 1024 }, cb),
    );
    expect(r.data).toEqual(data);
  });

  it('registers the blade under the I_T nexus of this switch', async () => {
    const pr = await rpc<{ registrations: { initiator: string; key: string }[] }>((cb) =>
      storage.PrRegister({ lun: 'CSV1', initiator: n1, key: '0000000100000001' }, cb),
    );
    expect(pr.registrations).toEqual([{ initiator: 'HVR2NODO1/rssm3', key: '0000000100000001' }]);
  });

  it('passes the controller error code through (NOT_MAPPED)', async () => {
    const err = await rpc((cb) =>
      storage.Write(
        { lun: 'CSV1', initiator: { host: 'HVR2NODO2', port: '' }, offset: 0, data: Buffer.alloc(512) },
        cb,
      ),
    ).catch((e: unknown) => fromServiceError(e));
    expect(err).toMatchObject({ code: 'NOT_MAPPED', message: 'LUN CSV1 is not mapped to host HVR2NODO2' });
  });

  it('refuses a host outside its zone without asking the controller', async () => {
    const err = await rpc((cb) =>
      storage.Read({ lun: 'CSV1', initiator: { host: 'workstation', port: '' }, offset: 0, length: 512 }, cb),
    ).catch((e: unknown) => fromServiceError(e));
    expect(err).toMatchObject({ code: 'NOT_ZONED' });
  });

  it('reports its counters and a reachable controller', async () => {
    const s = await rpc((cb) => rssm.Status({}, cb));
    expect(s).toEqual({
      name: 'rssm3',
      bay: 3,
      zoned_hosts: ['HVR2NODO1', 'HVR2NODO2'],
      forwarded_ios: 4,
      errors: 2,
      controller_reachable: true,
    });
  });

  it('answers UNAVAILABLE once the controller is gone', async () => {
    await controllerServer.shutdown();
    const err = await rpc((cb) =>
      storage.Read({ lun: 'CSV1', initiator: n1, offset: 0, length: 512 }, cb),
    ).catch((e: unknown) => fromServiceError(e));
    expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    expect((err as Error).message).toMatch(
      /rssm3 cannot reach storage controller storage at 127.0.0.1:21501/,
    );
    const s = await rpc<{ controller_reachable: boolean }>((cb) => rssm.Status({}, cb));
    expect(s.controller_reachable).toBe(false);
  });
});
