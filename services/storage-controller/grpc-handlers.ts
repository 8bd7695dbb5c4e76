/**
 * The Storage gRPC API of the controller: each call becomes one message with a fresh reqId in
 * the controller's mailbox, and is answered when the core emits the `reply` for that reqId.
 */

import { MailboxFullError } from '../actor/actor.js';
import { DcboxError } from '../actor/errors.js';
import type { StorageHandlers } from '../generated/dcbox/storage/v1/Storage.js';
import type { DmaWindows } from '../sas/dma.js';
import { unary } from '../transport/grpc.js';
import type { Initiator, Outcome, StorageMsg } from './core/decide.js';
import type { WriteTask } from './core/model.js';
import { writeThrough } from './dma-writes.js';
import type { IoKind, StorageObserver } from './metrics.js';

/** Requests waiting for their reply, at most `waitingMax` at once. */
export class PendingReplies {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly send: (msg: StorageMsg) => void,
    readonly waitingMax = 8192,
  ) {}

  /** Enqueues the message built for a new reqId and waits for its reply. */
  ask<T>(build: (reqId: number) => StorageMsg): Promise<T> {
    if (this.waiting.size >= this.waitingMax) {
      return Promise.reject(
        new DcboxError('OVERLOADED', `${this.waitingMax} commands are already waiting on the controller`),
      );
    }
    const reqId = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(reqId, { resolve: resolve as (v: unknown) => void, reject });
      try {
        this.send(build(reqId));
      } catch (err) {
        this.waiting.delete(reqId);
        if (err instanceof MailboxFullError)
          reject(new DcboxError('OVERLOADED', err.message, { cause: err }));
        else reject(err as Error);
      }
    });
  }

  /** Answers the request with this reqId (the `reply` effect). */
  settle(reqId: number, outcome: Outcome): void {
    const w = this.waiting.get(reqId);
    if (!w) return;
    this.waiting.delete(reqId);
    if (outcome.ok) w.resolve(outcome.value);
    else w.reject(new DcboxError(outcome.code, outcome.message));
  }

  /** How many requests are waiting. */
  get size(): number {
    return this.waiting.size;
  }
}

function initiator(i: { host: string; port: string } | null): Initiator | null {
  return i ? { host: i.host, port: i.port } : null;
}

const codeOf = (err: unknown) => (err instanceof DcboxError ? err.code : 'IO_ERROR');

/** A data command as both the gRPC handlers and the SAS data channel hand it over. */
export interface DataRead {
  lun: string;
  initiator: { host: string; port: string } | null;
  offset: number;
  length: number;
}
export interface DataWrite {
  lun: string;
  initiator: { host: string; port: string } | null;
  offset: number;
  data: Buffer;
  /** The write's task, on the SAS data channel (core/model.ts WriteTask). */
  task?: WriteTask;
  /** `data` describes a blade's shared memory that holds the data (services/sas/dma.ts). */
  dma?: boolean;
}

/**
 * Reads and writes over the controller's mailbox, observed (outcome, size, latency, reservation
 * conflicts) when there is an observer: the one implementation behind Storage.Read/Write and the
 * SAS data channel, so both carry the same checks, durability and metrics.
 */
export function dataCommands(
  pending: PendingReplies,
  observer: StorageObserver | null = null,
  windows: DmaWindows | null = null,
) {
  const io = <T>(lun: string, kind: IoKind, bytes: (v: T) => number, ask: Promise<T>): Promise<T> => {
    if (!observer) return ask;
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    return ask.then(
      (v) => {
        observer.io(lun, kind, bytes(v), seconds(), null);
        return v;
      },
      (err: unknown) => {
        observer.io(lun, kind, 0, seconds(), codeOf(err));
        if (codeOf(err) === 'RESERVATION_CONFLICT') observer.conflict(lun, kind);
        throw err;
      },
    );
  };
  return {
    read: (req: DataRead) =>
      io(
        req.lun,
        'read',
        (v: { data?: Buffer }) => v.data?.length ?? 0,
        pending.ask<{ data?: Buffer }>((reqId) => ({
          type: 'read',
          reqId,
          lun: req.lun,
          initiator: initiator(req.initiator),
          offset: req.offset,
          length: req.length,
        })),
      ),
    write: (req: DataWrite) =>
      io(
        req.lun,
        'write',
        (v: { written: number }) => v.written,
        writeThrough(windows, req, (w) =>
          pending.ask<{ written: number }>((reqId) => ({
            type: 'write',
            reqId,
            lun: w.lun,
            initiator: initiator(w.initiator),
            offset: w.offset,
            data: w.data,
            ...(w.task ? { task: w.task } : {}),
          })),
        ),
      ),
  };
}

