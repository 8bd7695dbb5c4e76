/**
 * The target's end of a migration (DOMAIN.md §5): reads the source's stream chunk by chunk,
 * builds the skeleton VM at setup, copies each page batch into its memory, and resumes the VM
 * on the resume order. A stream that breaks or stalls before that drops the skeleton.
 */

import type { Socket } from 'node:net';
import { DcboxError } from '../../actor/errors.js';
import type { MigrationAck } from '../../generated/dcbox/node/v1/MigrationAck.js';
import type { MigrationChunk__Output } from '../../generated/dcbox/node/v1/MigrationChunk.js';
import type { MigrationDeviceState__Output } from '../../generated/dcbox/node/v1/MigrationDeviceState.js';
import type { MigrationSetup__Output } from '../../generated/dcbox/node/v1/MigrationSetup.js';
import type { DeviceState } from '../vm/model.js';
import { PAGE_SIZE, runPages } from './dirty-bitmap.js';
import { applyPages, checkChunk, checkPages, INCOMING_START, type IncomingState } from './incoming.js';
import { connectPageChannel, FrameParser } from './page-channel.js';

/** What the target side needs of the VM host. */
export interface MigrationTarget {
  readonly hostName: string;
  /** Creates the skeleton VM with empty memory; throws DcboxError when it cannot. */
  incoming(setup: MigrationSetup__Output): Promise<void>;
  /** The skeleton VM's memory. */
  memoryOf(vm: string): Buffer | undefined;
  /** Resumes the VM here with the source's device state; resolves with the wall-clock time it resumed. */
  resumeIncoming(vm: string, device: DeviceState): Promise<number>;
  /** Drops the skeleton VM. */
  abortIncoming(vm: string): Promise<void>;
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
  };
}

/** Receives one migration; resolves with the ack once the VM runs here. */
export async function receiveMigration(
  host: MigrationTarget,
  stream: IncomingStream,
  stallMs: number,
): Promise<MigrationAck> {
  let state: IncomingState = INCOMING_START;
  let device: DeviceState | null = null;
  let memory: Buffer | undefined;
  let resumedAt = 0;
  let created = false;
  let stalled: NodeJS.Timeout | undefined;
  // The page channel, when the source opened one: pages applied per pass, and who waits for them.
  let channel: Socket | null = null;
  let channelClosed = false;
  let failure: DcboxError | null = null;
  const applied = new Map<number, number>();
  let wake: (() => void) | null = null;
  const fail = (err: DcboxError) => {
    failure ??= err;
    stream.destroy(err);
    wake?.();
  };
  const watch = () => {
    clearTimeout(stalled);
    stalled = setTimeout(
      () => fail(new DcboxError('TIMEOUT', `the migration stream stalled for ${stallMs} ms`)),
      stallMs,
    );
  };
  stream.on('cancelled', () => fail(new DcboxError('UNAVAILABLE', 'the source cancelled the migration')));
  watch();
  /** Waits until the page channel delivered `pages` pages of `pass` (its PassEnd came on the stream). */
  const passArrived = async (pass: number, pages: number) => {
    for (;;) {
      if (failure) throw failure;
      const got = applied.get(pass) ?? 0;
      if (got === pages) return;
      if (got > pages)
        throw new DcboxError('INVALID_ARGUMENT', `pass ${pass} ended at ${pages} pages, but ${got} came`);
      if (channelClosed)
        throw new DcboxError(
          'UNAVAILABLE',
          `the page channel closed with ${got} of pass ${pass}'s ${pages} pages`,
        );
      await new Promise<void>((resolve) => {
        wake = () => {
          wake = null;
          resolve();
        };
      });
    }
  };
  try {
    for await (const chunk of stream) {
      watch();
      const check = checkChunk(state, chunk);
      if (!check.ok) throw new DcboxError('INVALID_ARGUMENT', check.message);
      state = check.state;
      switch (chunk.body) {
        case 'setup':
          if (chunk.setup) await host.incoming(chunk.setup);
          created = true;
          memory = host.memoryOf(state.vm);
          if (!memory) throw new DcboxError('BAD_STATE', `no memory was allocated for ${state.vm}`);
          if (chunk.setup?.page_port) {
            const parser = new FrameParser({
              memory,
              frame(pass, runs) {
                const c = checkPages(state, pass, runs, runPages(runs) * PAGE_SIZE);
                if (!c.ok) return c.message;
                state = c.state;
                return null;
              },
              applied(pass, pages) {
                applied.set(pass, (applied.get(pass) ?? 0) + pages);
                wake?.();
              },
            });
            channel = await connectPageChannel(
              chunk.setup.page_address,
              chunk.setup.page_port,
              chunk.setup.page_token,
              parser,
              watch,
              fail,
            );
            channel.on('close', () => {
              channelClosed = true;
              if (!parser.atBoundary)
                fail(new DcboxError('UNAVAILABLE', 'the page channel closed inside a frame'));
              wake?.();
            });
          }
          break;
        case 'pages':
          if (chunk.pages && memory) applyPages(memory, chunk.pages.runs, chunk.pages.data);
          break;
        case 'pass_end':
          if (channel && chunk.pass_end) await passArrived(chunk.pass_end.pass, chunk.pass_end.pages);
          break;
        case 'device':
          if (chunk.device) device = deviceFromWire(chunk.device);
          break;
        case 'resume':
          if (!device) throw new DcboxError('INVALID_ARGUMENT', 'resume came without a device state');
          resumedAt = await host.resumeIncoming(state.vm, device);
          break;
      }
    }
    if (state.phase !== 'resumed')
      throw new DcboxError(
        'UNAVAILABLE',
        `the migration stream of ${state.vm || 'a VM'} ended before resume`,
      );
    return {
      vm: state.vm,
      host: host.hostName,
      resumed_at_ms: resumedAt,
      bytes_received: state.bytesReceived,
      pages_received: state.pagesReceived,
    };
  } catch (err) {
    if (created && state.phase !== 'resumed') await host.abortIncoming(state.vm).catch(() => undefined);
    throw err instanceof DcboxError
      ? err
      : new DcboxError('UNAVAILABLE', String((err as Error).message ?? err));
  } finally {
    clearTimeout(stalled);
    (channel as Socket | null)?.destroy();
  }
}
