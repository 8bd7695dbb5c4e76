/**
 * One storage controller assembled: the pure core in an actor, its effects carried out on the
 * file store, and the Storage gRPC handlers answering from its replies. main.ts serves this;
 * tests run it in-process against a temporary folder.
 */

import { randomBytes } from 'node:crypto';
import { Actor } from '../actor/actor.js';
import type { Clock } from '../actor/clock.js';
import type { StorageHandlers } from '../generated/dcbox/storage/v1/Storage.js';
import { serveFollow } from '../observability/follow-log.js';
import type { StorageSettings } from '../process/config.js';
import { type InjectedBugs, injected } from '../process/injected-bugs.js';
import type { Logger } from '../process/log.js';
import { DmaWindows } from '../sas/dma.js';
import { ControllerLog, logEntryWire } from './controller-log.js';
import {
  decideStorage,
  initialState,
  type StorageEffect,
  type StorageMsg,
  type StorageState,
  stateFromMeta,
} from './core/decide.js';
import { dataCommands, PendingReplies, storageHandlers } from './grpc-handlers.js';
import type { StorageObserver } from './metrics.js';
import { LunStore } from './store.js';

/** Runs `fn` now, or `ms` later when a slow-I/O fault asks for a delay. */
function after(ms: number | undefined, fn: () => void): void {
  if (ms && ms > 0) setTimeout(fn, ms);
  else fn();
}

/** A running controller. */
export interface Controller {
  handlers: StorageHandlers;
  /** Reads and writes as the SAS data channel serves them (same checks and metrics as gRPC's). */
  data: ReturnType<typeof dataCommands>;
  /** Names the data channel's port in Storage.DataChannel once it listens. */
  setDataPort(port: number): void;
  actor: Actor<StorageState, StorageMsg, StorageEffect>;
  store: LunStore;
  /** The controller's own log of acknowledged writes and reservation changes. */
  log: ControllerLog;
  close(): void;
}

/** What a controller needs from its process. */
export interface ControllerOptions {
  self: string;
  dataDir: string;
  settings: StorageSettings;
  seed: number;
  /** The time the actor's timers and fault leases run on (the process's clock). */
  clock: Clock;
  log: Logger;
  /** Receives every read, write and reservation conflict (the process's metrics). */
  observer?: StorageObserver;
  /** The bug the process runs with (services/process/injected-bugs.ts); none by default. */
  bugs?: InjectedBugs;
}

/** How long the injected bug ack-before-durable holds an acknowledged write before writing it. */
export const ACK_BEFORE_DURABLE_LAG_MS = 2000;

/**
 * Opens the controller on a data folder: loads its LUN table, or on first start (no metadata
 * file) creates the LUNs the settings list.
 */
export function openController(opts: ControllerOptions): Controller {
  const { log } = opts;
  const send = (msg: StorageMsg) => actor.send(msg);
  const store = new LunStore(opts.dataDir, (reqIds, error) =>
    send({ type: 'writeDone', reqIds, error: error?.message }),
  );
  const pending = new PendingReplies(send);
  const meta = store.loadMeta();
  const journal = new ControllerLog(() => opts.clock.now());
  // Tells a follower of the log that the controller restarted (its sequence starts again).
  const bootId = randomBytes(8).toString('hex');

  const actor: Actor<StorageState, StorageMsg, StorageEffect> = new Actor({
    self: opts.self,
    initial: meta ? stateFromMeta(meta, opts.settings) : initialState(opts.settings),
    // The log's drafts are computed from each decision, outside the pure core.
    decide: (state, msg, ctx) => {
      const d = decideStorage(state, msg, ctx);
      journal.decided(state, msg, d.state);
      return d;
    },
    interpret: interpreter(store, pending, send, log, journal, injected(opts.bugs, 'ack-before-durable')),
    clock: opts.clock,
    seed: opts.seed,
  });
  if (meta) log('info', 'LUN table loaded', { luns: meta.luns.map((l) => l.name), dataDir: opts.dataDir });
  else {
    actor.send({ type: 'provision', luns: opts.settings.luns });
    log('info', 'LUNs created on first start', { luns: opts.settings.luns.map((l) => l.name) });
  }
  let dataPort = 0;
  return {
    handlers: storageHandlers(
      pending,
      opts.observer ?? null,
      () => dataPort,
      (call) =>
        serveFollow(
          journal.lines,
          Number(call.request.after_seq),
          call,
          (e) => logEntryWire(bootId, e),
          (missed) => ({ kind: 'missed', boot_id: bootId, missed }),
        ),
    ),
    data: dataCommands(pending, opts.observer ?? null, new DmaWindows()),
    setDataPort: (port) => {
      dataPort = port;
    },
    actor,
    store,
    log: journal,
    // The actor keeps running so writes still syncing are acknowledged while the server drains.
    close: () => store.close(),
  };
}

/** Carries out the core's effects on the file store and settles the pending gRPC replies. */
function interpreter(
  store: LunStore,
  pending: PendingReplies,
  send: (msg: StorageMsg) => void,
  log: Logger,
  journal: ControllerLog,
  ackBeforeDurable = false,
): (effect: StorageEffect) => void {
  return (effect) => {
    switch (effect.type) {
      case 'writeBlocks':
        if (ackBeforeDurable) {
          // injected bug ack-before-durable: acknowledges the write at once and writes it only
          // ACK_BEFORE_DURABLE_LAG_MS later, so a crash in between loses acknowledged writes
          // (the store's own late writeDone finds the request settled and changes nothing).
          send({ type: 'writeDone', reqIds: [effect.reqId] });
          after((effect.delayMs ?? 0) + ACK_BEFORE_DURABLE_LAG_MS, () =>
            store.write(effect.reqId, effect.lun, effect.offset, effect.data),
          );
          return;
        }
        // A slow-I/O fault starts the write later; it is still acknowledged once durable.
        after(effect.delayMs, () => store.write(effect.reqId, effect.lun, effect.offset, effect.data));
        return;
      case 'readBlocks':
        after(effect.delayMs, () =>
          store.read(effect.lun, effect.offset, effect.length).then(
            (data) => send({ type: 'readDone', reqId: effect.reqId, data }),
            (err: Error) => send({ type: 'readFailed', reqId: effect.reqId, message: err.message }),
          ),
        );
        return;
      case 'reply':
        journal.settled(effect.reqId, effect.outcome.ok);
        pending.settle(effect.reqId, effect.outcome);
        return;
      default:
        // Table changes are written before the reply that follows them. If the disk refuses,
        // the controller stops rather than acknowledge a change a restart would lose.
        try {
          if (effect.type === 'persistMeta') store.writeMeta(effect.meta);
          else if (effect.type === 'createLunFile') store.createLunFile(effect.name, effect.sizeBytes);
          else store.removeLunFile(effect.name);
        } catch (err) {
          log('error', 'cannot write the controller metadata or a LUN file; stopping', {
            effect: effect.type,
            error: (err as Error).message,
          });
          process.exit(1);
        }
    }
  };
}
