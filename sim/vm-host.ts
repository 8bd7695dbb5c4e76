/**
 * The VM manager of one simulated node: the real VM core (services/hyperv-node/vm/core.ts:
 * lifecycle, workload, registry, the migration steps) in a simulated actor, its effects carried
 * out as services/hyperv-node/vm-host.ts carries them out — the workload's records in the real
 * record format written through the node's block device (its CSV layer, or MPIO), each logged
 * as issued and as answered with writer host, incarnation and content hash (the history's write
 * ops); the cold boot's journal scan read through the same device (journal-scan.ts); a Running
 * VM's address answered while it listens; every lifecycle change and fencing fault reported to
 * the cluster core. Guest memory is not simulated byte by byte (a 512 MiB Buffer per VM would
 * cost more than the rest of the data center): allocation is instant, a save or restore takes
 * its size at SAVE_MIB_PER_S, and the saved state lives in the data center's shared store (on
 * the CSV in the real system, so any node restores it).
 */
import type { ErrorCode } from '../services/actor/errors.js';
import { ERROR_CODES } from '../services/actor/errors.js';
import type { VmState } from '../services/hyperv-node/cluster/core/decide.js';
import { workloadRecord } from '../services/hyperv-node/guest-disk.js';
import { scanJournal } from '../services/hyperv-node/journal-scan.js';
import { PAGE_SIZE } from '../services/hyperv-node/migration/dirty-bitmap.js';
import type { MigrationKind } from '../services/hyperv-node/migration/source-core.js';
import type { IoResult, StorageOp } from '../services/hyperv-node/mpio.js';
import { decideVm } from '../services/hyperv-node/vm/core.js';
import {
  clusterVmState,
  type VmEffect,
  type VmInstanceState,
  type VmManagerState,
  type VmMsg,
  type VmReply,
  type WriteOutcome,
} from '../services/hyperv-node/vm/model.js';
import { changedVms, goneVms, initialVms } from '../services/hyperv-node/vm/registry.js';
import { contentHash } from '../services/observability/content-hash.js';
import type { NodeSettings, Timing, VmSpec } from '../services/process/config.js';
import { SimActor, type SimWorld } from './actor.js';
import type { HistoryLog } from './history-log.js';
import type { SimHost } from './host.js';
import { type MigrationDeps, type MigrationDone, migrateOut, serveMigrations } from './migration.js';
import type { Network } from './network.js';

/** How fast a guest's memory is saved to (or restored from) its saved-state file: 1 GiB/s. */
export const SAVE_MIB_PER_S = 1024;

/** The VMs' saved states, on the CSV: one store for the whole data center. */
export class SavedStates {
  private readonly saved = new Set<string>();
  /** Whether the VM has a complete saved state. */
  has(vm: string): boolean {
    return this.saved.has(vm);
  }
  /** The VM's state is written. */
  save(vm: string): void {
    this.saved.add(vm);
  }
  /** Drops the state after a restore; false when there was none. */
  take(vm: string): boolean {
    return this.saved.delete(vm);
  }
}

/** What the VM manager needs from its node. */
export interface VmHostPorts {
  /** One block I/O through the node's block device (its CSV layer, or MPIO). */
  io(lun: string, op: StorageOp, done: (r: IoResult) => void): void;
  /** The VM manager's state of a VM changed (the cluster's coarse view). */
  changed(vm: string, state: VmState): void;
  /** A write was refused with RESERVATION CONFLICT: the node is fenced from the disk. */
  fault(vm: string, reason: string): void;
  /** A start it accepted failed before the VM ran (reported before the VM is Off). */
  startFailed(vm: string, error: string): void;
}

/** A step of the manager the host reports with its effects: a VM's lifecycle changed. */
type HostEffect = VmEffect | { type: 'changed'; vm: VmInstanceState } | { type: 'gone'; name: string };

