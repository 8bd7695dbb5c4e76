/**
 * One Cluster Shared Volume on one simulated node: the real CSV I/O core
 * (services/hyperv-node/csv/core.ts: Direct, Redirected, Paused, Offline; I/O held while
 * coordination moves) in a simulated actor, its effects carried out as csv-volume.ts and
 * redirect.ts carry them out — direct I/O down the node's MPIO, redirected I/O to the
 * coordinator over the simulated network (in pieces of REDIRECT_CHUNK_BYTES, asked again while
 * no coordinator answers, until coordinatorWaitMs: then it is lost), path probes, the
 * coordinator's file table (csv-table.ts) and its serving of other nodes' redirected I/O (members
 * of the cluster only). Every mode change is an event of the node's log (Events 5120, 5121,
 * 5142). A redirected request goes to the node this one knows as coordinator, where the real one
 * goes to a NATS subject the coordinator subscribes to: both reach the coordinator, or no one.
 */
import { csvModeChanged } from '../services/hyperv-node/cluster/core/event-catalog.js';
import {
  type CsvEffect,
  type CsvMsg,
  type CsvState,
  decideCsv,
  initialCsv,
  modeOf,
  type RedirectAdmission,
} from '../services/hyperv-node/csv/core.js';
import type { FileEntry } from '../services/hyperv-node/csv/file-table.js';
import type { BlockIo } from '../services/hyperv-node/journal-scan.js';
import type { IoResult, StorageOp } from '../services/hyperv-node/mpio.js';
import type { Timing } from '../services/process/config.js';
import { SimActor, type SimWorld } from './actor.js';
import { SimTableServer } from './csv-table.js';
import type { HistoryLog } from './history-log.js';
import type { SimHost } from './host.js';
import type { Network } from './network.js';

/** Redirected I/O goes in pieces this big (csv/redirect.ts: under NATS's max_payload). */
export const REDIRECT_CHUNK_BYTES = 256 * 1024;
/** How long a redirect waits before asking again for a coordinator (csv/nats-helpers.ts). */
export const RETRY_MS = 50;

/** The service a node serves redirected I/O of a volume under. */
export const redirectService = (volume: string) => `csv-redirect:${volume}`;

/** A redirected I/O as it travels. */
interface RedirectRequest {
  lun: string;
  from: string;
  /** The sender's membership epoch when it sent it (csv/core.ts admitRedirect). */
  epoch: number;
  op: StorageOp;
}
/** The coordinator's answer: the I/O's result, that it does not coordinate, or to reconnect. */
type RedirectReply = IoResult & { notCoordinator?: boolean; reconnect?: boolean };

/** What a volume needs of its node. */
export interface CsvDeps {
  world: SimWorld;
  host: SimHost;
  net: Network;
  history: HistoryLog;
  timing: Timing;
  cluster: string;
  volume: { volume: string; lun: string; path: string };
  lunSizeBytes: number;
  seed: FileEntry[];
  /** The node's MPIO. */
  mpio: BlockIo;
  /** What the coordinator does with a redirected I/O from `node` sent in its view of `epoch` (csv/core.ts admitRedirect). */
  admitRedirect: (node: string, epoch?: number) => RedirectAdmission;
  /** The epoch of this node's membership view now. */
  epoch: () => number;
}

/** One CSV on one node. */
export class SimCsvVolume {
  readonly actor: SimActor<CsvState, CsvMsg, CsvEffect>;
  readonly table: SimTableServer;
  private readonly waiting = new Map<string, (r: IoResult) => void>();
  /** What waits for every I/O to be answered (afterDrained). */
  private readonly drainWaiters: (() => void)[] = [];

  /** Runs `fn` once no I/O through the volume is unanswered, as csv-volume.ts drained. */
  afterDrained(fn: () => void): void {
    if (this.waiting.size === 0) fn();
    else this.drainWaiters.push(fn);
  }
  private nextIoId = 1;
  /** Times the volume went offline: a redirect begun before the last one gives up. */
  private offlines = 0;
  private readonly requestTimeoutMs: number;
  private readonly coordinatorWaitMs: number;

