/**
 * The source's end of a migration stream: a client-streaming MigrateIn call to the target
 * node's HyperVNode service over the emulated network. It respects gRPC backpressure (a write
 * that returns false waits for 'drain') and gives up when the stream makes no progress for
 * stallMs, as a partition would leave it hanging.
 */
import { DcboxError } from '../../actor/errors.js';
import { within } from '../../actor/pending.js';
import type { HyperVNodeClient } from '../../generated/dcbox/node/v1/HyperVNode.js';
import type { MigrationAck__Output } from '../../generated/dcbox/node/v1/MigrationAck.js';
import type { MigrationChunk } from '../../generated/dcbox/node/v1/MigrationChunk.js';
import { fromServiceError } from '../../transport/grpc-errors.js';

/**
 * Messages written but not yet taken by the transport. grpc-js's own buffer would hold 16
 * messages (32 MiB of pages) whatever their size, which would hide the real copy rate from
 * the pass decision and push the wait into the blackout; a small window keeps the stream full
 * and the measurement honest.
 */
const IN_FLIGHT_MAX = 4;

/** One open migration stream. */
export class MigrationLink {
  /** The target's answer: its ack once the VM runs there, or the error that ended the stream. */
  readonly ack: Promise<MigrationAck__Output>;
  private failure: DcboxError | null = null;
  private readonly failed: Promise<never>;
  private readonly call: ReturnType<HyperVNodeClient['MigrateIn']>;
  private inFlight = 0;
  private wake: (() => void) | null = null;

  constructor(
    client: HyperVNodeClient,
    private readonly target: string,
    private readonly stallMs: number,
  ) {
    let reject!: (err: DcboxError) => void;
    this.failed = new Promise<never>((_, r) => {
      reject = r;
    });
    this.failed.catch(() => undefined);
    let settle!: (err: Error | null, res?: MigrationAck__Output) => void;
    this.ack = new Promise<MigrationAck__Output>((resolve, rejectAck) => {
      settle = (err, res) => {
        if (err || !res) {
          const e = err ? fromServiceError(err) : new DcboxError('IO_ERROR', `${target} sent no ack`);
          this.failure ??= e;
          reject(e);
          rejectAck(e);
        } else resolve(res);
      };
    });
    this.call = client.MigrateIn((err, res) => settle(err, res));
    this.ack.catch(() => undefined);
  }

  /**
   * Writes one chunk; waits while IN_FLIGHT_MAX messages are not yet taken by the transport,
   * and for 'drain' when gRPC asks the sender to.
   */
  async send(chunk: MigrationChunk): Promise<void> {
    if (this.failure) throw this.failure;
    this.inFlight++;
    const ok = this.call.write(chunk, () => {
      this.inFlight--;
      this.wake?.();
    });
    if (!ok)
      await this.within(new Promise<void>((resolve) => this.call.once('drain', () => resolve())), 'drain');
    while (this.inFlight >= IN_FLIGHT_MAX) await this.taken();
  }

  /** Waits until every message written so far was taken by the transport. */
  async flush(): Promise<void> {
    while (this.inFlight > 0) await this.taken();
  }

  private taken(): Promise<void> {
    return this.within(
      new Promise<void>((resolve) => {
        this.wake = () => {
          this.wake = null;
          resolve();
        };
      }),
      'the transport',
    );
  }

  /** Waits for `p`, or fails as soon as the stream does (the target refused the setup, say). */
  guard<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.failed]);
  }

  /** Half-closes the stream: nothing more will be sent. */
  end(): void {
    this.call.end();
  }

  /** Waits for the target's ack, at most stallMs plus `extraMs` of work the target does first. */
  waitAck(extraMs = 0): Promise<MigrationAck__Output> {
    return this.within(this.ack, 'ack', extraMs);
  }

  /** Abandons the stream; the target drops its skeleton VM. */
  cancel(): void {
    this.call.cancel();
  }

  private within<T>(p: Promise<T>, what: string, extraMs = 0): Promise<T> {
    const ms = this.stallMs + extraMs;
    return within(
      Promise.race([p, this.failed]),
      ms,
      `the migration stream to ${this.target} made no progress for ${ms} ms (waiting for ${what})`,
    );
  }
}
