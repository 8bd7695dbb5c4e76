/**
 * services/hyperv-node/csv: the Cluster Shared Volume layer of a node (docs/domain.md §Cluster Shared Volumes). One
 * CsvVolume per volume per node sits on the node's MPIO and is the VMs' block device for the
 * volume: direct I/O through the node's own paths, redirected through the coordinator when they
 * are all lost, paused while coordination moves. The coordinator keeps the volume's file table (on
 * the LUN's reserved head) and answers every node's metadata requests.
 *
 * Files: file-table.ts (the table and its allocator, pure), table-codec.ts (its on-LUN layout),
 * core.ts (modes and I/O routing, pure), wire.ts (NATS messages), this file (the adapter).
 */
import { NoRespondersError, RequestError, type Subscription } from '@nats-io/transport-node';
import { Actor } from '../../actor/actor.js';
import { type Clock, systemClock } from '../../actor/clock.js';
import { DcboxError, type ErrorCode } from '../../actor/errors.js';
import type { Timing } from '../../process/config.js';
import type { Logger } from '../../process/log.js';
import { decodeJson, encodeJson, type NatsConnection } from '../../transport/nats.js';
import { subjects } from '../../transport/subjects.js';
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
import * as ft from './file-table.js';
import { encodeTable, loadTable, slotOf, slotOffset } from './table-codec.js';
import {
  fromWireOp,
  fromWireResult,
  type MetaReply,
  type MetaRequest,
  type RedirectRequest,
  toWireOp,
  toWireResult,
  type WireResult,
} from './wire.js';

export type { CsvMode, CsvModeChange } from './core.js';
export type { FileEntry } from './file-table.js';

/** What a CSV needs below it: Multipath has exactly this shape. */
export interface BlockDevice {
  io(lun: string, op: StorageOp): Promise<IoResult>;
}

/** Everything a CsvVolume is built from. */
export interface CsvVolumeOptions {
  /** The cluster's name (settings.cluster), part of the NATS subjects. */
  cluster: string;
  /** This node's name. */
  node: string;
  /** The volume's name, e.g. Volume1. */
  volume: string;
  /** The LUN under it, e.g. CSV1. */
  lun: string;
  /** The volume's path on every node, e.g. C:\ClusterStorage\Volume1. */
  path: string;
  /** The LUN's size: the first coordinator lays out the data area to it. */
  lunSizeBytes: number;
  /** This node's MPIO (or any device with the same io()). */
  device: BlockDevice;
  nc: NatsConnection;
  timing: Timing;
  log: Logger;
  /** The clock of the I/O core (its probe timer and event times); the system clock by default. */
  clock?: Clock;
  /**
   * How long a metadata request or redirected I/O waits for a coordinator to answer while
   * coordination moves; by default twice the time the cluster takes to notice a dead node
   * (SameSubnetDelay × SameSubnetThreshold, docs/domain.md §Heartbeats).
   */
  coordinatorWaitMs?: number;
}

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

const RETRY_MS = 50;

/** The CSV layer of one volume on one node. */
export class CsvVolume {
  private readonly actor: Actor<CsvState, CsvMsg, CsvEffect>;
  private readonly waiting = new Map<string, (r: IoResult) => void>();
  private readonly listeners = new Set<(e: CsvModeChange) => void>();
  private nextIoId = 1;
  private stopped = false;
  private seedFiles: ft.FileEntry[] = [];
  /** Coordinator side: the table and its generation once loaded; a new term on each serve. */
  private table: ft.FileTable | null = null;
  private generation = 0;
  private term = 0;
  private ready: Promise<void> | null = null;
  /** True once the table is loaded and the subjects are subscribed. */
  private serving = false;
  private subs: Subscription[] = [];
  /** Metadata changes run one at a time, so generations go to the LUN in order. */
  private metaChain: Promise<unknown> = Promise.resolve();
  private readonly requestTimeoutMs: number;
  private readonly coordinatorWaitMs: number;

