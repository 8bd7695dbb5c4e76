/**
 * services/hyperv-node/migration: live and quick migration of a VM between two nodes:
 * the source's end here and the target's in target.ts.
 *
 * Files: source-core.ts (the source's procedure, pure), passes.ts (when to stop copying,
 * pure), incoming.ts (the target's checks of the stream, pure), dirty-bitmap.ts (modified
 * pages, pure), guest-memory.ts (guest RAM and its bitmap), link.ts (the MigrateIn stream,
 * adapter), page-channel.ts (the TCP page channel, adapter), phase-log.ts (a migration's
 * timeline for the log), target.ts (the target's end, adapter), this file (the source's end,
 * adapter). The memory a VM leaves behind is kept for the next one migrating in by
 * ../warm-memory.ts.
 *
 * The source's end of a migration, the adapter: runs the pure procedure of source-core.ts and
 * carries out its effects — the MigrateIn stream, the page channel, the dirty bitmap of guest
 * memory, the VM core's pause and hand-over — one at a time, feeding each result back as a
 * message. Times come from the host's clock.
 */

import { setImmediate } from 'node:timers/promises';
import type { Clock } from '../../actor/clock.js';
import { DcboxError } from '../../actor/errors.js';
import type { MigrationStats__Output as MigrationStats } from '../../generated/dcbox/cluster/v1/MigrationStats.js';
import type { HyperVNodeClient } from '../../generated/dcbox/node/v1/HyperVNode.js';
import type { Logger } from '../../process/log.js';
import type { DeviceState, VmInstanceState } from '../vm/model.js';
import { batchRuns, PAGE_SIZE, runPages, splitRuns } from './dirty-bitmap.js';
import type { GuestMemory } from './guest-memory.js';
import { MigrationLink } from './link.js';
import { PageSender, ZERO_PAGES, zeroBytes } from './page-channel.js';
import type { PassPolicy } from './passes.js';
import { PhaseLog } from './phase-log.js';
import {
  decideMigrationSource,
  initialMigrationSource,
  type MigrationKind,
  type MigrationPhase,
  type MigrationSourceEffect,
  type MigrationSourceMsg,
} from './source-core.js';

/** The slowest CSV read a restore is given time for before the source stops waiting: 16 MiB/s. */
const RESTORE_BYTES_PER_SEC_MIN = 16 * 1024 * 1024;

/** Pages per stream message: 512 pages = 2 MiB, large enough that per-message cost is small. */
const BATCH_PAGES = 512;

/** How long a pass sends without letting the event loop turn (sendPages). */
const TURN_EVERY_MS = 10;

/** What the source side needs of the VM host. */
export interface MigrationSource {
  readonly hostName: string;
  readonly address: string;
  readonly clock: Clock;
  readonly stallMs: number;
  readonly policy: PassPolicy;
  /** Send pages on a TCP page channel beside the stream (true), or on the stream itself. */
  readonly pageChannel: boolean;
  readonly log: Logger;
  memoryOf(vm: string): GuestMemory | undefined;
  /** Whether the VM's saved state is on storage the target reads too (the CSV). */
  savedStateShared(vm: VmInstanceState): boolean;
  /** Saves the paused VM's memory beside it on the CSV; resolves with the bytes written. */
  saveState(vm: string): Promise<number>;
  /** The VM as the VM core has it now. */
  get(vm: string): VmInstanceState | undefined;
  peer(node: string): HyperVNodeClient;
  pause(vm: string): Promise<unknown>;
  migratedAway(vm: string): Promise<unknown>;
  migrationFailed(vm: string, hold: boolean): Promise<unknown>;
  emit(event: MigrationPhase): void;
}

/**
 * Migrates a VM whose node-pair slot is taken (the VM core's beginMigration answered `vm`);
 * resolves with the stats, or rejects with the error the procedure decided.
 */
export async function sendMigration(
  host: MigrationSource,
  vm: VmInstanceState,
  to: string,
  kind: MigrationKind,
  startedAt: number,
): Promise<MigrationStats> {
  const run = new SourceRun(host, vm, to);
  let d = decideMigrationSource(
    initialMigrationSource({
      vm,
      from: host.hostName,
      to,
      kind,
      savedStateShared: host.savedStateShared(vm),
      policy: host.policy,
      startedAt,
    }),
    { type: 'start' },
    { now: host.clock.now() },
  );
  for (;;) {
    let next: MigrationSourceMsg | undefined;
    for (const effect of d.effects) {
      if (effect.type === 'finish') {
        host.log('info', 'VM migration timeline', {
          vm: vm.spec.name,
          to,
          side: 'source',
          ...run.phases.fields(),
        });
        return effect.stats;
      }
      if (effect.type === 'reject') throw new DcboxError(effect.code, effect.message, { cause: run.cause });
      next = (await run.carry(effect)) ?? next;
      if (next?.type === 'failed') break;
    }
    if (!next) throw new Error(`the migration source of ${vm.spec.name} stopped with no step to take`);
    d = decideMigrationSource(d.state, next, { now: host.clock.now() });
  }
}

