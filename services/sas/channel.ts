/**
 * The SAS data channel: block reads and writes on one TCP connection per hop (blade → RSSM,
 * RSSM → storage controller), multiplexed by command id, beside the dcbox.storage.v1.Storage
 * gRPC service that keeps LUN management, persistent reservations, faults and status.
 *
 * Why not gRPC unary calls: each one cost a few hundred µs of CPU on each side (HTTP/2 stream,
 * headers, protobuf copies), about 2 ms per 4 KiB write over the two hops, and a 1 MiB payload
 * went out in 16 KiB HTTP/2 frames. Here a command is a 32-byte header, its names and its
 * payload as the caller's buffer; the frames ready in one event-loop turn leave in one writev
 * (cork, then uncork on the next tick).
 *
 * The server listens on its host's address, on a port the kernel picks, and names it through
 * the Storage.DataChannel gRPC call; the client asks for it before each connection, so a
 * restarted process (a new port) is found again. The connection runs between the two hosts'
 * addresses, so a partition of the emulated network or a killed process cuts it as it cuts gRPC.
 *
 * Semantics the client keeps from the gRPC calls it replaces: every command has the deadline
 * `timeoutMs` (TIMEOUT: its outcome is unknown); a peer that cannot be reached, a refused
 * connection or one that breaks under a command is UNAVAILABLE; errors the peer answers keep
 * their code. A connection on which nothing arrived since a command that timed out was sent is
 * dropped then, so the next command connects afresh once a partition heals (rather than
 * wait out TCP's retransmission backoff).
 */
import { timingSafeEqual } from 'node:crypto';
import { connect, createServer, type Server, Socket, type SocketConstructorOpts } from 'node:net';
import { DcboxError, ERROR_CODES, type ErrorCode } from '../actor/errors.js';
import type { StorageClient } from '../generated/dcbox/storage/v1/Storage.js';
import { deadline, rpc } from '../transport/grpc.js';
import { fromServiceError } from '../transport/grpc-errors.js';
import type { DmaInitiator } from './dma.js';
import { encodeHead, FrameDecoder, type FrameInitiator, type FrameTask, type SasFrame } from './frame.js';
import { feedInPieces } from './read-into.js';

/** A command as a server receives it. */
export type SasCommand = Extract<SasFrame, { kind: 'read' | 'write' }>;
/** A server's answer to one command: the data read, or the bytes written. */
export type SasAnswer = { data: Buffer } | { written: number };

/** Batches the frames written in one event-loop turn into one writev. */
class FrameWriter {
  private corked = false;
  constructor(readonly socket: Socket) {}

  send(frame: SasFrame): void {
    this.sendEncoded(encodeHead(frame));
  }

  sendEncoded({ head, payload }: { head: Buffer; payload: Buffer }): void {
    const s = this.socket;
    if (s.destroyed) return;
    if (!this.corked) {
      this.corked = true;
      s.cork();
      process.nextTick(() => {
        this.corked = false;
        s.uncork();
      });
    }
    s.write(head);
    if (payload.length > 0) s.write(payload);
  }
}

function asCode(code: string): ErrorCode {
  return code in ERROR_CODES ? (code as ErrorCode) : 'IO_ERROR';
}

/**
 * A SasClient's `discover`: asks a Storage service (an RSSM or the controller) on which port its
 * data channel listens, through its Storage.DataChannel call.
 */
export function discoverThrough(client: StorageClient): (timeoutMs: number) => Promise<number> {
  return async (timeoutMs) => {
    try {
      const r = await rpc<{ port: number }>((cb) => client.DataChannel({}, deadline(timeoutMs), cb));
      return r.port;
    } catch (err) {
      throw fromServiceError(err);
    }
  };
}

export interface SasClientOptions {
  /** The peer's name, for messages (an RSSM, the storage controller). */
  peer: string;
  /** The peer host's address; the port comes from `discover`. */
  address: string;
  /** Asks the peer's control service (gRPC) for its data channel port; throws DcboxError. */
  discover: (timeoutMs: number) => Promise<number>;
  /** The deadline of each command, from its submission (cfg.timing.ioTimeoutMs). */
  timeoutMs: number;
  /** Commands in flight at most; more are refused with OVERLOADED. */
  inflightMax?: number;
  /** The run's token, sent first on every connection (docs/security.md). */
  runToken?: string;
  /** Large writes' data goes through this shared memory instead of the frame (dma.ts). */
  dma?: DmaInitiator | null;
}

