/**
 * The cluster service adapter of a node: runs the pure cluster core (core.ts) in an actor and
 * carries out its effects — heartbeats and config pushes over NATS (the emulated network),
 * witness calls over gRPC, fencing by persistent-reservation preempt through MPIO, the VMs of
 * the roles, the CSV coordinators — and serves dcbox.cluster.v1.Cluster.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { Actor } from '../../actor/actor.js';
import { type Clock, systemClock } from '../../actor/clock.js';
import { DcboxError, type ErrorCode, fromServiceError } from '../../actor/errors.js';
import type { ArbitrateResponse__Output } from '../../generated/dcbox/witness/v1/ArbitrateResponse.js';
import type { DefendResponse__Output } from '../../generated/dcbox/witness/v1/DefendResponse.js';
import type { WitnessClient } from '../../generated/dcbox/witness/v1/Witness.js';
import type { WitnessState__Output } from '../../generated/dcbox/witness/v1/WitnessState.js';
import { endpoint, type NodeSettings, type ServiceConfig } from '../../process/config.js';
import type { Logger } from '../../process/log.js';
import { CLIENT_OPTIONS, deadline, insecure, protos, rpc, unary } from '../../transport/grpc.js';
import { decodeJson, encodeJson, type NatsConnection } from '../../transport/nats.js';
import { subjects } from '../../transport/subjects.js';
import { type IoResult, reservationKey, type StorageOp } from '../mpio.js';
import {
  type ClusterConfig,
  type ClusterEffect,
  type ClusterMsg,
  type ClusterState,
  type Command,
  decideCluster,
  groupState,
  initialCluster,
  leaseValid,
  localResourceState,
  type MigrationResult,
  startTimers,
  type View,
  type VmState,
  viewOf,
} from './core.js';
import { NODE_REMOVED_EVENT_ID, QUORUM_LOST_EVENT_ID } from './event-catalog.js';

export type { MigrationResult } from './core.js';

/** One entry of the node's cluster event log. */
export interface ClusterEventRecord {
  index: number;
  time_ms: number;
  node: string;
  event_id: number;
  kind: string;
  message: string;
  data_json: string;
}

/** What the cluster needs from the node's storage: block I/O and reservations through MPIO. */
export interface ClusterDisks {
  io(lun: string, op: StorageOp): Promise<IoResult>;
}

/** What the cluster needs of the VM manager. */
export interface ClusterVms {
  defineVm(spec: import('../../process/config.js').VmSpec): Promise<unknown>;
  removeVm(name: string): Promise<void>;
  start(name: string): Promise<unknown>;
  turnOff(name: string): Promise<unknown>;
  save(name: string): Promise<unknown>;
  stateOf(name: string): VmState;
  specOf(name: string): import('../../process/config.js').VmSpec | null;
  liveMigrate(name: string, to: string): Promise<MigrationResult>;
  quickMigrate(name: string, to: string): Promise<MigrationResult>;
}

/** What a Cluster Shared Volume layer must offer the cluster. */
export interface ClusterCsv {
  setCoordinator(node: string | null): void;
  pause(): void;
  resume(): void;
  mode(): string;
}

/** What the cluster adapter reports to its metrics: heartbeats and migrations as they happen. */
export interface ClusterObserver {
  heartbeat(peer: string, answered: boolean): void;
  migration(kind: 'live' | 'quick', ok: boolean, blackoutMs: number | null): void;
}

type NodeRequest =
  | { kind: 'push'; from: string; config: ClusterConfig; epoch: number; members: string[]; leader: string }
  | { kind: 'command'; cmd: Command }
  | { kind: 'move'; role: string; to: string; live: boolean };

type NodeReply = { ok: true; result?: unknown } | { ok: false; code: ErrorCode; message: string };

const EVENTS_MAX = 5000;

