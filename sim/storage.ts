/**
 * The storage controller on a simulated host: the real core (services/storage-controller/core:
 * LUN table, mapping, SCSI-3 persistent reservations, block-command checks, the preempt
 * barrier, chaos faults) in a simulated actor, over a simulated disk that has the durability
 * the real store has: a write lands in the page cache at once and becomes durable only when
 * the group commit's fdatasync completes, which is when the core hears writeDone and
 * acknowledges it. A crash (kill or power-off of the storage host) loses every write not yet
 * durable; the LUN table (the metadata file, written atomically before any change is
 * acknowledged) survives. The controller's own log (controller-log.ts's drafts, appended when
 * the core's reply says ok) becomes the history's storage-write and reservation lines.
 */
import type { TimerEffect } from '../services/actor/actor.js';
import type { StorageSettings } from '../services/process/config.js';
import { type InjectedBugs, injected } from '../services/process/injected-bugs.js';
import { type LogDraft, logDraft } from '../services/storage-controller/controller-log.js';
import {
  decideStorage,
  initialState,
  type Meta,
  type Outcome,
  type StorageEffect,
  type StorageMsg,
  type StorageState,
  stateFromMeta,
} from '../services/storage-controller/core/decide.js';
import { SimActor, type SimWorld } from './actor.js';
import { SimDisk } from './disk.js';
import type { HistoryLog } from './history-log.js';
import type { SimHost } from './host.js';

/** A block command as it travels to the controller (its reqId is the controller's to assign). */
export type StorageCommand = Extract<
  StorageMsg,
  { type: 'read' | 'write' | 'prRegister' | 'prReserve' | 'prRelease' | 'prPreempt' | 'prReadKeys' }
>;

/** The service name block commands are served under on the storage host. */
export const STORAGE_SERVICE = 'storage';

/**
 * How long the injected bug ack-before-durable holds an acknowledged write before writing it:
 * the same 2 s as the real controller's ACK_BEFORE_DURABLE_LAG_MS (storage-controller/controller.ts).
 */
const ACK_BEFORE_DURABLE_LAG_MS = 2000;

/**
 * The share of the page cache's blocks the kernel had written back on its own when the
 * controller crashes (a coin per block): what lets a crash tear a multi-block write.
 */
export const TORN_WRITEBACK_RATE = 0.5;

/** Timing of the simulated controller. */
export interface StorageTiming {
  /** One fdatasync of the group commit. */
  syncMs: number;
  /** A read served from the disk. */
  readMs: number;
}

/** The storage controller host: its core, its disk and its log. */
export class SimStorage {
  readonly disk: SimDisk;
  private meta: Meta | null = null;
  private actor!: SimActor<StorageState, StorageMsg, StorageEffect>;
  private nextReq = 1;
  private readonly replies = new Map<number, (o: Outcome) => void>();
  private readonly drafts = new Map<number, LogDraft>();
  private queued: { reqId: number; lun: string; offset: number; length: number }[] = [];
  private syncing = false;

  constructor(
    private readonly world: SimWorld,
    readonly host: SimHost,
    private readonly settings: StorageSettings,
    private readonly history: HistoryLog,
    private readonly timing: StorageTiming,
    private readonly bugs: InjectedBugs,
  ) {
    this.disk = new SimDisk(settings.blockSize);
    this.boot();
  }

  /** Starts the controller's process: the table from the metadata file, or the LUNs provisioned. */
  boot(): void {
    this.host.start();
    this.queued = [];
    this.syncing = false;
    this.replies.clear();
    this.drafts.clear();
    const initial = this.meta ? stateFromMeta(this.meta, this.settings) : initialState(this.settings);
    this.actor = new SimActor<StorageState, StorageMsg, StorageEffect>(
      this.world,
      this.host,
      'storage',
      (state, msg, ctx) => {
        const d = decideStorage(state, msg, ctx);
        if ('reqId' in msg && typeof msg.reqId === 'number') {
          const draft = logDraft(state, msg, d.state);
          if (draft) this.drafts.set(msg.reqId, draft);
        }
        return d as { state: StorageState; effects: (StorageEffect | TimerEffect<StorageMsg>)[] };
      },
      initial,
      (e) => this.interpret(e),
    );
    if (!this.meta) this.actor.send({ type: 'provision', luns: this.settings.luns });
    this.host.serve(STORAGE_SERVICE, (body, _from, reply) => {
      const reqId = this.nextReq++;
      this.replies.set(reqId, reply);
      this.actor.send({ ...(body as StorageCommand), reqId });
    });
  }