interface Pending {
  resolve: (f: Extract<SasFrame, { kind: 'ok' }>) => void;
  reject: (e: DcboxError) => void;
  timer: NodeJS.Timeout;
  /** The connection the command went out on (null while it waits for one), and when. */
  sentOn: Socket | null;
  sentAtMs: number;
  encoded: { head: Buffer; payload: Buffer };
}

/** The sending end of a hop: reads and writes to one peer, over one connection at a time. */
export class SasClient {
  private writer: FrameWriter | null = null;
  private connecting = false;
  private readonly pending = new Map<number, Pending>();
  /** Commands waiting for the connection being made, in submission order. */
  private queue: number[] = [];
  private nextId = 0;
  private lastReceivedMs = 0;
  private closed = false;
  /** The far end could not map the DMA region (another machine or container): bytes go inline. */
  private dmaRefused = false;

  constructor(private readonly opts: SasClientOptions) {}

  /** Reads `length` bytes at `offset` of a LUN. */
  async read(lun: string, initiator: FrameInitiator, offset: number, length: number): Promise<Buffer> {
    const r = await this.call({ kind: 'read', id: 0, lun, initiator, offset, length });
    return r.data;
  }

  /**
   * Writes `data` at `offset`; resolves once the controller acknowledged it (durable). With a
   * DMA region, a large write's data goes through a slot of it and the frame carries the slot's
   * descriptor; `dma` says `data` already is a descriptor (an RSSM passing the command on).
   */
  async write(
    lun: string,
    initiator: FrameInitiator,
    offset: number,
    data: Buffer,
    task?: FrameTask,
    dma = false,
  ): Promise<number> {
    const frame: SasCommand = {
      kind: 'write',
      id: 0,
      lun,
      initiator,
      offset,
      data,
      ...(task ? { task } : {}),
    };
    if (dma) return (await this.call({ ...frame, dma })).written;
    const region = this.dmaRefused ? null : this.opts.dma;
    const ref = region?.offer(data);
    if (!region || !ref) return (await this.call(frame)).written;
    try {
      return (await this.call({ ...frame, data: ref.descriptor, dma: true })).written;
    } catch (err) {
      if (!(err instanceof DcboxError && err.code === 'DMA_REFUSED')) throw err;
      this.dmaRefused = true;
      return (await this.call(frame)).written;
    } finally {
      region.settle(ref);
    }
  }

  /** Commands in flight or waiting for a connection. */
  get inflight(): number {
    return this.pending.size;
  }

  /** Fails everything in flight (UNAVAILABLE) and refuses new commands. */
  close(): void {
    this.closed = true;
    if (this.writer) this.drop(this.writer.socket, 'was closed');
    for (const id of [...this.pending.keys()]) this.fail(id, this.unavailable('is closed'));
  }

