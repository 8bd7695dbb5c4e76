/**
 * Live and quick migration between simulated nodes: the real source procedure
 * (services/hyperv-node/migration/source-core.ts: setup, copy passes while the VM runs — when to
 * stop is passes.ts's rule — stop-and-copy, device state, the resume order, and the rule that a
 * failure after the resume order went out holds the VM paused) in a simulated actor, and the
 * target's side (the VM core's skeleton VM, resumed with the source's device state, dropped when
 * the stream stalls), the two talking over the simulated network so partitions, kills and
 * freezes cut a migration at any step. Guest memory is a count of dirty 4 KiB pages, not bytes:
 * a pass sends the pages dirtied since the last one at MIGRATION_BYTES_PER_MS (a 1 Gb/s
 * migration network), while the VM core's dirtying ticks add to the count.
 */
import type { ErrorCode } from '../services/actor/errors.js';
import type { MigrationResult } from '../services/hyperv-node/cluster/core/state.js';
import { PAGE_SIZE } from '../services/hyperv-node/migration/dirty-bitmap.js';
import { DEFAULT_POLICY } from '../services/hyperv-node/migration/passes.js';
import {
  decideMigrationSource,
  initialMigrationSource,
  type MigrationKind,
  type MigrationSourceEffect,
  type MigrationSourceMsg,
  type MigrationSourceState,
} from '../services/hyperv-node/migration/source-core.js';
import type { DeviceState, VmInstanceState, VmMsg, VmReply } from '../services/hyperv-node/vm/model.js';
import type { VmSpec } from '../services/process/config.js';
import { hostNow, SimActor, type SimWorld } from './actor.js';
import type { SimHost } from './host.js';
import type { Network, Reply } from './network.js';

/** The migration network: 1 Gb/s. */
export const MIGRATION_BYTES_PER_MS = 125_000;
/** A pass goes in pieces of this much transfer time, each acknowledged by the target. */
export const PIECE_MS = 100;
/** The service a node receives migrations under. */
export const MIGRATE_SERVICE = 'migrate-in';

/** A message of the migration stream, source to target. */
export type MigrationCall =
  | { kind: 'setup'; spec: VmSpec; from: string; viaSavedState: boolean }
  | { kind: 'pages'; vm: string; bytes: number }
  | { kind: 'device'; vm: string; device: DeviceState }
  | { kind: 'resume'; vm: string }
  | { kind: 'abort'; vm: string };

/** The target's answer. */
export type MigrationAnswer =
  | { ok: true; resumedAtMs?: number }
  | { ok: false; code: ErrorCode; message: string };

/** What a node's migrations need of its VM manager. */
export interface MigrationVms {
  ask(build: (replyTo: string) => VmMsg, done: (r: VmReply) => void): void;
  vm(name: string): VmInstanceState | undefined;
  /** Dirty pages of a VM's memory since the last pass; `take` clears them. */
  dirty(vm: string, take: boolean): number;
  markAllDirty(vm: string): void;
  /** The VM's memory goes to its saved state on the CSV (quick migration), then `done`. */
  saveState(vm: string, done: () => void): void;
  /** The saved state is read into the skeleton VM; false when there is none. */
  restoreState(vm: string, done: (ok: boolean) => void): void;
}

/** What both ends need of their node. */
export interface MigrationDeps {
  world: SimWorld;
  host: SimHost;
  net: Network;
  vms: MigrationVms;
  /** A stream that makes no progress for this long is given up. */
  stallMs: number;
}

/** How a source's migration ended. */
export type MigrationDone = (
  r: { ok: true; result: MigrationResult } | { ok: false; code: ErrorCode; message: string },
) => void;

/** Runs the source's procedure for a VM whose node-pair slot was taken; `done` hears the end. */
export function migrateOut(
  d: MigrationDeps,
  vm: VmInstanceState,
  to: string,
  kind: MigrationKind,
  done: MigrationDone,
) {
  new SourceRun(d, vm, to, kind, done).start();
}

/** One migration from this node: the real source core, its stream and its VM's steps. */
class SourceRun {
  private readonly actor: SimActor<MigrationSourceState, MigrationSourceMsg, MigrationSourceEffect>;
  private readonly name: string;
  private readonly memoryBytes: number;

  constructor(
    private readonly d: MigrationDeps,
    vm: VmInstanceState,
    private readonly to: string,
    kind: MigrationKind,
    private readonly done: MigrationDone,
  ) {
    this.name = vm.spec.name;
    this.memoryBytes = vm.spec.memoryMiB * 1024 * 1024;
    const initial = initialMigrationSource({
      vm,
      from: d.host.name,
      to,
      kind,
      savedStateShared: true,
      policy: DEFAULT_POLICY,
      startedAt: hostNow(d.world, d.host),
    });
    this.actor = new SimActor(d.world, d.host, `migrate ${this.name}`, decideMigrationSource, initial, (e) =>
      this.effect(e),
    );
  }

