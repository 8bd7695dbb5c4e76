import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { healthClient, projectRoot, protos, startGrpcServer, unary, waitServing } from './grpc.js';

describe('health polling', () => {
  it('is NOT_SERVING until the server says it serves', async () => {
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

describe('server reflection, built on its first call', () => {
  it('lists the services served and describes their files, in v1 and v1alpha', async () => {
    const p = protos();
    const server = await startGrpcServer('127.0.0.1', 0, [
      {
        definition: p.dcbox.common.v1.Host.service,
        name: 'dcbox.common.v1.Host',
        impl: { Info: unary(() => ({})), Echo: unary(() => ({})) },
      },
    ]);
    try {
      for (const version of ['v1', 'v1alpha']) {
        const def = protoLoader.loadSync(
          join(
            projectRoot,
            'node_modules',
            '@grpc',
            'reflection',
            'build',
            'proto',
            'grpc',
            'reflection',
            version,
            'reflection.proto',
          ),
          { keepCase: true, oneofs: true },
        );
        // biome-ignore lint/suspicious/noExplicitAny: a test client of a proto without generated types
        const Ctor = (grpc.loadPackageDefinition(def) as any).grpc.reflection[version].ServerReflection;
        const client = new Ctor(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
        const ask = (req: object) =>
          new Promise<Record<string, unknown>>((resolve, reject) => {
            const call = client.ServerReflectionInfo();
            call.on('data', (res: Record<string, unknown>) => {
              resolve(res);
              call.end();
            });
            call.on('error', reject);
            call.write(req);
          });
        const list = (await ask({ list_services: '*' })) as {
          list_services_response: { service: { name: string }[] };
        };
        expect(list.list_services_response.service.map((s) => s.name)).toContain('dcbox.common.v1.Host');
        const file = (await ask({ file_containing_symbol: 'dcbox.common.v1.Host' })) as {
          file_descriptor_response?: { file_descriptor_proto: Buffer[] };
        };
        expect(file.file_descriptor_response?.file_descriptor_proto.length).toBeGreaterThan(0);
        client.close();
      }
    } finally {
      await server.shutdown();
    }
  });
});
