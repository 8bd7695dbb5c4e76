/**
 * The MPIO adapter: runs the pure MPIO core (mpio.ts) in an actor and carries out its effects —
 * each command goes to one RSSM with the node as initiator and the RSSM as port, under the
 * per-path deadline cfg.timing.ioTimeoutMs: reads and writes on the RSSM's SAS data channel
 * (actor/sas-channel.ts), reservation commands as dcbox.storage.v1.Storage gRPC calls.
 */
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { Actor } from '../actor/actor.js';
import { systemClock } from '../actor/clock.js';
import type { StorageClient } from '../generated/dcbox/storage/v1/Storage.js';
import { endpoint, type NodeSettings, type ServiceConfig } from '../process/config.js';
import type { Logger } from '../process/log.js';
import { discoverThrough, SasClient } from '../sas/channel.js';
import { type DmaInitiator, regionOnFirstUse } from '../sas/dma.js';
import { CLIENT_OPTIONS, deadline, protos, rpc } from '../transport/grpc.js';
import { fromServiceError } from '../transport/grpc-errors.js';
import {
  decideMpio,
  type IoResult,
  initialMpio,
  type MpioEffect,
  type MpioMsg,
  type MpioState,
  reservationKey,
  type StorageOp,
  type WriteTask,
} from './mpio.js';

/** Every LUN's storage through MPIO (or, without MPIO, through the first disk's path). */
export class Multipath {
  readonly actor: Actor<MpioState, MpioMsg, MpioEffect>;
  private readonly clients = new Map<string, StorageClient>();
  private readonly channels = new Map<string, SasClient>();
  private readonly waiting = new Map<string, (r: IoResult) => void>();
  private nextId = 1;
  /**
   * Names this run's I/Os: the node and a random word, so a write's task id (mpio.ts taskId)
   * is not reused by another node or by this node's next start.
   */
  private readonly ioPrefix: string;
  private stopped = false;
  private lunQuery: Promise<void> | undefined;
  private readonly lunInfo: Record<string, { sizeBytes: number; serial: string }> = {};
  private readonly dma: DmaInitiator | null;

  constructor(
    private readonly cfg: ServiceConfig<NodeSettings>,
    private readonly log: Logger,
  ) {
    const s = cfg.settings;
    this.ioPrefix = `${cfg.host}/${randomBytes(4).toString('hex')}/io-`;
    const Storage = protos().dcbox.storage.v1.Storage;
    // One shared-memory region for the large writes of every path (services/sas/dma.ts).
    this.dma = regionOnFirstUse(cfg.host);
    for (const p of s.paths) {
      const ep = endpoint(cfg, p.host);
      const client: StorageClient = new Storage(
        `${ep.address}:${ep.grpcPort}`,
        grpc.credentials.createInsecure(),
        CLIENT_OPTIONS,
      );
      this.clients.set(p.host, client);
      this.channels.set(
        p.host,
        new SasClient({
          peer: p.host,
          address: ep.address,
          timeoutMs: cfg.timing.ioTimeoutMs,
          discover: discoverThrough(client),
          runToken: cfg.runToken,
          dma: this.dma,
        }),
      );
    }
    this.actor = new Actor<MpioState, MpioMsg, MpioEffect>({
      self: cfg.host,
      initial: initialMpio({
        policy: s.mpio.enabled ? s.mpio.policy : 'none',
        nodeKey: reservationKey(s.nodeId),
        luns: s.luns,
        paths: s.paths,
        verifyPeriodMs: cfg.timing.pathVerificationPeriodMs,
      }),
      decide: decideMpio,
      interpret: (effect) => this.interpret(effect),
      clock: systemClock,
      seed: cfg.seed,
    });
  }

  /** Registers the node's key through every path and starts path verification. */
  start(): void {
    this.actor.send({ type: 'start' });
  }

  /** Runs one command through MPIO; errors come back as data, never thrown. */
  io(lun: string, op: StorageOp): Promise<IoResult> {
    if (this.stopped)
      return Promise.resolve({ ok: false, code: 'UNAVAILABLE', message: 'the node is stopping' });
    const ioId = `${this.ioPrefix}${this.nextId++}`;
    return new Promise<IoResult>((resolve) => {
      this.waiting.set(ioId, resolve);
      this.actor.send({ type: 'submit', ioId, lun, op });
    });
  }

