/**
 * The quorum witness on a simulated host: the real arbitration core
 * (services/witness-protocol/core.ts) whose store is, for a disk witness, the Quorum LUN on the
 * simulated storage controller, reached over the simulated network as the internal initiator
 * {quorum host, port 'witness'} with the per-hop deadline `ioTimeoutMs`, in the real on-LUN
 * layout (services/quorum/witness-doc.ts: two slots written alternately, the newest intact one
 * loaded). So the witness's vote is lost with the storage, as it is for real. A file-share
 * witness keeps its document on its own host, durable at once.
 */
import { slotOf, slotOffset } from '../services/disk-format/slotted-doc.js';
import { BLOCK_BYTES, decodeSlot, encodeSlot, parseDoc, readHeader } from '../services/quorum/witness-doc.js';
import type { Outcome } from '../services/storage-controller/core/decide.js';
import {
  decideWitness,
  initialState,
  type ReplyBody,
  viewState,
  type WitnessDoc,
  type WitnessEffect,
  type WitnessKind,
  type WitnessMsg,
  type WitnessState,
} from '../services/witness-protocol/core.js';
import { hostNow, SimActor, type SimWorld } from './actor.js';
import type { SimHost } from './host.js';
import type { Network } from './network.js';
import { STORAGE_SERVICE, type StorageCommand } from './storage.js';

/** The service name the witness serves its gRPC calls under. */
export const WITNESS_SERVICE = 'witness';

/** A call to the witness, as the nodes' witness client makes it. */
export type WitnessCall =
  | { op: 'arbitrate'; node: string; configVersion: number }
  | { op: 'defend'; node: string; epoch: number }
  | { op: 'putConfig'; node: string; epoch: number; configVersion: number; configJson: string }
  | { op: 'get' };

/** The witness's answer: a body, or an error with a code. */
export type WitnessAnswer = { ok: true; body: ReplyBody } | { ok: false; code: string; message: string };

/** What the witness is and where its store lives. */
export interface WitnessOptions {
  kind: WitnessKind;
  cluster: string;
  challengeWaitMs: number;
  probeIntervalMs: number;
  /** For a disk witness: the controller and the Quorum LUN. */
  storageHost: string | null;
  lun: string | null;
  ioTimeoutMs: number;
}

/** The witness host: its core and its store. */
export class SimWitness {
  private actor!: SimActor<WitnessState, WitnessMsg, WitnessEffect>;
  private readonly pending = new Map<string, (a: WitnessAnswer) => void>();
  private nextReq = 1;
  /** The slot generation last loaded or written (LunStore's bookkeeping). */
  private generation = 0;
  /** A file-share witness's file: durable at once. */
  private shareDoc: WitnessDoc | null = null;

  constructor(
    private readonly world: SimWorld,
    readonly host: SimHost,
    private readonly net: Network,
    private readonly opts: WitnessOptions,
  ) {
    this.boot();
  }

  /** Starts the witness process: it loads its store before it answers anything. */
  boot(): void {
    this.host.start();
    this.pending.clear();
    this.actor = new SimActor(
      this.world,
      this.host,
      'witness',
      decideWitness,
      initialState({
        kind: this.opts.kind,
        cluster: this.opts.cluster,
        challengeWaitMs: this.opts.challengeWaitMs,
        probeIntervalMs: this.opts.probeIntervalMs,
        configJsonBytesMax: 512 * 1024,
      }),
      (e) => this.interpret(e),
    );
    this.host.serve(WITNESS_SERVICE, (body, _from, reply) => this.call(body as WitnessCall, reply));
    this.actor.send({ type: 'start' });
  }

  /**
   * The witness's own record, as `Witness.Get` answers the chaos recorder: null while its process
   * is down or frozen (the recorder's call would time out).
   */
  record(): { owner: string; epoch: number; status: string } | null {
    if (!this.host.alive || this.host.frozen) return null;
    const v = viewState(this.actor.state, hostNow(this.world, this.host));
    return { owner: v.owner, epoch: v.epoch, status: v.status };
  }

  private call(c: WitnessCall, reply: (a: WitnessAnswer) => void): void {
    if (c.op === 'get') {
      reply({ ok: true, body: viewState(this.actor.state, hostNow(this.world, this.host)) });
      return;
    }
    const reqId = `w${this.nextReq++}`;
    this.pending.set(reqId, reply);
    this.actor.send({ type: c.op, reqId, ...c } as WitnessMsg);
  }