  start(): void {
    this.send({ type: 'start' });
  }

  private send(m: MigrationSourceMsg): void {
    this.actor.send(m);
  }

  private failed(code: ErrorCode, message: string, definite: boolean): void {
    this.send({ type: 'failed', code, message, definite });
  }

  /** One call on the migration stream to the target; a failure fails the migration. */
  private call(c: MigrationCall, ok: (a: Extract<MigrationAnswer, { ok: true }>) => void): void {
    const { d, to } = this;
    d.net.request(d.host.name, to, MIGRATE_SERVICE, c, d.stallMs, (r: Reply) => {
      if (!r.ok) return this.failed(r.code, `${c.kind} to ${to}: ${r.message}`, r.code !== 'TIMEOUT');
      const a = r.body as MigrationAnswer;
      if (!a.ok) return this.failed(a.code, a.message, true);
      ok(a);
    });
  }

  private vmAsk(build: (replyTo: string) => VmMsg, then: () => void): void {
    this.d.vms.ask(build, (r) => (r.ok ? then() : this.failed(r.code, r.message, true)));
  }

  /**
   * A copy pass: the pages dirtied since the last one, sent at the link's rate in pieces of
   * PIECE_MS, each acknowledged (the stream's progress that keeps the target from giving up).
   */
  private pass(then: (pages: number, bytes: number, ms: number) => void): void {
    const { d, name } = this;
    const pages = d.vms.dirty(name, true);
    const bytes = pages * PAGE_SIZE;
    const piece = (sent: number) => {
      if (sent >= bytes && sent > 0) return then(pages, bytes, bytes / MIGRATION_BYTES_PER_MS);
      const n = Math.min(bytes - sent, MIGRATION_BYTES_PER_MS * PIECE_MS);
      later(d, n / MIGRATION_BYTES_PER_MS, `migrate ${name} pages`, () =>
        this.call({ kind: 'pages', vm: name, bytes: n }, () => (n === 0 ? then(0, 0, 0) : piece(sent + n))),
      );
    };
    piece(0);
  }

  private effect(e: MigrationSourceEffect): void {
    switch (e.type) {
      case 'connect':
        this.send({ type: 'connected', memoryBytes: this.memoryBytes });
        return;
      case 'sendSetup':
      case 'sendPass':
      case 'sendFinalPass':
      case 'sendDevice':
      case 'sendResume':
      case 'abort':
        this.stream(e);
        return;
      case 'pause':
      case 'markAllDirty':
      case 'saveState':
      case 'handOff':
      case 'migrationFailed':
        this.vmStep(e);
        return;
      case 'finish':
        this.done({ ok: true, result: e.stats as MigrationResult });
        return;
      case 'reject':
        this.done({ ok: false, code: e.code, message: e.message });
        return;
      case 'emit':
      case 'log':
        return;
    }
  }

  /** What goes over the stream to the target. */
  private stream(
    e: Extract<
      MigrationSourceEffect,
      { type: 'sendSetup' | 'sendPass' | 'sendFinalPass' | 'sendDevice' | 'sendResume' | 'abort' }
    >,
  ): void {
    const { d, name } = this;
    switch (e.type) {
      case 'sendSetup':
        this.call({ kind: 'setup', spec: e.spec, from: d.host.name, viaSavedState: e.viaSavedState }, () =>
          this.send({ type: 'setupSent' }),
        );
        return;
      case 'sendPass':
        this.pass((pages, bytes, ms) =>
          this.send({
            type: 'passSent',
            pass: e.pass,
            pages,
            bytes,
            ms,
            dirtyPages: d.vms.dirty(name, false),
            vm: d.vms.vm(name),
          }),
        );
        return;
      case 'sendFinalPass':
        this.pass((_pages, bytes) => this.send({ type: 'finalPassSent', bytes, vm: d.vms.vm(name) }));
        return;
      case 'sendDevice':
        this.call({ kind: 'device', vm: name, device: e.device }, () => this.send({ type: 'deviceSent' }));
        return;
      case 'sendResume':
        this.call({ kind: 'resume', vm: name }, (a) =>
          this.send({ type: 'acked', resumedAtMs: a.resumedAtMs ?? hostNow(d.world, d.host) }),
        );
        return;
      case 'abort':
        d.net.request(
          d.host.name,
          this.to,
          MIGRATE_SERVICE,
          { kind: 'abort', vm: name },
          d.stallMs,
          () => {},
        );
        return;
    }
  }

