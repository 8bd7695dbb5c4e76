/**
 * A deterministic simulation of a whole cluster for tests: the pure cluster cores of every node
 * and the real witness core (sim-witness.ts), wired by a simulated network with partitions, power-offs and
 * freezes, on a simulated clock. No sockets, no timers, no sleeps (TigerBeetle's VOPR idea).
 *
 * It is a little over 500 lines because every effect of the core has its simulated counterpart
 * here, on the one event queue that orders them (heartbeats, pushes, the witness, VMs, and a
 * role owner's questions to its leader and its migrations); splitting it would split that queue.
 */
import { Random } from '../../actor/clock.js';
import type { VmSpec } from '../../process/config.js';
import type { InjectedBugs } from '../../process/injected-bugs.js';
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
} from './core/decide.js';
import { noMigration } from './core/moves.js';
import type { ClusterEffectOrTimer } from './core/protocol.js';
import type { QuorumModel } from './core/quorum.js';
import { SimWitness } from './sim-witness.js';

interface SimNode {
  state: ClusterState;
  timers: Map<string, { at: number; msg: ClusterMsg }>;
  power: boolean;
  frozen: boolean;
  /** Messages that reached a frozen node: handled when it thaws, as a stopped process would. */
  backlog: ClusterMsg[];
  vms: Record<string, VmState>;
}

/** An event a simulated node logged, with the simulated time. */
export interface SimEvent {
  at: number;
  node: string;
  eventId: number;
  kind: string;
  message: string;
  data: Record<string, unknown>;
}

const LATENCY_MS = 1;

/** The simulated cluster: nodes, network faults, witness and time, driven by the test. */
export class ClusterSim {
  now = 0;
  readonly nodes = new Map<string, SimNode>();
  readonly witness: SimWitness;
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
  /** How long a simulated migration takes. */
  readonly migrationMs = 30;
  /** Set to make every migration fail (the VM stays on its source). */
  failMigrations = false;
  /** Every migration that completed, in order. */
  readonly migrations: { at: number; role: string; from: string; to: string }[] = [];
  /** Commands nodes asked of their leader, by the leader's reply id. */
  private readonly asked = new Map<string, { node: string; requestId: string }>();

