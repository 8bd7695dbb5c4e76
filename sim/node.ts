/**
 * A Hyper-V node on a simulated host: the real cluster core (services/hyperv-node/cluster/core)
 * and the real MPIO core (services/hyperv-node/mpio.ts) in simulated actors, with the cluster
 * adapter's effects carried out as service.ts carries them out, over the simulated network:
 * heartbeats are requests to each peer that answer with the peer's own view at the moment the
 * request reaches it (never by reading its state from here); witness calls, configuration pushes
 * that commit on a majority of copies, commands asked of the leader, fencing by
 * persistent-reservation preempt through MPIO → RSSM → the controller's reservation core, and the
 * node's VMs (vm-host.ts). The saved configuration is on the blade's own disk: it survives a
 * power-off. Live and quick migration are a later stage: a migrate effect fails at once.
 */
import type { ErrorCode } from '../services/actor/errors.js';
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
  type View,
  viewOf,
} from '../services/hyperv-node/cluster/core/decide.js';
import { mayFence } from '../services/hyperv-node/cluster/core/fencing.js';
import { commitError } from '../services/hyperv-node/cluster/core/replication.js';
import {
  admitRedirect,
  type MemberWatch,
  NO_MEMBERS,
  watchMembers,
} from '../services/hyperv-node/csv/core.js';
import {
  decideMpio,
  type IoResult,
  initialMpio,
  type MpioEffect,
  type MpioMsg,
  type MpioState,
  reservationKey,
  type StorageOp,
} from '../services/hyperv-node/mpio.js';
import type { NodeSettings, Timing } from '../services/process/config.js';
import { type InjectedBugs, injected } from '../services/process/injected-bugs.js';
import type { Outcome } from '../services/storage-controller/core/decide.js';
import { hostNow, SimActor, type SimWorld } from './actor.js';
import { fromOutcome, toCommand } from './block-commands.js';
import { SimCsvVolume } from './csv.js';
import type { HistoryLog } from './history-log.js';
import type { SimHost } from './host.js';
import type { Network } from './network.js';
import { chain, ensureReservedStep, fence, type PrNode, registerSteps } from './reservations.js';
import { SAS_SERVICE } from './rssm.js';
import { type SavedStates, SimVmHost } from './vm-host.js';
import { WITNESS_SERVICE, type WitnessAnswer, type WitnessCall } from './witness.js';
import { callWitness } from './witness-client.js';

/** Services a node serves: heartbeats, node requests (pushes, commands) and its VMs' addresses. */
export const HB_SERVICE = 'hb';
/** Node requests: configuration pushes and commands for the leader (node-protocol.ts). */
export const NODE_SERVICE = 'node';
/** A VM's address: whichever node runs it (and passes the lease gate) answers. */
export const PING_SERVICE = 'ping';
/** The chassis's power announcements (subjects.chassisPower): `{ host, on }`, one way. */
export const CHASSIS_POWER_SERVICE = 'chassis-power';

/** A request between nodes' cluster adapters (node-protocol.ts). */
type NodeRequest =
  | { kind: 'push'; config: ClusterConfig; epoch: number; members: string[]; leader: string; from: string }
  | { kind: 'command'; cmd: Command };

/** A node's answer to a request. */
export type NodeReply = { ok: true } | { ok: false; code: string; message: string };

/** How long a node waits for its leader to carry out a command (service.ts askLocal). */
const COMMAND_TIMEOUT_MS = 15_000;

/** What a node needs besides its settings. */
export interface NodeDeps {
  world: SimWorld;
  host: SimHost;
  net: Network;
  history: HistoryLog;
  timing: Timing;
  bugs: InjectedBugs;
  /** The VMs' saved states, on the CSV: shared by every node. */
  saved: SavedStates;
  /** A LUN's size, as the storage reports it (the CSV's file table needs it). */
  lunSizeBytes: (lun: string) => number;
}

