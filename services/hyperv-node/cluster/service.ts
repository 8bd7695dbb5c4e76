/**
 * The cluster service adapter of a node: runs the pure cluster core (core/decide.ts) in an actor and
 * carries out its effects — heartbeats and config pushes over NATS (the emulated network),
 * witness calls over gRPC, fencing by persistent-reservation preempt through MPIO, the VMs of
 * the roles, the CSV coordinators — and serves dcbox.cluster.v1.Cluster.
 *
 * It is the one place that wires the actor to its effects; each I/O concern lives in its own file
 * beside it (admin-handlers.ts, config-push.ts, event-log.ts, from-settings.ts, grpc-service.ts,
 * node-link.ts, node-protocol.ts, ports.ts, reservations.ts, saved-config.ts, witness-client.ts:
 * adapters; test-support.ts: what the cluster tests share), and the pure core in core/
 * (core/decide.ts lists its modules). The cluster tests run the same core in the deterministic
 * simulation (sim/cluster-harness.ts).
 */
import { Actor } from '../../actor/actor.js';
import { type Clock, systemClock } from '../../actor/clock.js';
import { DcboxError } from '../../actor/errors.js';
import type { WitnessClient } from '../../generated/dcbox/witness/v1/Witness.js';
import type { NodeSettings, ServiceConfig } from '../../process/config.js';
import type { Logger } from '../../process/log.js';
import { pollUntil } from '../../process/poll-until.js';
import { fromServiceError } from '../../transport/grpc-errors.js';
import type { NatsConnection } from '../../transport/nats.js';
import { subjects } from '../../transport/subjects.js';
import {
  admitRedirect,
  type MemberWatch,
  NO_MEMBERS,
  type RedirectAdmission,
  watchMembers,
} from '../csv/core.js';
import { applyDelta } from './config-delta.js';
import { ConfigPushQueue } from './config-push.js';
import {
  type ClusterConfig,
  type ClusterEffect,
  type ClusterMsg,
  type ClusterState,
  type Command,
  decideCluster,
  leaseValid,
  type MigrationResult,
  type StandingView,
  standingView,
  startTimers,
  type View,
  type VmState,
} from './core/decide.js';
import { mayFence } from './core/fencing.js';
import { roleView, stateView } from './core/views.js';
import { ClusterEventLog, logCsvModes } from './event-log.js';
import { initialFromSettings, witnessClientFor } from './from-settings.js';
import { clusterGrpcService } from './grpc-service.js';
import type { NetFt } from './netft/netft.js';
import { NodeLink } from './node-link.js';
import type { NodeRequest } from './node-protocol.js';
import type { ClusterCsv, ClusterObserver, ClusterVms } from './ports.js';
import { type ClusterDisks, ClusterReservations } from './reservations.js';
import { SavedConfig } from './saved-config.js';
import { callWitness, type WitnessLink } from './witness-client.js';

export type { MigrationResult } from './core/decide.js';
export type { ClusterEventRecord } from './event-log.js';
export type { ClusterCsv, ClusterObserver, ClusterVms } from './ports.js';
export type { ClusterDisks } from './reservations.js';

/** The cluster service of one node: the core's actor and everything that carries out its effects. */
export class ClusterService {
  readonly actor: Actor<ClusterState, ClusterMsg, ClusterEffect>;
  private readonly eventLog: ClusterEventLog;
  private readonly pending = new Map<
    string,
    { resolve: (result?: unknown) => void; reject: (e: DcboxError) => void }
  >();
  private readonly pushes: ConfigPushQueue;
  private nextReply = 1;
  private readonly witness: WitnessClient | null;
  private readonly savedConfig: SavedConfig;
  private readonly link: NodeLink;
  private netft: NetFt | null = null;
  /** The last push the core took whole, for the next delta from the same leader (adoptPush). */
  private lastPush: { epoch: number; leader: string; config: ClusterConfig } | null = null;
  private readonly reservations: ClusterReservations;
  private stopped = false;
  /** Whether this node's CSVs are online: they start online and follow the cluster service. */
  private csvOnline = true;
  /** Who the coordinator serves redirected I/O for, and when each last left. */
  private members: MemberWatch = NO_MEMBERS;
  private readonly subs: { unsubscribe(): void }[] = [];
  private readonly stopCsvEvents: () => void;