/** One migration's resources and how each effect is carried out. */
class SourceRun {
  private link: MigrationLink | undefined;
  private pages: PageSender | undefined;
  private mem: GuestMemory | undefined;
  /** The error behind a failure, kept as the cause of the one thrown. */
  cause: unknown;
  /** Where this migration's time went, for its log line. */
  readonly phases = new PhaseLog();
  private readonly name: string;
  /** The target restores the memory from the CSV before it acks (a quick migration). */
  private viaSavedState = false;

  constructor(
    private readonly host: MigrationSource,
    vm: VmInstanceState,
    private readonly to: string,
  ) {
    this.name = vm.spec.name;
  }

  /** Carries out one effect; a failure comes back as a `failed` message. */
  async carry(effect: MigrationSourceEffect): Promise<MigrationSourceMsg | undefined> {
    try {
      const next = await this.step(effect);
      if (effect.type !== 'emit' && effect.type !== 'log') this.phases.mark(effect.type);
      return next;
    } catch (err) {
      this.cause = err;
      const e =
        err instanceof DcboxError ? err : new DcboxError('IO_ERROR', String((err as Error).message ?? err));
      return { type: 'failed', code: e.code, message: e.message, definite: e.definite };
    }
  }

  private async step(effect: MigrationSourceEffect): Promise<MigrationSourceMsg | undefined> {
    const host = this.host;
    switch (effect.type) {
      case 'connect':
        return this.connect();
      case 'sendSetup':
        await this.sendSetup(effect);
        return { type: 'setupSent' };
      case 'pause':
        await host.pause(this.name);
        return { type: 'paused' };
      case 'markAllDirty':
        this.memory().dirty.markAll();
        return undefined;
      case 'sendPass':
        return this.sendPass(effect.pass);
      case 'sendFinalPass': {
        const bytes = await this.sendPages(effect.pass, this.memory().dirty.take());
        this.pages?.end();
        return { type: 'finalPassSent', bytes, vm: host.get(this.name) };
      }
      case 'saveState': {
        const bytes = await this.whileReportingProgress(host.saveState(this.name));
        this.pages?.end();
        return { type: 'stateSaved', bytes, vm: host.get(this.name) };
      }
      case 'sendDevice':
        await this.stream().send({ device: deviceToWire(effect.device) });
        return { type: 'deviceSent' };
      case 'sendResume': {
        await this.stream().send({ resume: {} });
        this.stream().end();
        // A target restoring from the CSV reads all of the memory before it acks.
        const restoreMs = this.viaSavedState
          ? (this.memory().buf.length / RESTORE_BYTES_PER_SEC_MIN) * 1000
          : 0;
        const ack = await this.stream().waitAck(restoreMs);
        return { type: 'acked', resumedAtMs: ack.resumed_at_ms };
      }
      case 'handOff':
        await host.migratedAway(this.name);
        return { type: 'handedOff' };
      case 'abort':
        this.link?.cancel();
        this.pages?.close();
        return undefined;
      case 'migrationFailed':
        await host.migrationFailed(this.name, effect.hold).catch(() => undefined);
        return undefined;
      case 'emit':
        host.emit(effect.event);
        return undefined;
      case 'log':
        host.log(effect.level, effect.msg, effect.fields);
        return undefined;
      case 'finish':
      case 'reject':
        return undefined;
    }
  }

  /**
   * Waits for `work` while telling the target, a few times per stall window, that the source is
   * still at it: saving a large VM to the CSV takes longer than the target waits for a chunk.
   */
  private async whileReportingProgress<T>(work: Promise<T>): Promise<T> {
    const every = Math.max(50, Math.floor(this.host.stallMs / 4));
    const timer = setInterval(() => {
      void this.stream()
        .send({ progress: { bytes_done: 0 } })
        .catch(() => undefined);
    }, every);
    try {
      return await work;
    } finally {
      clearInterval(timer);
    }
  }

  private memory(): GuestMemory {
    if (!this.mem) throw new Error(`the migration of ${this.name} has no guest memory yet`);
    return this.mem;
  }

  private stream(): MigrationLink {
    if (!this.link) throw new Error(`the migration of ${this.name} has no stream yet`);
    return this.link;
  }

  private async connect(): Promise<MigrationSourceMsg> {
    const host = this.host;
    this.mem = host.memoryOf(this.name);
    if (!this.mem) throw new DcboxError('BAD_STATE', `VM ${this.name} has no memory on ${host.hostName}`);
    if (host.pageChannel) this.pages = await PageSender.listen(host.address, this.to, host.stallMs);
    this.link = new MigrationLink(host.peer(this.to), this.to, host.stallMs);
    return { type: 'connected', memoryBytes: this.mem.buf.length };
  }

