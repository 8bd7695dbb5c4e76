/**
 * The recorder: writes a run's history (JSON Lines, chaos/history.ts) from the out-of-band
 * channel — client pings to every VM with invoke and completion, every node's cluster events and
 * a sample of every node's view every 200 ms, the faults, and from the independent witnesses
 * (witnesses.ts) the storage controller's log and every VM's record writes as they happen; the
 * layout of the disks, and at the end a read-back of every acknowledged record from the storage
 * controller (readback.ts).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { Clients } from '../orchestrator/run/clients.js';
import type { ClusterState__Output } from '../services/generated/dcbox/cluster/v1/ClusterState.js';
import type { VmList__Output } from '../services/generated/dcbox/node/v1/VmList.js';
import type { StreamEvent__Output } from '../services/generated/dcbox/orchestrator/v1/StreamEvent.js';
import type { WitnessState__Output } from '../services/generated/dcbox/witness/v1/WitnessState.js';
import type { PingReply__Output } from '../services/generated/dcbox/workstation/v1/PingReply.js';
import { type DcboxEvent, parseEvent } from '../services/observability/events.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { AnswerStamps, answerClockMismatch } from './answer-stamps.js';
import type { LayoutEntry, TimingFigures } from './history.js';
import { readBack } from './readback.js';
import { type AckedRecord, followControllerLog, followNodeWrites, type WitnessSink } from './witnesses.js';

const SAMPLE_MS = 200;
const PING_INTERVAL_MS = 100;

/** What the run's start line says about it. */
export interface RecorderMeta {
  seed: number;
  experiment: string;
  topology: string;
  timing: string;
  /** The timing profile's figures, for the liveness bound. */
  profile?: TimingFigures;
}

/** A history line to write and the wall-clock ms it is stamped at (null: when written). */
export interface TimedLine {
  at: number | null;
  entry: Record<string, unknown>;
}

/**
 * The history lines of one streamed ping reply: the invoke at its send time, and the ok at the
 * send time plus the round trip with the host and, where trusted, `answeredAt` (answer-stamps.ts)
 * — or a lost ping when written: no responder is a definite failure, a timeout may have been
 * answered late (unknown).
 */
export function pingLines(
  r: PingReply__Output,
  id: number,
  vm: string,
  stamps: AnswerStamps,
  startedAt: number,
): { invoke: TimedLine & { at: number }; end: TimedLine } {
  const sent = Number(r.sent_at_ms);
  const op = { type: 'op', process: `ping:${vm}`, f: 'ping', id, vm };
  const invoke = { at: sent, entry: { ...op, phase: 'invoke' } };
  if (!r.ok) {
    const phase = /unreachable/i.test(r.error) ? 'fail' : 'info';
    return { invoke, end: { at: null, entry: { ...op, phase, error: r.error } } };
  }
  const okAt = sent + Math.ceil(r.rtt_us / 1000);
  const answeredAt = stamps.place(r.host, sent, okAt, r.answered_at_ms);
  const ok = { ...op, phase: 'ok', host: r.host };
  return {
    invoke,
    end: {
      at: okAt,
      entry: answeredAt === undefined ? ok : { ...ok, answeredAt: Math.max(0, answeredAt - startedAt) },
    },
  };
}

export class Recorder {
  private readonly out: WriteStream;
  private readonly startedAt = Date.now();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly streams: ClientReadableStream<unknown>[] = [];
  private stopped = false;
  /** Set as soon as finish() starts: no stream may be reopened after that. */
  private closing = false;
  private nextOp = 1;
  /** Every acknowledged record streamed from the nodes, per VM: seq → where and what. */
  private readonly acked = new Map<string, Map<number, AckedRecord>>();
  /** Lines a witness dropped before the recorder read them, per source. */
  private readonly missedLines = new Map<string, number>();
  /** Each VM's disk, from the last layout recorded. */
  private disks: NonNullable<LayoutEntry['disks']> = {};
  /** Position in the orchestrator's merged event stream. */
  private eventSeq = 0;
  /** Where ping answers go in time: their hosts' stamps, while those agree with the workstation's clock. */
  private readonly answerStamps = new AnswerStamps();
  /** Lost pings per VM, for progress lines. */
  readonly pingStats = new Map<string, { ok: number; lost: number }>();