/** The VM manager of one node. */
export class SimVmHost {
  readonly actor: SimActor<VmManagerState, VmMsg, HostEffect>;
  /** The VMs answering on their address (the real host's NATS subscriptions). */
  private readonly listening = new Set<string>();
  private readonly waiting = new Map<string, (r: VmReply) => void>();
  private nextReply = 1;
  /** This process's boot id: with a run's epoch it makes the incarnation (write-log.ts). */
  private readonly bootId: string;
  /** Each VM's memory pages dirtied since migration last copied them. */
  private readonly dirtyPages = new Map<string, number>();
  private readonly migration: MigrationDeps;

  constructor(
    private readonly world: SimWorld,
    private readonly host: SimHost,
    private readonly history: HistoryLog,
    private readonly ports: VmHostPorts,
    private readonly saved: SavedStates,
    settings: NodeSettings,
    timing: Timing,
    net: Network,
  ) {
    this.bootId = world.random.u32().toString(16).padStart(8, '0');
    const initial = initialVms({
      host: host.name,
      nodeId: settings.nodeId,
      switches: settings.virtualSwitches,
      luns: settings.luns,
      vms: settings.vms,
      bootMs: timing.vmBootMs,
      writeIntervalMs: timing.vmWriteIntervalMs,
    });
    this.actor = new SimActor<VmManagerState, VmMsg, HostEffect>(
      world,
      host,
      'vms',
      (state, msg, ctx) => {
        // As the real host: every decision that moves a VM's lifecycle also reports it.
        const d = decideVm(state, msg, ctx);
        const changed: HostEffect[] = changedVms(state, d.state).map((vm) => ({ type: 'changed', vm }));
        // A skeleton VM dropped by an abandoned migration is reported gone (registry.ts).
        for (const name of goneVms(state, d.state)) changed.push({ type: 'gone', name });
        if (changed.length === 0) return d;
        return { state: d.state, effects: [...d.effects, ...changed] };
      },
      initial,
      (e) => this.interpret(e),
    );
    this.migration = {
      world,
      host,
      net,
      // A stream stalled for the time the cluster takes to declare a node gone is given up (vm-host.ts).
      stallMs: Math.max(1000, timing.sameSubnetDelayMs * timing.sameSubnetThreshold),
      vms: {
        ask: (build, done) => this.ask(build, done),
        vm: (name) => this.actor.state.vms[name],
        dirty: (vm, take) => {
          const n = this.dirtyPages.get(vm) ?? 0;
          if (take) this.dirtyPages.set(vm, 0);
          return n;
        },
        markAllDirty: (vm) => this.dirtyPages.set(vm, this.pagesOf(vm)),
        saveState: (vm, done) =>
          this.later(this.transferMs(vm), `save ${vm}`, () => {
            this.saved.save(vm);
            done();
          }),
        restoreState: (vm, done) =>
          this.later(this.transferMs(vm), `restore ${vm}`, () => done(this.saved.take(vm))),
      },
    };
    serveMigrations(this.migration);
  }

  /**
   * Migrates a Running VM to `to` (live or quick): takes the node-pair slot in the VM core, then
   * runs the source's procedure (migration.ts); `done` hears the figures or the failure.
   */
  migrate(name: string, to: string, kind: MigrationKind, done: MigrationDone): void {
    this.ask(
      (replyTo) => ({ type: 'beginMigration', replyTo, name, to }),
      (r) => {
        if (!r.ok) return done({ ok: false, code: r.code, message: r.message });
        if (!r.vm) return done({ ok: false, code: 'NOT_FOUND', message: `no VM named ${name} here` });
        migrateOut(this.migration, r.vm, to, kind, done);
      },
    );
  }

  /** The pages of a VM's memory. */
  private pagesOf(vm: string): number {
    return Math.ceil(((this.actor.state.vms[vm]?.spec.memoryMiB ?? 0) * 1024 * 1024) / PAGE_SIZE);
  }

