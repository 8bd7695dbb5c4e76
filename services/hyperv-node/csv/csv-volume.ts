/**
 * services/hyperv-node/csv: the Cluster Shared Volume layer of a node (docs/domain.md §Cluster Shared Volumes). One
 * CsvVolume per volume per node sits on the node's MPIO and is the VMs' block device for the
 * volume: direct I/O through the node's own paths, redirected through the coordinator when they
 * are all lost, paused while coordination moves. The coordinator keeps the volume's file table (on
 * the LUN's reserved head) and answers every node's metadata requests.
 *
 * Files: file-table.ts (the table and its allocator, pure), table-codec.ts (its on-LUN layout,
 * pure), core.ts (modes and I/O routing, pure), wire.ts (NATS messages, pure); the adapter is this
 * file (CsvVolume: the block device, the actor and its effects, status), options.ts (what it is
 * built from), table-server.ts (the coordinator: the table on the LUN, seeding, metadata
 * requests), metadata-forward.ts (metadata requests sent to the coordinator), redirect.ts
 * (redirected I/O, both sides) and nats-helpers.ts (retry pause, no-responder test, safe replies).
 */
import { Actor } from '../../actor/actor.js';
import { systemClock } from '../../actor/clock.js';
import { DcboxError, type ErrorCode } from '../../actor/errors.js';
import type { IoResult, StorageOp } from '../mpio.js';
import {
  type CsvEffect,
  type CsvMode,
  type CsvModeChange,
  type CsvMsg,
  type CsvState,
  decideCsv,
  initialCsv,
  modeOf,
} from './core.js';
import type * as ft from './file-table.js';
import { forwardMeta, type MetaOk } from './metadata-forward.js';
import type { CsvVolumeOptions, ForwardContext } from './options.js';
import { redirectInChunks } from './redirect.js';
import { TableServer } from './table-server.js';
import type { MetaRequest } from './wire.js';

export type { CsvMode, CsvModeChange } from './core.js';
export type { FileEntry } from './file-table.js';
export type { BlockDevice, CsvVolumeOptions } from './options.js';

/** What `dcbox cluster csv` shows for the volume on this node. */
export interface CsvStatus {
  volume: string;
  lun: string;
  path: string;
  node: string;
  coordinator: string | null;
  mode: CsvMode;
  /** On the coordinator: whether it has loaded the table and answers requests. */
  serving: boolean;
  /** On the coordinator: the generation of the table on the LUN. */
  tableGeneration: number | null;
  pausedIos: number;
}

/** The CSV layer of one volume on one node. */
export class CsvVolume {
  private readonly actor: Actor<CsvState, CsvMsg, CsvEffect>;
  private readonly waiting = new Map<string, (r: IoResult) => void>();
  /** What waits for every I/O to be answered (drained). */
  private readonly drainWaiters: (() => void)[] = [];
  private readonly listeners = new Set<(e: CsvModeChange) => void>();
  private nextIoId = 1;
  private stopped = false;
  /** How many times the volume went offline: a redirect started before the last one gives up. */
  private offlines = 0;
  /** The coordinator's side: the file table and the subjects it answers while this node serves. */
  private readonly server: TableServer;
  /** What the requests sent to the coordinator read of this volume. */
  private readonly forward: ForwardContext;

  constructor(private readonly opts: CsvVolumeOptions) {
    const t = opts.timing;
    this.server = new TableServer(opts, () => this.coordinator());
    this.forward = {
      opts,
      // A redirected I/O is one MPIO I/O on the coordinator, which may try both of its paths.
      requestTimeoutMs: 3 * t.ioTimeoutMs,
      coordinatorWaitMs: opts.coordinatorWaitMs ?? 2 * t.sameSubnetDelayMs * t.sameSubnetThreshold,
      stopped: () => this.stopped,
      coordinator: () => this.coordinator(),
    };
    this.actor = new Actor<CsvState, CsvMsg, CsvEffect>({
      self: opts.node,
      initial: initialCsv({
        volume: opts.volume,
        lun: opts.lun,
        self: opts.node,
        probePeriodMs: t.pathVerificationPeriodMs,
      }),
      decide: decideCsv,
      interpret: (effect) => this.interpret(effect),
      clock: opts.clock ?? systemClock,
    });
  }

  // ---- block device -------------------------------------------------------------------------

  /** One block I/O on the volume's LUN, the same shape as Multipath.io; errors come back as data. */
  io(lun: string, op: StorageOp): Promise<IoResult> {
    if (this.stopped)
      return Promise.resolve({ ok: false, code: 'UNAVAILABLE', message: `${this.opts.node} is stopping` });
    const ioId = `csv-${this.nextIoId++}`;
    return new Promise<IoResult>((resolve) => {
      this.waiting.set(ioId, resolve);
      this.actor.send({ type: 'io', ioId, lun, op });
    });
  }