/** One simulated Hyper-V node. */
export class SimNode {
  cluster!: SimActor<ClusterState, ClusterMsg, ClusterEffect>;
  vms!: SimVmHost;
  private mpio!: SimActor<MpioState, MpioMsg, MpioEffect>;
  /** The node's Cluster Shared Volumes by volume name. */
  readonly csv = new Map<string, SimCsvVolume>();
  /** Whether the volumes are online here (the cluster service runs), as service.ts tracks it. */
  private csvOnline = true;
  /** Who the coordinator serves redirected I/O for, and when each last left (lost with the process). */
  private members: MemberWatch = NO_MEMBERS;
  private readonly ios = new Map<string, (r: IoResult) => void>();
  private readonly waiting = new Map<string, (r: NodeReply) => void>();
  private nextId = 1;
  /** The configuration on the blade's disk (saved-config.ts): it survives power-off. */
  private saved: ClusterConfig | null = null;

  constructor(
    private readonly d: NodeDeps,
    readonly settings: NodeSettings,
  ) {
    this.boot();
  }

  get name(): string {
    return this.d.host.name;
  }

  /** Starts the node's processes: MPIO, the VMs defined Off, the cluster service. */
  boot(): void {
    const { world, host, timing, bugs } = this.d;
    const s = this.settings;
    host.start();
    this.ios.clear();
    this.waiting.clear();
    this.mpio = new SimActor(
      world,
      host,
      'mpio',
      decideMpio,
      initialMpio({
        policy: s.mpio.enabled ? s.mpio.policy : 'none',
        nodeKey: reservationKey(s.nodeId),
        luns: s.luns,
        paths: s.paths,
        verifyPeriodMs: timing.pathVerificationPeriodMs,
      }),
      (e) => this.mpioEffect(e),
    );
    this.mpio.send({ type: 'start' });
    const initial = initialCluster({
      cluster: s.cluster,
      self: host.name,
      nodes: s.clusterNodes.map((n) => ({ name: n.name, id: n.nodeId })),
      model: s.quorumModel,
      delayMs: timing.sameSubnetDelayMs,
      threshold: timing.sameSubnetThreshold,
      defendMs: timing.witnessDefendIntervalMs,
      challengeWaitMs: timing.witnessChallengeWaitMs,
      retryPeriodMs: timing.retryPeriodOnFailureMs,
      witnessKeepsConfig: !!s.witnessLun,
      csv: s.sharedVolumes,
      saved: this.saved,
      now: hostNow(world, host),
      bugs,
    });
    this.cluster = new SimActor(world, host, 'cluster', decideCluster, initial, (e) => this.effect(e));
    this.bootCsv();
    this.vms = new SimVmHost(
      world,
      host,
      this.d.history,
      {
        io: (lun, op, done) => this.blockIo(lun, op, done),
        changed: (vm, state) => this.cluster.send({ type: 'vmState', name: vm, state }),
        fault: (vm, reason) => this.cluster.send({ type: 'vmFault', name: vm, reason }),
        startFailed: (vm, error) => this.cluster.send({ type: 'vmStartFailed', name: vm, error }),
      },
      this.d.saved,
      s,
      timing,
      this.d.net,
    );
    this.vms.announce();
    host.serve(HB_SERVICE, (body, _from, reply) => {
      this.cluster.send({ type: 'hbRequest', view: body as View });
      reply(viewOf(this.cluster.state, hostNow(world, host)));
    });
    host.serve(NODE_SERVICE, (body, _from, reply) => this.serveRequest(body as NodeRequest, reply));
    host.serve(PING_SERVICE, (body, _from, reply) => reply(this.answers((body as { vm: string }).vm)));
    host.serve(CHASSIS_POWER_SERVICE, (body, _from, reply) => {
      const a = body as { host: string; on: boolean };
      if (!a.on && a.host !== this.name && this.cluster.state.peers[a.host])
        this.cluster.send({ type: 'peerPoweredOff', node: a.host });
      reply(null);
    });
    for (const e of startTimers(this.cluster.state)) if (e.type === 'startTimer') this.cluster.send(e.msg);
  }

  /**
   * Whether this node's copy of `vm` answers a ping: running, and gated by the lease. An answer
   * carries when it was sent, on the simulation's clock (the history's), so that a reply the
   * network retransmits is judged by when the host gave it (chaos/checkers/two-hosts.ts).
   */
  answers(vm: string): { host: string; answeredAt: number } | { absent: true } {
    const clustered = !!this.cluster.state.config.roles[vm];
    // injected bug answer-after-quorum-loss: the gate stays open whatever the lease says (main.ts).
    const gate =
      injected(this.d.bugs, 'answer-after-quorum-loss') ||
      !clustered ||
      leaseValid(this.cluster.state, hostNow(this.d.world, this.d.host));
    if (!this.vms.running(vm) || !gate) return { absent: true };
    return { host: this.name, answeredAt: Math.round(this.d.world.sched.now * 1000) / 1000 };
  }

