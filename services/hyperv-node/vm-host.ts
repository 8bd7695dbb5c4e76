/**
 * The VM adapter: runs the VM core (vm/core.ts) in an actor and carries out its effects — guest
 * memory as real Buffers with a dirty-page bitmap, saved state in a SavedStateStore (on the CSV,
 * beside the VM's disk, when main.ts gives one: saved-state.ts),
 * each Running VM's address as a NATS subscription that answers echo requests (while the
 * cluster's gate is open), workload records written through a BlockDevice, and live and quick
 * migration to a peer node over a gRPC stream (docs/domain.md §Live migration). It is a few
 * lines over the ~500 a file should hold: it is the one place that carries out every VM effect,
 * and the procedures themselves already live in vm/ and migration/.
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Actor } from '../actor/actor.js';
import { type Clock, Random, systemClock } from '../actor/clock.js';
import { DcboxError } from '../actor/errors.js';
import type { MigrationStats__Output as MigrationStats } from '../generated/dcbox/cluster/v1/MigrationStats.js';
import type { HyperVNodeClient } from '../generated/dcbox/node/v1/HyperVNode.js';
import type { MigrationAck } from '../generated/dcbox/node/v1/MigrationAck.js';
import type { MigrationSetup__Output } from '../generated/dcbox/node/v1/MigrationSetup.js';
import { endpoint, type NodeSettings, type ServiceConfig, type VmSpec } from '../process/config.js';
import type { Logger } from '../process/log.js';
import { CLIENT_OPTIONS, protos } from '../transport/grpc.js';
import { encodeJson, type NatsConnection } from '../transport/nats.js';
import { subjects } from '../transport/subjects.js';
import { type BlockDevice, lastSeqOnDisk, writeLoggedRecord } from './guest-disk.js';
import { GuestMemory } from './migration/guest-memory.js';
import { DEFAULT_POLICY, type PassPolicy } from './migration/passes.js';
import { type MigrationSource, sendMigration } from './migration/source.js';
import type { MigrationKind, MigrationPhase } from './migration/source-core.js';
import { type IncomingStream, receiveMigration, specFromWire } from './migration/target.js';
import { LocalSavedState, type SavedStateStore } from './saved-state.js';
import { decideVm } from './vm/core.js';
import {
  type CreateVm,
  type DeviceState,
  guestUp,
  type VmEffect,
  type VmInstanceState,
  type VmManagerState,
  type VmMsg,
} from './vm/model.js';
import { changedVms, goneVms, initialVms } from './vm/registry.js';
import { WarmMemory } from './warm-memory.js';
import { WriteLog } from './write-log.js';

const MIB = 1024 * 1024;

type Subscription = ReturnType<NatsConnection['subscribe']>;
/** The core's effects plus the lifecycle changes the host reports to onChange listeners. */
type HostEffect = VmEffect | { type: 'changed'; vm: VmInstanceState } | { type: 'gone'; name: string };

/** A step of a migration, as onMigrationEvent reports it (atMs is the host's clock). */
export interface MigrationEvent extends MigrationPhase {
  atMs: number;
}

/** Knobs of VmHost besides the service config. */
export interface VmHostOptions {
  /** Give up a migration stream that makes no progress for this long; default: the cluster's node-down time. */
  migrationStallMs?: number;
  /** When live migration stops copying and pauses the VM. */
  passPolicy?: PassPolicy;
  /**
   * Send pages on a TCP page channel beside the MigrateIn stream (the default), or as PageBatch
   * chunks on the stream itself (false).
   */
  pageChannel?: boolean;
  /** The time every timestamp and duration of the host is taken from; default: the wall clock. */
  clock?: Clock;
  /** The CSV coordinator that allocates new VM disks as files; absent, the node's region is used. */
  diskAllocator?: DiskAllocator;
  /** Where saved state is kept; absent, files under the node's data folder. */
  savedState?: SavedStateStore;
}

/** Creates and removes VM disk files through the CSV coordinator, which keeps the volume's metadata. */
export interface DiskAllocator {
  /** Creates the VM's disk file; resolves with its offset on the LUN. */
  allocate(path: string, sizeBytes: number): Promise<number>;
  /** Removes a file created for a VM that could not be defined. */
  release(path: string): Promise<void>;
}

export type { MigrationStats };