  /** The LUNs as provisioned, by name. */
  get luns(): string[] {
    return this.settings.luns.map((l) => l.name);
  }

  /** A LUN's size as provisioned (0 for an unknown LUN). */
  lunSizeBytes(lun: string): number {
    return this.settings.luns.find((l) => l.name === lun)?.sizeBytes ?? 0;
  }

  /**
   * The controller crashes: its process dies and the page cache with it, except the blocks the
   * kernel had already written back (TORN_WRITEBACK_RATE of them): a write of several blocks the
   * crash cut lands in part — a torn write of a slotted document (witness, CSV table) among them.
   */
  crash(): void {
    this.host.kill();
    this.disk.crash(this.world.random, TORN_WRITEBACK_RATE);
  }

  /**
   * A chaos fault on a LUN through the controller core's own hook (injectFault: slow I/O by
   * `delayMs`, or a share `errorRate` of I/O failing, for `durationMs`; kind none lifts it).
   */
  injectFault(
    lun: string,
    kind: 'slow' | 'errors' | 'none',
    delayMs: number,
    errorRate: number,
    durationMs: number,
  ): void {
    this.actor.send({
      type: 'injectFault',
      reqId: this.nextReq++,
      lun,
      kind,
      delayMs,
      errorRate,
      durationMs,
    });
  }

  private interpret(e: StorageEffect): void {
    switch (e.type) {
      case 'writeBlocks':
        this.writeBlocks(e);
        return;
      case 'readBlocks':
        this.later((e.delayMs ?? 0) + this.timing.readMs, 'read', () =>
          this.actor.send({
            type: 'readDone',
            reqId: e.reqId,
            data: this.disk.read(e.lun, e.offset, e.length),
          }),
        );
        return;
      case 'reply':
        this.reply(e.reqId, e.outcome);
        return;
      case 'persistMeta':
        // Written atomically (temporary file, fsync, rename) before the reply that follows.
        this.meta = e.meta;
        return;
      case 'createLunFile':
      case 'removeLunFile':
        return;
    }
  }

  private writeBlocks(e: Extract<StorageEffect, { type: 'writeBlocks' }>): void {
    const land = () => {
      this.disk.write(e.lun, e.offset, e.data);
      this.queued.push({ reqId: e.reqId, lun: e.lun, offset: e.offset, length: e.data.length });
      this.groupCommit();
    };
    if (injected(this.bugs, 'ack-before-durable')) {
      // injected bug ack-before-durable: acknowledges the write at once and writes it only
      // ACK_BEFORE_DURABLE_LAG_MS later, so a crash in between loses acknowledged writes.
      this.actor.send({ type: 'writeDone', reqIds: [e.reqId] });
      this.later((e.delayMs ?? 0) + ACK_BEFORE_DURABLE_LAG_MS, 'late write', land);
      return;
    }
    this.later(e.delayMs ?? 0, 'write', land);
  }

  /** One fdatasync at a time; writes that land during it wait for the next (group commit). */
  private groupCommit(): void {
    if (this.syncing || this.queued.length === 0) return;
    this.syncing = true;
    const batch = this.queued;
    this.queued = [];
    this.later(this.timing.syncMs, 'fdatasync', () => {
      this.disk.sync(batch);
      this.syncing = false;
      this.actor.send({ type: 'writeDone', reqIds: batch.map((w) => w.reqId) });
      this.groupCommit();
    });
  }

  /** Runs `fn` on this controller's incarnation after `ms` (dropped if it crashes first). */
  private later(ms: number, label: string, fn: () => void): void {
    const gen = this.host.gen;
    this.world.sched.after(ms, `${this.host.name}:${label}`, () => this.host.run(gen, fn));
  }

  /** Answers a command; an ok answer puts its draft in the controller's log (the history). */
  private reply(reqId: number, outcome: Outcome): void {
    const draft = this.drafts.get(reqId);
    this.drafts.delete(reqId);
    if (draft && outcome.ok) this.logged(draft);
    const r = this.replies.get(reqId);
    this.replies.delete(reqId);
    r?.(outcome);
  }

  private logged(d: LogDraft): void {
    if (d.kind === 'write') {
      const { initiator, lun, offset, length, hash } = d;
      this.history.add({ type: 'storage-write', initiator, lun, offset, length, hash });
      return;
    }
    this.history.add({
      type: 'reservation',
      action: d.action,
      initiator: d.initiator,
      lun: d.lun,
      key: d.key,
      ...(d.victimKey ? { victim: { key: d.victimKey, hosts: d.victimHosts ?? [] } } : {}),
    });
  }
}