  /**
   * Resolves once no I/O through the volume is unanswered. A node that rejoins registers its
   * keys only then: as Windows dismounts a CSV only once its I/O is done, a write its VM issued
   * before the node was removed must meet the preempt, not the new registration (found by the
   * simulation, seed 84: a thawed node's VM wrote after its node had registered again).
   */
  drained(): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private answered(): void {
    if (this.waiting.size === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** The volume's mode on this node. */
  mode(): CsvMode {
    return modeOf(this.actor.state);
  }

  /** Calls cb on every mode change; returns a function that stops it. */
  onEvent(cb: (e: CsvModeChange) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  // ---- coordination -------------------------------------------------------------------------

  /**
   * The cluster core names the coordinator (null while coordination moves). Naming this node makes
   * it load the table from the LUN and then serve; the caller fences the old coordinator first.
   */
  setCoordinator(node: string | null): void {
    this.actor.send({ type: 'setCoordinator', node });
  }

  /** The coordinator as last named. */
  coordinator(): string | null {
    return this.actor.state.coordinator;
  }

  /** Holds new I/O (in order, bounded) until resume(): used during a coordinator takeover. */
  pause(): void {
    this.actor.send({ type: 'pause' });
  }

  /** Releases the held I/O in the order it arrived. */
  resume(): void {
    this.actor.send({ type: 'resume' });
  }

  /** The LUN's size, once the storage told it (the node booted while it was down). */
  setLunSize(bytes: number): void {
    this.opts.lunSizeBytes = bytes;
  }

  /** Takes the volume offline on this node (held I/O fails, new I/O fails) or back online. */
  setOnline(online: boolean): void {
    // A redirected I/O still being sent again gives up: it must not land once the volume is back.
    if (!online) this.offlines++;
    this.actor.send({ type: 'setOnline', online });
  }

  /**
   * Files that already exist on the LUN (the topology's VM disks), added to the table when this
   * node coordinates — now, or whenever it loads the table. Idempotent; a conflict rejects.
   */
  seed(files: ft.FileEntry[]): Promise<void> {
    return this.server.seed(files);
  }

  /** What the node knows of the volume. */
  status(): CsvStatus {
    const s = this.actor.state;
    return {
      volume: this.opts.volume,
      lun: this.opts.lun,
      path: this.opts.path,
      node: this.opts.node,
      coordinator: s.coordinator,
      mode: modeOf(s),
      serving: this.server.isServing(),
      tableGeneration: this.server.tableGeneration(),
      pausedIos: s.queue.length,
    };
  }

  /** Stops serving and fails what still waits. */
  stop(): void {
    this.stopped = true;
    this.server.unserve();
    this.actor.stop();
    for (const resolve of this.waiting.values())
      resolve({ ok: false, code: 'UNAVAILABLE', message: `${this.opts.node} is stopping` });
    this.waiting.clear();
    this.answered();
  }

  // ---- metadata (works from any node) -------------------------------------------------------

  /** Creates a file on the volume; returns its extent. */
  async createFile(path: string, sizeBytes: number): Promise<ft.FileEntry> {
    return (await this.meta({ op: 'create', path, sizeBytes })).entry as ft.FileEntry;
  }

  /** Grows a file in place; returns its extent. */
  async extendFile(path: string, newSizeBytes: number): Promise<ft.FileEntry> {
    return (await this.meta({ op: 'extend', path, sizeBytes: newSizeBytes })).entry as ft.FileEntry;
  }

  /** Deletes a file. */
  async deleteFile(path: string): Promise<void> {
    await this.meta({ op: 'delete', path });
  }

  /** A file's extent; NOT_FOUND when there is none. */
  async lookup(path: string): Promise<ft.FileEntry> {
    return (await this.meta({ op: 'lookup', path })).entry as ft.FileEntry;
  }

  /** Every file, by offset. */
  async list(): Promise<ft.FileEntry[]> {
    return (await this.meta({ op: 'list' })).files ?? [];
  }

  /** Runs a metadata request on the coordinator: this node's table server, or over NATS. */
  private meta(req: MetaRequest): Promise<MetaOk> {
    return forwardMeta(this.forward, req, (r) => this.server.serveMeta(r));
  }

  // ---- effects --------------------------------------------------------------------------------

  private interpret(effect: CsvEffect): void {
    switch (effect.type) {
      case 'direct':
        void this.opts.device.io(effect.lun, effect.op).then(
          (result) => this.actor.send({ type: 'ioDone', ioId: effect.ioId, result }),
          (err) => this.actor.send({ type: 'ioDone', ioId: effect.ioId, result: ioError(err) }),
        );
        return;
      case 'redirect': {
        const since = this.offlines;
        const ctx = { ...this.forward, stopped: () => this.stopped || this.offlines !== since };
        void redirectInChunks(ctx, effect.lun, effect.op).then((r) =>
          this.actor.send({ type: 'ioDone', ioId: effect.ioId, result: r.result, lost: r.lost }),
        );
        return;
      }
      case 'complete': {
        const resolve = this.waiting.get(effect.ioId);
        this.waiting.delete(effect.ioId);
        resolve?.(effect.result);
        this.answered();
        return;
      }
      case 'probe':
        void this.opts.device.io(effect.lun, { kind: 'readKeys' }).then(
          (r) =>
            this.actor.send({
              type: 'probeDone',
              ok: r.ok,
              detail: r.ok ? `through ${r.path ?? 'a path'}` : r.message,
            }),
          (err) => this.actor.send({ type: 'probeDone', ok: false, detail: String(err) }),
        );
        return;
      case 'serve':
        this.server.serve();
        return;
      case 'unserve':
        this.server.unserve();
        return;
      case 'modeChanged':
        this.opts.log('info', 'CSV mode changed', { ...effect.change });
        for (const cb of this.listeners) {
          try {
            cb(effect.change);
          } catch (err) {
            // A listener's bug must not stop the volume's I/O.
            this.opts.log('error', 'CSV mode-change listener failed', { error: String(err) });
          }
        }
        return;
    }
  }
}

function ioError(err: unknown): IoResult {
  const code: ErrorCode = err instanceof DcboxError ? err.code : 'IO_ERROR';
  return { ok: false, code, message: String((err as Error)?.message ?? err) };
}
