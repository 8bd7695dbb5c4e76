/**
 * The page channel of a live migration: one TCP connection between the two node hosts that
 * carries the guest's pages as raw frames, beside the MigrateIn gRPC stream that carries the
 * setup, each pass's end, the device state and the resume order (the phases of docs/domain.md §Live migration).
 *
 * Why not the gRPC stream: each 2 MiB batch there was protobuf-encoded (a copy), framed by
 * grpc-js (another), and paced by HTTP/2's 64 KiB flow-control windows, which held a 1 GiB copy
 * to ~0.1 of what the link carries. Here a batch is a 16-byte header, its runs, and views of
 * guest memory handed to the kernel as they are; the target copies what it reads straight into
 * the skeleton VM's memory.
 *
 * The source listens on its own host address (an ephemeral port) and names it, with a random
 * token, in the setup chunk; the target connects and sends the token first. The connection runs
 * between the two hosts' addresses, so a partition of the emulated network cuts it as it cuts
 * the gRPC stream.
 *
 * Frame: u32 magic, u32 pass, u32 number of run values (2 per run), u32 flags; then the runs as
 * u32 (first page, page count) pairs; then the pages of every run back to back. Little-endian.
 *
 * Zero frames (flag ZERO_PAGES): pages the guest never wrote on the source, which are zero. Their
 * bytes still cross the wire, as every page of a 2008 R2 live migration does; the source sends
 * them from a zero buffer instead of reading guest memory it never touched, and the target
 * checks that they are zero and writes only the pages of its memory that are not zero already
 * (written on this node before), leaving the others untouched. Untouched memory is not backed by
 * the host yet, and every first touch of it is a page fault (guest-memory.ts).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { DcboxError } from '../../actor/errors.js';
import { within } from '../../actor/pending.js';
import { feedInPieces } from '../../sas/read-into.js';
import { type DirtyBitmap, PAGE_SIZE } from './dirty-bitmap.js';

/** "DCPG": the first word of every frame, so a stray byte stream is refused, not applied. */
export const FRAME_MAGIC = 0x44435047;
/** The flag of a frame whose pages are all zero. */
export const ZERO_PAGES = 1;
const HEADER_BYTES = 16;
/** Where the target reads a zero frame's bytes, to check them, instead of into guest memory. */
const ZERO_SCRATCH_BYTES = 256 * 1024;
/** Zeros for the pages of a zero frame (a source's batch is at most 2 MiB) and to check them. */
const ZEROS = Buffer.alloc(2 * 1024 * 1024);

/** `n` zero bytes: a view of one shared buffer, or a new one past its size. */
export function zeroBytes(n: number): Buffer {
  return n <= ZEROS.length ? ZEROS.subarray(0, n) : Buffer.alloc(n);
}
/** A frame names at most this many runs: the source batches at most 512 pages, one run each at worst. */
const RUN_VALUES_MAX = 2 * 4096;
const TOKEN_BYTES = 16;
/**
 * Bytes the source queues in user space before it waits for the kernel to take them. A pass is
 * over only once its last page was taken (the pass decision measures the real rate), so this
 * only keeps the socket busy between writes; the kernel's own send buffer is a few MiB more.
 */
const QUEUED_MAX = 8 * 1024 * 1024;

/** The source's end: listens for the target, then writes frames. */
export class PageSender {
  readonly token = randomBytes(TOKEN_BYTES);
  private socket: Socket | null = null;
  private failure: DcboxError | null = null;
  private readonly connected: Promise<Socket>;

  private constructor(
    private readonly server: Server,
    readonly address: string,
    readonly port: number,
    private readonly target: string,
    private readonly stallMs: number,
  ) {
    this.connected = new Promise<Socket>((resolve) => {
      server.on('connection', (s) => {
        if (this.socket) {
          s.destroy();
          return;
        }
        s.setNoDelay(true);
        let got = Buffer.alloc(0);
        const onData = (d: Buffer) => {
          got = Buffer.concat([got, d]);
          if (got.length < TOKEN_BYTES) return;
          s.off('data', onData);
          if (got.length !== TOKEN_BYTES || !timingSafeEqual(got, this.token)) {
            s.destroy();
            return;
          }
          s.pause();
          this.socket = s;
          s.on('error', (err) => {
            this.failure ??= new DcboxError(
              'UNAVAILABLE',
              `the page channel to ${target} failed: ${err.message}`,
            );
          });
          s.on('close', () => {
            this.failure ??= new DcboxError('UNAVAILABLE', `the page channel to ${target} closed early`);
          });
          server.close();
          resolve(s);
        };
        s.on('data', onData);
        s.on('error', () => undefined);
      });
    });
    this.connected.catch(() => undefined);
  }