/** The VMs of one node, running inside its process as a real host runs worker processes. */
export class VmHost {
  readonly actor: Actor<VmManagerState, VmMsg, HostEffect>;
  private readonly memory = new Map<string, GuestMemory>();
  /** Memory of VMs that left, for the next VM migrating in (warm-memory.ts). */
  private readonly warm = new WarmMemory();
  private readonly listeners = new Map<string, Subscription>();
  private readonly waiting = new Map<string, (vm: VmInstanceState | null) => void>();
  private readonly failing = new Map<string, (err: DcboxError) => void>();
  private readonly savedState: SavedStateStore;
  private readonly random: Random;
  private readonly peers = new Map<string, HyperVNodeClient>();
  private readonly changeListeners: ((vm: VmInstanceState) => void)[] = [];
  /** Each VM's workload writes not yet answered (a boot's journal scan waits for them). */
  private readonly writesInFlight = new Map<string, Set<Promise<unknown>>>();
  private readonly startFailedListeners: ((name: string, error: string) => void)[] = [];
  private readonly goneListeners: ((name: string) => void)[] = [];
  private readonly faultListeners: ((name: string, reason: string) => void)[] = [];
  private readonly migrationListeners: ((e: MigrationEvent) => void)[] = [];
  private echoGate: (vm: string) => boolean = () => true;
  private readonly stallMs: number;
  private readonly policy: PassPolicy;
  private readonly pageChannel: boolean;
  /** The actor's clock: migration timestamps, blackout and API uptimes are read from it. */
  readonly clock: Clock;
  /** Every workload write of this node's VMs, as it happens (HyperVNode.WatchWrites). */
  readonly writes = new WriteLog();
  private nextReply = 1;

  constructor(
    private readonly cfg: ServiceConfig<NodeSettings>,
    private readonly nc: NatsConnection,
    private readonly disks: BlockDevice,
    private readonly log: Logger,
    private readonly opts: VmHostOptions = {},
  ) {
    const s = cfg.settings;
    this.savedState = opts.savedState ?? new LocalSavedState(join(cfg.dataDir, 'vms'));
    this.random = new Random(cfg.seed ^ 0x9e3779b9);
    // A stalled stream is given up after the time the cluster takes to declare a node gone
    // (SameSubnetDelay × SameSubnetThreshold, docs/domain.md §Heartbeats).
    this.stallMs =
      opts.migrationStallMs ?? Math.max(1000, cfg.timing.sameSubnetDelayMs * cfg.timing.sameSubnetThreshold);
    this.policy = opts.passPolicy ?? DEFAULT_POLICY;
    this.pageChannel = opts.pageChannel ?? true;
    this.clock = opts.clock ?? systemClock;
    this.actor = new Actor<VmManagerState, VmMsg, HostEffect>({
      self: cfg.host,
      initial: initialVms({
        host: cfg.host,
        nodeId: s.nodeId,
        switches: s.virtualSwitches,
        luns: s.luns,
        vms: s.vms,
        bootMs: cfg.timing.vmBootMs,
        writeIntervalMs: cfg.timing.vmWriteIntervalMs,
        csvAllocates: opts.diskAllocator !== undefined,
      }),
      // Every decision that moves a VM's lifecycle also reports it to onChange listeners.
      decide: (state, msg, ctx) => {
        const d = decideVm(state, msg, ctx);
        const changed = changedVms(state, d.state).map((vm): HostEffect => ({ type: 'changed', vm }));
        for (const name of goneVms(state, d.state)) changed.push({ type: 'gone', name });
        return changed.length === 0 ? d : { state: d.state, effects: [...d.effects, ...changed] };
      },
      interpret: (effect) => this.interpret(effect),
      clock: this.clock,
      seed: cfg.seed,
    });
  }

  // ---- The registry the cluster drives ----

  /** Every VM defined on this node. */
  list(): VmInstanceState[] {
    return Object.values(this.actor.state.vms);
  }

  /** One VM, or undefined when this node has no VM of that name. */
  get(name: string): VmInstanceState | undefined {
    return this.actor.state.vms[name];
  }

  /**
   * Defines a VM with exactly this spec (a clustered role placed here). Idempotent for an
   * identical spec; BAD_STATE when a different VM of that name is not Off or Saved.
   */
  async defineVm(spec: VmSpec): Promise<VmInstanceState> {
    // A VM another node saved (its state is on the CSV) is defined Saved: starting it restores.
    const saved = await this.savedState.has(spec).catch(() => false);
    return this.ask((replyTo) => ({ type: 'define', replyTo, spec, saved }));
  }

