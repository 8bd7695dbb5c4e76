/**
 * A deterministic simulation of a whole cluster for tests: the pure cluster cores of every node
 * and the real witness core, wired by a simulated network with partitions, power-offs and
 * freezes, on a simulated clock. No sockets, no timers, no sleeps (TigerBeetle's VOPR idea).
 */
import { Random } from '../../actor/clock.js';
import type { VmSpec } from '../../process/config.js';
import {
  type ArbitrateBody,
  type DefendBody,
  decide as decideWitness,
  initialState as initialWitness,
  type ReplyBody,
  viewState,
  type WitnessMsg,
  type WitnessState,
} from '../../quorum/core.js';
import {
  type ClusterConfig,
  type ClusterEffect,
  type ClusterMsg,
  type ClusterState,
  type Command,
  decideCluster,
  initialCluster,
  leaseValid,
  startTimers,
  type VmState,
  viewOf,
} from './core.js';
import type { QuorumModel } from './quorum.js';

interface SimNode {
  state: ClusterState;
  timers: Map<string, { at: number; msg: ClusterMsg }>;
  power: boolean;
  frozen: boolean;
  /** Messages that reached a frozen node: handled when it thaws, as a stopped process would. */
  backlog: ClusterMsg[];
  vms: Record<string, VmState>;
}

export interface SimEvent {
  at: number;
  node: string;
  eventId: number;
  kind: string;
  message: string;
  data: Record<string, unknown>;
}

const LATENCY_MS = 1;

export class ClusterSim {
  now = 0;
  readonly nodes = new Map<string, SimNode>();
  witness: WitnessState;
  witnessUp = true;
  readonly events: SimEvent[] = [];
  readonly fences: { at: number; by: string; victims: string[] }[] = [];
  readonly replies = new Map<string, { ok: boolean; code?: string; message?: string }>();
  /** Who answered for each VM, sampled every time a test asks. */
  private readonly queue: { at: number; seq: number; run: () => void }[] = [];
  private seq = 0;
  private readonly cut = new Set<string>();
  private readonly random = new Random(7);
  readonly vmBootMs = 20;

  constructor(
    readonly names: string[],
    opts: {
      model?: QuorumModel;
      delayMs?: number;
      threshold?: number;
      witnessKind?: 'disk' | 'file-share';
      challengeWaitMs?: number;
      retryPeriodMs?: number;
    } = {},
  ) {
    this.witness = initialWitness({
      kind: opts.witnessKind ?? 'disk',
      cluster: 'C',
      challengeWaitMs: opts.challengeWaitMs ?? 500,
      probeIntervalMs: 250,
      configJsonBytesMax: 1 << 20,
    });
    this.witnessStep({ type: 'start' });
    names.forEach((name, i) => {
      const state = initialCluster({
        cluster: 'C',
        self: name,
        nodes: names.map((n, j) => ({ name: n, id: j + 1 })),
        model: opts.model ?? 'node-and-disk-majority',
        delayMs: opts.delayMs ?? 250,
        threshold: opts.threshold ?? 4,
        defendMs: 250,
        retryPeriodMs: opts.retryPeriodMs,
        witnessKeepsConfig: (opts.witnessKind ?? 'disk') === 'disk',
        csv: [{ volume: 'Volume1', lun: 'CSV1', path: 'C:\\ClusterStorage\\Volume1' }],
        saved: null,
        now: 0,
      });
      const node: SimNode = { state, timers: new Map(), power: true, frozen: false, backlog: [], vms: {} };
      this.nodes.set(name, node);
      this.apply(name, startTimers(state) as ClusterEffect[]);
      void i;
    });
  }

  node(name: string): ClusterState {
    return (this.nodes.get(name) as SimNode).state;
  }

  vmsOn(name: string): Record<string, VmState> {
    return (this.nodes.get(name) as SimNode).vms;
  }

  /** Nodes on which a VM is running and allowed to answer (lease valid): who would answer a ping. */
  answering(vm: string): string[] {
    return [...this.nodes.entries()]
      .filter(([, n]) => n.power && !n.frozen && n.vms[vm] === 'Running' && leaseValid(n.state, this.now))
      .map(([name]) => name);
  }