  /** Asks the cluster to carry out a command, through the leader wherever it is (toLeader). */
  command(cmd: Command, done: (r: NodeReply) => void) {
    const s = this.cluster.state;
    if (s.service !== 'Running' || !s.leader)
      return done({ ok: false, code: 'UNAVAILABLE', message: 'no leader' });
    if (s.leader === this.name) return this.askLocal(cmd, done);
    this.d.net.request(this.name, s.leader, NODE_SERVICE, { kind: 'command', cmd }, COMMAND_TIMEOUT_MS, (r) =>
      done(r.ok ? (r.body as NodeReply) : { ok: false, code: r.code, message: r.message }),
    );
  }

  /** The operator moves a role this node owns to `to`, by live or quick migration (MoveRole). */
  move(role: string, to: string, kind: 'live' | 'quick', done: (r: NodeReply) => void): void {
    const replyTo = `m-${this.nextId++}`;
    this.waiting.set(replyTo, done);
    this.cluster.send({ type: 'moveRequest', replyTo, role, to, kind, vmState: this.vms.stateOf(role) });
  }

  /** The administrator stops or starts this node's cluster service (Stop-/Start-ClusterNode). */
  serviceControl(action: 'stop' | 'start', forceQuorum: boolean, done: (r: NodeReply) => void): void {
    const replyTo = `s-${this.nextId++}`;
    this.waiting.set(replyTo, done);
    this.cluster.send({ type: 'serviceControl', replyTo, action, forceQuorum });
  }

  private askLocal(cmd: Command, done: (r: NodeReply) => void): void {
    const replyTo = `c-${this.nextId++}`;
    this.waiting.set(replyTo, done);
    this.cluster.send({ type: 'command', replyTo, cmd });
  }

  private serveRequest(req: NodeRequest, reply: (r: NodeReply) => void): void {
    if (req.kind === 'push') {
      const { config, epoch, members, leader, from } = req;
      this.cluster.send({ type: 'configPush', from, config, epoch, members, leader });
      reply({ ok: true });
    } else this.askLocal(req.cmd, reply);
  }

  private settle(replyTo: string, r: NodeReply): void {
    const w = this.waiting.get(replyTo);
    this.waiting.delete(replyTo);
    w?.(r);
  }

  // ---- storage: the CSVs over MPIO

  /** The node's CSV layer, one volume per shared volume, online until the cluster says otherwise. */
  private bootCsv(): void {
    const s = this.settings;
    this.csv.clear();
    this.csvOnline = true;
    this.members = NO_MEMBERS;
    for (const v of s.sharedVolumes)
      this.csv.set(
        v.volume,
        new SimCsvVolume({
          ...this.d,
          cluster: s.cluster,
          volume: v,
          lunSizeBytes: this.d.lunSizeBytes(v.lun),
          seed: s.csvFiles
            .filter((f) => f.lun === v.lun)
            .map(({ path, offset, sizeBytes }) => ({ path, offset, sizeBytes })),
          mpio: (lun, op, done) => this.io(lun, op, done),
          admitRedirect: (node, epoch) => {
            const watch = this.watchMembers();
            return this.cluster.state.service === 'Running' ? admitRedirect(watch, node, epoch) : 'refuse';
          },
          epoch: () => this.cluster.state.epoch,
        }),
      );
  }

  /** A VM's block I/O: through its CSV when its LUN is one (direct or redirected), else MPIO. */
  blockIo(lun: string, op: StorageOp, done: (r: IoResult) => void): void {
    for (const v of this.csv.values())
      if (v.lun === lun) {
        v.io(lun, op, done);
        return;
      }
    this.io(lun, op, done);
  }

  /** Runs `fn` once every CSV volume of the node has answered all its I/O. */
  private afterCsvDrained(fn: () => void): void {
    const volumes = [...this.csv.values()];
    const next = (i: number): void => {
      const v = volumes[i];
      if (v) v.afterDrained(() => next(i + 1));
      else fn();
    };
    next(0);
  }