export class ClusterService {
  readonly actor: Actor<ClusterState, ClusterMsg, ClusterEffect>;
  private readonly events: ClusterEventRecord[] = [];
  private nextEvent = 1;
  private readonly watchers = new Set<(e: ClusterEventRecord) => void>();
  private readonly pending = new Map<
    string,
    { resolve: (result?: unknown) => void; reject: (e: DcboxError) => void }
  >();
  private readonly pushQueue: {
    inflight: Promise<void> | null;
    inflightEpoch: number;
    next: Extract<ClusterEffect, { type: 'push' }> | null;
  } = { inflight: null, inflightEpoch: -1, next: null };
  private nextReply = 1;
  private readonly witness: WitnessClient | null;
  private readonly configFile: string;
  private readonly key: string;
  private stopped = false;
  private readonly subs: { unsubscribe(): void }[] = [];

  constructor(
    private readonly cfg: ServiceConfig<NodeSettings>,
    private readonly nc: NatsConnection,
    private readonly log: Logger,
    private readonly disks: ClusterDisks,
    private readonly vms: ClusterVms,
    private readonly csv: Map<string, ClusterCsv>,
    private readonly observer: ClusterObserver | null = null,
    /** The actor's clock: the adapter reads the time only from it. */
    private readonly clock: Clock = systemClock,
  ) {
    const s = cfg.settings;
    this.key = reservationKey(s.nodeId);
    this.configFile = join(cfg.dataDir, 'cluster', 'config.json');
    mkdirSync(join(cfg.dataDir, 'cluster'), { recursive: true });
    let saved: ClusterConfig | null = null;
    if (existsSync(this.configFile)) {
      try {
        saved = JSON.parse(readFileSync(this.configFile, 'utf8')) as ClusterConfig;
      } catch (err) {
        log('warn', 'ignoring an unreadable saved cluster configuration', { error: (err as Error).message });
      }
    }
    if (s.witnessHost) {
      const w = endpoint(cfg, s.witnessHost);
      this.witness = new (protos().dcbox.witness.v1.Witness)(
        `${w.address}:${w.grpcPort}`,
        insecure(),
        CLIENT_OPTIONS,
      );
    } else this.witness = null;
    const initial = initialCluster({
      cluster: s.cluster,
      self: cfg.host,
      nodes: s.clusterNodes.map((n) => ({ name: n.name, id: n.nodeId })),
      model: s.quorumModel,
      delayMs: cfg.timing.sameSubnetDelayMs,
      threshold: cfg.timing.sameSubnetThreshold,
      defendMs: cfg.timing.witnessDefendIntervalMs,
      retryPeriodMs: cfg.timing.retryPeriodOnFailureMs,
      witnessKeepsConfig: !!s.witnessLun,
      csv: s.sharedVolumes,
      saved,
      now: clock.now(),
    });
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

  /** Subscribes to the node's cluster subjects and starts heartbeating. */
  start(): void {
    const s = this.cfg.settings;
    this.subs.push(
      this.nc.subscribe(subjects.clusterHeartbeat(s.cluster, this.cfg.host), {
        callback: (_err, msg) => {
          try {
            const view = decodeJson<View>(msg.data);
            this.actor.send({ type: 'hbRequest', view });
          } catch {
            // A malformed heartbeat is ignored: the peer counts as silent.
          }
          msg.respond(encodeJson(viewOf(this.actor.state, this.clock.now())));
        },
      }),
    );
    this.subs.push(
      this.nc.subscribe(subjects.clusterNode(s.cluster, this.cfg.host), {
        callback: (_err, msg) => {
          let req: NodeRequest;
          try {
            req = decodeJson<NodeRequest>(msg.data);
          } catch {
            msg.respond(
              encodeJson({
                ok: false,
                code: 'INVALID_ARGUMENT',
                message: 'malformed cluster request',
              } satisfies NodeReply),
            );
            return;
          }
          void this.handleNodeRequest(req).then(
            (result) => msg.respond(encodeJson({ ok: true, result } satisfies NodeReply)),
            (err) => {
              const e = fromServiceError(err);
              msg.respond(encodeJson({ ok: false, code: e.code, message: e.message } satisfies NodeReply));
            },
          );
        },
      }),
    );
    for (const e of startTimers(this.actor.state)) {
      if (e.type === 'startTimer') this.actor.send(e.msg);
    }
  }

  stop(): void {
    this.stopped = true;
    this.actor.stop();
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

  /** A VM's disk was refused with RESERVATION CONFLICT: this node was fenced. */
  vmFault(name: string, reason: string): void {
    this.actor.send({ type: 'vmFault', name, reason });
  }

  // ---- effects

  private interpret(e: ClusterEffect): void {
    if (this.stopped) return;
    switch (e.type) {
      case 'heartbeat':
        void this.nc
          .request(subjects.clusterHeartbeat(this.cfg.settings.cluster, e.peer), encodeJson(e.view), {
            timeout: e.timeoutMs,
          })
          .then(
            (m) => {
              this.observer?.heartbeat(e.peer, true);
              this.actor.send({ type: 'hbResult', peer: e.peer, ok: true, view: decodeJson<View>(m.data) });
            },
            () => {
              this.observer?.heartbeat(e.peer, false);
              this.actor.send({ type: 'hbResult', peer: e.peer, ok: false });
            },
          );
        return;
      case 'witness':
        void this.callWitness(e.op, e.epoch, e.configVersion).then((m) => this.actor.send(m));
        return;
      case 'push':
        this.queuePush(e);
        return;
      case 'fence':
        void this.fence(e.victims).then(
          () => this.actor.send({ type: 'fenceDone', ok: true, victims: e.victims }),
          (err: Error) =>
            this.actor.send({ type: 'fenceDone', ok: false, victims: e.victims, error: err.message }),
        );
        return;
      case 'register':
        void this.register().then(
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
      case 'reply': {
        const p = this.pending.get(e.replyTo);
        this.pending.delete(e.replyTo);
        if (!p) return;
        if (e.ok) p.resolve(e.result);
        else p.reject(new DcboxError(e.code ?? 'IO_ERROR', e.message ?? 'refused'));
        return;
      }
      case 'event':
        this.record(e.eventId, e.kind, e.message, e.data);
        return;
      case 'askLeader':
        void this.toLeader(e.cmd).then(
          () => this.actor.send({ type: 'leaderAnswer', requestId: e.requestId, ok: true }),
          (err) => {
            const { code, message } = fromServiceError(err);
            this.actor.send({ type: 'leaderAnswer', requestId: e.requestId, ok: false, code, message });
          },
        );
        return;
      case 'migrate':
        void (
          e.kind === 'live' ? this.vms.liveMigrate(e.role, e.to) : this.vms.quickMigrate(e.role, e.to)
        ).then(
          (result) => this.actor.send({ type: 'migrated', moveId: e.moveId, ok: true, result }),
          (err) => {
            const { code, message } = fromServiceError(err);
            this.actor.send({ type: 'migrated', moveId: e.moveId, ok: false, code, message });
          },
        );
        return;
      case 'migrationObserved':
        this.observer?.migration(e.kind, e.ok, e.blackoutMs);
        return;
    }
  }

  private record(eventId: number, kind: string, message: string, data: Record<string, unknown>): void {
    const rec: ClusterEventRecord = {
      index: this.nextEvent++,
      time_ms: this.clock.now(),
      node: this.cfg.host,
      event_id: eventId,
      kind,
      message,
      data_json: JSON.stringify(data),
    };
    this.events.push(rec);
    if (this.events.length > EVENTS_MAX) this.events.splice(0, this.events.length - EVENTS_MAX);
    this.log(
      eventId === QUORUM_LOST_EVENT_ID || eventId === NODE_REMOVED_EVENT_ID ? 'warn' : 'info',
      message,
      {
        event: kind,
        eventId,
        ...data,
      },
    );
    for (const w of this.watchers) w(rec);
  }

  private async callWitness(
    op: 'arbitrate' | 'defend' | 'get',
    epoch: number,
    configVersion: number,
  ): Promise<ClusterMsg> {
    const w = this.witness;
    if (!w) return { type: 'witnessResult', op, ok: false, error: 'no witness in this topology' };
    const timeoutMs = Math.max(1000, 2 * this.cfg.timing.witnessDefendIntervalMs);
    try {
      const get = () => rpc<WitnessState__Output>((cb) => w.Get({}, deadline(timeoutMs), cb));
      const configOf = (st: WitnessState__Output): ClusterConfig | null => {
        if (!st.config_json) return null;
        try {
          return JSON.parse(st.config_json) as ClusterConfig;
        } catch {
          return null;
        }
      };
      if (op === 'get') {
        const st = await get();
        return {
          type: 'witnessResult',
          op,
          ok: true,
          owner: st.owner || undefined,
          epoch: Number(st.epoch),
          status: st.status === 'offline' ? 'offline' : 'online',
          config: configOf(st),
        };
      }
      if (op === 'defend') {
        const r = await rpc<DefendResponse__Output>((cb) =>
          w.Defend({ node: this.cfg.host, epoch }, deadline(timeoutMs), cb),
        );
        return {
          type: 'witnessResult',
          op,
          ok: true,
          outcome: r.ok ? 'granted' : 'denied',
          owner: r.owner || undefined,
          epoch: Number(r.epoch),
        };
      }
      const r = await rpc<ArbitrateResponse__Output>((cb) =>
        w.Arbitrate({ node: this.cfg.host, config_version: configVersion }, deadline(timeoutMs), cb),
      );
      const st = this.cfg.settings.witnessLun ? await get().catch(() => null) : null;
      return {
        type: 'witnessResult',
        op,
        ok: true,
        outcome: r.outcome as 'granted' | 'challenged' | 'denied',
        owner: r.owner || undefined,
        epoch: Number(r.epoch),
        retryAfterMs: r.retry_after_ms,
        configVersion: Number(r.config_version),
        config: st ? configOf(st) : null,
      };
    } catch (err) {
      return { type: 'witnessResult', op, ok: false, error: fromServiceError(err).message };
    }
  }

  /**
   * One configuration push in flight per membership, as the Global Update Manager sends one
   * update at a time: changes that come while a push is out wait and go together as the newest
   * configuration (it contains every change before it), and their callers learn the outcome of
   * that push. Without this, a burst of changes (hundreds of roles made highly available at
   * once) sent hundreds of full copies at the same time and timed out. A new membership does
   * not wait behind a push to the old one (it may be waiting on a node that just died).
   */
  private queuePush(e: Extract<ClusterEffect, { type: 'push' }>): void {
    const q = this.pushQueue;
    if (q.inflight && q.inflightEpoch === e.epoch) {
      q.next = q.next ? { ...e, replyTo: [...q.next.replyTo, ...e.replyTo] } : e;
      return;
    }
    const run = (p: Extract<ClusterEffect, { type: 'push' }>): void => {
      q.inflightEpoch = p.epoch;
      q.inflight = this.push(p)
        .catch((err) => this.log('warn', 'a configuration push failed', { error: String(err) }))
        .finally(() => {
          if (q.inflightEpoch !== p.epoch) return; // A newer membership's push took over.
          q.inflight = null;
          const next = q.next;
          q.next = null;
          if (next) run(next);
        });
    };
    if (q.next && q.next.epoch !== e.epoch) {
      // The waiting push belongs to an older membership: the new one carries its changes.
      e = { ...e, replyTo: [...q.next.replyTo, ...e.replyTo] };
      q.next = null;
    }
    run(e);
  }

  /** Replicates a configuration: a change commits on (N/2 rounded down) + 1 copies (DOMAIN.md §2). */
  private async push(e: Extract<ClusterEffect, { type: 'push' }>): Promise<void> {
    const s = this.cfg.settings;
    const req: NodeRequest = {
      kind: 'push',
      from: this.cfg.host,
      config: e.config,
      epoch: e.epoch,
      members: e.members,
      leader: e.leader,
    };
    // A member is given as long to store a copy as it would take to be declared down (delay ×
    // threshold): the Global Update Manager waits on every member, and a member that cannot answer
    // is removed by the membership, not by an update's timeout. A busy member (hundreds of roles
    // in the configuration) is slow, not gone.
    const t = this.cfg.timing;
    const timeout = Math.max(1000, t.sameSubnetDelayMs * t.sameSubnetThreshold);
    const acks = await Promise.all(
      e.to.map((to) =>
        this.nc
          .request(subjects.clusterNode(s.cluster, to), encodeJson(req), { timeout })
          .then((m) => decodeJson<NodeReply>(m.data).ok)
          .catch(() => false),
      ),
    );
    let copies = 1 + acks.filter(Boolean).length;
    const st = this.actor.state;
    if (this.witness && st.witness.held) {
      const w = this.witness;
      const stored = await rpc((cb) =>
        w.PutConfig(
          {
            node: this.cfg.host,
            epoch: st.witness.epoch,
            config_version: e.config.version,
            config_json: this.cfg.settings.witnessLun ? JSON.stringify(e.config) : '',
          },
          deadline(timeout),
          cb,
        ),
      ).then(
        () => true,
        () => false,
      );
      if (stored && this.cfg.settings.witnessLun) copies++;
    }
    for (const r of e.replyTo) {
      const p = this.pending.get(r);
      this.pending.delete(r);
      if (!p) continue;
      if (copies >= e.needed) p.resolve();
      else
        p.reject(
          new DcboxError(
            'UNAVAILABLE',
            `configuration version ${e.config.version} reached only ${copies} of the ${e.needed} copies it needs to commit`,
          ),
        );
    }
  }

  /** The LUNs a node takes over, so the ones it fences: every CSV and the disk witness. */
  private sharedLuns(): string[] {
    const s = this.cfg.settings;
    return [...new Set([...s.sharedVolumes.map((v) => v.lun), ...(s.witnessLun ? [s.witnessLun] : [])])];
  }

  private async ensureReserved(lun: string): Promise<void> {
    const keys = await this.disks.io(lun, { kind: 'readKeys' });
    if (!keys.ok) throw new DcboxError(keys.code, keys.message);
    const holder = (keys.prState as { reservation_key?: string } | undefined)?.reservation_key;
    if (holder) return;
    const r = await this.disks.io(lun, { kind: 'reserve', key: this.key });
    if (!r.ok && r.code !== 'RESERVATION_CONFLICT') throw new DcboxError(r.code, r.message);
  }

  /** Preempts the victims' keys on every shared disk (DOMAIN.md §3 fencing with PRs). */
  private async fence(victims: string[]): Promise<void> {
    const ids = new Map(this.cfg.settings.clusterNodes.map((n) => [n.name, n.nodeId]));
    for (const lun of this.sharedLuns()) {
      if (lun !== this.cfg.settings.witnessLun) await this.ensureReserved(lun);
      for (const v of victims) {
        const id = ids.get(v);
        if (id === undefined) continue;
        const r = await this.disks.io(lun, { kind: 'preempt', key: this.key, victimKey: reservationKey(id) });
        if (!r.ok) throw new DcboxError(r.code, `preempting ${v} on ${lun}: ${r.message}`);
      }
    }
  }

  private async register(): Promise<void> {
    for (const lun of this.cfg.settings.luns) {
      const r = await this.disks.io(lun, { kind: 'register', key: this.key });
      if (!r.ok) throw new DcboxError(r.code, `registering on ${lun}: ${r.message}`);
    }
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
      void this.ensureReserved(lun).catch((err) =>
        this.log('warn', 'could not reserve the CSV LUN', { lun, error: String(err) }),
      );
    }
  }

  private persist(config: ClusterConfig): void {
    try {
      writeFileSync(`${this.configFile}.tmp`, JSON.stringify(config));
      renameSync(`${this.configFile}.tmp`, this.configFile);
    } catch (err) {
      this.log('warn', 'could not save the cluster configuration', { error: String(err) });
    }
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

  private async request(node: string, req: NodeRequest, timeoutMs: number): Promise<unknown> {
    const m = await this.nc
      .request(subjects.clusterNode(this.cfg.settings.cluster, node), encodeJson(req), { timeout: timeoutMs })
      .catch((err) => {
        throw new DcboxError(
          'UNAVAILABLE',
          `cannot reach ${node} over the cluster network: ${(err as Error).message}`,
        );
      });
    const reply = decodeJson<NodeReply>(m.data);
    if (!reply.ok) throw new DcboxError(reply.code, reply.message);
    return reply.result;
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
        this.actor.send({
          type: 'configPush',
          from: req.from,
          config: req.config,
          epoch: req.epoch,
          members: req.members,
          leader: req.leader,
        });
        return undefined;
      case 'command':
        return this.askLocal(req.cmd);
      case 'move':
        return this.askMove(req.role, req.to, req.live);
    }
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

  private roleView(name: string) {
    const s = this.actor.state;
    const r = s.config.roles[name];
    if (!r) throw new DcboxError('NOT_FOUND', `no clustered role named ${name}`);
    const state = groupState(s, r);
    const res =
      r.owner === s.self
        ? localResourceState(s, r)
        : (s.peers[r.owner]?.view?.roles[name] ?? (state === 'Online' ? 'Online' : 'Offline'));
    const now = this.clock.now();
    return {
      name: r.name,
      vm: r.vm.name,
      owner: r.owner,
      state,
      preferred_owners: r.preferredOwners,
      allow_failback: r.allowFailback,
      resources: [
        { name: `Virtual Machine ${r.vm.name}`, type: 'Virtual Machine', state: res },
        {
          name: `Virtual Machine Configuration ${r.vm.name}`,
          type: 'Virtual Machine Configuration',
          state: res === 'Failed' ? 'Failed' : state === 'Offline' ? 'Offline' : 'Online',
        },
      ],
      restarts_in_period: (s.restarts[name] ?? []).length,
      failovers_in_period: r.failovers.filter((t) => now - t < 6 * 3600_000).length,
      last_error: s.roleErrors[name] ?? '',
      memory_mib: r.vm.memoryMiB,
      disk_path: r.vm.diskPath,
    };
  }

  /** The node's view of the cluster, as dcbox.cluster.v1.ClusterState. */
  stateView() {
    const s = this.actor.state;
    const now = this.clock.now();
    return {
      cluster: s.cluster,
      node: s.self,
      service_state: s.service,
      membership_epoch: s.epoch,
      members: s.members,
      leader: s.leader ?? '',
      nodes: s.nodes.map((n) => {
        const p = s.peers[n.name];
        const self = n.name === s.self;
        const up = self ? s.service === 'Running' : s.members.includes(n.name) && !p?.down;
        const state = up
          ? 'Up'
          : self
            ? s.service === 'Joining'
              ? 'Joining'
              : 'Down'
            : p?.view?.service === 'Joining' && !p.down
              ? 'Joining'
              : 'Down';
        return {
          name: n.name,
          node_id: n.id,
          state,
          missed_heartbeats: p?.missed ?? 0,
          last_heartbeat_ms_ago: self ? 0 : p?.lastOkAt ? now - p.lastOkAt : 0,
        };
      }),
      quorum: {
        model: s.model,
        // Quorum is claimed only with a valid lease: a node that just woke from a freeze still
        // remembers quorum but may not act on it (found by a seeded campaign).
        has_quorum: s.service === 'Running' && s.quorum.has && leaseValid(s, now),
        votes: s.quorum.votes,
        needed: s.quorum.needed,
        total: s.quorum.total,
        witness_owner: s.witness.owner ?? '',
        witness_epoch: s.witness.epoch,
        witness_status: s.witness.status,
        arbitrating: s.witness.arbitrating,
      },
      csv: Object.values(s.config.csv).map((v) => ({
        volume: v.volume,
        path: v.path,
        lun: v.lun,
        owner: v.owner ?? '',
        modes: [{ node: s.self, mode: this.csv.get(v.volume)?.mode() ?? 'Offline' }],
      })),
      roles: Object.keys(s.config.roles)
        .sort()
        .map((n) => this.roleView(n)),
      config_version: s.config.version,
      same_subnet_delay_ms: s.delayMs,
      same_subnet_threshold: s.threshold,
    };
  }

  /** Where a VM that is not yet clustered lives: this node only. */
  private async makeHa(vm: string, preferred: string[], allowFailback: boolean) {
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

  grpcService(): {
    definition: grpc.ServiceDefinition;
    name: string;
    impl: grpc.UntypedServiceImplementation;
  } {
    const p = protos();
    const impl = {
      GetState: unary(() => this.stateView()),
      MakeHighlyAvailable: unary((req: { vm: string; preferred_owners: string[]; allow_failback: boolean }) =>
        this.makeHa(req.vm, req.preferred_owners, req.allow_failback),
      ),
      Online: unary(async (req: { name: string }) => {
        await this.toLeader({ op: 'online', role: req.name });
        return this.roleView(req.name);
      }),
      Offline: unary(async (req: { name: string }) => {
        await this.toLeader({ op: 'offline', role: req.name });
        return this.roleView(req.name);
      }),
      Move: unary(async (req: { role: string; to: string; live: boolean }) => {
        const r = this.actor.state.config.roles[req.role];
        if (!r) throw new DcboxError('NOT_FOUND', `no clustered role named ${req.role}`);
        const to = this.cfg.settings.clusterNodes.find(
          (n) => n.name.toLowerCase() === req.to.toLowerCase(),
        )?.name;
        if (!to) throw new DcboxError('INVALID_ARGUMENT', `no cluster node named ${req.to}`);
        const stats =
          r.owner === this.cfg.host
            ? await this.askMove(req.role, to, req.live)
            : ((await this.request(
                r.owner,
                { kind: 'move', role: req.role, to, live: req.live },
                120_000,
              )) as MigrationResult);
        return { role: this.roleView(req.role), migration: stats };
      }),
      MoveCsv: unary(async (req: { volume: string; to: string }) => {
        await this.toLeader({
          op: 'moveCsv',
          volume: req.volume || this.cfg.settings.sharedVolumes[0]?.volume || '',
          to: req.to,
        });
        return this.stateView().csv.find(
          (v) => v.volume === (req.volume || this.cfg.settings.sharedVolumes[0]?.volume),
        );
      }),
      Events: unary((req: { since_index: number }) => ({
        events: this.events.filter((e) => e.index > Number(req.since_index)),
      })),
      WatchEvents: (call: grpc.ServerWritableStream<{ since_index: number }, ClusterEventRecord>) => {
        for (const e of this.events) if (e.index > Number(call.request.since_index)) call.write(e);
        const w = (e: ClusterEventRecord) => call.write(e);
        this.watchers.add(w);
        call.on('cancelled', () => this.watchers.delete(w));
        call.on('close', () => this.watchers.delete(w));
      },
    };
    return { definition: p.dcbox.cluster.v1.Cluster.service, name: 'dcbox.cluster.v1.Cluster', impl };
  }
}
