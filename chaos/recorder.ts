/**
 * The recorder: writes a run's history (JSON Lines, chaos/history.ts) from the out-of-band
 * channel — client pings to every VM with invoke and completion, acknowledged disk records,
 * every node's cluster events and a sample of every node's view every 200 ms, the faults, and at
 * the end a read-back of every acknowledged record from the storage controller.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { Clients } from '../orchestrator/run/clients.js';
import type { ClusterState__Output } from '../services/generated/dcbox/cluster/v1/ClusterState.js';
import type { DiskStatus__Output } from '../services/generated/dcbox/node/v1/DiskStatus.js';
import type { StreamEvent__Output } from '../services/generated/dcbox/orchestrator/v1/StreamEvent.js';
import type { PingReply__Output } from '../services/generated/dcbox/workstation/v1/PingReply.js';
import { RECORD_SIZE, recordOffset, verifyRecord } from '../services/hyperv-node/record.js';
import { type DcboxEvent, parseEvent } from '../services/observability/events.js';
import { deadline, rpc } from '../services/transport/grpc.js';

const SAMPLE_MS = 200;
const DISK_POLL_MS = 250;
const PING_INTERVAL_MS = 100;

export class Recorder {
  private readonly out: WriteStream;
  private readonly startedAt = Date.now();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly streams: ClientReadableStream<unknown>[] = [];
  private stopped = false;
  /** Set as soon as finish() starts: no stream may be reopened after that. */
  private closing = false;
  private nextOp = 1;
  /** Every acknowledged record seen, per VM: seq → where it lives. */
  private readonly acked = new Map<string, Map<number, { lun: string; offset: number; size: number }>>();
  /** Position in the orchestrator's merged event stream. */
  private eventSeq = 0;
  /** Lost pings per VM, for progress lines. */
  readonly pingStats = new Map<string, { ok: number; lost: number }>();

  constructor(
    private readonly c: Clients,
    readonly path: string,
    private readonly meta: { seed: number; experiment: string; topology: string; timing: string },
  ) {
    this.out = createWriteStream(path);
    this.write({ type: 'run', phase: 'start', ...meta, at: this.startedAt });
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

  /** Starts the load and the sampling for these VMs. */
  start(vms: string[]): void {
    for (const vm of vms) this.ping(vm);
    this.timers.push(setInterval(() => void this.sample(), SAMPLE_MS));
    this.timers.push(setInterval(() => void this.pollDisks(vms), DISK_POLL_MS));
    this.watchEvents();
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
        const id = this.nextOp++;
        const sent = Number(r.sent_at_ms);
        const process = `ping:${vm}`;
        this.writeAt(sent, { type: 'op', process, f: 'ping', phase: 'invoke', id, vm });
        if (r.ok) {
          stats.ok++;
          this.writeAt(sent + Math.ceil(r.rtt_us / 1000), {
            type: 'op',
            process,
            f: 'ping',
            phase: 'ok',
            id,
            vm,
            host: r.host,
          });
        } else {
          stats.lost++;
          // No responder is a definite failure; a timeout may have been answered late: unknown.
          const phase = /unreachable/i.test(r.error) ? 'fail' : 'info';
          this.write({ type: 'op', process, f: 'ping', phase, id, vm, error: r.error });
        }
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

  /** Acknowledged records, from whichever node runs each VM now. */
  private async pollDisks(vms: string[]): Promise<void> {
    for (const node of this.nodes()) {
      for (const vm of vms) {
        const s = await rpc<DiskStatus__Output>((cb) =>
          this.c.node(node).GetDiskStatus({ name: vm }, deadline(DISK_POLL_MS), cb),
        ).catch(() => null);
        if (!s?.disk) continue;
        let seen = this.acked.get(vm);
        if (!seen) {
          seen = new Map();
          this.acked.set(vm, seen);
        }
        for (const range of s.acked) {
          for (let seq = Number(range.first); seq <= Number(range.last); seq++) {
            if (seen.has(seq)) continue;
            seen.set(seq, {
              lun: s.disk.lun,
              offset: Number(s.disk.offset_bytes),
              size: Number(s.disk.size_bytes),
            });
            const id = this.nextOp++;
            const process = `disk:${vm}`;
            this.write({ type: 'op', process, f: 'write', phase: 'invoke', id, vm, seq, host: node });
            this.write({ type: 'op', process, f: 'write', phase: 'ok', id, vm, seq, host: node });
          }
        }
      }
    }
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
  async finish(vms: string[]): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    for (const s of this.streams) s.cancel();
    await this.pollDisks(vms);
    const storage = this.c.storage();
    for (const [vm, seqs] of this.acked) {
      const missing: number[] = [];
      const bad: { seq: number; reason: string }[] = [];
      for (const [seq, where] of seqs) {
        const offset = recordOffset(where.offset, where.size, seq);
        let r: { data: Buffer } | null = null;
        let lastError = '';
        for (let attempt = 0; attempt < 3 && !r; attempt++) {
          r = await rpc<{ data: Buffer }>((cb) =>
            storage.Read(
              {
                lun: where.lun,
                initiator: { host: this.nodes()[0] ?? '', port: 'verifier' },
                offset,
                length: RECORD_SIZE,
              },
              deadline(5000),
              cb,
            ),
          ).catch((err) => {
            lastError = String((err as Error).message);
            return null;
          });
        }
        if (!r) {
          // The record could not be read at all: say why rather than call it lost.
          bad.push({ seq, reason: `unreadable: ${lastError}` });
          continue;
        }
        const check = verifyRecord(r.data, { vm, seq });
        if (!check.ok) {
          // A newer lap of the journal may legitimately overwrite an old slot.
          if (
            check.reason === 'wrong-record' &&
            /#(\d+)$/.test(check.detail) &&
            Number(/#(\d+)$/.exec(check.detail)?.[1]) > seq
          )
            continue;
          bad.push({ seq, reason: `${check.reason}: ${check.detail}` });
        }
      }
      this.write({ type: 'readback', vm, checked: seqs.size, missing, bad });
    }
    this.write({ type: 'run', phase: 'end', ...this.meta, at: Date.now() });
    this.stopped = true;
    await new Promise<void>((resolve) => this.out.end(resolve));
  }
}