  constructor(
    readonly names: string[],
    opts: {
      model?: QuorumModel;
      delayMs?: number;
      threshold?: number;
      witnessKind?: 'disk' | 'file-share';
      challengeWaitMs?: number;
      retryPeriodMs?: number;
      /** A bug every node runs with (services/process/injected-bugs.ts). */
      bugs?: InjectedBugs;
    } = {},
  ) {
    this.witness = new SimWitness(
      { kind: opts.witnessKind ?? 'disk', challengeWaitMs: opts.challengeWaitMs ?? 500 },
      this.random,
    );
    this.witness.step({ type: 'start' }, this.now);
    names.forEach((name, i) => {
      const state = initialCluster({
        cluster: 'C',
        self: name,
        nodes: names.map((n, j) => ({ name: n, id: j + 1 })),
        model: opts.model ?? 'node-and-disk-majority',
        delayMs: opts.delayMs ?? 250,
        threshold: opts.threshold ?? 4,
        defendMs: 250,
        challengeWaitMs: opts.challengeWaitMs ?? 500,
        retryPeriodMs: opts.retryPeriodMs,
        witnessKeepsConfig: (opts.witnessKind ?? 'disk') === 'disk',
        csv: [{ volume: 'Volume1', lun: 'CSV1', path: 'C:\\ClusterStorage\\Volume1' }],
        saved: null,
        now: 0,
        bugs: opts.bugs,
      });
      const node: SimNode = { state, timers: new Map(), power: true, frozen: false, backlog: [], vms: {} };
      this.nodes.set(name, node);
      this.apply(name, startTimers(state) as ClusterEffectOrTimer[]);
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

  /**
   * Cuts every link between a node of `a` and a node of `b`, both ways; the other links keep
   * working. With one node on each side it cuts one pair only (an asymmetric cut: A–C cut while
   * A–B and B–C work).
   */
  partition(a: string[], b: string[]): void {
    for (const x of a)
      for (const y of b) {
        this.cut.add(`${x}>${y}`);
        this.cut.add(`${y}>${x}`);
      }
  }

  /** Drops every message from `from` to `to`, not back (a one-way cut). */
  cutOneWay(from: string, to: string): void {
    this.cut.add(`${from}>${to}`);
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
      challengeWaitMs: old.state.challengeWaitMs,
      retryPeriodMs: old.state.retryPeriodMs,
      witnessKeepsConfig: old.state.witnessKeepsConfig,
      csv: Object.values(old.state.config.csv).map(({ volume, lun, path }) => ({ volume, lun, path })),
      saved,
      now: this.now,
    });
    const node: SimNode = { state, timers: new Map(), power: true, frozen: false, backlog: [], vms: {} };
    this.nodes.set(name, node);
    this.apply(name, startTimers(state) as ClusterEffectOrTimer[]);
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

  /**
   * Forms the cluster (with the leader holding the witness, when the model has one), then defines
   * `vm` on `owner`, makes it highly available there, brings it online and waits until it answers
   * from `owner`.
   */
  formWithRole(vm: string, owner: string): void {
    this.formWithRoles({ [vm]: owner });
  }

  /** Forms the cluster as formWithRole does, with one role per entry of `roles` (VM → owner). */
  formWithRoles(roles: Record<string, string>): void {
    const names = [...this.nodes.keys()];
    this.until('the cluster to form', () => names.every((n) => this.node(n).service === 'Running'));
    if (this.node(names[0] as string).model !== 'node-majority')
      this.until('the leader to hold the witness', () => names.some((n) => this.node(n).witness.held));
    for (const [vm, owner] of Object.entries(roles)) {
      const spec = this.defineVm(owner, vm);
      const leader = this.node(owner).leader as string;
      const r = this.command(leader, {
        op: 'makeHa',
        vm: spec,
        owner,
        vmState: 'Off',
        preferredOwners: [],
        allowFailback: false,
      });
      this.run(10);
      if (!this.replies.get(r)?.ok) throw new Error(`${vm} could not be made highly available`);
      this.command(leader, { op: 'online', role: vm });
      this.until(`${vm} online on ${owner}`, () => this.answering(vm).join() === owner);
    }
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

  /** Whether a message from `from` reaches `to` (cuts may be one-way). */
  private linked(from: string, to: string): boolean {
    return !this.cut.has(`${from}>${to}`);
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
    this.apply(name, d.effects as ClusterEffectOrTimer[]);
  }

  /** Carries out a node's effects on the simulated network, VMs, storage and witness. */
  private apply(name: string, effects: ClusterEffectOrTimer[]): void {
    const n = this.nodes.get(name) as SimNode;
    for (const e of effects) {
      switch (e.type) {
        case 'startTimer':
          n.timers.set(e.id, { at: this.now + e.ms, msg: e.msg });
          break;
        case 'cancelTimer':
          n.timers.delete(e.id);
          break;
        case 'heartbeat':
          this.heartbeat(name, e);
          break;
        case 'witness':
          this.witnessCall(name, e);
          break;
        case 'push':
          this.push(name, e);
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
          this.answer(e.replyTo, { ok: e.ok, code: e.code, message: e.message });
          break;
        case 'event': {
          const { eventId, kind, message, data } = e;
          this.events.push({ at: this.now, node: name, eventId, kind, message, data });
          break;
        }
        case 'forward':
          this.forward(name, n, e.cmd);
          break;
        case 'askLeader':
          this.askLeader(name, n, e.requestId, e.cmd);
          break;
        case 'migrate':
          this.migrate(name, e.moveId, e.role, e.to);
          break;
        case 'csv':
        case 'persist':
        case 'migrationObserved':
          break;
      }
    }
  }

  /** A heartbeat request reaches a reachable peer; its answer (or the timeout) comes back. */
  private heartbeat(name: string, e: Extract<ClusterEffect, { type: 'heartbeat' }>): void {
    const { peer, view, timeoutMs } = e;
    if (this.reachable(name, peer)) {
      const p = this.nodes.get(peer) as SimNode;
      this.later(LATENCY_MS, () => this.deliver(peer, { type: 'hbRequest', view }));
      if (!p.frozen) {
        this.later(2 * LATENCY_MS, () => {
          const q = this.nodes.get(peer) as SimNode;
          if (q.power && !q.frozen && this.linked(peer, name))
            this.deliver(name, {
              type: 'hbResult',
              peer,
              ok: true,
              view: viewOf(q.state, this.now),
              sentAt: e.sentAt,
            });
          else this.deliver(name, { type: 'hbResult', peer, ok: false, sentAt: e.sentAt });
        });
        return;
      }
    }
    this.later(timeoutMs, () => this.deliver(name, { type: 'hbResult', peer, ok: false, sentAt: e.sentAt }));
  }

  /** A configuration push reaches the reachable members and the witness; callers hear it committed. */
  private push(name: string, e: Extract<ClusterEffect, { type: 'push' }>): void {
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
    if (this.witnessUp && this.linked(name, 'witness')) this.witness.putConfig(name, e.config, this.now);
    for (const r of e.replyTo) this.later(LATENCY_MS, () => this.answer(r, { ok: true }));
  }

  /** Records a reply; one to a node's askLeader comes back to it as its leaderAnswer. */
  private answer(replyTo: string, r: { ok: boolean; code?: string; message?: string }): void {
    this.replies.set(replyTo, r);
    const asked = this.asked.get(replyTo);
    if (!asked) return;
    this.asked.delete(replyTo);
    const code = r.code as Extract<ClusterMsg, { type: 'leaderAnswer' }>['code'];
    this.later(LATENCY_MS, () =>
      this.deliver(asked.node, {
        type: 'leaderAnswer',
        requestId: asked.requestId,
        ok: r.ok,
        code,
        message: r.message,
      }),
    );
  }

  /** A node asks its leader to carry out a command (a move's steps); no leader in reach: UNAVAILABLE. */
  private askLeader(name: string, n: SimNode, requestId: string, cmd: Command): void {
    const leader = n.state.leader;
    if (!leader || !this.reachable(name, leader)) {
      this.later(LATENCY_MS, () =>
        this.deliver(name, {
          type: 'leaderAnswer',
          requestId,
          ok: false,
          code: 'UNAVAILABLE',
          message: 'no leader',
        }),
      );
      return;
    }
    const replyTo = `a${++this.seq}`;
    this.asked.set(replyTo, { node: name, requestId });
    this.later(LATENCY_MS, () => this.deliver(leader, { type: 'command', replyTo, cmd }));
  }

  /** A migration: the VM stops here and runs on the target (memory is not modelled). */
  private migrate(name: string, moveId: string, role: string, to: string): void {
    this.later(this.migrationMs, () => {
      const src = this.nodes.get(name) as SimNode;
      const dst = this.nodes.get(to);
      if (!dst?.power || !this.reachable(name, to) || this.failMigrations) {
        this.deliver(name, {
          type: 'migrated',
          moveId,
          ok: false,
          code: 'UNAVAILABLE',
          message: `${to} unreachable`,
        });
        return;
      }
      delete src.vms[role];
      dst.vms[role] = 'Running';
      this.deliver(to, { type: 'vmState', name: role, state: 'Running' });
      this.deliver(name, { type: 'vmState', name: role, state: 'Absent' });
      this.migrations.push({ at: this.now, role, from: name, to });
      this.deliver(name, { type: 'migrated', moveId, ok: true, result: noMigration(role, name, to, 'live') });
    });
  }

  /** The administrator stops or starts a node's cluster service; returns the reply's id. */
  serviceControl(at: string, action: 'stop' | 'start', forceQuorum = false): string {
    const replyTo = `s${++this.seq}`;
    this.deliver(at, { type: 'serviceControl', replyTo, action, forceQuorum });
    return replyTo;
  }

  /** A command for the leader, if this node can reach one. */
  private forward(name: string, n: SimNode, cmd: Command): void {
    const leader = n.state.leader;
    if (leader && this.reachable(name, leader))
      this.later(LATENCY_MS, () => this.deliver(leader, { type: 'command', replyTo: `f${++this.seq}`, cmd }));
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
    if (!this.witnessUp || !this.linked(node, 'witness') || !this.linked('witness', node)) {
      this.later(LATENCY_MS, () =>
        this.deliver(node, { type: 'witnessResult', op: e.op, ok: false, error: 'witness unreachable' }),
      );
      return;
    }
    const answer = this.witness.call(node, e, this.now);
    this.later(LATENCY_MS, () => this.deliver(node, answer(this.now)));
  }
}