  constructor(
    private readonly cfg: ServiceConfig<NodeSettings>,
    nc: NatsConnection,
    private readonly log: Logger,
    disks: ClusterDisks,
    private readonly vms: ClusterVms,
    private readonly csv: Map<string, ClusterCsv>,
    private readonly observer: ClusterObserver | null = null,
    /** The actor's clock: the adapter reads the time only from it. */
    private readonly clock: Clock = systemClock,
  ) {
    const s = cfg.settings;
    this.reservations = new ClusterReservations(s, disks, cfg.bugs);
    this.eventLog = new ClusterEventLog(cfg.host, clock, log);
    // The node logs its own CSV access changes (5121, 5120, 5142), as 2008 R2 does.
    this.stopCsvEvents = logCsvModes(
      this.eventLog,
      csv.values(),
      (volume) => s.sharedVolumes.find((v) => v.volume === volume)?.lun ?? volume,
    );
    this.savedConfig = new SavedConfig(cfg.dataDir, log);
    this.link = new NodeLink(nc, s.cluster, cfg.host);
    const saved = this.savedConfig.load();
    this.witness = witnessClientFor(cfg);
    this.pushes = new ConfigPushQueue({
      nc,
      cluster: s.cluster,
      host: cfg.host,
      timeoutMs: Math.max(1000, cfg.timing.sameSubnetDelayMs * cfg.timing.sameSubnetThreshold),
      witness: this.witness,
      witnessKeepsConfig: !!s.witnessLun,
      witnessState: () => this.actor.state.witness,
      leads: () => this.actor.state.service === 'Running' && this.actor.state.leader === cfg.host,
      settle: (replyTo, error) => this.settle(replyTo, error),
      log,
    });
    const initial = initialFromSettings(cfg, saved, clock.now());
    this.actor = new Actor<ClusterState, ClusterMsg, ClusterEffect>({
      self: cfg.host,
      initial,
      decide: decideCluster,
      interpret: (e) => this.interpret(e),
      clock,
      seed: cfg.seed,
      onError: (err, msg) =>
        log('error', 'cluster core failed on a message', { error: String(err), msg: msg.type }),
    });
  }

  /**
   * Subscribes to the node's cluster subjects and starts heartbeating through `netft`, once it
   * listens: a node that heartbeats before it can be answered looks silent to its peers, and they
   * formed without it.
   */
  async start(netft: NetFt): Promise<void> {
    await netft.ready;
    this.netft = netft;
    this.subs.push(
      this.link.serveRequests((req) => this.handleNodeRequest(req)),
      this.link.watchPowerOffs((host) => {
        if (host !== this.cfg.host && this.actor.state.peers[host])
          this.actor.send({ type: 'peerPoweredOff', node: host });
      }),
    );
    for (const e of startTimers(this.actor.state)) {
      if (e.type === 'startTimer') this.actor.send(e.msg);
    }
  }

  stop(): void {
    this.stopped = true;
    this.actor.stop();
    this.stopCsvEvents();
    for (const s of this.subs) s.unsubscribe();
    this.witness?.close();
  }

  /** Whether VMs of this node's roles may answer now (the lease of a member with quorum). */
  leaseValid(): boolean {
    return leaseValid(this.actor.state, this.clock.now());
  }

  /** Whether a VM belongs to a clustered role (its answers are gated by the lease). */
  isClustered(vm: string): boolean {
    return !!this.actor.state.config.roles[vm];
  }

  /** Feeds a VM state change from the VM manager. */
  vmChanged(name: string, state: VmState): void {
    this.actor.send({ type: 'vmState', name, state });
  }

  /** A start the VM manager accepted failed before the VM ran. */
  vmStartFailed(name: string, error: string): void {
    this.actor.send({ type: 'vmStartFailed', name, error });
  }

  /** A VM's disk was refused with RESERVATION CONFLICT: this node was fenced. */
  vmFault(name: string, reason: string): void {
    this.actor.send({ type: 'vmFault', name, reason });
  }

  // ---- effects