  /** Listens on the source's address, on a port the kernel picks. */
  static listen(address: string, target: string, stallMs: number): Promise<PageSender> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, address, () => {
        server.off('error', reject);
        const at = server.address();
        const port = typeof at === 'object' && at ? at.port : 0;
        resolve(new PageSender(server, address, port, target, stallMs));
      });
    });
  }

  /** Waits for the target to connect with the token, at most stallMs. */
  async accept(): Promise<void> {
    await this.within(this.connected, 'the target to open the page channel');
  }

  /**
   * Writes one frame: the header and runs, then each run's pages as views of guest memory (or of
   * a zero buffer, with `flags` ZERO_PAGES).
   */
  async send(pass: number, runs: readonly number[], parts: readonly Buffer[], flags = 0): Promise<void> {
    const s = this.live();
    const head = Buffer.allocUnsafe(HEADER_BYTES + runs.length * 4);
    head.writeUInt32LE(FRAME_MAGIC, 0);
    head.writeUInt32LE(pass, 4);
    head.writeUInt32LE(runs.length, 8);
    head.writeUInt32LE(flags, 12);
    for (let i = 0; i < runs.length; i++) head.writeUInt32LE(runs[i] as number, HEADER_BYTES + i * 4);
    s.cork();
    s.write(head);
    for (const p of parts) s.write(p);
    s.uncork();
    if (s.writableLength > QUEUED_MAX) await this.drained(s);
  }

  /** Waits until the kernel took every byte written so far. */
  async flush(): Promise<void> {
    const s = this.live();
    if (s.writableLength > 0) await this.drained(s);
    this.live();
  }

  /** Ends the channel once everything written was sent; the target reads to the end. */
  end(): void {
    this.socket?.end();
  }

  /** Drops the channel (and stops listening) at once. */
  close(): void {
    this.server.close();
    this.socket?.destroy();
  }

  private live(): Socket {
    if (this.failure) throw this.failure;
    if (!this.socket) throw new DcboxError('BAD_STATE', 'the page channel is not open');
    return this.socket;
  }

  private drained(s: Socket): Promise<void> {
    return this.within(
      new Promise<void>((resolve, reject) => {
        const done = () => {
          s.off('drain', done);
          s.off('close', done);
          if (this.failure) reject(this.failure);
          else resolve();
        };
        s.on('drain', done);
        s.on('close', done);
      }),
      'the page channel to drain',
    );
  }

  private within<T>(p: Promise<T>, what: string): Promise<T> {
    return within(
      p,
      this.stallMs,
      `the page channel to ${this.target} made no progress for ${this.stallMs} ms (waiting for ${what})`,
    );
  }
}

/** What the frame parser asks of the target: a check of each frame's runs, and where pages go. */
export interface FrameSink {
  /** Checks a frame before any of its pages is copied; returns why it is refused, or null. */
  frame(pass: number, runs: readonly number[]): string | null;
  /** The skeleton VM's memory. */
  memory: Buffer;
  /** The pages of `memory` written on this node: a data frame marks its pages here. */
  written: DirtyBitmap;
  /** A frame's pages are all in memory. */
  applied(pass: number, pages: number): void;
}

/**
 * Reads frames from the byte stream and puts each run's pages straight into guest memory:
 * `buffer()` says where the next bytes go (the rest of the header, of the runs, or of the
 * current run's place in guest memory) and `took(n)` that n bytes landed there. The socket
 * reads into those buffers itself (net's `onread`), so pages cross no intermediate buffer and
 * no per-64-KiB allocation. Pure: no sockets, so its framing is unit-tested with `push`.
 */
export class FrameParser {
  private readonly head = Buffer.alloc(HEADER_BYTES);
  private have = 0;
  private runsBuf = Buffer.alloc(0);
  private pass = 0;
  private runs: number[] = [];
  /** Index of the run being filled. */
  private run = 0;
  private pages = 0;
  private zero = false;
  private readonly scratch = Buffer.alloc(ZERO_SCRATCH_BYTES);
  private phase: 'head' | 'runs' | 'data' = 'head';

  constructor(private readonly sink: FrameSink) {}