  /** Forgets a VM that is Off or Saved (it lives elsewhere now); an unknown name is fine. */
  async removeVm(name: string): Promise<void> {
    await this.request((replyTo) => ({ type: 'remove', replyTo, name }));
  }

  /** Creates a VM (CreateVm): the VM core checks the request and places its disk. */
  create(req: CreateVm): Promise<VmInstanceState> {
    return this.ask((replyTo) => ({ type: 'create', replyTo, req }));
  }

  /** Starts (or restores from saved state) a VM; resolves once it is Starting. */
  start(name: string): Promise<VmInstanceState> {
    return this.ask((replyTo) => ({ type: 'start', replyTo, name }));
  }

  /** Turns a VM off at once, as a power loss of the guest: nothing is saved. */
  turnOff(name: string): Promise<VmInstanceState> {
    return this.ask((replyTo) => ({ type: 'stop', replyTo, name }));
  }

  /** Saves a Running VM's state; resolves once it is Saving. */
  save(name: string): Promise<VmInstanceState> {
    return this.ask((replyTo) => ({ type: 'save', replyTo, name }));
  }

  /**
   * Resumes a Paused VM here. A VM held paused after a migration whose end is unknown is not
   * resumed but turned off and booted cold by the cluster once the target is known not to run it
   * (cluster/core/held-vms.ts): the target may have written its disk meanwhile.
   */
  resume(name: string): Promise<VmInstanceState> {
    return this.ask((replyTo) => ({ type: 'resume', replyTo, name }));
  }

  /** Calls cb after every change of a VM's lifecycle state (not on removal). */
  onChange(cb: (vm: VmInstanceState) => void): void {
    this.changeListeners.push(cb);
  }

  /**
   * Calls cb when a start this host accepted fails before the VM runs (its memory, its saved
   * state or its disk's journal could not be read); cb runs before the VM is reported Off.
   */
  onStartFailed(cb: (name: string, error: string) => void): void {
    this.startFailedListeners.push(cb);
  }

  /** Calls cb when the skeleton VM of an abandoned incoming migration is gone (nobody asked it). */
  onGone(cb: (name: string) => void): void {
    this.goneListeners.push(cb);
  }

  /**
   * Calls cb when a running VM hits a fault the cluster must handle: a definite
   * RESERVATION_CONFLICT on its disk (this node was fenced), once per run. The VM is left as is.
   */
  onFault(cb: (name: string, reason: string) => void): void {
    this.faultListeners.push(cb);
  }

  /** A Running VM answers echo requests only while gate(vm) is true (the cluster's lease check). */
  setEchoGate(gate: (vm: string) => boolean): void {
    this.echoGate = gate;
  }

  /** Calls cb at each phase of every migration from or to this node. */
  onMigrationEvent(cb: (e: MigrationEvent) => void): void {
    this.migrationListeners.push(cb);
  }

  /** Bytes of guest memory kept for the next VM migrating in (warm-memory.ts). */
  warmBytes(): number {
    return this.warm.bytes();
  }

  /** SHA-256 of a VM's memory, or null when it has none here (checkers compare hosts with it). */
  memoryDigest(name: string): string | null {
    return this.memory.get(name)?.digest() ?? null;
  }

  /** Sends a request to the VM core and waits for its reply; a refusal is thrown as DcboxError. */
  async ask(build: (replyTo: string) => VmMsg): Promise<VmInstanceState> {
    const vm = await this.request(build);
    if (!vm) throw new DcboxError('NOT_FOUND', 'the VM is no longer on this node');
    return vm;
  }

  private request(build: (replyTo: string) => VmMsg): Promise<VmInstanceState | null> {
    const replyTo = `r-${this.nextReply++}`;
    return new Promise<VmInstanceState | null>((resolve, reject) => {
      this.waiting.set(replyTo, resolve);
      this.failing.set(replyTo, reject);
      this.actor.send(build(replyTo));
    });
  }

  /** Stops every VM's activity: the process is going away, as when the blade loses power. */
  stop(): void {
    this.actor.stop();
    for (const sub of this.listeners.values()) sub.unsubscribe();
    this.listeners.clear();
    this.memory.clear();
    this.warm.clear();
    for (const c of this.peers.values()) c.close();
    this.peers.clear();
  }

  // ---- Migration, source side (docs/domain.md §Live migration) ----