  /** The node's reservation key. */
  get key(): string {
    return this.actor.state.nodeKey;
  }

  /**
   * Size and serial of each mapped LUN, asked of the storage through the first path that
   * answers and kept once known (a LUN's size and serial do not change under a running node).
   * Waits at most waitMs, so the MPIO view still answers quickly while the storage is down
   * (unknown sizes show as 0).
   */
  async lunDetails(waitMs = 300): Promise<Record<string, { sizeBytes: number; serial: string }>> {
    if (this.cfg.settings.luns.every((l) => this.lunInfo[l])) return this.lunInfo;
    this.lunQuery ??= this.queryLuns().finally(() => {
      this.lunQuery = undefined;
    });
    await Promise.race([this.lunQuery, new Promise((r) => setTimeout(r, waitMs).unref())]);
    return this.lunInfo;
  }

  private async queryLuns(): Promise<void> {
    for (const client of this.clients.values()) {
      try {
        const res = await rpc<{ luns: { name: string; size_bytes: number; serial: string }[] }>((cb) =>
          client.ListLuns({ host: this.cfg.host }, deadline(this.cfg.timing.ioTimeoutMs), cb),
        );
        for (const l of res.luns) this.lunInfo[l.name] = { sizeBytes: l.size_bytes, serial: l.serial };
        return;
      } catch {
        // This path cannot answer now; the next one may.
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.actor.stop();
    for (const c of this.clients.values()) c.close();
    for (const c of this.channels.values()) c.close();
    this.dma?.close();
    for (const [, resolve] of this.waiting)
      resolve({ ok: false, code: 'UNAVAILABLE', message: 'the node is stopping' });
    this.waiting.clear();
  }

  private interpret(effect: MpioEffect): void {
    switch (effect.type) {
      case 'pathIo':
        void this.send(effect.path, effect.lun, effect.op, effect.task).then((result) =>
          this.actor.send({ type: 'pathDone', ioId: effect.ioId, path: effect.path, result }),
        );
        return;
      case 'complete': {
        const resolve = this.waiting.get(effect.ioId);
        this.waiting.delete(effect.ioId);
        resolve?.(effect.result);
        return;
      }
      case 'log':
        this.log(effect.level, effect.msg, effect.fields);
        return;
    }
  }

  /** One command down one path. */
  private async send(path: string, lun: string, op: StorageOp, task?: WriteTask): Promise<IoResult> {
    const client = this.clients.get(path);
    const channel = this.channels.get(path);
    if (!client || !channel) return { ok: false, code: 'PATH_DOWN', message: `no path named ${path}` };
    const initiator = { host: this.cfg.host, port: path };
    const opts = () => deadline(this.cfg.timing.ioTimeoutMs);
    try {
      switch (op.kind) {
        case 'read':
          return { ok: true, data: await channel.read(lun, initiator, op.offset, op.length) };
        case 'write':
          await channel.write(lun, initiator, op.offset, asBuffer(op.data), task);
          return { ok: true };
        case 'register':
          return pr(await rpc((cb) => client.PrRegister({ lun, initiator, key: op.key }, opts(), cb)));
        case 'reserve':
          return pr(await rpc((cb) => client.PrReserve({ lun, initiator, key: op.key }, opts(), cb)));
        case 'release':
          return pr(await rpc((cb) => client.PrRelease({ lun, initiator, key: op.key }, opts(), cb)));
        case 'preempt':
          return pr(
            await rpc((cb) =>
              client.PrPreempt({ lun, initiator, key: op.key, victim_key: op.victimKey }, opts(), cb),
            ),
          );
        case 'readKeys':
          return pr(await rpc((cb) => client.PrReadKeys({ lun, initiator }, opts(), cb)));
      }
    } catch (err) {
      const e = fromServiceError(err);
      return { ok: false, code: e.code, message: e.message };
    }
  }
}

/** A view of the same bytes as a Buffer (no copy). */
function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function pr(state: unknown): IoResult {
  return { ok: true, prState: state };
}