  private interpret(e: ClusterEffect): void {
    if (this.stopped) return;
    this.syncCsvOnline();
    switch (e.type) {
      case 'heartbeat':
        this.heartbeat(e);
        return;
      case 'witness':
        void callWitness(this.witnessLink(), e.op, e.epoch, e.configVersion).then((m) => this.actor.send(m));
        return;
      case 'push':
        this.pushes.queue(e);
        return;
      case 'fence':
        void this.reservations
          .fence(e.victims, () => mayFence(this.actor.state))
          .then(
            () => this.actor.send({ type: 'fenceDone', ok: true, victims: e.victims }),
            (err: Error) =>
              this.actor.send({ type: 'fenceDone', ok: false, victims: e.victims, error: err.message }),
          );
        return;
      case 'register':
        // Only once the I/O the node's VMs issued before it left is answered (csv-volume.ts drained).
        void Promise.all([...this.csv.values()].map((v) => v.drained()))
          .then(() => this.reservations.register())
          .then(
            () => this.actor.send({ type: 'registered', ok: true }),
            (err: Error) => this.actor.send({ type: 'registered', ok: false, error: err.message }),
          );
        return;
      case 'forward':
        void this.toLeader(e.cmd).catch((err) =>
          this.log('warn', 'forwarding to the leader failed', { error: String(err) }),
        );
        return;
      case 'vm':
        void this.vmOp(e.op, e.name, e.spec);
        return;
      case 'csv':
        this.applyCsv(e.volume, e.coordinator);
        return;
      case 'persist':
        this.persist(e.config);
        return;
      case 'reply':
        this.reply(e);
        return;
      case 'event':
        this.eventLog.record(e.eventId, e.kind, e.message, e.data);
        return;
      case 'askLeader':
        this.askLeader(e);
        return;
      case 'migrate':
        this.migrate(e);
        return;
      case 'migrationObserved':
        this.observer?.migration(e.kind, e.ok, e.blackoutMs);
        return;
    }
  }

  /**
   * A peer's heartbeat (null: a malformed one, ignored, and the peer counts as silent), handed to
   * the core; this node's answer. None until the service started.
   */
  answerHeartbeat(view: View | null): StandingView | null {
    if (!this.netft || this.stopped) return null;
    if (view) this.actor.send({ type: 'hbRequest', view });
    return standingView(this.actor.state, this.clock.now());
  }

  private heartbeat(e: Extract<ClusterEffect, { type: 'heartbeat' }>): void {
    const subject = subjects.clusterHeartbeat(this.cfg.settings.cluster, e.peer);
    const netft = this.netft;
    if (!netft) return;
    void netft.heartbeat(subject, e.view, e.timeoutMs).then((view) => {
      this.observer?.heartbeat(e.peer, view !== null);
      if (view) this.actor.send({ type: 'hbResult', peer: e.peer, ok: true, view, sentAt: e.sentAt });
      else this.actor.send({ type: 'hbResult', peer: e.peer, ok: false, sentAt: e.sentAt });
    });
  }

  /** Tells the caller waiting on a configuration change whether it committed. */
  private settle(replyTo: string, error: DcboxError | null): void {
    const p = this.pending.get(replyTo);
    this.pending.delete(replyTo);
    if (!p) return;
    if (error) p.reject(error);
    else p.resolve();
  }

  /** Answers the caller waiting on a command or a move. */
  private reply(e: Extract<ClusterEffect, { type: 'reply' }>): void {
    const p = this.pending.get(e.replyTo);
    this.pending.delete(e.replyTo);
    if (!p) return;
    if (e.ok) p.resolve(e.result);
    else p.reject(new DcboxError(e.code ?? 'IO_ERROR', e.message ?? 'refused'));
  }

  private askLeader(e: Extract<ClusterEffect, { type: 'askLeader' }>): void {
    void this.toLeader(e.cmd).then(
      () => this.actor.send({ type: 'leaderAnswer', requestId: e.requestId, ok: true }),
      (err) => {
        const { code, message } = fromServiceError(err);
        this.actor.send({ type: 'leaderAnswer', requestId: e.requestId, ok: false, code, message });
      },
    );
  }

  private migrate(e: Extract<ClusterEffect, { type: 'migrate' }>): void {
    const migration =
      e.kind === 'live' ? this.vms.liveMigrate(e.role, e.to) : this.vms.quickMigrate(e.role, e.to);
    void migration.then(
      (result) => this.actor.send({ type: 'migrated', moveId: e.moveId, ok: true, result }),
      (err) => {
        const { code, message } = fromServiceError(err);
        this.actor.send({ type: 'migrated', moveId: e.moveId, ok: false, code, message });
      },
    );
  }

  private witnessLink(): WitnessLink {
    return {
      client: this.witness,
      node: this.cfg.host,
      timeoutMs: Math.max(1000, 2 * this.cfg.timing.witnessDefendIntervalMs),
      keepsConfig: !!this.cfg.settings.witnessLun,
    };
  }

  private async vmOp(
    op: string,
    name: string,
    spec?: import('../../process/config.js').VmSpec,
  ): Promise<void> {
    try {
      switch (op) {
        case 'define':
          if (!spec) throw new DcboxError('INVALID_ARGUMENT', `no spec to define ${name}`);
          await this.vms.defineVm(spec);
          break;
        case 'start':
          await this.vms.start(name);
          break;
        case 'turnOff':
          await this.vms.turnOff(name);
          break;
        case 'save':
          await this.vms.save(name);
          break;
        case 'remove':
          await this.vms.removeVm(name);
          break;
      }
      this.actor.send({ type: 'vmState', name, state: this.vms.stateOf(name) });
      this.actor.send({ type: 'vmOpDone', name, op, ok: true });
    } catch (err) {
      this.actor.send({ type: 'vmState', name, state: this.vms.stateOf(name) });
      this.actor.send({ type: 'vmOpDone', name, op, ok: false, error: fromServiceError(err).message });
    }
  }