  constructor(private readonly opts: CsvVolumeOptions) {
    const t = opts.timing;
    // A redirected I/O is one MPIO I/O on the coordinator, which may try both of its paths.
    this.requestTimeoutMs = 3 * t.ioTimeoutMs;
    this.coordinatorWaitMs = opts.coordinatorWaitMs ?? 2 * t.sameSubnetDelayMs * t.sameSubnetThreshold;
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

  /** Takes the volume offline on this node (held I/O fails, new I/O fails) or back online. */
  setOnline(online: boolean): void {
    this.actor.send({ type: 'setOnline', online });
  }

  /**
   * Files that already exist on the LUN (the topology's VM disks), added to the table when this
   * node coordinates — now, or whenever it loads the table. Idempotent; a conflict rejects.
   */
  async seed(files: ft.FileEntry[]): Promise<void> {
    // Checks the seed now, so a topology error surfaces at the caller and not at a later load.
    ft.seedFiles(this.blankTable(), files);
    this.seedFiles = [...files];
    // Serialized with loading: either the load that is coming merges the seed, or the table
    // already loaded gets it now.
    await this.serialized(async () => {
      const table = this.table;
      if (!table || this.coordinator() !== this.opts.node) return;
      const next = ft.seedFiles(table, this.seedFiles);
      if (next.files.length !== table.files.length) await this.persist(next);
    });
  }

  /** What the node knows of the volume. */
  status(): CsvStatus {
    const s = this.actor.state;
    const serving = this.serving;
    return {
      volume: this.opts.volume,
      lun: this.opts.lun,
      path: this.opts.path,
      node: this.opts.node,
      coordinator: s.coordinator,
      mode: modeOf(s),
      serving,
      tableGeneration: serving ? this.generation : null,
      pausedIos: s.queue.length,
    };
  }

  /** Stops serving and fails what still waits. */
  stop(): void {
    this.stopped = true;
    this.unserve();
    this.actor.stop();
    for (const resolve of this.waiting.values())
      resolve({ ok: false, code: 'UNAVAILABLE', message: `${this.opts.node} is stopping` });
    this.waiting.clear();
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

  /**
   * Runs a metadata request on the coordinator: here when this node is it, else forwarded over
   * NATS. While there is no coordinator, or none answers, it asks again until coordinatorWaitMs;
   * a request that was sent and timed out is not repeated (it may have happened: TIMEOUT).
   */
  private async meta(req: MetaRequest): Promise<Extract<MetaReply, { ok: true }>> {
    // Real time on purpose: these bounds pair with real sleeps between attempts.
    const clock = systemClock;
    const until = clock.now() + this.coordinatorWaitMs;
    let last = 'no coordinator is named';
    for (;;) {
      if (this.stopped) throw new DcboxError('UNAVAILABLE', `${this.opts.node} is stopping`);
      const coordinator = this.coordinator();
      let reply: MetaReply | null = null;
      if (coordinator === this.opts.node) {
        reply = await this.serveMeta(req);
      } else if (coordinator !== null) {
        try {
          const msg = await this.opts.nc.request(
            subjects.csvMetadata(this.opts.cluster, this.opts.volume),
            encodeJson(req),
            {
              timeout: this.requestTimeoutMs,
            },
          );
          reply = decodeJson<MetaReply>(msg.data);
        } catch (err) {
          if (!noResponders(err))
            throw new DcboxError(
              'TIMEOUT',
              `metadata ${req.op} on ${this.opts.volume}: coordinator ${coordinator} did not answer in ${this.requestTimeoutMs} ms`,
              { cause: err },
            );
          last = `coordinator ${coordinator} is not serving ${this.opts.volume}`;
        }
      }
      if (reply?.ok) return reply;
      if (reply && !reply.notCoordinator) throw new DcboxError(reply.code, reply.message);
      if (reply) last = reply.message;
      if (clock.now() >= until)
        throw new DcboxError(
          'UNAVAILABLE',
          `metadata ${req.op} on ${this.opts.volume}: no coordinator answered within ${this.coordinatorWaitMs} ms (${last})`,
        );
      await sleep(RETRY_MS);
    }
  }

  /** The coordinator's side of a metadata request. */
  private async serveMeta(req: MetaRequest): Promise<MetaReply> {
    const notServing: MetaReply = {
      ok: false,
      code: 'UNAVAILABLE',
      message: `${this.opts.node} does not serve ${this.opts.volume} (not its coordinator, or still loading its table)`,
      notCoordinator: true,
    };
    if (!this.serving) return notServing;
    try {
      return await this.serialized(async (): Promise<MetaReply> => {
        const table = this.table;
        if (!this.serving || !table) return notServing;
        switch (req.op) {
          case 'lookup':
            return { ok: true, entry: ft.lookupFile(table, req.path) };
          case 'list':
            return { ok: true, files: table.files };
          case 'create': {
            const r = ft.createFile(table, req.path, req.sizeBytes);
            await this.persist(r.table);
            return { ok: true, entry: r.entry };
          }
          case 'extend': {
            const r = ft.extendFile(table, req.path, req.sizeBytes);
            await this.persist(r.table);
            return { ok: true, entry: r.entry };
          }
          case 'delete':
            await this.persist(ft.deleteFile(table, req.path));
            return { ok: true };
          default:
            return {
              ok: false,
              code: 'INVALID_ARGUMENT',
              message: `unknown metadata request ${JSON.stringify(req)}`,
            };
        }
      });
    } catch (err) {
      if (err instanceof DcboxError) return { ok: false, code: err.code, message: err.message };
      // Not an answer of the table's rules (e.g. a table too large for its slot): nothing was written.
      return {
        ok: false,
        code: 'REFUSED',
        message: `metadata ${req.op} on ${this.opts.volume}: ${(err as Error).message}`,
      };
    }
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.metaChain.then(fn, fn);
    this.metaChain = run.catch(() => undefined);
    return run;
  }

  private blankTable(): ft.FileTable {
    return ft.emptyTable({
      volume: this.opts.volume,
      lun: this.opts.lun,
      root: this.opts.path,
      lunSizeBytes: this.opts.lunSizeBytes,
    });
  }

  /**
   * Writes the next generation of the table to its slot through this node's own paths, and only
   * then makes it current: a change is acknowledged once it is on the LUN. A failed write may
   * still have landed, so its error keeps its (indefinite) code.
   */
  private async persist(next: ft.FileTable): Promise<void> {
    const term = this.term;
    const generation = this.generation + 1;
    const r = await this.opts.device.io(this.opts.lun, {
      kind: 'write',
      offset: slotOffset(slotOf(generation)),
      data: encodeTable(next, generation),
    });
    if (!r.ok) throw new DcboxError(r.code, `writing the file table of ${this.opts.volume}: ${r.message}`);
    // A coordinator that stopped coordinating meanwhile keeps nothing: the next one reads the LUN.
    if (term !== this.term) return;
    this.table = next;
    this.generation = generation;
  }

  // ---- coordinator ---------------------------------------------------------------------------

  /** Loads the table (retrying while the LUN cannot be read), then subscribes to both subjects. */
  private serve(): void {
    const term = ++this.term;
    this.ready = this.loadUntilReady(term).then(async () => {
      if (term !== this.term) return;
      const nc = this.opts.nc;
      this.subs = [
        nc.subscribe(subjects.csvMetadata(this.opts.cluster, this.opts.volume), {
          callback: (_err, msg) => {
            void this.serveMetaMsg(msg.data).then((reply) => respondSafely(msg, reply));
          },
        }),
        nc.subscribe(subjects.csvRedirected(this.opts.cluster, this.opts.volume), {
          callback: (_err, msg) => {
            void this.serveRedirect(msg.data).then((reply) => respondSafely(msg, reply));
          },
        }),
      ];
      await nc.flush();
      if (term !== this.term) return;
      this.serving = true;
      this.opts.log('info', 'CSV coordinator serving', {
        volume: this.opts.volume,
        lun: this.opts.lun,
        generation: this.generation,
        files: this.table?.files.length,
      });
    });
    this.ready.catch(() => undefined);
  }

  private async loadUntilReady(term: number): Promise<void> {
    for (;;) {
      if (term !== this.term) throw new Error(`${this.opts.node} stopped coordinating ${this.opts.volume}`);
      try {
        await this.serialized(() => this.load());
        return;
      } catch (err) {
        this.opts.log('warn', 'cannot load the CSV file table; retrying', {
          volume: this.opts.volume,
          lun: this.opts.lun,
          error: (err as Error).message,
        });
        await sleep(this.opts.timing.ioTimeoutMs);
      }
    }
  }

  /** Reads the newest intact table (a fresh LUN starts empty), adds the seed, writes if changed. */
  private async load(): Promise<void> {
    const read = async (offset: number, length: number): Promise<Uint8Array> => {
      const r = await this.opts.device.io(this.opts.lun, { kind: 'read', offset, length });
      if (!r.ok) throw new DcboxError(r.code, `reading the file table of ${this.opts.volume}: ${r.message}`);
      return r.data ?? new Uint8Array(length);
    };
    const loaded = await loadTable(read, { volume: this.opts.volume, lun: this.opts.lun });
    if (loaded.kind === 'ok') {
      if (loaded.skipped.length > 0)
        this.opts.log('warn', 'CSV file table: a torn slot was skipped', {
          volume: this.opts.volume,
          skipped: loaded.skipped,
        });
      this.table = loaded.table;
      this.generation = loaded.generation;
    } else {
      this.table = null;
      this.generation = 0;
    }
    const base = this.table ?? this.blankTable();
    const seeded = ft.seedFiles(base, this.seedFiles);
    if (!this.table || seeded.files.length !== base.files.length) await this.persist(seeded);
  }

  private unserve(): void {
    this.term++;
    this.serving = false;
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    this.ready = null;
    this.table = null;
  }

  private async serveMetaMsg(data: Uint8Array): Promise<MetaReply> {
    try {
      return await this.serveMeta(decodeJson<MetaRequest>(data));
    } catch (err) {
      return {
        ok: false,
        code: 'INVALID_ARGUMENT',
        message: `bad metadata request: ${(err as Error).message}`,
      };
    }
  }

  /** Performs another node's I/O through this node's own paths (the coordinator's MPIO). */
  private async serveRedirect(data: Uint8Array): Promise<WireResult> {
    if (this.coordinator() !== this.opts.node)
      return {
        ok: false,
        code: 'UNAVAILABLE',
        message: `${this.opts.node} no longer coordinates ${this.opts.volume}`,
        notCoordinator: true,
      };
    let req: RedirectRequest;
    let op: StorageOp;
    try {
      req = decodeJson<RedirectRequest>(data);
      op = fromWireOp(req.op);
    } catch (err) {
      return {
        ok: false,
        code: 'INVALID_ARGUMENT',
        message: `bad redirected I/O: ${(err as Error).message}`,
      };
    }
    if (req.lun !== this.opts.lun || (op.kind !== 'read' && op.kind !== 'write'))
      return {
        ok: false,
        code: 'INVALID_ARGUMENT',
        message: `${this.opts.volume} redirects reads and writes of ${this.opts.lun} only, not ${op.kind} on ${req.lun}`,
      };
    return toWireResult(await this.opts.device.io(this.opts.lun, op));
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
      case 'redirect':
        void this.redirectInChunks(effect.lun, effect.op).then((r) =>
          this.actor.send({ type: 'ioDone', ioId: effect.ioId, result: r.result, lost: r.lost }),
        );
        return;
      case 'complete': {
        const resolve = this.waiting.get(effect.ioId);
        this.waiting.delete(effect.ioId);
        resolve?.(effect.result);
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
        this.serve();
        return;
      case 'unserve':
        this.unserve();
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

  /**
   * Sends an I/O to the coordinator in pieces of at most REDIRECT_CHUNK_BYTES, one after the
   * other: a NATS message is at most 1 MiB (max_payload), and a VM's cold boot reads its whole
   * disk. A write split in pieces is lost (surely not done) only when its first piece was.
   */
  private async redirectInChunks(lun: string, op: StorageOp): Promise<{ result: IoResult; lost: boolean }> {
    const size = op.kind === 'read' ? op.length : op.kind === 'write' ? op.data.length : 0;
    if (size <= REDIRECT_CHUNK_BYTES) return this.redirect(lun, op);
    const parts: Uint8Array[] = [];
    for (let at = 0; at < size; at += REDIRECT_CHUNK_BYTES) {
      const n = Math.min(REDIRECT_CHUNK_BYTES, size - at);
      const piece: StorageOp =
        op.kind === 'read'
          ? { kind: 'read', offset: op.offset + at, length: n }
          : {
              kind: 'write',
              offset: (op as { offset: number }).offset + at,
              data: (op as { data: Uint8Array }).data.subarray(at, at + n),
            };
      const r = await this.redirect(lun, piece);
      if (!r.result.ok) return { result: r.result, lost: r.lost && at === 0 };
      if (op.kind === 'read') parts.push(r.result.data ?? new Uint8Array(n));
    }
    return {
      result: op.kind === 'read' ? { ok: true, data: Buffer.concat(parts) } : { ok: true },
      lost: false,
    };
  }

  /**
   * Sends one I/O to the coordinator. No responder (coordination moving) is asked again until
   * coordinatorWaitMs, then reported lost (it surely did not happen); a timeout is TIMEOUT
   * (indefinite: the coordinator may have written it).
   */
  private async redirect(lun: string, op: StorageOp): Promise<{ result: IoResult; lost: boolean }> {
    const clock = systemClock;
    const until = clock.now() + this.coordinatorWaitMs;
    const body = encodeJson({ lun, from: this.opts.node, op: toWireOp(op) } satisfies RedirectRequest);
    for (;;) {
      try {
        const msg = await this.opts.nc.request(
          subjects.csvRedirected(this.opts.cluster, this.opts.volume),
          body,
          {
            timeout: this.requestTimeoutMs,
          },
        );
        const w = decodeJson<WireResult>(msg.data);
        if (w.ok || !w.notCoordinator) return { result: fromWireResult(w), lost: false };
      } catch (err) {
        if (!noResponders(err))
          return {
            result: {
              ok: false,
              code: 'TIMEOUT',
              message: `redirected ${op.kind} on ${this.opts.volume}: the coordinator did not answer in ${this.requestTimeoutMs} ms`,
            },
            lost: false,
          };
      }
      if (this.stopped || clock.now() >= until)
        return {
          result: {
            ok: false,
            code: 'UNAVAILABLE',
            message: `redirected ${op.kind} on ${this.opts.volume}: no coordinator answered within ${this.coordinatorWaitMs} ms`,
          },
          lost: true,
        };
      await sleep(RETRY_MS);
    }
  }
}

/** Redirected I/O goes in pieces this big, well under NATS's 1 MiB max_payload. */
const REDIRECT_CHUNK_BYTES = 256 * 1024;

/**
 * Answers a request; a reply NATS refuses (over max_payload, a closed connection) becomes an
 * error reply, or nothing, rather than an exception that would end the node's process.
 */
function respondSafely(msg: { respond(data: Uint8Array): boolean }, reply: unknown): void {
  try {
    msg.respond(encodeJson(reply));
  } catch (err) {
    try {
      msg.respond(encodeJson({ ok: false, code: 'IO_ERROR', message: `reply not sent: ${String(err)}` }));
    } catch {
      // The connection is gone: the requester times out.
    }
  }
}

function noResponders(err: unknown): boolean {
  return err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders());
}

function ioError(err: unknown): IoResult {
  const code: ErrorCode = err instanceof DcboxError ? err.code : 'IO_ERROR';
  return { ok: false, code, message: String((err as Error)?.message ?? err) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