  private interpret(e: WitnessEffect): void {
    const answer = (reqId: string, a: WitnessAnswer) => {
      const r = this.pending.get(reqId);
      this.pending.delete(reqId);
      r?.(a);
    };
    switch (e.type) {
      case 'reply':
        answer(e.reqId, { ok: true, body: e.body });
        return;
      case 'fail':
        answer(e.reqId, { ok: false, code: e.code, message: e.message });
        return;
      case 'load':
        this.load(e.seq);
        return;
      case 'save':
        this.save(e.seq, e.doc);
        return;
      case 'probe':
        if (!this.opts.lun) this.actor.send({ type: 'stored', seq: e.seq });
        else
          this.read(
            0,
            BLOCK_BYTES,
            () => this.actor.send({ type: 'stored', seq: e.seq }),
            this.failed(e.seq),
          );
        return;
    }
  }

  private failed(seq: number): (error: string) => void {
    return (error) => this.actor.send({ type: 'storeFailed', seq, error });
  }

  /** A block command on the Quorum LUN; `ok` gets the data of a read. */
  private io(cmd: StorageCommand, ok: (data: Uint8Array) => void, fail: (error: string) => void): void {
    this.net.request(
      this.host.name,
      this.opts.storageHost as string,
      STORAGE_SERVICE,
      cmd,
      this.opts.ioTimeoutMs,
      (r) => {
        if (!r.ok) return fail(`${r.code}: ${r.message}`);
        const o = r.body as Outcome;
        if (!o.ok) return fail(`${o.code}: ${o.message}`);
        ok('data' in o.value ? (o.value.data as Uint8Array) : new Uint8Array());
      },
    );
  }

  private read(offset: number, length: number, ok: (d: Uint8Array) => void, fail: (e: string) => void): void {
    const initiator = { host: this.host.name, port: 'witness' };
    this.io({ type: 'read', reqId: 0, lun: this.opts.lun as string, initiator, offset, length }, ok, fail);
  }

  private save(seq: number, doc: WitnessDoc): void {
    if (!this.opts.lun) {
      this.shareDoc = doc;
      this.actor.send({ type: 'stored', seq });
      return;
    }
    const generation = this.generation + 1;
    const data = encodeSlot(doc, generation);
    const initiator = { host: this.host.name, port: 'witness' };
    const cmd: StorageCommand = {
      type: 'write',
      reqId: 0,
      lun: this.opts.lun,
      initiator,
      offset: slotOffset(slotOf(generation)),
      data,
    };
    this.io(
      cmd,
      () => {
        this.generation = generation;
        this.actor.send({ type: 'stored', seq });
      },
      this.failed(seq),
    );
  }

  /** Loads the newest intact slot: both headers, then the newest slot whole, else the other. */
  private load(seq: number): void {
    if (!this.opts.lun) {
      this.actor.send({ type: 'loaded', seq, doc: this.shareDoc });
      return;
    }
    const fail = this.failed(seq);
    this.read(
      slotOffset(0),
      BLOCK_BYTES,
      (h0) =>
        this.read(
          slotOffset(1),
          BLOCK_BYTES,
          (h1) => {
            const heads = [readHeader(h0), readHeader(h1)];
            const order = ([0, 1] as const)
              .filter((s) => heads[s]?.kind === 'header')
              .sort((a, b) => gen(heads[b]) - gen(heads[a]));
            const tryNext = (i: number): void => {
              const s = order[i];
              if (s === undefined) {
                this.generation = 0;
                this.actor.send({ type: 'loaded', seq, doc: null });
                return;
              }
              const h = heads[s] as { kind: 'header'; generation: number; bytes: number };
              this.read(
                slotOffset(s),
                h.bytes,
                (whole) => {
                  const d = decodeSlot(whole);
                  if (d.kind !== 'ok') return tryNext(i + 1);
                  this.generation = h.generation;
                  const where = `LUN ${this.opts.lun}`;
                  const expect = { cluster: this.opts.cluster, kind: this.opts.kind };
                  this.actor.send({ type: 'loaded', seq, doc: parseDoc(d.json, expect, where) });
                },
                fail,
              );
            };
            tryNext(0);
          },
          fail,
        ),
      fail,
    );
  }
}

function gen(h: ReturnType<typeof readHeader> | undefined): number {
  return h?.kind === 'header' ? h.generation : -1;
}