  /**
   * A node outside the cluster has no access to its CSVs
   * (docs/domain.md §Cluster Shared Volumes): they go offline when its cluster service stops running and come back when it runs
   * again, so I/O that a VM issued before the node left can never land later, redirected through
   * a coordinator after the node rejoins (found by a seeded campaign: a write held in the
   * redirect retries across a partition overwrote a record the new owner had acknowledged).
   */
  /**
   * What this node, as coordinator, does with a redirected I/O from `node` sent in its view of
   * `epoch` (csv/core.ts admitRedirect): refused while this node runs in no cluster.
   */
  admitRedirect(node: string, epoch?: number): RedirectAdmission {
    const watch = this.watchMembers();
    return this.actor.state.service === 'Running' ? admitRedirect(watch, node, epoch) : 'refuse';
  }

  /** The epoch of this node's membership view now (a redirected I/O is stamped with it). */
  epoch(): number {
    return this.actor.state.epoch;
  }

  /** The members as the cluster core sees them now, with who left when (csv/core.ts MemberWatch). */
  private watchMembers(): MemberWatch {
    const s = this.actor.state;
    this.members = watchMembers(this.members, s.service === 'Running' ? s.members : [], s.epoch);
    return this.members;
  }

  private syncCsvOnline(): void {
    this.watchMembers();
    const online = this.actor.state.service === 'Running';
    if (online === this.csvOnline) return;
    this.csvOnline = online;
    for (const v of this.csv.values()) v.setOnline(online);
  }

  private applyCsv(volume: string, coordinator: string | null): void {
    const v = this.csv.get(volume);
    if (!v) return;
    if (coordinator === null) {
      v.pause();
      return;
    }
    v.setCoordinator(coordinator);
    v.resume();
    const lun = this.cfg.settings.sharedVolumes.find((x) => x.volume === volume)?.lun;
    if (coordinator === this.cfg.host && lun) {
      void this.reservations
        .ensureReserved(lun)
        .catch((err) => this.log('warn', 'could not reserve the CSV LUN', { lun, error: String(err) }));
    }
  }

  private persist(config: ClusterConfig): void {
    this.savedConfig.save(config);
  }

  // ---- requests

