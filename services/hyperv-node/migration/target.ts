/**
 * The target's end of a migration (docs/domain.md §Live migration): reads the source's stream chunk by chunk,
 * builds the skeleton VM at setup, copies each page batch into its memory, and resumes the VM
 * on the resume order. A stream that breaks or stalls before that drops the skeleton.
 */

import type { Socket } from 'node:net';
import { DcboxError } from '../../actor/errors.js';
import type { MigrationAck } from '../../generated/dcbox/node/v1/MigrationAck.js';
import type { MigrationChunk__Output } from '../../generated/dcbox/node/v1/MigrationChunk.js';
import type { MigrationDeviceState__Output } from '../../generated/dcbox/node/v1/MigrationDeviceState.js';
import type { MigrationSetup__Output } from '../../generated/dcbox/node/v1/MigrationSetup.js';
import type { VmSpec } from '../../process/config.js';
import type { DeviceState } from '../vm/model.js';
import { PAGE_SIZE, runPages } from './dirty-bitmap.js';
import type { GuestMemory } from './guest-memory.js';
import { applyPages, checkChunk, checkPages, INCOMING_START, type IncomingState } from './incoming.js';
import { connectPageChannel, FrameParser } from './page-channel.js';
import { PhaseLog } from './phase-log.js';

/** What the target side needs of the VM host. */
export interface MigrationTarget {
  readonly hostName: string;
  /** Creates the skeleton VM with empty memory; throws DcboxError when it cannot. */
  incoming(setup: MigrationSetup__Output): Promise<void>;
  /** The skeleton VM's memory. */
  memoryOf(vm: string): GuestMemory | undefined;
  /** Reads the memory the source saved beside the VM on the CSV into the skeleton (quick migration). */
  restoreSaved(vm: string): Promise<void>;
  /** Resumes the VM here with the source's device state; resolves with the wall-clock time it resumed. */
  resumeIncoming(vm: string, device: DeviceState): Promise<number>;
  /** Drops the skeleton VM. */
  abortIncoming(vm: string): Promise<void>;
  /** Logs a line of the node's log (the migration's timeline once it resumed here). */
  log?(level: 'info' | 'warn', msg: string, fields: Record<string, unknown>): void;
}

/** A client-streaming call as the server sees it: chunks to read, and a cancellation. */
export interface IncomingStream extends AsyncIterable<MigrationChunk__Output> {
  on(event: 'cancelled', listener: () => void): unknown;
  destroy(err?: Error): unknown;
}

/** The device state as the VM core takes it. */
export function deviceFromWire(d: MigrationDeviceState__Output): DeviceState {
  return {
    enabled: d.workload_enabled,
    intervalMs: d.interval_ms,
    nextSeq: d.next_seq,
    acked: d.acked.map((r) => ({ first: r.first, last: r.last })),
    failedWrites: d.failed_writes,
    unknownWrites: d.unknown_writes,
    lastError: d.last_error,
    dirtyPagesPerSec: d.dirty_pages_per_sec,
    uptimeMs: d.uptime_ms,
    bootLeftMs: d.boot_left_ms,
  };
}

/** The VM spec a migration's setup carries, as the VM core takes it (placed on this node by it). */
export function specFromWire(setup: MigrationSetup__Output): VmSpec {
  const s = setup.spec;
  if (!s) throw new DcboxError('INVALID_ARGUMENT', 'setup carries no VM spec');
  return {
    name: s.name,
    memoryMiB: s.memory_mib,
    diskPath: s.disk_path,
    lun: s.lun,
    diskOffsetBytes: s.disk_offset_bytes,
    diskSizeBytes: s.disk_size_bytes,
    switchName: s.switch_name,
    node: '',
    dirtyPagesPerSec: s.dirty_pages_per_sec,
  };
}

/** Receives one migration; resolves with the ack once the VM runs here. */
export async function receiveMigration(
  host: MigrationTarget,
  stream: IncomingStream,
  stallMs: number,
): Promise<MigrationAck> {
  const run = new IncomingRun(host, stream, stallMs);
  stream.on('cancelled', () => run.fail(new DcboxError('UNAVAILABLE', 'the source cancelled the migration')));
  run.watch();
  try {
    for await (const chunk of stream) await run.chunk(chunk);
    const ack = run.ack();
    host.log?.('info', 'VM migration received', { vm: ack.vm, side: 'target', ...run.phases.fields() });
    return ack;
  } catch (err) {
    // The page channel goes first: nothing may land in the skeleton's memory once it is freed
    // (vm-host.ts keeps freed memory for the next VM migrating in).
    run.close();
    await run.abandon();
    throw err instanceof DcboxError
      ? err
      : new DcboxError('UNAVAILABLE', String((err as Error).message ?? err));
  } finally {
    run.close();
  }
}

/** One incoming migration: the stream's state, the skeleton VM's memory, and the page channel. */
class IncomingRun {
  private state: IncomingState = INCOMING_START;
  private device: DeviceState | null = null;
  /** The memory comes from the saved state on the CSV, not as pages (a quick migration). */
  private fromSavedState = false;
  private memory: GuestMemory | undefined;
  private resumedAt = 0;
  private created = false;
  private stalled: NodeJS.Timeout | undefined;
  // The page channel, when the source opened one: pages applied per pass, and who waits for them.
  private channel: Socket | null = null;
  private channelClosed = false;
  private failure: DcboxError | null = null;
  private readonly applied = new Map<number, number>();
  private wake: (() => void) | null = null;
  /** Where this migration's time went, for its log line. */
  readonly phases = new PhaseLog();

