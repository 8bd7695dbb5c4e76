import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientOptions,
  deadline,
  type GrpcServer,
  insecure,
  protos,
  rpc,
  setProcessRunToken,
  startGrpcServer,
  unary,
} from './grpc.js';

const TOKEN = 'f'.repeat(64);

describe('a server with a run token', () => {
  let server: GrpcServer;
  let target: string;
  beforeAll(async () => {
    const p = protos();
    server = await startGrpcServer(
      '127.0.0.1',
      0,
      [
        {
          definition: p.dcbox.common.v1.Host.service,
          name: 'dcbox.common.v1.Host',
          impl: { Info: unary(() => ({ name: 'h1' })), Echo: unary(() => ({})) },
        },
      ],
      { runToken: TOKEN },
    );
    server.setServing(true);
    target = `127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    setProcessRunToken(null);
    await server.shutdown();
  });

  const info = async (options: grpc.ChannelOptions) => {
    const c = new (protos().dcbox.common.v1.Host)(target, insecure(), options);
    try {
      return await rpc<{ name: string }>((cb) => c.Info({}, deadline(3000), cb));
    } finally {
      c.close();
    }
  };

  it('refuses a call without the token with UNAUTHENTICATED', async () => {
    await expect(info(clientOptions(undefined))).rejects.toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
      details: expect.stringMatching(/needs this run's token/),
    });
  });

  it("refuses another run's token", async () => {
    await expect(info(clientOptions({ runToken: 'e'.repeat(64) }))).rejects.toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
    });
  });

  it('answers a client that sends the token', async () => {
    expect((await info(clientOptions({ runToken: TOKEN }))).name).toBe('h1');
  });

  it("answers a service process's clients once the process knows its run's token", async () => {
    const { CLIENT_OPTIONS } = await import('./grpc.js');
    await expect(info(CLIENT_OPTIONS)).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    setProcessRunToken(TOKEN);
    expect((await info(CLIENT_OPTIONS)).name).toBe('h1');
  });

  it('still answers health checks from anyone', async () => {
    const { checkHealth } = await import('./grpc.js');
    expect(await checkHealth(target, 3000)).toBe(true);
  });
});