  // ---- faults

  partition(a: string[], b: string[]): void {
    for (const x of a) for (const y of b) this.cut.add([x, y].sort().join('|'));
  }

  heal(): void {
    this.cut.clear();
  }

  /** Cuts one node off the witness only (the witness lives on storage it still reaches otherwise). */
  powerOff(name: string): void {
    const n = this.nodes.get(name) as SimNode;
    n.power = false;
    n.timers.clear();
    n.backlog = [];
    n.vms = {};
  }

  powerOn(name: string, saved: ClusterConfig | null = null): void {
    const old = this.nodes.get(name) as SimNode;
    const state = initialCluster({
      cluster: 'C',
      self: name,
      nodes: old.state.nodes,
      model: old.state.model,
      delayMs: old.state.delayMs,
      threshold: old.state.threshold,
      defendMs: old.state.defendMs,
      retryPeriodMs: old.state.retryPeriodMs,
      witnessKeepsConfig: old.state.witnessKeepsConfig,
      csv: Object.values(old.state.config.csv).map(({ volume, lun, path }) => ({ volume, lun, path })),
      saved,
      now: this.now,
    });
    const node: SimNode = { state, timers: new Map(), power: true, frozen: false, backlog: [], vms: {} };
    this.nodes.set(name, node);
    this.apply(name, startTimers(state) as ClusterEffect[]);
  }

  freeze(name: string): void {
    (this.nodes.get(name) as SimNode).frozen = true;
  }

  thaw(name: string): void {
    const n = this.nodes.get(name) as SimNode;
    n.frozen = false;
    const backlog = n.backlog;
    n.backlog = [];
    // A stopped process catches up: overdue timers fire, then queued messages are read.
    for (const [id, t] of [...n.timers]) {
      if (t.at <= this.now) {
        n.timers.delete(id);
        this.deliver(name, t.msg);
      }
    }
    for (const m of backlog) this.deliver(name, m);
  }

  // ---- commands

  command(at: string, cmd: Command): string {
    const replyTo = `r${++this.seq}`;
    this.deliver(at, { type: 'command', replyTo, cmd });
    return replyTo;
  }

  defineVm(node: string, vm: string): VmSpec {
    (this.nodes.get(node) as SimNode).vms[vm] = 'Off';
    this.deliver(node, { type: 'vmState', name: vm, state: 'Off' });
    return {
      name: vm,
      memoryMiB: 64,
      diskPath: `C:\\ClusterStorage\\Volume1\\${vm}\\${vm}.vhd`,
      lun: 'CSV1',
      diskOffsetBytes: 64 << 20,
      diskSizeBytes: 64 << 20,
      switchName: 'VMs',
      node,
    };
  }

  // ---- time