  constructor(
    private readonly host: MigrationTarget,
    private readonly stream: IncomingStream,
    private readonly stallMs: number,
  ) {}

  /** Ends the migration with an error: the stream goes, and whoever waits for pages wakes. */
  fail(err: DcboxError): void {
    this.failure ??= err;
    this.stream.destroy(err);
    this.wake?.();
  }

  /** Restarts the stall timer: the stream (or the page channel) made progress. */
  watch(): void {
    clearTimeout(this.stalled);
    this.stalled = setTimeout(
      () => this.fail(new DcboxError('TIMEOUT', `the migration stream stalled for ${this.stallMs} ms`)),
      this.stallMs,
    );
  }

  /** Takes one chunk of the stream. */
  async chunk(chunk: MigrationChunk__Output): Promise<void> {
    this.watch();
    const check = checkChunk(this.state, chunk);
    if (!check.ok) throw new DcboxError('INVALID_ARGUMENT', check.message);
    this.state = check.state;
    switch (chunk.body) {
      case 'setup':
        this.phases.mark('setupChunk');
        await this.setup(chunk.setup);
        break;
      case 'pages':
        if (chunk.pages && this.memory) {
          applyPages(this.memory.buf, chunk.pages.runs, chunk.pages.data);
          this.memory.written.markRuns(chunk.pages.runs);
        }
        break;
      case 'pass_end':
        this.phases.mark(`passEnd${chunk.pass_end?.pass}`);
        if (this.channel && chunk.pass_end) await this.passArrived(chunk.pass_end.pass, chunk.pass_end.pages);
        this.phases.mark(`passApplied${chunk.pass_end?.pass}`);
        break;
      case 'device':
        if (chunk.device) this.device = deviceFromWire(chunk.device);
        break;
      case 'progress':
        // The source is saving the VM's memory to the CSV: watch() above restarted the stall timer.
        break;
      case 'resume':
        if (!this.device) throw new DcboxError('INVALID_ARGUMENT', 'resume came without a device state');
        if (this.fromSavedState) {
          // Reading the memory back is this side's own work, not a wait on the source: no
          // stall counts while it lasts (the source allows for it before it gives up).
          clearTimeout(this.stalled);
          await this.host.restoreSaved(this.state.vm);
          this.watch();
        }
        this.phases.mark('resume');
        this.resumedAt = await this.host.resumeIncoming(this.state.vm, this.device);
        this.phases.mark('resumed');
        break;
    }
  }

  /** The ack for the source, once the stream ended after the resume. */
  ack(): MigrationAck {
    const state = this.state;
    if (state.phase !== 'resumed')
      throw new DcboxError(
        'UNAVAILABLE',
        `the migration stream of ${state.vm || 'a VM'} ended before resume`,
      );
    return {
      vm: state.vm,
      host: this.host.hostName,
      resumed_at_ms: this.resumedAt,
      bytes_received: state.bytesReceived,
      pages_received: state.pagesReceived,
    };
  }

  /** Drops the skeleton VM of a migration that did not resume here. */
  async abandon(): Promise<void> {
    if (this.created && this.state.phase !== 'resumed')
      await this.host.abortIncoming(this.state.vm).catch(() => undefined);
  }

  close(): void {
    clearTimeout(this.stalled);
    this.channel?.destroy();
  }

  /** Builds the skeleton VM and connects to the source's page channel when it opened one. */
  private async setup(setup: MigrationSetup__Output | null | undefined): Promise<void> {
    if (setup) await this.host.incoming(setup);
    this.phases.mark('skeleton');
    this.created = true;
    this.fromSavedState = setup?.from_saved_state === true;
    const memory = this.host.memoryOf(this.state.vm);
    this.memory = memory;
    if (!memory) throw new DcboxError('BAD_STATE', `no memory was allocated for ${this.state.vm}`);
    if (!setup?.page_port) return;
    const parser = new FrameParser({
      memory: memory.buf,
      written: memory.written,
      frame: (pass, runs) => {
        const c = checkPages(this.state, pass, runs, runPages(runs) * PAGE_SIZE);
        if (!c.ok) return c.message;
        this.state = c.state;
        return null;
      },
      applied: (pass, pages) => {
        this.applied.set(pass, (this.applied.get(pass) ?? 0) + pages);
        this.wake?.();
      },
    });
    const channel = await connectPageChannel(
      setup.page_address,
      setup.page_port,
      setup.page_token,
      parser,
      () => this.watch(),
      (err) => this.fail(err),
    );
    this.channel = channel;
    this.phases.mark('channel');
    channel.on('close', () => {
      this.channelClosed = true;
      if (!parser.atBoundary)
        this.fail(new DcboxError('UNAVAILABLE', 'the page channel closed inside a frame'));
      this.wake?.();
    });
  }

  /** Waits until the page channel delivered `pages` pages of `pass` (its PassEnd came on the stream). */
  private async passArrived(pass: number, pages: number): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      const got = this.applied.get(pass) ?? 0;
      if (got === pages) return;
      if (got > pages)
        throw new DcboxError('INVALID_ARGUMENT', `pass ${pass} ended at ${pages} pages, but ${got} came`);
      if (this.channelClosed)
        throw new DcboxError(
          'UNAVAILABLE',
          `the page channel closed with ${got} of pass ${pass}'s ${pages} pages`,
        );
      await new Promise<void>((resolve) => {
        this.wake = () => {
          this.wake = null;
          resolve();
        };
      });
    }
  }
}