  private async sendSetup(effect: Extract<MigrationSourceEffect, { type: 'sendSetup' }>): Promise<void> {
    const spec = effect.spec;
    this.viaSavedState = effect.viaSavedState;
    const pages = this.pages;
    await this.stream().send({
      setup: {
        source: this.host.hostName,
        kind: effect.kind,
        memory_bytes: effect.memoryBytes,
        page_size: PAGE_SIZE,
        page_address: pages?.address ?? '',
        page_port: pages?.port ?? 0,
        page_token: pages?.token ?? Buffer.alloc(0),
        from_saved_state: effect.viaSavedState,
        spec: {
          name: spec.name,
          memory_mib: spec.memoryMiB,
          disk_path: spec.diskPath,
          lun: spec.lun,
          disk_offset_bytes: spec.diskOffsetBytes,
          disk_size_bytes: spec.diskSizeBytes,
          switch_name: spec.switchName,
          dirty_pages_per_sec: effect.dirtyPagesPerSec,
        },
      },
    });
    if (pages) await this.stream().guard(pages.accept());
  }

  /** One pass while the VM runs: what was sent, how long it took, and what the guest dirtied meanwhile. */
  private async sendPass(pass: number): Promise<MigrationSourceMsg> {
    const mem = this.memory();
    const t0 = this.host.clock.now();
    const runs = mem.dirty.take();
    const bytes = await this.sendPages(pass, runs);
    const ms = this.host.clock.now() - t0;
    const vm = this.host.get(this.name);
    return { type: 'passSent', pass, pages: runPages(runs), bytes, ms, dirtyPages: mem.dirty.count, vm };
  }

  /**
   * Sends the pages of one pass in batches of BATCH_PAGES, on the page channel when there is
   * one, else on the stream. A contiguous run goes as a view of guest memory, without a copy:
   * it is written after the pages were taken from the bitmap, so any later change marks them
   * dirty again and a later pass sends them anew. Pages the guest never wrote here are zero and
   * go as views of a zero buffer, in zero frames on the page channel (page-channel.ts).
   */
  private async sendPages(pass: number, runs: number[]): Promise<number> {
    const mem = this.memory();
    const { inSet: written, outside: zero } = splitRuns(runs, mem.written);
    const kinds = [
      {
        runs: written,
        flags: 0,
        view: (first: number, count: number) =>
          mem.buf.subarray(first * PAGE_SIZE, (first + count) * PAGE_SIZE),
      },
      {
        runs: zero,
        flags: ZERO_PAGES,
        view: (_first: number, count: number) => zeroBytes(count * PAGE_SIZE),
      },
    ];
    let bytes = 0;
    const turn = { at: performance.now() };
    for (const k of kinds)
      for (const batch of batchRuns(k.runs, BATCH_PAGES))
        bytes += await this.sendBatch(pass, batch, k.view, turn, k.flags);
    // The pass is over when the transport took its last page, not when it was queued; its end
    // follows on the stream, and the target applies it once that many pages came.
    await this.pages?.flush();
    const link = this.stream();
    await link.send({ pass_end: { pass, pages: runPages(runs) } });
    await link.flush();
    return bytes;
  }

  /** Sends one batch of runs, each run's bytes as `view` gives them; resolves with the bytes sent. */
  private async sendBatch(
    pass: number,
    batch: number[],
    view: (first: number, count: number) => Buffer,
    turn: { at: number },
    flags = 0,
  ): Promise<number> {
    // The kernel may take batch after batch at once, and awaiting a write it took does not
    // let the event loop turn: the node would answer no heartbeat, no ping and no command
    // for as long as a pass lasts (up to 0.7 s seen on a loaded machine, which closed the
    // VM's echo gate and lost pings). A Hyper-V host copies while the guest and the cluster
    // service run on, so the pass lets the loop turn every TURN_EVERY_MS.
    if (performance.now() - turn.at >= TURN_EVERY_MS) {
      await setImmediate();
      turn.at = performance.now();
    }
    const parts: Buffer[] = [];
    let bytes = 0;
    for (let i = 0; i + 1 < batch.length; i += 2) {
      const count = batch[i + 1] as number;
      parts.push(view(batch[i] as number, count));
      bytes += count * PAGE_SIZE;
    }
    if (this.pages) await this.pages.send(pass, batch, parts, flags);
    else
      await this.stream().send({
        pages: { pass, runs: batch, data: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts) },
      });
    return bytes;
  }
}

function deviceToWire(d: DeviceState) {
  return {
    workload_enabled: d.enabled,
    interval_ms: d.intervalMs,
    next_seq: d.nextSeq,
    acked: d.acked,
    failed_writes: d.failedWrites,
    unknown_writes: d.unknownWrites,
    last_error: d.lastError,
    dirty_pages_per_sec: d.dirtyPagesPerSec,
    uptime_ms: d.uptimeMs,
    boot_left_ms: d.bootLeftMs,
  };
}