  /** Asks this node's core to carry out a command (it must be the leader); resolves once committed. */
  private askLocal(cmd: Command): Promise<void> {
    const replyTo = `c-${this.nextReply++}`;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(replyTo, { resolve: () => resolve(), reject });
      this.actor.send({ type: 'command', replyTo, cmd });
      setTimeout(() => {
        if (this.pending.delete(replyTo))
          reject(new DcboxError('TIMEOUT', `the cluster did not answer ${cmd.op} in time`));
      }, 15_000).unref();
    });
  }

  /** Asks another node's cluster adapter over NATS. */
  request(node: string, req: NodeRequest, timeoutMs: number): Promise<unknown> {
    return this.link.request(node, req, timeoutMs);
  }

  /** Sends a command to the leader, wherever it is. */
  async toLeader(cmd: Command): Promise<void> {
    const s = this.actor.state;
    if (s.service !== 'Running' || !s.leader)
      throw new DcboxError(
        'UNAVAILABLE',
        `the cluster service on ${this.cfg.host} is ${s.service}: no leader to ask`,
      );
    if (s.leader === this.cfg.host) return this.askLocal(cmd);
    await this.request(s.leader, { kind: 'command', cmd }, 15_000);
  }

  private async handleNodeRequest(req: NodeRequest): Promise<unknown> {
    switch (req.kind) {
      case 'push':
        this.adoptPush(req);
        return undefined;
      case 'command':
        return this.askLocal(req.cmd);
      case 'move':
        return this.askMove(req.role, req.to, req.live);
      case 'service':
        return this.serviceControl(req.action, req.forceQuorum);
    }
  }

  /**
   * Hands a leader's push to the core, a delta rebuilt on the copy this node took from the same
   * leader in the same membership (config-delta.ts). Without that copy, still the configuration
   * the core holds, the push is refused with BAD_STATE and the leader sends it whole.
   */
  private adoptPush(req: Extract<NodeRequest, { kind: 'push' }>): void {
    const last = this.lastPush;
    let config: ClusterConfig;
    if ('delta' in req) {
      const holds =
        last?.epoch === req.epoch &&
        last.leader === req.leader &&
        last.config.version === req.delta.base &&
        this.actor.state.config === last.config;
      if (!last || !holds)
        throw new DcboxError(
          'BAD_STATE',
          `no copy of configuration version ${req.delta.base} to apply a delta to`,
        );
      config = applyDelta(last.config, req.delta);
    } else config = req.config;
    const { from, epoch, members, leader } = req;
    this.actor.send({ type: 'configPush', from, config, epoch, members, leader });
    // Kept only when the core took it as it is (a stale push leaves the core's own).
    this.lastPush = this.actor.state.config === config ? { epoch, leader, config } : null;
  }

  /** Moves a role this node owns to another node, as the OS shutdown does (os-shutdown.ts). */
  moveOwnedRole(role: string, to: string, live: boolean): Promise<MigrationResult> {
    return this.askMove(role, to, live);
  }

  /** Stops or starts this node's cluster service; a stop resolves once its roles moved and it left. */
  serviceControl(action: 'stop' | 'start', forceQuorum: boolean): Promise<void> {
    const replyTo = `c-${this.nextReply++}`;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(replyTo, { resolve: () => resolve(), reject });
      this.actor.send({ type: 'serviceControl', replyTo, action, forceQuorum });
    });
  }

  /** On the role's owner: its core carries out the move step by step and answers with the figures. */
  private askMove(role: string, to: string, live: boolean): Promise<MigrationResult> {
    const replyTo = `c-${this.nextReply++}`;
    const kind = live ? 'live' : 'quick';
    return new Promise<MigrationResult>((resolve, reject) => {
      this.pending.set(replyTo, { resolve: (r) => resolve(r as MigrationResult), reject });
      this.actor.send({ type: 'moveRequest', replyTo, role, to, kind, vmState: this.vms.stateOf(role) });
    });
  }

  // ---- the Cluster gRPC service

  roleView(name: string) {
    return roleView(this.actor.state, name, this.clock.now());
  }

  /**
   * The role's view once this node has heard the new owner report it running: the owner reports
   * the VM's state a heartbeat after the move answered, so a view taken at once still says Pending.
   * Past 5 s it answers with what it knows; the move itself has succeeded either way.
   */
  async settledRoleView(name: string, owner: string) {
    const settled = () => {
      const v = this.roleView(name);
      return v.owner === owner && v.state !== 'Pending';
    };
    await pollUntil(settled, {
      what: `${name} to settle on ${owner}`,
      timeoutMs: 5000,
      intervalMs: 20,
    }).catch(() => undefined);
    return this.roleView(name);
  }

  /** The node's view of the cluster, as dcbox.cluster.v1.ClusterState. */
  stateView() {
    return stateView(this.actor.state, this.clock.now(), (volume) => this.csv.get(volume)?.mode());
  }

  /** Where a VM that is not yet clustered lives: this node only. */
  async makeHa(vm: string, preferred: string[], allowFailback: boolean) {
    const spec = this.vms.specOf(vm);
    if (!spec) throw new DcboxError('NOT_FOUND', `no virtual machine named ${vm} on ${this.cfg.host}`);
    await this.toLeader({
      op: 'makeHa',
      vm: spec,
      owner: this.cfg.host,
      vmState: this.vms.stateOf(vm),
      preferredOwners: preferred,
      allowFailback,
    });
    return this.roleView(vm);
  }

  /** The node that owns a role in this node's configuration. */
  ownerOf(role: string): string | undefined {
    return this.actor.state.config.roles[role]?.owner;
  }

  /** dcbox.cluster.v1.Cluster, served by this node (grpc-service.ts). */
  grpcService() {
    const s = this.cfg.settings;
    return clusterGrpcService({
      host: this.cfg.host,
      nodeNames: s.clusterNodes.map((n) => n.name),
      defaultVolume: s.sharedVolumes[0]?.volume ?? '',
      eventLog: this.eventLog,
      stateView: () => this.stateView(),
      roleView: (name) => this.roleView(name),
      settledRoleView: (name, owner) => this.settledRoleView(name, owner),
      makeHa: (vm, preferred, allowFailback) => this.makeHa(vm, preferred, allowFailback),
      ownerOf: (role) => this.ownerOf(role),
      moveOwnedRole: (role, to, live) => this.moveOwnedRole(role, to, live),
      toLeader: (cmd) => this.toLeader(cmd),
      serviceControl: (action, force) => this.serviceControl(action, force),
      request: (node, req, timeoutMs) => this.request(node, req, timeoutMs),
    });
  }
}
