/**
 * The Storage gRPC API of the controller: each call becomes one message with a fresh reqId in
 * the controller's mailbox, and is answered when the core emits the `reply` for that reqId.
 */

import { MailboxFullError } from '../actor/actor.js';
import { DcboxError } from '../actor/errors.js';
import { unary } from '../actor/grpc.js';
import type { StorageHandlers } from '../generated/dcbox/storage/v1/Storage.js';
import type { Initiator, Outcome, StorageMsg } from './core.js';

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

/** The dcbox.storage.v1.Storage implementation over the controller's mailbox. */
export function storageHandlers(pending: PendingReplies): StorageHandlers {
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
    Read: unary((req) =>
      pending.ask((reqId) => ({
        type: 'read',
        reqId,
        lun: req.lun,
        initiator: initiator(req.initiator),
        offset: req.offset,
        length: req.length,
      })),
    ),
    Write: unary((req) =>
      pending.ask((reqId) => ({
        type: 'write',
        reqId,
        lun: req.lun,
        initiator: initiator(req.initiator),
        offset: req.offset,
        data: req.data,
      })),
    ),
    PrRegister: unary((req) =>
      pending.ask((reqId) => ({
        type: 'prRegister',
        reqId,
        lun: req.lun,
        initiator: initiator(req.initiator),
        key: req.key,
      })),
    ),
    PrReserve: unary((req) =>
      pending.ask((reqId) => ({
        type: 'prReserve',
        reqId,
        lun: req.lun,
        initiator: initiator(req.initiator),
        key: req.key,
      })),
    ),
    PrRelease: unary((req) =>
      pending.ask((reqId) => ({
        type: 'prRelease',
        reqId,
        lun: req.lun,
        initiator: initiator(req.initiator),
        key: req.key,
      })),
    ),
    PrPreempt: unary((req) =>
      pending.ask((reqId) => ({
        type: 'prPreempt',
        reqId,
        lun: req.lun,
        initiator: initiator(req.initiator),
        key: req.key,
        victimKey: req.victim_key,
      })),
    ),
    PrReadKeys: unary((req) =>
      pending.ask((reqId) => ({
        type: 'prReadKeys',
        reqId,
        lun: req.lun,
        initiator: initiator(req.initiator),
      })),
    ),
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
