/**
 * The `ceilings` session: how fast durable writes can go on this machine through bare Node.js
 * processes, beside fio in the same minute, to judge the storage path's goals (issue 19). No data
 * center is brought up. Each figure is 32 writes in flight for a few seconds, committed in groups
 * as the storage controller does (write what arrived, fdatasync once, acknowledge):
 *
 * - `oneProcess`: one process writes and syncs its own buffers (no transport at all);
 * - `twoProcesses`: a writer sends frames (1 MiB blocks, or 4 KiB ones at random offsets) over
 *   loopback TCP to a storing process that reads straight into its buffers (net's `onread`) and
 *   acknowledges each after the sync;
 * - `relayed`: the same with a relaying process between them, as an RSSM is.
 *
 * The 4 KiB figures over TCP bound any path whose writes cross processes one message each: they
 * are what the emulation's blade → RSSM → controller would reach if each of its processes did
 * nothing else.
 *
 *   node dist/bench/session-main.js ceilings [--quick]
 *
 * The processes are this file run with `store` or `relay` (fork).
 */
import { fork } from 'node:child_process';
import { closeSync, fdatasync, ftruncateSync, mkdtempSync, openSync, rmSync, write } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fio } from './baselines.js';
import { MIB, median, type Samples } from './session-support.js';

const writeAsync = promisify(write);
const fdatasyncAsync = promisify(fdatasync);
const DEPTH = 32;
const FILE_BYTES = 256 * MIB;

/** A file that takes writes in groups: each `submit` resolves once an fdatasync after it returned. */
function groupCommit(path: string) {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, FILE_BYTES);
  let queue: { data: Buffer; offset: number; done: () => void }[] = [];
  let busy = false;
  const flush = async (): Promise<void> => {
    if (busy || queue.length === 0) return;
    busy = true;
    const batch = queue;
    queue = [];
    await Promise.all(batch.map((w) => writeAsync(fd, w.data, 0, w.data.length, w.offset)));
    await fdatasyncAsync(fd);
    for (const w of batch) w.done();
    busy = false;
    void flush();
  };
  return {
    submit: (data: Buffer, offset: number) =>
      new Promise<void>((done) => {
        queue.push({ data, offset, done });
        setImmediate(() => void flush());
      }),
    close: () => closeSync(fd),
  };
}

/** The offsets of writes of `bytes`: sequential blocks for 1 MiB, random ones for smaller. */
function offsets(bytes: number): () => number {
  const blocks = FILE_BYTES / bytes;
  let next = 0;
  return () => (bytes >= MIB ? next++ % blocks : Math.floor(Math.random() * blocks)) * bytes;
}

/** Writes of `bytes` per second from one process. */
async function oneProcess(dir: string, bytes: number, ms: number): Promise<number> {
  const file = groupCommit(join(dir, 'one.dat'));
  const data = Buffer.alloc(bytes, 7);
  const offset = offsets(bytes);
  let done = 0;
  const until = performance.now() + ms;
  const job = async () => {
    while (performance.now() < until) {
      await file.submit(data, offset());
      done++;
    }
  };
  const from = performance.now();
  await Promise.all(Array.from({ length: DEPTH }, job));
  file.close();
  return done / ((performance.now() - from) / 1000);
}

/** Reads fixed-size frames straight into a ring of buffers (net's onread); calls `frame` with each. */
function framesOf(bytes: number, frame: (b: Buffer) => void) {
  const ring = Array.from({ length: DEPTH * 2 }, () => Buffer.allocUnsafe(bytes));
  let slot = 0;
  let have = 0;
  return {
    buffer: () => (ring[slot] as Buffer).subarray(have),
    callback: (n: number) => {
      have += n;
      if (have === bytes) {
        frame(ring[slot] as Buffer);
        slot = (slot + 1) % ring.length;
        have = 0;
      }
      return true;
    },
  };
}

/**
 * A child's part. `store <bytes> <dir> <port>`: connects to the port, syncs each frame of
 * `bytes` it reads and acknowledges it with one byte. `relay <bytes> <port>`: listens (its port
 * goes to the parent), and once the store connected, connects to the writer's port and passes
 * frames one way and bytes back. A ring slot is read into again only 64 frames later, and at
 * most 32 are ever unacknowledged, so neither copies a frame.
 */