  /** What the source asks of its own VM core. */
  private vmStep(
    e: Extract<
      MigrationSourceEffect,
      { type: 'pause' | 'markAllDirty' | 'saveState' | 'handOff' | 'migrationFailed' }
    >,
  ): void {
    const { d, name } = this;
    switch (e.type) {
      case 'pause':
        this.vmAsk(
          (replyTo) => ({ type: 'pause', replyTo, name }),
          () => this.send({ type: 'paused' }),
        );
        return;
      case 'markAllDirty':
        d.vms.markAllDirty(name);
        return;
      case 'saveState':
        d.vms.saveState(name, () =>
          this.send({ type: 'stateSaved', bytes: this.memoryBytes, vm: d.vms.vm(name) }),
        );
        return;
      case 'handOff':
        this.vmAsk(
          (replyTo) => ({ type: 'migratedAway', replyTo, name }),
          () => this.send({ type: 'handedOff' }),
        );
        return;
      case 'migrationFailed':
        d.vms.ask(
          (replyTo) => ({ type: 'migrationFailed', replyTo, name, hold: e.hold }),
          () => {},
        );
        return;
    }
  }
}

/** The target's side: serves the migration stream of every source into this node's VM core. */
export function serveMigrations(d: MigrationDeps): void {
  const target = new TargetSide(d);
  d.host.serve(MIGRATE_SERVICE, (body, from, reply) =>
    target.call(body as MigrationCall, from, reply as (a: MigrationAnswer) => void),
  );
}

/** The incoming streams of one node: their skeleton VMs, devices and stall timers. */
class TargetSide {
  private readonly devices = new Map<string, DeviceState>();
  private readonly viaSaved = new Set<string>();
  private readonly stalls = new Map<string, number>();

  constructor(private readonly d: MigrationDeps) {}

  /** One call of a source's stream. */
  call(c: MigrationCall, from: string, reply: (a: MigrationAnswer) => void) {
    const d = this.d;
    const vm = c.kind === 'setup' ? c.spec.name : c.vm;
    const incoming = d.vms.vm(vm)?.run.state === 'Incoming';
    switch (c.kind) {
      case 'setup':
        this.touch(vm);
        if (c.viaSavedState) this.viaSaved.add(vm);
        d.vms.ask((replyTo) => ({ type: 'incoming', replyTo, spec: c.spec, from }), answer(reply));
        return;
      case 'pages':
      case 'device':
        if (!incoming)
          return reply({ ok: false, code: 'NOT_FOUND', message: `no incoming VM ${vm} on ${d.host.name}` });
        this.touch(vm);
        if (c.kind === 'device') this.devices.set(vm, c.device);
        return reply({ ok: true });
      case 'resume':
        return this.resume(vm, reply);
      case 'abort':
        if (incoming) this.abort(vm);
        return reply({ ok: true });
    }
  }

  /** A stream that makes no progress for stallMs drops its skeleton VM. */
  private touch(vm: string): void {
    const d = this.d;
    const old = this.stalls.get(vm);
    if (old !== undefined) d.world.sched.cancel(old);
    const gen = d.host.gen;
    this.stalls.set(
      vm,
      d.world.sched.after(d.stallMs, `${d.host.name}:migrate-in stall ${vm}`, () =>
        d.host.run(gen, () => {
          this.stalls.delete(vm);
          if (d.vms.vm(vm)?.run.state === 'Incoming') this.abort(vm);
        }),
      ),
    );
  }

  private settle(vm: string): void {
    const t = this.stalls.get(vm);
    if (t !== undefined) this.d.world.sched.cancel(t);
    this.stalls.delete(vm);
    this.devices.delete(vm);
    this.viaSaved.delete(vm);
  }

  private abort(vm: string): void {
    this.settle(vm);
    this.d.vms.ask(
      (replyTo) => ({ type: 'incomingAbort', replyTo, name: vm }),
      () => {},
    );
  }

  private resume(vm: string, reply: (a: MigrationAnswer) => void) {
    const d = this.d;
    const device = this.devices.get(vm);
    if (!device || d.vms.vm(vm)?.run.state !== 'Incoming')
      return reply({
        ok: false,
        code: 'NOT_FOUND',
        message: `no incoming VM ${vm} ready to resume on ${d.host.name}`,
      });
    const go = () =>
      d.vms.ask(
        (replyTo) => ({ type: 'incomingResume', replyTo, name: vm, device }),
        (r) => {
          this.settle(vm);
          reply(
            r.ok
              ? { ok: true, resumedAtMs: hostNow(d.world, d.host) }
              : { ok: false, code: r.code, message: r.message },
          );
        },
      );
    if (!this.viaSaved.has(vm)) return go();
    d.vms.restoreState(vm, (ok) =>
      ok
        ? go()
        : reply({
            ok: false,
            code: 'NOT_FOUND',
            message: `no saved state of ${vm} to restore on ${d.host.name}`,
          }),
    );
  }
}

/** The VM core's reply as the stream's answer. */
const answer = (reply: (a: MigrationAnswer) => void) => (r: VmReply) =>
  reply(r.ok ? { ok: true } : { ok: false, code: r.code, message: r.message });

function later(d: MigrationDeps, ms: number, label: string, fn: () => void): void {
  const gen = d.host.gen;
  d.world.sched.after(ms, `${d.host.name}:${label}`, () => d.host.run(gen, fn));
}