  /** The guest dirtied `pages` pages (picked at random: counted as distinct while few are dirty). */
  private dirtied(vm: string, pages: number): void {
    this.dirtyPages.set(vm, Math.min(this.pagesOf(vm), (this.dirtyPages.get(vm) ?? 0) + pages));
  }

  /** Reports every VM the node defines at boot, as main.ts does once the cluster is built. */
  announce(): void {
    for (const vm of Object.values(this.actor.state.vms))
      this.ports.changed(vm.spec.name, clusterVmState(vm));
  }

  /** Whether `vm` answers on its address here now (it runs and listens). */
  running(vm: string): boolean {
    return this.listening.has(vm);
  }

  /** The cluster's coarse view of a VM here. */
  stateOf(vm: string): VmState {
    return clusterVmState(this.actor.state.vms[vm]);
  }

  /** Asks the VM core; `done` gets its reply. */
  ask(build: (replyTo: string) => VmMsg, done: (r: VmReply) => void): void {
    const replyTo = `r-${this.nextReply++}`;
    this.waiting.set(replyTo, done);
    this.actor.send(build(replyTo));
  }

  /**
   * Carries out one of the cluster's VM operations as cluster/service.ts vmOp does: the VM
   * core's answer, then the VM's state, then vmOpDone (`done`).
   */
  op(op: string, name: string, spec: VmSpec | undefined, done: (ok: boolean, error?: string) => void) {
    const finish = (r: VmReply) => {
      this.ports.changed(name, this.stateOf(name));
      done(r.ok, r.ok ? undefined : r.message);
    };
    const msg = (replyTo: string): VmMsg | null => {
      switch (op) {
        case 'define':
          // A VM another node saved (its state is on the CSV) is defined Saved.
          return spec ? { type: 'define', replyTo, spec, saved: this.saved.has(name) } : null;
        case 'start':
          return { type: 'start', replyTo, name };
        case 'turnOff':
          return { type: 'stop', replyTo, name };
        case 'save':
          return { type: 'save', replyTo, name };
        case 'remove':
          return { type: 'remove', replyTo, name };
        default:
          return null;
      }
    };
    if (!msg('')) return finish({ ok: false, code: 'INVALID_ARGUMENT', message: `cannot ${op} ${name}` });
    this.ask((replyTo) => msg(replyTo) as VmMsg, finish);
  }

  private interpret(e: HostEffect): void {
    switch (e.type) {
      case 'reply': {
        const w = this.waiting.get(e.replyTo);
        this.waiting.delete(e.replyTo);
        w?.(e.reply);
        return;
      }
      case 'changed':
        this.ports.changed(e.vm.spec.name, clusterVmState(e.vm));
        return;
      case 'gone':
        this.ports.changed(e.name, 'Absent');
        return;
      case 'fault':
        this.ports.fault(e.vm, e.reason);
        return;
      case 'startFailed':
        this.ports.startFailed(e.vm, e.error);
        return;
      case 'allocMemory':
        this.startMemory(e);
        return;
      case 'saveMemory':
        this.later(this.transferMs(e.vm), `save ${e.vm}`, () => {
          this.saved.save(e.vm);
          this.actor.send({ type: 'saved', name: e.vm, epoch: e.epoch });
        });
        return;
      case 'allocateDisk':
        this.actor.send({
          type: 'diskAllocationFailed',
          replyTo: e.replyTo,
          code: 'BAD_STATE',
          message: 'the simulation creates no VM disks',
        });
        return;
      case 'listen':
        this.listening.add(e.vm);
        return;
      case 'unlisten':
      case 'forget':
        this.listening.delete(e.vm);
        return;
      case 'writeRecord':
        this.write(e);
        return;
      case 'dirtyMemory':
        this.dirtied(e.vm, e.pages);
        return;
      case 'freeMemory':
      case 'allocIncoming':
        this.dirtyPages.delete(e.vm);
        return;
      case 'releaseDisk':
      case 'log':
        return;
    }
  }