  /** The members as the cluster core sees them now, with who left when (csv/core.ts MemberWatch). */
  private watchMembers(): MemberWatch {
    const s = this.cluster.state;
    this.members = watchMembers(this.members, s.service === 'Running' ? s.members : [], s.epoch);
    return this.members;
  }

  /** A node outside the cluster has no access to its CSVs (service.ts syncCsvOnline). */
  private syncCsvOnline(): void {
    this.watchMembers();
    const online = this.cluster.state.service === 'Running';
    if (online === this.csvOnline) return;
    this.csvOnline = online;
    for (const v of this.csv.values()) v.setOnline(online);
  }

  // ---- storage through MPIO

  /** One I/O through MPIO; `done` gets its outcome. */
  io(lun: string, op: StorageOp, done: (r: IoResult) => void): void {
    // The node's name in the id: a write's task id (mpio.ts taskId) is unique in the data center.
    const ioId = `${this.name}/io-${this.nextId++}`;
    this.ios.set(ioId, done);
    this.mpio.send({ type: 'submit', ioId, lun, op });
  }

  private mpioEffect(e: MpioEffect): void {
    if (e.type === 'complete') {
      const done = this.ios.get(e.ioId);
      this.ios.delete(e.ioId);
      done?.(e.result);
      return;
    }
    if (e.type !== 'pathIo') return;
    const cmd = toCommand(e.lun, this.name, e.op, e.task);
    this.d.net.request(this.name, e.path, SAS_SERVICE, cmd, this.d.timing.ioTimeoutMs, (r) => {
      const result: IoResult = r.ok
        ? fromOutcome(r.body as Outcome)
        : { ok: false, code: r.code, message: r.message };
      this.mpio.send({ type: 'pathDone', ioId: e.ioId, path: e.path, result });
    });
  }

  /** What the persistent-reservation steps need of this node. */
  private pr(): PrNode {
    return { settings: this.settings, bugs: this.d.bugs, io: (lun, op, done) => this.io(lun, op, done) };
  }

  // ---- the cluster core's effects

  /** A heartbeat request to a peer; its answer carries the peer's view when the request reached it. */
  private heartbeat(e: Extract<ClusterEffect, { type: 'heartbeat' }>): void {
    this.d.net.request(this.name, e.peer, HB_SERVICE, e.view, e.timeoutMs, (r) =>
      this.cluster.send(
        r.ok
          ? { type: 'hbResult', peer: e.peer, ok: true, view: r.body as View, sentAt: e.sentAt }
          : { type: 'hbResult', peer: e.peer, ok: false, sentAt: e.sentAt },
      ),
    );
  }

  /** A command this node asks of its leader; the answer comes back as leaderAnswer. */
  private askLeader(e: Extract<ClusterEffect, { type: 'askLeader' }>): void {
    this.command(e.cmd, (r) =>
      this.cluster.send(
        r.ok
          ? { type: 'leaderAnswer', requestId: e.requestId, ok: true }
          : {
              type: 'leaderAnswer',
              requestId: e.requestId,
              ok: false,
              code: r.code as ErrorCode,
              message: r.message,
            },
      ),
    );
  }

  /** Carries out one effect of the cluster core, as service.ts interprets them. */
  private effect(e: ClusterEffect): void {
    const send = (m: ClusterMsg) => this.cluster.send(m);
    this.syncCsvOnline();
    switch (e.type) {
      case 'heartbeat':
        this.heartbeat(e);
        return;
      case 'witness':
        this.witness(e.op, e.epoch, e.configVersion);
        return;
      case 'push':
        this.push(e);
        return;
      case 'fence':
      case 'register':
      case 'csv':
        this.storageEffect(e);
        return;
      case 'forward':
        this.command(e.cmd, () => {});
        return;
      case 'askLeader':
        this.askLeader(e);
        return;
      case 'vm':
        this.vms.op(e.op, e.name, e.spec, (ok, error) =>
          send({ type: 'vmOpDone', name: e.name, op: e.op, ok, ...(error ? { error } : {}) }),
        );
        return;
      case 'persist':
        this.saved = e.config;
        return;
      case 'reply':
        this.settle(
          e.replyTo,
          e.ok ? { ok: true } : { ok: false, code: e.code ?? 'IO_ERROR', message: e.message ?? 'refused' },
        );
        return;
      case 'event':
        this.d.history.add({
          type: 'event',
          node: this.name,
          kind: e.kind,
          eventId: e.eventId,
          message: e.message,
          data: e.data,
        });
        return;
      case 'migrate':
        this.vms.migrate(e.role, e.to, e.kind, (r) =>
          send(
            r.ok
              ? { type: 'migrated', moveId: e.moveId, ok: true, result: r.result }
              : { type: 'migrated', moveId: e.moveId, ok: false, code: r.code, message: r.message },
          ),
        );
        return;
      case 'migrationObserved':
        return;
    }
  }