  constructor(
    private readonly c: Clients,
    readonly path: string,
    private readonly meta: RecorderMeta,
  ) {
    this.out = createWriteStream(path);
    this.write({ type: 'run', phase: 'start', ...meta, at: this.startedAt });
    // The witnesses are followed from the start, before the load: nothing they saw is missed.
    const sink = this.sink();
    followControllerLog(c, sink);
    for (const node of this.nodes())
      followNodeWrites(c, node, sink, (vm, seq, rec) => {
        const seqs = this.acked.get(vm) ?? new Map<number, AckedRecord>();
        seqs.set(seq, rec);
        this.acked.set(vm, seqs);
      });
  }

  /** The recorder as the witnesses write to it. */
  private sink(): WitnessSink {
    return {
      startedAt: this.startedAt,
      writeAt: (at, entry) => this.writeAt(at, entry),
      nextOp: () => this.nextOp++,
      closing: () => this.closing,
      track: (s) => this.streams.push(s),
      missed: (source, n) => this.missedLines.set(source, (this.missedLines.get(source) ?? 0) + n),
    };
  }

  /** Milliseconds since the run started, for history lines and fault records. */
  t(at = Date.now()): number {
    return at - this.startedAt;
  }

  write(entry: Record<string, unknown>): void {
    if (this.stopped) return;
    this.out.write(`${JSON.stringify({ t: this.t(), ...entry })}\n`);
  }

  /** Writes an entry stamped at another time (a ping's invoke, an event's node time). */
  writeAt(at: number, entry: Record<string, unknown>): void {
    if (this.stopped) return;
    this.out.write(`${JSON.stringify({ t: Math.max(0, this.t(at)), ...entry })}\n`);
  }

  fault(
    phase: 'start' | 'end',
    id: string,
    kind: string,
    targets: string[],
    detail: Record<string, unknown>,
  ): void {
    this.write({ type: 'fault', phase, id, kind, targets, detail });
  }

  private nodes(): string[] {
    return this.c.byComponent('hyperv-node').map((h) => h.name);
  }

  /** Records the layout, then starts the load and the sampling for these VMs. */
  async start(vms: string[]): Promise<void> {
    await this.recordLayout();
    for (const vm of vms) this.ping(vm);
    this.timers.push(setInterval(() => void this.sample(), SAMPLE_MS));
    this.watchEvents();
  }

  /**
   * Where things live on the storage: each VM's disk (LUN, offset, size) from the nodes' VM
   * lists, each CSV's LUN from the nodes' cluster state. A node that does not answer adds nothing.
   */
  private async recordLayout(): Promise<void> {
    const disks: NonNullable<LayoutEntry['disks']> = { ...this.disks };
    const volumes: Record<string, string> = {};
    await Promise.all(
      this.nodes().map(async (node) => {
        const list = await rpc<VmList__Output>((cb) =>
          this.c.node(node).ListVms({}, deadline(2000), cb),
        ).catch(() => null);
        for (const vm of list?.vms ?? [])
          if (vm.disk?.lun)
            disks[vm.name] = {
              lun: vm.disk.lun,
              offset: Number(vm.disk.offset_bytes),
              size: Number(vm.disk.size_bytes),
            };
        const s = await rpc<ClusterState__Output>((cb) =>
          this.c.cluster(node).GetState({}, deadline(2000), cb),
        ).catch(() => null);
        for (const v of s?.csv ?? []) if (v.lun) volumes[v.volume] = v.lun;
      }),
    );
    this.disks = disks;
    this.write({ type: 'layout', volumes, disks });
  }

  private ping(vm: string): void {
    const stats = { ok: 0, lost: 0 };
    this.pingStats.set(vm, stats);
    const open = () => {
      if (this.closing) return;
      const stream = this.c
        .workstation()
        .Ping({ vm, count: 0, interval_ms: PING_INTERVAL_MS, timeout_ms: 1000 });
      this.streams.push(stream as ClientReadableStream<unknown>);
      stream.on('data', (r: PingReply__Output) => {
        const { invoke, end } = pingLines(r, this.nextOp++, vm, this.answerStamps, this.startedAt);
        this.writeAt(invoke.at, invoke.entry);
        if (r.ok) stats.ok++;
        else stats.lost++;
        if (end.at === null) this.write(end.entry);
        else this.writeAt(end.at, end.entry);
      });
      // The workstation is out of the faults' way, but keep pinging if its stream breaks.
      let reopened = false;
      const again = () => {
        if (reopened) return;
        reopened = true;
        setTimeout(open, 200);
      };
      stream.on('error', again);
      stream.on('end', again);
    };
    open();
  }