/**
 * The dcbox.storage.v1.Storage implementation over the controller's mailbox. With an observer,
 * every read and write reports its outcome, size and latency, and every reservation conflict.
 * `dataPort` names the SAS data channel's port (0 when there is none); `watchLog` serves the
 * controller's log (controller-log.ts).
 */
export function storageHandlers(
  pending: PendingReplies,
  observer: StorageObserver | null = null,
  dataPort: () => number = () => 0,
  watchLog: StorageHandlers['WatchLog'] = (call) => call.end(),
): StorageHandlers {
  const data = dataCommands(pending, observer);
  return {
    ...lunHandlers(pending),
    Read: unary((req) => data.read(req)),
    Write: unary((req) => data.write(req)),
    DataChannel: unary(() => ({ port: dataPort() })),
    WatchLog: watchLog,
    ...reservationHandlers(pending, observer),
  };
}

/** LUN management and chaos faults: plain requests to the core. */
function lunHandlers(
  pending: PendingReplies,
): Pick<StorageHandlers, 'CreateLun' | 'DeleteLun' | 'MapLun' | 'ListLuns' | 'InjectFault' | 'ListFaults'> {
  return {
    CreateLun: unary((req) =>
      pending.ask((reqId) => ({
        type: 'createLun',
        reqId,
        name: req.name,
        sizeBytes: req.size_bytes,
        mappedTo: req.mapped_hosts,
      })),
    ),
    DeleteLun: unary((req) => pending.ask((reqId) => ({ type: 'deleteLun', reqId, name: req.name }))),
    MapLun: unary((req) =>
      pending.ask((reqId) => ({ type: 'mapLun', reqId, name: req.name, hosts: req.hosts })),
    ),
    ListLuns: unary((req) => pending.ask((reqId) => ({ type: 'listLuns', reqId, host: req.host }))),
    InjectFault: unary((req) =>
      pending.ask((reqId) => ({
        type: 'injectFault',
        reqId,
        lun: req.lun,
        kind: req.kind,
        delayMs: req.delay_ms,
        errorRate: req.error_rate,
        durationMs: req.duration_ms,
      })),
    ),
    ListFaults: unary(() => pending.ask((reqId) => ({ type: 'listFaults', reqId }))),
  };
}

/** SCSI-3 persistent reservation commands; an observer counts their reservation conflicts. */
function reservationHandlers(
  pending: PendingReplies,
  observer: StorageObserver | null,
): Pick<StorageHandlers, 'PrRegister' | 'PrReserve' | 'PrRelease' | 'PrPreempt' | 'PrReadKeys'> {
  /** Asks the core; a RESERVATION_CONFLICT is reported to the observer before it is rethrown. */
  const pr = <T>(lun: string, command: string, build: (reqId: number) => StorageMsg): Promise<T> => {
    const ask = pending.ask<T>(build);
    return observer
      ? ask.catch((err: unknown) => {
          if (codeOf(err) === 'RESERVATION_CONFLICT') observer.conflict(lun, command);
          throw err;
        })
      : ask;
  };
  type Keyed = { lun: string; initiator: { host: string; port: string } | null; key: string };
  const keyed = <T>(type: 'prRegister' | 'prReserve' | 'prRelease', req: Keyed): Promise<T> =>
    pr<T>(req.lun, type, (reqId) => ({
      type,
      reqId,
      lun: req.lun,
      initiator: initiator(req.initiator),
      key: req.key,
    }));
  return {
    PrRegister: unary((req) => keyed('prRegister', req)),
    PrReserve: unary((req) => keyed('prReserve', req)),
    PrRelease: unary((req) => keyed('prRelease', req)),
    PrPreempt: unary((req) =>
      pr(req.lun, 'prPreempt', (reqId) => ({
        type: 'prPreempt',
        reqId,
        lun: req.lun,
        initiator: initiator(req.initiator),
        key: req.key,
        victimKey: req.victim_key,
      })),
    ),
    PrReadKeys: unary((req) =>
      pr(req.lun, 'prReadKeys', (reqId) => ({
        type: 'prReadKeys',
        reqId,
        lun: req.lun,
        initiator: initiator(req.initiator),
      })),
    ),
  };
}