  /**
   * Live-migrates a Running VM to targetNode: memory is copied in passes while it runs, then it
   * is paused for a short stop-and-copy and resumed on the target. One migration at a time per
   * node pair (BAD_STATE otherwise). On failure before the resume order went out, the VM runs on
   * here and the error is thrown; if the target's answer to the resume order is lost, the VM
   * stays Paused here (it may be running there) and TIMEOUT/UNAVAILABLE is thrown.
   */
  liveMigrate(name: string, targetNode: string): Promise<MigrationStats> {
    return this.migrate(name, targetNode, 'live');
  }

  /**
   * Quick-migrates a Running VM: it is paused at once, its whole memory goes to the target in
   * one pass, and the target restores it; the blackout is the whole pause (docs/domain.md §Live migration).
   */
  quickMigrate(name: string, targetNode: string): Promise<MigrationStats> {
    return this.migrate(name, targetNode, 'quick');
  }

  private peer(node: string): HyperVNodeClient {
    let c = this.peers.get(node);
    if (!c) {
      const ep = endpoint(this.cfg, node);
      c = new (protos().dcbox.node.v1.HyperVNode)(
        `${ep.address}:${ep.grpcPort}`,
        grpc.credentials.createInsecure(),
        CLIENT_OPTIONS,
      );
      this.peers.set(node, c);
    }
    return c;
  }

  private emit(e: MigrationPhase): void {
    const event: MigrationEvent = { ...e, atMs: e.atMs ?? this.clock.now() };
    for (const cb of this.migrationListeners) {
      // A listener's bug must not break the migration it watches.
      try {
        cb(event);
      } catch (err) {
        this.log('error', 'migration event listener failed', { error: String(err) });
      }
    }
  }

  private async migrate(name: string, to: string, kind: MigrationKind): Promise<MigrationStats> {
    const startedAt = this.clock.now();
    const vm = await this.ask((replyTo) => ({ type: 'beginMigration', replyTo, name, to }));
    return sendMigration(this.sourceSide(), vm, to, kind, startedAt);
  }

  /** The source side's view of this host (migration/source.ts). */
  private sourceSide(): MigrationSource {
    return {
      hostName: this.cfg.host,
      address: this.cfg.address,
      clock: this.clock,
      stallMs: this.stallMs,
      policy: this.policy,
      pageChannel: this.pageChannel,
      log: (level, msg, fields) => this.log(level, msg, fields),
      memoryOf: (vm) => this.memory.get(vm),
      savedStateShared: (vm) => this.savedState.shared(vm.spec),
      saveState: async (vm) => {
        const mem = this.memory.get(vm);
        const spec = this.get(vm)?.spec;
        if (!mem || !spec) throw new DcboxError('BAD_STATE', `VM ${vm} has no memory to save`);
        await this.savedState.save(spec, mem.readAll());
        return mem.buf.length;
      },
      get: (vm) => this.get(vm),
      peer: (node) => this.peer(node),
      pause: (vm) => this.ask((replyTo) => ({ type: 'pause', replyTo, name: vm })),
      migratedAway: (vm) => this.request((replyTo) => ({ type: 'migratedAway', replyTo, name: vm })),
      migrationFailed: (vm, hold) =>
        this.request((replyTo) => ({ type: 'migrationFailed', replyTo, name: vm, hold })),
      emit: (e) => this.emit(e),
    };
  }

  // ---- Migration, target side ----

  /** Serves one incoming migration stream (the MigrateIn handler). */
  receive(stream: IncomingStream): Promise<MigrationAck> {
    const host = this;
    return receiveMigration(
      {
        hostName: this.cfg.host,
        async incoming(setup: MigrationSetup__Output) {
          await host.ask((replyTo) => ({
            type: 'incoming',
            replyTo,
            spec: specFromWire(setup),
            from: setup.source,
          }));
          host.emit({ vm: setup.spec?.name ?? '', phase: 'setup' });
        },
        memoryOf: (vm) => this.memory.get(vm),
        async restoreSaved(vm: string) {
          const spec = host.get(vm)?.spec;
          const mem = host.memory.get(vm);
          if (!spec || !mem || !(await host.savedState.load(spec, mem.buf)))
            throw new DcboxError('NOT_FOUND', `no saved state of ${vm} to restore on ${host.cfg.host}`);
          mem.written.markAll();
          await host.savedState.discard(spec);
        },
        async resumeIncoming(vm: string, device: DeviceState) {
          await host.ask((replyTo) => ({ type: 'incomingResume', replyTo, name: vm, device }));
          // The VM answers from here as of now; listeners run after the time is taken.
          const at = host.clock.now();
          host.emit({ vm, phase: 'resumed', atMs: at });
          return at;
        },
        async abortIncoming(vm: string) {
          await host.request((replyTo) => ({ type: 'incomingAbort', replyTo, name: vm }));
          host.emit({ vm, phase: 'failed' });
        },
        log: (level, msg, fields) => this.log(level, msg, fields),
      },
      stream,
      this.stallMs,
    );
  }