  private call(frame: SasCommand): Promise<Extract<SasFrame, { kind: 'ok' }>> {
    if (this.closed) return Promise.reject(this.unavailable('is closed'));
    const max = this.opts.inflightMax ?? 4096;
    if (this.pending.size >= max)
      return Promise.reject(
        new DcboxError('OVERLOADED', `${max} commands are already in flight to ${this.opts.peer}`),
      );
    this.nextId = (this.nextId + 1) >>> 0 || 1;
    const id = this.nextId;
    let encoded: Pending['encoded'];
    try {
      encoded = encodeHead({ ...frame, id });
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.expire(id), this.opts.timeoutMs);
      const p: Pending = { resolve, reject, timer, sentOn: null, sentAtMs: 0, encoded };
      this.pending.set(id, p);
      if (this.writer) this.transmit(this.writer, p);
      else {
        this.queue.push(id);
        this.connect();
      }
    });
  }

  private transmit(w: FrameWriter, p: Pending): void {
    p.sentOn = w.socket;
    p.sentAtMs = performance.now();
    w.sendEncoded(p.encoded);
  }

  private expire(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.reject(
      new DcboxError(
        'TIMEOUT',
        `${this.opts.peer} did not answer within ${this.opts.timeoutMs} ms; the command may or may not have taken effect`,
      ),
    );
    // Not a byte came back since it was sent: the connection is taken for dead (a partition).
    const s = p.sentOn;
    if (s && this.writer?.socket === s && this.lastReceivedMs <= p.sentAtMs)
      this.drop(s, `was silent for ${this.opts.timeoutMs} ms`);
  }

  private fail(id: number, err: DcboxError): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.reject(err);
  }

  private unavailable(what: string): DcboxError {
    return new DcboxError('UNAVAILABLE', `the SAS data channel to ${this.opts.peer} ${what}`);
  }

  /** Asks for the port, connects, then sends what waited; a failure fails what waited. */
  private connect(): void {
    if (this.connecting) return;
    this.connecting = true;
    const { address, timeoutMs } = this.opts;
    this.opts
      .discover(timeoutMs)
      .then((port) => {
        if (!port) throw this.unavailable('is not offered (no port)');
        const decoder = new FrameDecoder();
        return openSocket(
          address,
          port,
          timeoutMs,
          this.opts.peer,
          decoder,
          (frames) => this.received(frames),
          (why) => this.dropCurrent(why),
        ).then((sock) => ({ sock, decoder }));
      })
      .then(
        ({ sock: s }) => {
          this.connecting = false;
          if (this.closed) {
            s.destroy();
            return;
          }
          const w = this.attach(s);
          const queued = this.queue;
          this.queue = [];
          for (const id of queued) {
            const p = this.pending.get(id);
            if (p) this.transmit(w, p);
          }
        },
        (err: unknown) => {
          this.connecting = false;
          const e =
            err instanceof DcboxError && (err.code === 'TIMEOUT' || err.code === 'UNAVAILABLE')
              ? err
              : this.unavailable(`cannot be opened: ${(err as Error).message}`);
          const queued = this.queue;
          this.queue = [];
          for (const id of queued) this.fail(id, e);
        },
      );
  }

  private attach(s: Socket): FrameWriter {
    const w = new FrameWriter(s);
    if (this.opts.runToken) w.send({ kind: 'hello', id: 0, token: this.opts.runToken });
    this.writer = w;
    this.lastReceivedMs = performance.now();
    s.on('error', () => undefined);
    s.on('close', () => this.drop(s, 'closed'));
    return w;
  }

  private received(frames: SasFrame[]): void {
    this.lastReceivedMs = performance.now();
    for (const f of frames) this.settle(f);
  }

  private dropCurrent(why: string): void {
    if (this.writer) this.drop(this.writer.socket, why);
  }

  private settle(f: SasFrame): void {
    const p = this.pending.get(f.id);
    if (!p) return; // timed out already: its answer comes too late
    this.pending.delete(f.id);
    clearTimeout(p.timer);
    if (f.kind === 'ok') p.resolve(f);
    else if (f.kind === 'error') p.reject(new DcboxError(asCode(f.code), f.message));
    else p.reject(new DcboxError('IO_ERROR', `${this.opts.peer} answered with a ${f.kind} command`));
  }

  /** Drops a connection: what went out on it fails UNAVAILABLE (its outcome is unknown). */
  private drop(s: Socket, why: string): void {
    if (this.writer?.socket === s) this.writer = null;
    s.destroy();
    for (const [id, p] of this.pending) if (p.sentOn === s) this.fail(id, this.unavailable(why));
  }
}

/** Reads frames with `decoder` straight from the socket (net's onread), into its buffers. */
function readInto(
  decoder: FrameDecoder,
  onFrames: (frames: SasFrame[]) => void,
  onBad: (why: string) => void,
): { buffer: () => Buffer; callback: (n: number) => boolean } {
  return {
    buffer: () => decoder.buffer(),
    callback: (n: number) => {
      let frames: SasFrame[];
      try {
        frames = decoder.took(n);
      } catch (err) {
        onBad(`sent a bad frame: ${(err as Error).message}`);
        return false;
      }
      if (frames.length > 0) onFrames(frames);
      return true;
    },
  };
}