function child(role: string, args: readonly string[]): void {
  const bytes = Number(args[0]);
  if (role === 'store') {
    const file = groupCommit(join(args[1] as string, 'stored.dat'));
    const offset = offsets(bytes);
    const s: Socket = connect({
      port: Number(args[2]),
      host: '127.0.0.1',
      onread: framesOf(bytes, (b) => {
        void file.submit(b, offset()).then(() => s.write(Buffer.of(1)));
      }),
    });
    return;
  }
  const server = createServer((store) => {
    const writer = connect({
      port: Number(args[1]),
      host: '127.0.0.1',
      onread: framesOf(bytes, (b) => store.write(b)),
    });
    store.on('data', (acks) => writer.write(acks));
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as { port: number }).port));
}

/** Listens on loopback; resolves with the server and a promise of its first connection. */
function listen(): Promise<{ server: Server; port: number; first: Promise<Socket> }> {
  const server = createServer();
  const first = new Promise<Socket>((r) => server.once('connection', r));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port, first }),
    ),
  );
}

/** Writes of `bytes` per second sent from here to a storing child, through a relay when `relayed`. */
async function overTcp(dir: string, bytes: number, relayed: boolean, ms: number): Promise<number> {
  const me = fileURLToPath(import.meta.url);
  const { server, port, first } = await listen();
  const kids = [];
  let target = port;
  if (relayed) {
    const relay = fork(me, ['relay', String(bytes), String(port)]);
    kids.push(relay);
    target = await new Promise<number>((r) => relay.once('message', (p) => r(Number(p))));
  }
  kids.push(fork(me, ['store', String(bytes), dir, String(target)]));
  try {
    const socket = await first;
    const data = Buffer.alloc(bytes, 7);
    let done = 0;
    const from = performance.now();
    const finished = new Promise<void>((resolve) => {
      socket.on('data', (acks: Buffer) => {
        done += acks.length;
        if (performance.now() - from >= ms) return resolve();
        for (let i = 0; i < acks.length; i++) socket.write(data);
      });
    });
    for (let i = 0; i < DEPTH; i++) socket.write(data);
    await finished;
    socket.destroy();
    return done / ((performance.now() - from) / 1000);
  } finally {
    for (const k of kids) k.kill();
    server.close();
  }
}

/** The session: each ceiling beside fio, `reps` times, in one temporary folder. */
export async function ceilingsSession(quick: boolean): Promise<Samples> {
  const reps = quick ? 1 : 3;
  const ms = quick ? 1000 : 4000;
  const dir = mkdtempSync(join(tmpdir(), 'dcbox-ceilings-'));
  const runs: Record<string, number[]> = {};
  const add = (key: string, v: number) => {
    runs[key] = [...(runs[key] ?? []), v];
  };
  try {
    for (let i = 0; i < reps; i++) {
      add('oneProcessIops', await oneProcess(dir, 4096, ms));
      add('twoProcessesIops', await overTcp(dir, 4096, false, ms));
      add('relayedIops', await overTcp(dir, 4096, true, ms));
      add('fioIops', await fio('4k', 'randwrite', DEPTH, ms / 1000, dir));
      add('oneProcessMBps', ((await oneProcess(dir, MIB, ms)) * MIB) / 1e6);
      add('twoProcessesMBps', ((await overTcp(dir, MIB, false, ms)) * MIB) / 1e6);
      add('relayedMBps', ((await overTcp(dir, MIB, true, ms)) * MIB) / 1e6);
      add('fioSeqMBps', ((await fio('1M', 'write', DEPTH, ms / 1000, dir)) * MIB) / 1e6);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const out: Samples = { reps };
  for (const [key, xs] of Object.entries(runs)) {
    out[key] = median(xs);
    out[`${key}Each`] = xs.map((x) => x.toFixed(0)).join(', ');
  }
  return out;
}

const [role, ...args] = process.argv.slice(2);
if (role === 'store' || role === 'relay') child(role, args);