  // ---- Effects ----

  private interpret(effect: HostEffect): void {
    switch (effect.type) {
      case 'reply': {
        const resolve = this.waiting.get(effect.replyTo);
        const reject = this.failing.get(effect.replyTo);
        this.waiting.delete(effect.replyTo);
        this.failing.delete(effect.replyTo);
        if (effect.reply.ok) resolve?.(effect.reply.vm);
        else reject?.(new DcboxError(effect.reply.code, effect.reply.message));
        return;
      }
      case 'changed':
        for (const cb of this.changeListeners) cb(effect.vm);
        return;
      case 'gone':
        for (const cb of this.goneListeners) cb(effect.name);
        return;
      case 'fault':
        for (const cb of this.faultListeners) cb(effect.vm, effect.reason);
        return;
      case 'startFailed':
        for (const cb of this.startFailedListeners) cb(effect.vm, effect.error);
        return;
      case 'allocMemory':
        this.startMemory(effect);
        return;
      case 'allocateDisk':
        this.allocateDisk(effect);
        return;
      case 'releaseDisk':
        void this.opts.diskAllocator?.release(effect.path).catch(() => undefined);
        return;
      case 'allocIncoming':
        this.allocIncoming(effect.vm, effect.memoryMiB);
        return;
      case 'freeMemory':
        this.freeMemory(effect.vm);
        return;
      case 'forget':
        this.freeMemory(effect.vm);
        this.unlisten(effect.vm);
        void this.savedState.forget(effect.vm).catch(() => undefined);
        return;
      case 'dirtyMemory':
        this.memory.get(effect.vm)?.dirtyPages(effect.pages, effect.seq, this.random);
        return;
      case 'saveMemory':
        this.saveMemory(effect);
        return;
      case 'listen':
        this.listen(effect.vm);
        return;
      case 'unlisten':
        this.unlisten(effect.vm);
        return;
      case 'writeRecord':
        void this.write(effect);
        return;
      case 'log':
        this.log(effect.level, effect.msg, effect.fields);
        return;
    }
  }

  /** The skeleton VM's memory: memory a VM left here warm when there is some of its size. */
  private allocIncoming(vm: string, memoryMiB: number): void {
    const bytes = memoryMiB * MIB;
    const warm = this.warm.take(bytes);
    this.memory.set(vm, new GuestMemory(warm?.buf ?? Buffer.alloc(bytes), warm?.written));
    // The target subscribes to the VM's address now, answering only once the VM runs here: a
    // subscription made at the switch-over takes a while to reach every NATS server of the
    // data center, and on a busy machine pings went unanswered after the VM had resumed (3
    // lost of a live migration with a 111 ms blackout, against the tutorial's one or two).
    this.listen(vm);
  }

  /** Allocates (or restores) a starting VM's memory; a cold boot also scans the disk's journal. */
  private startMemory({ vm, epoch, memoryMiB, restore }: Extract<VmEffect, { type: 'allocMemory' }>): void {
    const spec = () => this.actor.state.vms[vm]?.spec;
    // A restore scans the journal too: a guest saved on another node continues after the
    // newest record on disk, which this node's core has never seen.
    // The journal is scanned only once the VM's last run's writes in flight have landed or
    // failed: Hyper-V's worker of a VM turned off is gone only when its I/O is, so a write of
    // the last run, held in MPIO for a path's timeout, can never land after the new run wrote
    // the same record (found by the simulation, seed 36: a lost SAS request retried after 3 s).
    void this.allocate(vm, memoryMiB, restore)
      .then(() => Promise.allSettled([...(this.writesInFlight.get(vm) ?? [])]))
      .then(() => {
        const s = spec();
        return s ? lastSeqOnDisk(this.disks, s, this.log) : 0;
      })
      .then(
        (lastSeq) => this.actor.send({ type: 'memoryReady', name: vm, epoch, lastSeq }),
        (err: Error) => this.actor.send({ type: 'memoryFailed', name: vm, epoch, error: err.message }),
      );
  }

