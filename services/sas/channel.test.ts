import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DcboxError } from '../actor/errors.js';
import { type SasAnswer, SasClient, type SasCommand, type SasServer, serveSasChannel } from './channel.js';

const initiator = { host: 'HVR2NODO1', port: 'rssm3' };
const servers: SasServer[] = [];
const clients: SasClient[] = [];

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) s.close();
});

async function serve(handle: (cmd: SasCommand) => Promise<SasAnswer>): Promise<SasServer> {
  const s = await serveSasChannel({ address: '127.0.0.1', handle });
  servers.push(s);
  return s;
}

function client(port: () => number | Promise<number>, timeoutMs = 2000): SasClient {
  const c = new SasClient({ peer: 'rssm3', address: '127.0.0.1', timeoutMs, discover: async () => port() });
  clients.push(c);
  return c;
}

async function failure(p: Promise<unknown>): Promise<DcboxError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DcboxError) return err;
    throw err;
  }
  throw new Error('the command succeeded');
}

/** A port on which nothing listens (bound, then closed). */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const at = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  return typeof at === 'object' && at ? at.port : 0;
}

describe('SAS data channel', () => {
  it('carries writes and reads to the server and their answers back, matched by id', async () => {
    const disk = Buffer.alloc(1 << 20);
    const srv = await serve(async (cmd) => {
      // Answers out of order: later commands may finish first.
      await new Promise((r) => setTimeout(r, (cmd.offset / 512) % 3));
      if (cmd.kind === 'write') {
        cmd.data.copy(disk, cmd.offset);
        return { written: cmd.data.length };
      }
      return { data: Buffer.from(disk.subarray(cmd.offset, cmd.offset + cmd.length)) };
    });
    const c = client(() => srv.port);
    const writes = Array.from({ length: 64 }, (_, i) =>
      c.write('CSV1', initiator, i * 512, Buffer.alloc(512, i + 1)),
    );
    expect(await Promise.all(writes)).toEqual(Array(64).fill(512));
    const reads = await Promise.all(
      Array.from({ length: 64 }, (_, i) => c.read('CSV1', initiator, i * 512, 512)),
    );
    for (const [i, r] of reads.entries()) expect(r.equals(Buffer.alloc(512, i + 1))).toBe(true);
    const big = Buffer.alloc(3 << 18, 0x5a);
    expect(await c.write('CSV1', initiator, 0, big)).toBe(big.length);
    expect((await c.read('CSV1', initiator, 0, big.length)).equals(big)).toBe(true);
    expect(srv.connections()).toBe(1);
  });

  it('hands the command over with its LUN, initiator and offset', async () => {
    const seen: SasCommand[] = [];
    const srv = await serve(async (cmd) => {
      seen.push(cmd);
      return { written: 0 };
    });
    await client(() => srv.port).read('Quorum', initiator, 2 ** 41, 4096);
    expect(seen).toMatchObject([{ kind: 'read', lun: 'Quorum', initiator, offset: 2 ** 41, length: 4096 }]);
  });

  it("serves a run's channel only to a client that brings the run's token", async () => {
    const seen: SasCommand[] = [];
    const bad: string[] = [];
    const srv = await serveSasChannel({
      address: '127.0.0.1',
      runToken: 'the-run-token',
      handle: async (cmd) => {
        seen.push(cmd);
        return { written: 0 };
      },
      onBadStream: (err) => bad.push(err.message),
    });
    servers.push(srv);
    const anyone = client(() => srv.port, 500);
    expect((await failure(anyone.write('CSV1', initiator, 0, Buffer.alloc(512)))).code).toMatch(
      /UNAVAILABLE|TIMEOUT/,
    );
    const wrong = new SasClient({
      peer: 'x',
      address: '127.0.0.1',
      timeoutMs: 500,
      discover: async () => srv.port,
      runToken: 'guess',
    });
    clients.push(wrong);
    expect((await failure(wrong.write('CSV1', initiator, 0, Buffer.alloc(512)))).code).toMatch(
      /UNAVAILABLE|TIMEOUT/,
    );
    expect(seen).toEqual([]);
    expect(bad).toEqual([
      "a client sent a write frame before this run's token",
      "a client's hello did not bring this run's token",
    ]);
    const member = new SasClient({
      peer: 'rssm3',
      address: '127.0.0.1',
      timeoutMs: 2000,
      discover: async () => srv.port,
      runToken: 'the-run-token',
    });
    clients.push(member);
    await member.write('CSV1', initiator, 0, Buffer.alloc(512));
    expect(seen).toHaveLength(1);
  });

  it("passes the server's error codes through", async () => {
    const srv = await serve(async () => {
      throw new DcboxError('RESERVATION_CONFLICT', 'HVR2NODO1/rssm3 holds no registration');
    });
    const e = await failure(client(() => srv.port).write('CSV1', initiator, 0, Buffer.alloc(512)));
    expect(e.code).toBe('RESERVATION_CONFLICT');
    expect(e.message).toBe('HVR2NODO1/rssm3 holds no registration');
  });

  it('times a command out (TIMEOUT, outcome unknown) when no answer comes within the deadline', async () => {
    const srv = await serve(() => new Promise<never>(() => undefined));
    const e = await failure(client(() => srv.port, 150).write('CSV1', initiator, 0, Buffer.alloc(512)));
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toBe(
      'rssm3 did not answer within 150 ms; the command may or may not have taken effect',
    );
  });

  it('drops a connection silent for a whole deadline, and the next command connects afresh', async () => {
    let answer = false;
    const srv = await serve(async () => {
      if (!answer) return new Promise<never>(() => undefined);
      return { written: 512 };
    });
    const c = client(() => srv.port, 150);
    expect((await failure(c.write('CSV1', initiator, 0, Buffer.alloc(512)))).code).toBe('TIMEOUT');
    answer = true;
    expect(await c.write('CSV1', initiator, 0, Buffer.alloc(512))).toBe(512);
    expect(srv.accepted()).toBe(2);
  });

  it('is UNAVAILABLE when nothing listens on the port the peer named', async () => {
    const port = await deadPort();
    const e = await failure(client(() => port).write('CSV1', initiator, 0, Buffer.alloc(512)));
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toContain(`the SAS data channel to rssm3 at 127.0.0.1:${port} cannot be opened`);
  });

  it("is UNAVAILABLE when the peer's control service cannot name a port", async () => {
    const c = new SasClient({
      peer: 'rssm3',
      address: '127.0.0.1',
      timeoutMs: 1000,
      discover: async () => {
        throw new DcboxError('UNAVAILABLE', 'No connection established');
      },
    });
    clients.push(c);
    const e = await failure(c.read('CSV1', initiator, 0, 512));
    expect(e).toMatchObject({ code: 'UNAVAILABLE', message: 'No connection established' });
  });

  it('fails commands in flight with UNAVAILABLE when the connection breaks, and reconnects to a restarted peer', async () => {
    let arrived: () => void = () => undefined;
    const received = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const first = await serve(() => {
      arrived();
      return new Promise<never>(() => undefined);
    });
    let port = first.port;
    const c = client(() => port);
    const inflight = failure(c.write('CSV1', initiator, 0, Buffer.alloc(512)));
    await received;
    first.close(); // the process dies: its connections break
    const e = await inflight;
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toBe('the SAS data channel to rssm3 closed');
    // It comes back on another port, which the control service names.
    const second = await serve(async () => ({ written: 512 }));
    port = second.port;
    expect(await c.write('CSV1', initiator, 0, Buffer.alloc(512))).toBe(512);
  });

  it('refuses more commands in flight than its limit (OVERLOADED)', async () => {
    const srv = await serve(() => new Promise<never>(() => undefined));
    const c = new SasClient({
      peer: 'rssm3',
      address: '127.0.0.1',
      timeoutMs: 1000,
      inflightMax: 2,
      discover: async () => srv.port,
    });
    clients.push(c);
    const held = [c.read('CSV1', initiator, 0, 512), c.read('CSV1', initiator, 0, 512)];
    for (const h of held) h.catch(() => undefined);
    expect((await failure(c.read('CSV1', initiator, 0, 512))).code).toBe('OVERLOADED');
  });
});