  /** Where the next bytes of the stream belong; never past the current part of the frame. */
  buffer(): Buffer {
    if (this.phase === 'head') return this.head.subarray(this.have);
    if (this.phase === 'runs') return this.runsBuf.subarray(this.have);
    const at = (this.runs[this.run * 2] as number) * PAGE_SIZE;
    const bytes = (this.runs[this.run * 2 + 1] as number) * PAGE_SIZE;
    if (this.zero) return this.scratch.subarray(0, Math.min(bytes - this.have, ZERO_SCRATCH_BYTES));
    return this.sink.memory.subarray(at + this.have, at + bytes);
  }

  /** `n` bytes were written at the start of the last `buffer()`; throws DcboxError on a bad frame. */
  took(n: number): void {
    this.have += n;
    if (this.phase === 'head') {
      if (this.have < HEADER_BYTES) return;
      if (this.head.readUInt32LE(0) !== FRAME_MAGIC)
        throw new DcboxError('INVALID_ARGUMENT', 'the page channel sent a frame without the DCPG magic');
      this.pass = this.head.readUInt32LE(4);
      this.zero = (this.head.readUInt32LE(12) & ZERO_PAGES) !== 0;
      const values = this.head.readUInt32LE(8);
      if (values === 0 || values % 2 !== 0 || values > RUN_VALUES_MAX)
        throw new DcboxError('INVALID_ARGUMENT', `a page frame names ${values} run values`);
      this.runsBuf = Buffer.alloc(values * 4);
      this.have = 0;
      this.phase = 'runs';
    } else if (this.phase === 'runs') {
      if (this.have < this.runsBuf.length) return;
      this.runs = [];
      this.pages = 0;
      for (let i = 0; i < this.runsBuf.length; i += 4) this.runs.push(this.runsBuf.readUInt32LE(i));
      for (let i = 1; i < this.runs.length; i += 2) this.pages += this.runs[i] as number;
      // Checked before a byte of it is read into guest memory.
      const refused = this.sink.frame(this.pass, this.runs);
      if (refused) throw new DcboxError('INVALID_ARGUMENT', refused);
      if (!this.zero) this.sink.written.markRuns(this.runs);
      this.run = 0;
      this.have = 0;
      this.phase = 'data';
    } else {
      if (this.zero) this.zeroed(n);
      if (this.have < (this.runs[this.run * 2 + 1] as number) * PAGE_SIZE) return;
      this.run++;
      this.have = 0;
      if (this.run * 2 < this.runs.length) return;
      this.phase = 'head';
      this.sink.applied(this.pass, this.pages);
    }
  }

  /**
   * The last `n` bytes of a zero frame came into the scratch buffer: they must be zero, and the
   * pages they stand for are cleared where this node wrote them (the others are zero already).
   */
  private zeroed(n: number): void {
    if (!this.scratch.subarray(0, n).equals(ZEROS.subarray(0, n)))
      throw new DcboxError('INVALID_ARGUMENT', 'a frame of zero pages carried bytes that are not zero');
    const from = (this.runs[this.run * 2] as number) * PAGE_SIZE + this.have - n;
    const end = from + n;
    for (let at = from; at < end; ) {
      const page = Math.floor(at / PAGE_SIZE);
      const next = Math.min((page + 1) * PAGE_SIZE, end);
      if (this.sink.written.isDirty(page)) this.sink.memory.fill(0, at, next);
      at = next;
    }
  }

  /** Takes bytes as a plain stream delivers them, in pieces of any size. */
  push(chunk: Buffer): void {
    feedInPieces(
      chunk,
      () => this.buffer(),
      (n) => {
        this.took(n);
        return true;
      },
    );
  }

  /** True between frames: a channel that ends here lost nothing. */
  get atBoundary(): boolean {
    return this.phase === 'head' && this.have === 0;
  }
}

/**
 * Connects to the source's page channel, sends the token first, and reads every frame into
 * guest memory through `parser`; `onError` gets a refused frame or a broken connection.
 */
export function connectPageChannel(
  address: string,
  port: number,
  token: Uint8Array,
  parser: FrameParser,
  onProgress: () => void,
  onError: (err: DcboxError) => void,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({
      port,
      host: address,
      onread: {
        buffer: () => parser.buffer(),
        callback: (n: number) => {
          onProgress();
          try {
            parser.took(n);
            return true;
          } catch (err) {
            onError(err as DcboxError);
            s.destroy();
            return false;
          }
        },
      },
    });
    s.setNoDelay(true);
    s.once('error', reject);
    s.once('connect', () => {
      s.off('error', reject);
      s.on('error', (err) =>
        onError(new DcboxError('UNAVAILABLE', `the page channel failed: ${err.message}`)),
      );
      s.write(Buffer.from(token));
      resolve(s);
    });
  });
}