  private async sample(): Promise<void> {
    await Promise.all([this.sampleWitness(), this.sampleNodes()]);
  }

  /**
   * The witness's own record of its owner, from the witness itself: evidence of who won the
   * vote that no node's view can fake (no-split-brain). A topology without a witness, or a
   * witness that does not answer, adds nothing.
   */
  private async sampleWitness(): Promise<void> {
    if (this.c.byComponent('quorum').length === 0) return;
    // Stamped when asked, so the witness answered at that time or later: a sample after a claim
    // then surely shows the record as it stood after the claim.
    const askedAt = Date.now();
    const w = await rpc<WitnessState__Output>((cb) =>
      this.c.witness().Get({}, deadline(SAMPLE_MS), cb),
    ).catch(() => null);
    if (w)
      this.writeAt(askedAt, { type: 'witness', owner: w.owner, epoch: Number(w.epoch), status: w.status });
  }

  private async sampleNodes(): Promise<void> {
    await Promise.all(
      this.nodes().map(async (node) => {
        const s = await rpc<ClusterState__Output>((cb) =>
          this.c.cluster(node).GetState({}, deadline(SAMPLE_MS), cb),
        ).catch(() => null);
        if (!s) return;
        const roles: Record<string, { owner: string; state: string }> = {};
        for (const r of s.roles) roles[r.name] = { owner: r.owner, state: r.state };
        const csv: Record<string, string> = {};
        for (const v of s.csv) csv[v.volume] = v.coordinator;
        this.write({
          type: 'state',
          node,
          service: s.service_state,
          epoch: Number(s.membership_epoch),
          members: s.members,
          hasQuorum: !!s.quorum?.has_quorum,
          leader: s.leader,
          csv,
          csvMode: s.csv[0]?.modes.find((m) => m.node === node)?.mode ?? '',
          roles,
        });
      }),
    );
  }

  /**
   * Follows the orchestrator's merged event stream — the one the dashboard and `dcbox events`
   * read — for every node's cluster events, also across a node's restart (its indexes start at
   * 1 again, which a per-node index would have skipped).
   */
  private watchEvents(): void {
    const open = () => {
      if (this.closing) return;
      const stream = this.c.orchestrator.Events({ after_seq: this.eventSeq, follow: true });
      this.streams.push(stream as ClientReadableStream<unknown>);
      stream.on('data', (m: StreamEvent__Output) => {
        this.eventSeq = Number(m.seq);
        let e: DcboxEvent;
        try {
          e = parseEvent(JSON.parse(m.json));
        } catch {
          return; // Not a v1 event: no checker could read it.
        }
        // Events from before the run (the cluster's formation) are not part of its history; the
        // orchestrator's own (power, faults) are already there as the runner's fault entries.
        if (e.timeMs < this.startedAt || e.source === 'orchestrator') return;
        this.writeAt(e.timeMs, {
          type: 'event',
          node: e.node,
          kind: e.kind,
          eventId: e.eventId,
          message: e.message,
          data: e.data as Record<string, unknown>,
        });
      });
      // The daemon outlives every fault; a stream that breaks anyway is opened again once.
      let reopened = false;
      const again = () => {
        if (reopened) return;
        reopened = true;
        setTimeout(open, 500);
      };
      stream.on('error', again);
      stream.on('end', again);
    };
    open();
  }

  /** Stops the load, reads every acknowledged record back and closes the history. */
  async finish(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    await this.recordLayout();
    for (const s of this.streams) s.cancel();
    const reader = this.nodes()[0] ?? '';
    for (const [vm, seqs] of [...this.acked].sort(([a], [b]) => a.localeCompare(b)))
      this.write({ ...(await readBack(this.c, reader, vm, seqs, this.disks[vm]?.size ?? null)) });
    const missed = Object.fromEntries(this.missedLines);
    const mismatch = this.answerStamps.firstMismatch();
    this.write({
      type: 'run',
      phase: 'end',
      ...this.meta,
      at: Date.now(),
      ...(this.missedLines.size > 0 ? { missedWitnessLines: missed } : {}),
      ...(mismatch ? { answerClockMismatch: answerClockMismatch(mismatch, this.startedAt) } : {}),
    });
    this.stopped = true;
    await new Promise<void>((resolve) => this.out.end(resolve));
  }
}