  /** Simulated time to move a VM's memory to or from its saved state. */
  private transferMs(vm: string): number {
    const mib = this.actor.state.vms[vm]?.spec.memoryMiB ?? 0;
    return (mib / SAVE_MIB_PER_S) * 1000;
  }

  /**
   * A starting VM's memory: instant for a cold boot, its saved state read back for a restore;
   * then the journal scan through the block device, as vm-host.ts startMemory.
   */
  private startMemory({ vm, epoch, restore }: Extract<VmEffect, { type: 'allocMemory' }>): void {
    const failed = (error: string) => this.actor.send({ type: 'memoryFailed', name: vm, epoch, error });
    const scan = () =>
      this.afterWrites(vm, () => {
        const spec = this.actor.state.vms[vm]?.spec;
        if (!spec) return this.actor.send({ type: 'memoryReady', name: vm, epoch, lastSeq: 0 });
        scanJournal(
          (lun, op, done) => this.ports.io(lun, op, done),
          spec,
          (r) =>
            r.ok
              ? this.actor.send({ type: 'memoryReady', name: vm, epoch, lastSeq: r.lastSeq })
              : failed(r.error),
        );
      });
    if (!restore) {
      scan();
      return;
    }
    this.later(this.transferMs(vm), `restore ${vm}`, () =>
      this.saved.take(vm) ? scan() : failed(`no saved state of ${vm} to restore`),
    );
  }

  /** Writes of each VM still in flight, and what waits for them to end. */
  private readonly inFlight = new Map<string, { writes: number; waiting: (() => void)[] }>();

  /**
   * Runs `fn` once the VM's writes in flight have ended, as vm-host.ts startMemory waits for them:
   * a boot scans the journal only after the last run's writes landed or failed.
   */
  private afterWrites(vm: string, fn: () => void): void {
    const f = this.inFlight.get(vm);
    if (!f || f.writes === 0) fn();
    else f.waiting.push(fn);
  }

  /** Writes a workload record, logged as issued and as answered before the core hears of it. */
  private write(e: Extract<VmEffect, { type: 'writeRecord' }>): void {
    const writer = {
      host: this.host.name,
      incarnation: `${this.bootId}${(e.epoch >>> 0).toString(16).padStart(8, '0')}`,
    };
    const block = workloadRecord(e, writer);
    // The record also lands in a page of guest memory (guest-disk.ts writeRecord).
    this.dirtied(e.vm, 1);
    const base = {
      type: 'op',
      process: `disk:${e.vm}`,
      f: 'write',
      id: this.history.opId(),
      vm: e.vm,
      seq: e.seq,
      ...writer,
      hash: contentHash(block),
    } as const;
    this.history.add({ ...base, phase: 'invoke' });
    const flight = this.inFlight.get(e.vm) ?? { writes: 0, waiting: [] };
    this.inFlight.set(e.vm, { ...flight, writes: flight.writes + 1 });
    this.ports.io(e.lun, { kind: 'write', offset: e.offset, data: block }, (r) => {
      const f = this.inFlight.get(e.vm) as { writes: number; waiting: (() => void)[] };
      f.writes--;
      if (f.writes === 0) for (const fn of f.waiting.splice(0)) fn();
      let outcome: WriteOutcome;
      if (r.ok) {
        this.history.add({ ...base, phase: 'ok' });
        outcome = { ok: true };
      } else {
        const definite = ERROR_CODES[r.code as ErrorCode]?.definite ?? false;
        this.history.add({ ...base, phase: definite ? 'fail' : 'info', error: `${r.code}: ${r.message}` });
        outcome = { ok: false, definite, code: r.code as ErrorCode, message: r.message };
      }
      this.actor.send({ type: 'writeDone', name: e.vm, seq: e.seq, outcome });
    });
  }

  private later(ms: number, label: string, fn: () => void): void {
    const gen = this.host.gen;
    this.world.sched.after(ms, `${this.host.name}:${label}`, () => this.host.run(gen, fn));
  }
}