  run(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      let nextAt = Number.POSITIVE_INFINITY;
      for (const q of this.queue) nextAt = Math.min(nextAt, q.at);
      for (const n of this.nodes.values())
        if (n.power && !n.frozen) for (const t of n.timers.values()) nextAt = Math.min(nextAt, t.at);
      if (nextAt > until) break;
      this.now = nextAt;
      const due = this.queue.filter((q) => q.at <= this.now).sort((a, b) => a.at - b.at || a.seq - b.seq);
      for (const q of due) this.queue.splice(this.queue.indexOf(q), 1);
      for (const q of due) q.run();
      for (const [name, n] of this.nodes) {
        if (!n.power || n.frozen) continue;
        for (const [id, t] of [...n.timers]) {
          if (t.at <= this.now) {
            n.timers.delete(id);
            this.deliver(name, t.msg);
          }
        }
      }
    }
    this.now = until;
  }

  /** Runs until `cond` holds, or fails after `ms`. */
  until(what: string, cond: () => boolean, ms = 20_000): number {
    const start = this.now;
    while (!cond()) {
      if (this.now - start > ms) throw new Error(`simulation: ${what} did not happen within ${ms} ms`);
      this.run(5);
    }
    return this.now - start;
  }

  // ---- plumbing

  private later(ms: number, run: () => void): void {
    this.queue.push({ at: this.now + ms, seq: ++this.seq, run });
  }

  private linked(a: string, b: string): boolean {
    return !this.cut.has([a, b].sort().join('|'));
  }

  private reachable(from: string, to: string): boolean {
    const n = this.nodes.get(to);
    return !!n && n.power && this.linked(from, to);
  }

  deliver(name: string, msg: ClusterMsg): void {
    const n = this.nodes.get(name);
    if (!n?.power) return;
    if (n.frozen) {
      n.backlog.push(msg);
      return;
    }
    const d = decideCluster(n.state, msg, { now: this.now, random: this.random, self: name });
    n.state = d.state;
    this.apply(name, d.effects as ClusterEffect[]);
  }

  private apply(
    name: string,
    effects: (
      | ClusterEffect
      | { type: 'startTimer' | 'cancelTimer'; id: string; ms?: number; msg?: ClusterMsg }
    )[],
  ): void {
    const n = this.nodes.get(name) as SimNode;
    for (const e of effects) {
      switch (e.type) {
        case 'startTimer':
          n.timers.set(e.id, { at: this.now + (e.ms ?? 0), msg: e.msg as ClusterMsg });
          break;
        case 'cancelTimer':
          n.timers.delete(e.id);
          break;
        case 'heartbeat': {
          const { peer, view, timeoutMs } = e;
          if (this.reachable(name, peer)) {
            const p = this.nodes.get(peer) as SimNode;
            this.later(LATENCY_MS, () => this.deliver(peer, { type: 'hbRequest', view }));
            if (!p.frozen) {
              this.later(2 * LATENCY_MS, () => {
                const q = this.nodes.get(peer) as SimNode;
                if (q.power && !q.frozen && this.linked(name, peer))
                  this.deliver(name, { type: 'hbResult', peer, ok: true, view: viewOf(q.state, this.now) });
                else this.deliver(name, { type: 'hbResult', peer, ok: false });
              });
              break;
            }
          }
          this.later(timeoutMs, () => this.deliver(name, { type: 'hbResult', peer, ok: false }));
          break;
        }
        case 'witness':
          this.witnessCall(name, e);
          break;
        case 'push':
          for (const to of e.to) {
            if (this.reachable(name, to))
              this.later(LATENCY_MS, () =>
                this.deliver(to, {
                  type: 'configPush',
                  from: name,
                  config: e.config,
                  epoch: e.epoch,
                  members: e.members,
                  leader: e.leader,
                }),
              );
          }
          if (this.witnessUp && this.linked(name, 'witness'))
            this.witnessStep({
              type: 'putConfig',
              reqId: `p${++this.seq}`,
              node: name,
              epoch: this.witness.doc.epoch,
              configVersion: e.config.version,
              configJson: JSON.stringify(e.config),
            });
          for (const r of e.replyTo) this.later(LATENCY_MS, () => this.replies.set(r, { ok: true }));
          break;
        case 'fence':
          this.fences.push({ at: this.now, by: name, victims: e.victims });
          this.later(LATENCY_MS, () =>
            this.deliver(name, { type: 'fenceDone', ok: true, victims: e.victims }),
          );
          break;
        case 'register':
          this.later(LATENCY_MS, () => this.deliver(name, { type: 'registered', ok: true }));
          break;
        case 'vm':
          this.vmOp(name, e.op, e.name);
          break;
        case 'reply':
          this.replies.set(e.replyTo, { ok: e.ok, code: e.code, message: e.message });
          break;
        case 'event':
          this.events.push({
            at: this.now,
            node: name,
            eventId: e.eventId,
            kind: e.kind,
            message: e.message,
            data: e.data,
          });
          break;
        case 'forward': {
          const leader = n.state.leader;
          if (leader && this.reachable(name, leader))
            this.later(LATENCY_MS, () =>
              this.deliver(leader, { type: 'command', replyTo: `f${++this.seq}`, cmd: e.cmd }),
            );
          break;
        }
        case 'csv':
        case 'persist':
        // The simulation moves roles with beginMove/endMove commands; moves.test.ts drives the
        // owner's move workflow (askLeader, migrate) directly.
        case 'askLeader':
        case 'migrate':
        case 'migrationObserved':
          break;
      }
    }
  }

  private vmOp(node: string, op: string, vm: string): void {
    const n = this.nodes.get(node) as SimNode;
    const report = (state: VmState) => {
      if (state === 'Absent') delete n.vms[vm];
      else n.vms[vm] = state;
      this.deliver(node, { type: 'vmState', name: vm, state });
    };
    this.later(LATENCY_MS, () => {
      if (!n.power) return;
      switch (op) {
        case 'define':
          report('Off');
          break;
        case 'start':
          report('Starting');
          this.later(this.vmBootMs, () => {
            if (n.power && n.vms[vm] === 'Starting') report('Running');
          });
          break;
        case 'turnOff':
          report('Off');
          break;
        case 'save':
          report('Saved');
          break;
        case 'remove':
          report('Absent');
          break;
      }
      this.deliver(node, { type: 'vmOpDone', name: vm, op, ok: true });
    });
  }

  private witnessCall(node: string, e: Extract<ClusterEffect, { type: 'witness' }>): void {
    if (!this.witnessUp || !this.linked(node, 'witness')) {
      this.later(LATENCY_MS, () =>
        this.deliver(node, { type: 'witnessResult', op: e.op, ok: false, error: 'witness unreachable' }),
      );
      return;
    }
    if (e.op === 'get') {
      const v = viewState(this.witness, this.now);
      const config = v.config_json ? (JSON.parse(v.config_json) as ClusterConfig) : null;
      this.later(LATENCY_MS, () =>
        this.deliver(node, {
          type: 'witnessResult',
          op: 'get',
          ok: true,
          owner: v.owner || undefined,
          epoch: v.epoch,
          status: v.status,
          config,
        }),
      );
      return;
    }
    const reqId = `w${++this.seq}`;
    const replies = this.witnessStep(
      e.op === 'arbitrate'
        ? { type: 'arbitrate', reqId, node, configVersion: e.configVersion }
        : { type: 'defend', reqId, node, epoch: e.epoch },
    );
    const body = replies.get(reqId);
    this.later(LATENCY_MS, () => {
      if (!body)
        return this.deliver(node, { type: 'witnessResult', op: e.op, ok: false, error: 'no answer' });
      if ('outcome' in body) {
        const a = body as ArbitrateBody;
        const v = viewState(this.witness, this.now);
        const config = v.config_json ? (JSON.parse(v.config_json) as ClusterConfig) : null;
        return this.deliver(node, {
          type: 'witnessResult',
          op: 'arbitrate',
          ok: true,
          outcome: a.outcome,
          owner: a.owner || undefined,
          epoch: a.epoch,
          retryAfterMs: a.retry_after_ms,
          configVersion: a.config_version,
          config,
        });
      }
      const d = body as DefendBody;
      return this.deliver(node, {
        type: 'witnessResult',
        op: 'defend',
        ok: true,
        outcome: d.ok ? 'granted' : 'denied',
        owner: d.owner || undefined,
        epoch: d.epoch,
      });
    });
  }

  /** Feeds the real witness core; its store answers at once (durable in memory). */
  private witnessStep(msg: WitnessMsg): Map<string, ReplyBody> {
    const out = new Map<string, ReplyBody>();
    const pending: WitnessMsg[] = [msg];
    while (pending.length) {
      const m = pending.shift() as WitnessMsg;
      const d = decideWitness(this.witness, m, { now: this.now, random: this.random, self: 'witness' });
      this.witness = d.state;
      for (const e of d.effects) {
        if (e.type === 'load') pending.push({ type: 'loaded', seq: e.seq, doc: null });
        else if (e.type === 'save' || e.type === 'probe') pending.push({ type: 'stored', seq: e.seq });
        else if (e.type === 'reply') out.set(e.reqId, e.body);
      }
    }
    return out;
  }
}