  /**
   * Drops a VM's memory, kept warm for the next VM migrating in unless a whole read mapped the
   * zero page where the guest never wrote (warm-memory.ts says why) or a write of the VM is still
   * in flight: that write puts its record in the memory it was given, which must be nobody's.
   */
  private freeMemory(vm: string): void {
    const mem = this.memory.get(vm);
    this.memory.delete(vm);
    if (mem?.keepable && (this.writesInFlight.get(vm)?.size ?? 0) === 0) this.warm.keep(mem);
  }

  /** Writes a saving VM's memory to its saved state. */
  private saveMemory({ vm, epoch }: Extract<VmEffect, { type: 'saveMemory' }>): void {
    const mem = this.memory.get(vm);
    const spec = this.actor.state.vms[vm]?.spec;
    const done =
      mem && spec
        ? this.savedState.save(spec, mem.readAll())
        : Promise.reject(new Error('no memory to save'));
    void done.then(
      () => this.actor.send({ type: 'saved', name: vm, epoch }),
      (err: Error) => this.actor.send({ type: 'saveFailed', name: vm, epoch, error: err.message }),
    );
  }

  private allocateDisk(effect: Extract<VmEffect, { type: 'allocateDisk' }>): void {
    const { replyTo, req } = effect;
    const allocator = this.opts.diskAllocator;
    const done = allocator
      ? allocator.allocate(req.diskPath, effect.sizeBytes)
      : Promise.reject(
          new DcboxError('BAD_STATE', `${this.cfg.host} has no CSV coordinator to allocate a disk`),
        );
    void done.then(
      (offset) => this.actor.send({ type: 'diskAllocated', replyTo, req, offset }),
      (err: unknown) => {
        const e =
          err instanceof DcboxError
            ? err
            : new DcboxError('IO_ERROR', String((err as Error)?.message ?? err));
        this.actor.send({ type: 'diskAllocationFailed', replyTo, code: e.code, message: e.message });
      },
    );
  }

  /** Allocates a VM's memory; a restore reads the saved state into it, then discards the state. */
  private async allocate(vm: string, memoryMiB: number, restore: boolean): Promise<void> {
    const buf = Buffer.alloc(memoryMiB * MIB);
    const spec = this.actor.state.vms[vm]?.spec;
    if (restore) {
      if (!spec || !(await this.savedState.load(spec, buf)))
        throw new DcboxError('NOT_FOUND', `no saved state of ${vm} to restore`);
      await this.savedState.discard(spec);
    }
    this.memory.set(vm, new GuestMemory(buf, restore));
  }

  /**
   * A Running VM's address: answers echo requests with who is hosting it, only while the VM runs
   * here with its guest up (a migration's target listens from the start of the move) and the cluster's gate is open — a node that lost its membership must not answer for a VM that now
   * runs elsewhere. A request while the gate is closed gets no reply, as a lost ping. The answer
   * says when the host answered (`answeredAt`, its clock read with the gate open), because a
   * reply lost on the way is retransmitted and reaches the workstation long after.
   */
  private listen(vm: string): void {
    if (this.listeners.has(vm)) return;
    const sub = this.nc.subscribe(subjects.vmEcho(vm), {
      callback: (_err, msg) => {
        if (!guestUp(this.actor.state.vms[vm]) || !this.echoGate(vm)) return;
        msg.respond(encodeJson({ vm, host: this.cfg.host, answeredAt: this.clock.now() }));
      },
    });
    this.listeners.set(vm, sub);
  }

  private unlisten(vm: string): void {
    this.listeners.get(vm)?.unsubscribe();
    this.listeners.delete(vm);
  }

  /** Writes a workload record, logged as issued and as answered before the core hears of it. */
  private async write(effect: Extract<VmEffect, { type: 'writeRecord' }>): Promise<void> {
    const host = this.cfg.host;
    const mem = this.memory.get(effect.vm);
    const writing = writeLoggedRecord(this.disks, mem, effect, host, this.writes, this.clock);
    const set = this.writesInFlight.get(effect.vm) ?? new Set<Promise<unknown>>();
    this.writesInFlight.set(effect.vm, set.add(writing));
    const outcome = await writing.finally(() => set.delete(writing));
    this.actor.send({ type: 'writeDone', name: effect.vm, seq: effect.seq, outcome });
  }
}
