import * as grpc from '@grpc/grpc-js';
import { HealthImplementation, service as healthProtoService } from 'grpc-health-check';
import { describe, expect, it } from 'vitest';
import { rpc } from './grpc.js';
import {
  decodeHealthRequest,
  decodeHealthResponse,
  encodeHealthRequest,
  encodeHealthResponse,
  HEALTH_SERVICE,
  Health,
} from './health.js';

type CheckClient = grpc.Client & {
  Check(req: object, cb: (err: grpc.ServiceError | null, res?: { status: string }) => void): void;
  List(req: object, cb: (err: grpc.ServiceError | null, res?: { statuses: object }) => void): void;
  Watch(req: object): grpc.ClientReadableStream<{ status: string }>;
};

async function serve(add: (server: grpc.Server) => void): Promise<{ server: grpc.Server; target: string }> {
  const server = new grpc.Server();
  add(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { server, target: `127.0.0.1:${port}` };
}

describe('grpc.health.v1 encoded by hand', () => {
  it('encodes and decodes its messages, skipping fields it does not know', () => {
    expect(decodeHealthRequest(encodeHealthRequest({ service: 'dcbox.common.v1.Host' }))).toEqual({
      service: 'dcbox.common.v1.Host',
    });
    expect(encodeHealthRequest({ service: '' })).toHaveLength(0);
    for (const status of ['SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN', 'UNKNOWN'] as const)
      expect(decodeHealthResponse(encodeHealthResponse({ status }))).toEqual({ status });
    // A varint field 2, a string field 3, then status SERVING.
    expect(
      decodeHealthResponse(Uint8Array.from([0x10, 0x96, 0x01, 0x1a, 0x02, 0x61, 0x62, 0x08, 0x01])),
    ).toEqual({ status: 'SERVING' });
    expect(() => decodeHealthResponse(Uint8Array.from([0x08, 0x80]))).toThrow(/truncated/);
  });

  it('answers a client made from grpc-health-check’s health.proto: Check, List and Watch', async () => {
    const health = new Health({ '': 'NOT_SERVING', 'dcbox.common.v1.Host': 'NOT_SERVING' });
    const { server, target } = await serve((s) => health.addToServer(s));
    const Ctor = grpc.makeGenericClientConstructor(healthProtoService, 'Health');
    const client = new Ctor(target, grpc.credentials.createInsecure()) as unknown as CheckClient;
    try {
      expect(await rpc((cb) => client.Check({ service: '' }, cb))).toEqual({ status: 'NOT_SERVING' });
      const watch = client.Watch({ service: '' });
      watch.on('error', () => undefined); // The cancel below ends it with CANCELLED.
      const seen: string[] = [];
      let oneSeen: () => void = () => undefined;
      const firstSeen = new Promise<void>((resolve) => {
        oneSeen = resolve;
      });
      const twoSeen = new Promise<void>((resolve) =>
        watch.on('data', (m: { status: string }) => {
          seen.push(m.status);
          if (seen.length === 1) oneSeen();
          if (seen.length === 2) resolve();
        }),
      );
      await firstSeen;
      health.setStatus('', 'SERVING');
      await twoSeen;
      expect(seen).toEqual(['NOT_SERVING', 'SERVING']);
      watch.cancel();
      expect(await rpc((cb) => client.Check({ service: '' }, cb))).toEqual({ status: 'SERVING' });
      await expect(rpc((cb) => client.Check({ service: 'nope' }, cb))).rejects.toMatchObject({
        code: grpc.status.NOT_FOUND,
      });
      expect(await rpc((cb) => client.List({}, cb))).toEqual({
        statuses: { '': { status: 'SERVING' }, 'dcbox.common.v1.Host': { status: 'NOT_SERVING' } },
      });
    } finally {
      client.close();
      server.forceShutdown();
    }
  });

  it('asks a grpc-health-check server', async () => {
    const impl = new HealthImplementation({ '': 'SERVING', other: 'NOT_SERVING' });
    const { server, target } = await serve((s) => impl.addToServer(s));
    const Ctor = grpc.makeGenericClientConstructor(HEALTH_SERVICE, 'Health');
    const client = new Ctor(target, grpc.credentials.createInsecure()) as unknown as CheckClient;
    try {
      expect(await rpc((cb) => client.Check({ service: '' }, cb))).toEqual({ status: 'SERVING' });
      expect(await rpc((cb) => client.Check({ service: 'other' }, cb))).toEqual({ status: 'NOT_SERVING' });
      expect(await rpc((cb) => client.List({}, cb))).toEqual({
        statuses: { '': { status: 'SERVING' }, other: { status: 'NOT_SERVING' } },
      });
    } finally {
      client.close();
      server.forceShutdown();
    }
  });
});