function openSocket(
  address: string,
  port: number,
  timeoutMs: number,
  peer: string,
  decoder: FrameDecoder,
  onFrames: (frames: SasFrame[]) => void,
  onBad: (why: string) => void,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: address, port, noDelay: true, onread: readInto(decoder, onFrames, onBad) });
    const timer = setTimeout(() => {
      s.destroy();
      reject(
        new DcboxError(
          'TIMEOUT',
          `the SAS data channel to ${peer} at ${address}:${port} did not open within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(
        new DcboxError(
          'UNAVAILABLE',
          `the SAS data channel to ${peer} at ${address}:${port} cannot be opened: ${err.message}`,
        ),
      );
    });
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
  });
}

const EMPTY: Buffer = Buffer.alloc(0);

/**
 * A socket over an accepted connection that reads into the decoder's buffers, as a client's
 * `onread` option does (net's createServer has no such option): the accepted socket, paused on
 * connect, hands its handle to a new Socket made with `onread`. This leans on net's `_handle`
 * and the `handle` option, which Node.js has long used internally (child_process handle
 * passing); where they are missing, the accepted socket's 'data' events go through the same
 * decoder with one copy.
 */
function adopt(accepted: Socket, onread: ReturnType<typeof readInto>): Socket {
  const handle = (accepted as unknown as { _handle?: unknown })._handle;
  if (handle) {
    try {
      (accepted as unknown as { _handle: unknown })._handle = null;
      const s = new Socket({
        handle,
        readable: true,
        writable: true,
        onread,
      } as unknown as SocketConstructorOpts);
      s.setNoDelay(true);
      s.resume();
      return s;
    } catch {
      (accepted as unknown as { _handle: unknown })._handle = handle;
    }
  }
  accepted.on('data', (chunk: Buffer) => feedInPieces(chunk, onread.buffer, onread.callback));
  accepted.resume();
  return accepted;
}

/** Whether two tokens are equal, in a time that does not depend on where they differ. */
function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A listening data channel. */
export interface SasServer {
  port: number;
  /** Connections open now. */
  connections(): number;
  /** Connections accepted since it started. */
  accepted(): number;
  close(): void;
}

/** What a data channel server is given. */
export interface SasServeOptions {
  address: string;
  port?: number;
  /** When set, a connection is served only after a hello with this token (docs/security.md). */
  runToken?: string;
  handle: (cmd: SasCommand) => Promise<SasAnswer>;
  onBadStream?: (err: Error) => void;
}

/**
 * One accepted connection: admitted by the run's hello when the server has a token, then each
 * command handed to `handle` and answered with its id. Returns the socket the frames are read on.
 */
function serveConnection(conn: Socket, opts: SasServeOptions): Socket {
  const decoder = new FrameDecoder();
  let s: Socket = conn;
  const bad = (why: string) => {
    opts.onBadStream?.(new Error(why));
    s.destroy();
  };
  let admitted = !opts.runToken;
  const onFrames = (frames: SasFrame[]) => {
    for (const f of frames) {
      if (f.kind === 'hello') {
        if (!opts.runToken || !sameToken(f.token, opts.runToken))
          return bad("a client's hello did not bring this run's token");
        admitted = true;
      } else if (!admitted) return bad(`a client sent a ${f.kind} frame before this run's token`);
      else if (f.kind === 'read' || f.kind === 'write') answer(f);
      else return bad(`a client sent a ${f.kind} frame`);
    }
  };
  s = adopt(conn, readInto(decoder, onFrames, bad));
  const w = new FrameWriter(s);
  const answer = (cmd: SasCommand) => {
    opts.handle(cmd).then(
      (a) =>
        w.send(
          'data' in a
            ? { kind: 'ok', id: cmd.id, written: 0, data: a.data }
            : { kind: 'ok', id: cmd.id, written: a.written, data: EMPTY },
        ),
      (err: unknown) => {
        const e =
          err instanceof DcboxError
            ? err
            : new DcboxError('IO_ERROR', String((err as Error)?.message ?? err));
        w.send({ kind: 'error', id: cmd.id, code: e.code, message: e.message });
      },
    );
  };
  s.on('error', () => undefined);
  return s;
}

/**
 * Serves the data channel on `address` (port 0: the kernel picks one): each command frame is
 * handed to `handle`, and its answer or error (a DcboxError's code, IO_ERROR otherwise) goes
 * back with the command's id. A connection that sends something else than frames is dropped.
 */
export function serveSasChannel(opts: SasServeOptions): Promise<SasServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer({ noDelay: true, pauseOnConnect: true }, (conn) => {
    const s = serveConnection(conn, opts);
    accepted++;
    sockets.add(s);
    s.on('close', () => {
      sockets.delete(s);
      if (s !== conn) conn.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.address, () => {
      server.off('error', reject);
      const at = server.address();
      resolve({
        port: typeof at === 'object' && at ? at.port : 0,
        connections: () => sockets.size,
        accepted: () => accepted,
        close: () => {
          server.close();
          for (const s of sockets) s.destroy();
        },
      });
    });
  });
}