  /** The core's effects on the shared disks: fencing, registering, coordinating a CSV. */
  private storageEffect(e: Extract<ClusterEffect, { type: 'fence' | 'register' | 'csv' }>): void {
    const send = (m: ClusterMsg) => this.cluster.send(m);
    switch (e.type) {
      case 'fence':
        fence(
          this.pr(),
          e.victims,
          (error) => send({ type: 'fenceDone', ok: !error, victims: e.victims, ...(error ? { error } : {}) }),
          () => mayFence(this.cluster.state),
        );
        return;
      case 'register':
        // Only once the I/O the node's VMs issued before it left is answered (csv-volume.ts drained).
        this.afterCsvDrained(() =>
          chain(registerSteps(this.pr()), (error) =>
            send({ type: 'registered', ok: !error, ...(error ? { error } : {}) }),
          ),
        );
        return;
      case 'csv': {
        this.csv.get(e.volume)?.coordinate(e.coordinator);
        const lun = this.settings.sharedVolumes.find((v) => v.volume === e.volume)?.lun;
        if (lun && e.coordinator === this.name) ensureReservedStep(this.pr(), lun)(() => {});
        return;
      }
    }
  }

  /** A witness call as witness-client.ts makes it; every outcome becomes a witnessResult. */
  private witness(op: 'arbitrate' | 'defend' | 'get', epoch: number, configVersion: number): void {
    const s = this.settings;
    const link = {
      net: this.d.net,
      node: this.name,
      witnessHost: s.witnessHost,
      timeoutMs: Math.max(1000, 2 * this.d.timing.witnessDefendIntervalMs),
      keepsConfig: !!s.witnessLun,
    };
    callWitness(link, { op, epoch, configVersion }, (m) => this.cluster.send(m));
  }

  /** A configuration push (config-push.ts): every member and the witness; commits on a majority. */
  private push(e: Extract<ClusterEffect, { type: 'push' }>) {
    const timeout = Math.max(1000, this.d.timing.sameSubnetDelayMs * this.d.timing.sameSubnetThreshold);
    const req: NodeRequest = {
      kind: 'push',
      from: this.name,
      config: e.config,
      epoch: e.epoch,
      members: e.members,
      leader: e.leader,
    };
    let waiting = e.to.length;
    let copies = 1;
    const finish = () => {
      const st = this.cluster.state.witness;
      const witnessHost = this.settings.witnessHost;
      const settle = () => {
        // As config-push.ts commitError: enough copies, and this node still leads.
        const s = this.cluster.state;
        const error = commitError(e, copies, s.service === 'Running' && s.leader === this.name);
        const reply: NodeReply = error
          ? { ok: false, code: error.code, message: error.message }
          : { ok: true };
        for (const r of e.replyTo) this.settle(r, reply);
      };
      if (!witnessHost || !st.held) return settle();
      const keeps = !!this.settings.witnessLun;
      const call: WitnessCall = {
        op: 'putConfig',
        node: this.name,
        epoch: st.epoch,
        configVersion: e.config.version,
        configJson: keeps ? JSON.stringify(e.config) : '',
      };
      this.d.net.request(this.name, witnessHost, WITNESS_SERVICE, call, timeout, (r) => {
        if (r.ok && (r.body as WitnessAnswer).ok && keeps) copies++;
        settle();
      });
    };
    if (waiting === 0) return finish();
    for (const to of e.to)
      this.d.net.request(this.name, to, NODE_SERVICE, req, timeout, (r) => {
        if (r.ok && (r.body as NodeReply).ok) copies++;
        if (--waiting === 0) finish();
      });
  }
}