  constructor(private readonly d: CsvDeps) {
    const t = d.timing;
    const v = d.volume;
    this.requestTimeoutMs = 3 * t.ioTimeoutMs;
    this.coordinatorWaitMs = 2 * t.sameSubnetDelayMs * t.sameSubnetThreshold;
    this.actor = new SimActor(
      d.world,
      d.host,
      `csv ${v.volume}`,
      decideCsv,
      initialCsv({
        volume: v.volume,
        lun: v.lun,
        self: d.host.name,
        probePeriodMs: t.pathVerificationPeriodMs,
      }),
      (e) => this.interpret(e),
    );
    this.table = new SimTableServer({
      volume: v.volume,
      lun: v.lun,
      root: v.path,
      lunSizeBytes: d.lunSizeBytes,
      seed: d.seed,
      io: d.mpio,
      later: (ms, label, fn) => this.later(ms, label, fn),
      retryMs: t.ioTimeoutMs,
      note: () => {},
    });
    d.host.serve(redirectService(v.volume), (body, _from, reply) =>
      this.serveRedirect(body as RedirectRequest, reply as (r: RedirectReply) => void),
    );
  }

  /** One block I/O on the volume; `done` gets its outcome. */
  io(lun: string, op: StorageOp, done: (r: IoResult) => void): void {
    const ioId = `csv-${this.nextIoId++}`;
    this.waiting.set(ioId, done);
    this.actor.send({ type: 'io', ioId, lun, op });
  }

  /** The cluster names the coordinator (null while coordination moves), as service.ts applyCsv. */
  coordinate(coordinator: string | null): void {
    if (coordinator === null) {
      this.actor.send({ type: 'pause' });
      return;
    }
    this.actor.send({ type: 'setCoordinator', node: coordinator });
    this.actor.send({ type: 'resume' });
  }

  /** The volume goes offline on this node when its cluster service stops running, and back. */
  setOnline(online: boolean): void {
    if (!online) this.offlines++;
    this.actor.send({ type: 'setOnline', online });
  }

  private interpret(e: CsvEffect): void {
    switch (e.type) {
      case 'direct':
        this.d.mpio(e.lun, e.op, (result) => this.actor.send({ type: 'ioDone', ioId: e.ioId, result }));
        return;
      case 'redirect':
        this.redirect(e.lun, e.op, (result, lost) =>
          this.actor.send({ type: 'ioDone', ioId: e.ioId, result, lost }),
        );
        return;
      case 'complete': {
        const done = this.waiting.get(e.ioId);
        this.waiting.delete(e.ioId);
        done?.(e.result);
        if (this.waiting.size === 0) for (const fn of this.drainWaiters.splice(0)) fn();
        return;
      }
      case 'probe':
        this.d.mpio(e.lun, { kind: 'readKeys' }, (r) =>
          this.actor.send({
            type: 'probeDone',
            ok: r.ok,
            detail: r.ok ? `through ${r.path ?? 'a path'}` : r.message,
          }),
        );
        return;
      case 'serve':
        this.table.serve();
        return;
      case 'unserve':
        this.table.unserve();
        return;
      case 'modeChanged': {
        const ev = csvModeChanged(e.change, this.d.volume.lun);
        this.d.history.add({
          type: 'event',
          node: this.d.host.name,
          kind: ev.kind,
          eventId: ev.eventId,
          message: ev.message,
          data: ev.data,
        });
        return;
      }
    }
  }

  /** A redirected I/O in pieces, one after the other; a write is lost only if its first piece was. */
  private redirect(lun: string, op: StorageOp, done: (r: IoResult, lost: boolean) => void) {
    const size = op.kind === 'read' ? op.length : op.kind === 'write' ? op.data.length : 0;
    if (size <= REDIRECT_CHUNK_BYTES) return this.redirectOnce(lun, op, done);
    const parts: Uint8Array[] = [];
    const piece = (at: number) => {
      if (at >= size) {
        const data = new Uint8Array(size);
        for (const [i, p] of parts.entries()) data.set(p, i * REDIRECT_CHUNK_BYTES);
        return done(op.kind === 'read' ? { ok: true, data } : { ok: true }, false);
      }
      const n = Math.min(REDIRECT_CHUNK_BYTES, size - at);
      const part: StorageOp =
        op.kind === 'read'
          ? { kind: 'read', offset: op.offset + at, length: n }
          : {
              kind: 'write',
              offset: (op as { offset: number }).offset + at,
              data: (op as { data: Uint8Array }).data.subarray(at, at + n),
            };
      this.redirectOnce(lun, part, (r, lost) => {
        if (!r.ok) return done(r, lost && at === 0);
        if (op.kind === 'read') parts.push(r.data ?? new Uint8Array(n));
        piece(at + n);
      });
    };
    piece(0);
  }

  /** One redirected request: asked again while no coordinator answers, then lost. */
  private redirectOnce(lun: string, op: StorageOp, done: (r: IoResult, lost: boolean) => void): void {
    const self = this.d.host.name;
    const volume = this.d.volume.volume;
    const since = this.offlines;
    const until = this.d.world.sched.now + this.coordinatorWaitMs;
    const gaveUp = (message: string) => done({ ok: false, code: 'UNAVAILABLE', message }, true);
    const attempt = () => {
      if (this.offlines !== since) return gaveUp(`${volume} went offline on ${self}`);
      const to = this.actor.state.coordinator;
      const again = () => {
        if (this.offlines !== since || this.d.world.sched.now >= until)
          return gaveUp(
            `redirected ${op.kind} on ${volume}: no coordinator answered within ${this.coordinatorWaitMs} ms`,
          );
        this.later(RETRY_MS, `csv redirect retry ${volume}`, attempt);
      };
      if (!to || to === self) return again();
      // Stamped anew each time, as redirect.ts does: the volume stayed online since, so this node has not left.
      const req: RedirectRequest = { lun, from: self, epoch: this.d.epoch(), op };
      this.d.net.request(self, to, redirectService(volume), req, this.requestTimeoutMs, (r) => {
        if (r.ok) {
          const body = r.body as RedirectReply;
          if (body.ok || !(body.notCoordinator || body.reconnect)) return done(body, false);
          return again();
        }
        if (r.code === 'TIMEOUT')
          return done(
            {
              ok: false,
              code: 'TIMEOUT',
              message: `redirected ${op.kind} on ${volume}: the coordinator did not answer in ${this.requestTimeoutMs} ms`,
            },
            false,
          );
        again();
      });
    };
    attempt();
  }

  /** The coordinator's side (redirect.ts serveRedirect): another member's I/O through this node's paths. */
  private serveRedirect(req: RedirectRequest, reply: (r: RedirectReply) => void) {
    const self = this.d.host.name;
    const v = this.d.volume;
    if (this.actor.state.coordinator !== self || !this.table.serving)
      return reply({
        ok: false,
        code: 'UNAVAILABLE',
        message: `${self} no longer coordinates ${v.volume}`,
        notCoordinator: true,
      });
    const admission = this.d.admitRedirect(req.from, req.epoch);
    if (admission === 'reconnect')
      return reply({
        ok: false,
        code: 'UNAVAILABLE',
        message: `${req.from}'s redirected ${req.op.kind} on ${v.volume} was sent before it last left the cluster: reconnect`,
        reconnect: true,
      });
    if (admission === 'refuse')
      return reply({
        ok: false,
        code: 'RESERVATION_CONFLICT',
        message: `${req.from} is not a member of the cluster: ${self} refuses its redirected ${req.op.kind} on ${v.volume}`,
      });
    if (req.lun !== v.lun || (req.op.kind !== 'read' && req.op.kind !== 'write'))
      return reply({
        ok: false,
        code: 'INVALID_ARGUMENT',
        message: `${v.volume} redirects reads and writes of ${v.lun} only`,
      });
    this.d.mpio(v.lun, req.op, reply);
  }

  /** The LUN the volume is on. */
  get lun(): string {
    return this.d.volume.lun;
  }

  /** The volume's mode here now. */
  get mode(): string {
    return modeOf(this.actor.state);
  }

  private later(ms: number, label: string, fn: () => void): void {
    const host = this.d.host;
    const gen = host.gen;
    this.d.world.sched.after(ms, `${host.name}:${label}`, () => host.run(gen, fn));
  }
}
