/**
 * The Hyper-V VM manager of one node, as a pure core: VM definitions and their lifecycle
 * (Off → Starting → Running → Saving → Saved), the address each Running VM answers on, and
 * each VM's disk workload — sequence-numbered records written one at a time through MPIO.
 * Memory buffers, files, NATS and storage are the adapter's (vm-host.ts); it reports back with
 * messages, each tagged with the start epoch it belongs to so a late answer from an earlier run
 * of the VM cannot move the current one.
 */
import type { Ctx, Decision, TimerEffect } from '../actor/actor.js';
import type { ErrorCode } from '../actor/errors.js';
import type { VmSpec } from '../process/config.js';
import { addAck, type SeqRange } from './ack-ranges.js';
import { RECORD_NAME_BYTES, RECORD_SIZE, recordOffset } from './record.js';

/** Where every clustered VM's disk lives in 2008 R2: the CSV namespace (DOMAIN.md §3). */
export const CSV_ROOT = 'C:\\ClusterStorage\\Volume1\\';
/** The LUN name that holds the disk witness, never a CSV. */
export const QUORUM_LUN = 'Quorum';
const GIB = 1024 * 1024 * 1024;
const MIB = 1024 * 1024;
/**
 * Until the CSV coordinator allocates extents, each node bump-allocates new VM disks from a
 * region of the CSV LUN private to it: 8 GiB per node from 4 GiB on, clear of the extents the
 * topology gives its VMs at the start of the LUN.
 */
export const REGION_START_BYTES = 4 * GIB;
export const REGION_SIZE_BYTES = 8 * GIB;
/** A bound on a VM's memory so a typo cannot take the host's memory: 64 GiB. */
export const MEMORY_MAX_MIB = 65536;

/** Pages of 4 KiB a running guest dirties per second unless its spec says otherwise. */
export const DIRTY_PAGES_PER_SEC = 256;
/**
 * The guest dirties its memory in batches, at most this often (and, for a slow rate, once per
 * page: a guest dirtying one page a second ticks once a second). Each tick is one decision of
 * the node's VM manager, so a hundred VMs ticking every 10 ms cost a node most of a core.
 */
export const DIRTY_TICK_MS = 50;

/** How long a guest waits between batches of dirtied pages at a rate. */
export function dirtyTickMs(pagesPerSec: number): number {
  return Math.min(1000, Math.max(DIRTY_TICK_MS, Math.floor(1000 / Math.max(pagesPerSec, 1e-9))));
}

/**
 * A VM's lifecycle, with the state names Hyper-V Manager shows, plus Incoming: the skeleton
 * VM on the target of a migration, its memory arriving, not yet running (DOMAIN.md §5).
 * Pausing waits for the disk write under way to finish so the device state is complete.
 */
export type VmRun =
  | { state: 'Off' }
  | {
      state: 'Starting';
      epoch: number;
      since: number;
      restoring: boolean;
      memoryReady: boolean;
      /** A cold boot's time has passed (it runs while the guest reads its disk's journal). */
      bootDone?: boolean;
    }
  | { state: 'Running'; epoch: number; since: number }
  | { state: 'Pausing'; epoch: number; since: number; pausedAt: number; replyTo: string }
  | { state: 'Paused'; epoch: number; since: number; pausedAt: number }
  | { state: 'Saving'; epoch: number; since: number }
  | { state: 'Saved'; savedAt: number }
  | { state: 'Incoming'; epoch: number; from: string; since: number };

/** A VM's disk workload and what became of its writes. */
export interface Workload {
  enabled: boolean;
  intervalMs: number;
  /** The seq the next write carries; it only moves on once that seq is acknowledged. */
  nextSeq: number;
  acked: SeqRange[];
  failedWrites: number;
  unknownWrites: number;
  lastError: string;
  /** The seq of the write under way (one at a time), or null. */
  inFlight: number | null;
  /** 4 KiB pages of memory the guest dirties per second while it runs. */
  dirtyPagesPerSec: number;
  /** When the guest last dirtied memory, and the fraction of a page left over. */
  dirtyAt: number;
  dirtyCarry: number;
}

/** The state a migration carries over besides memory: the workload and the guest's uptime. */
export interface DeviceState {
  enabled: boolean;
  intervalMs: number;
  nextSeq: number;
  acked: SeqRange[];
  failedWrites: number;
  unknownWrites: number;
  lastError: string;
  dirtyPagesPerSec: number;
  uptimeMs: number;
}

/** One VM: what it is, where it is in its lifecycle, and its workload. */
export interface VmEntry {
  spec: VmSpec;
  run: VmRun;
  workload: Workload;
  /** Bumped at every start, so answers meant for an earlier run are recognised. */
  epoch: number;
  /** The node this VM is migrating to, or null: one migration per node pair (DOMAIN.md §5). */
  migratingTo: string | null;
  /** The run whose fencing was last reported, so a fault is reported once per run. */
  faultEpoch: number;
}

/** The VM manager of one node. */
export interface VmManagerState {
  host: string;
  switches: string[];
  /** The LUN new VM disks go on, or null when the node has no CSV LUN. */
  csvLun: string | null;
  nextDiskOffset: number;
  regionEnd: number;
  vms: Record<string, VmEntry>;
  bootMs: number;
  /** The workload interval a new VM starts with (cfg.timing.vmWriteIntervalMs). */
  writeIntervalMs: number;
}

/** A request to define a VM, as CreateVm carries it. */
export interface CreateVm {
  name: string;
  memoryMiB: number;
  diskPath: string;
  diskSizeMiB: number;
  switchName: string;
  /** The extent the CSV coordinator allocated; absent, the node allocates from its region. */
  diskOffsetBytes?: number;
}

/**
 * Outcome of a request: the VM after it (null when it is gone: removed or migrated away), or
 * why not.
 */
export type VmReply = { ok: true; vm: VmEntry | null } | { ok: false; code: ErrorCode; message: string };

/** The result of one record write through MPIO, reduced to what the workload counts. */
export type WriteOutcome = { ok: true } | { ok: false; definite: boolean; code: ErrorCode; message: string };

/** Messages the VM core decides. */
export type VmMsg =
  | { type: 'create'; replyTo: string; req: CreateVm }
  | { type: 'start'; replyTo: string; name: string }
  | { type: 'stop'; replyTo: string; name: string }
  | { type: 'save'; replyTo: string; name: string }
  | {
      type: 'setWorkload';
      replyTo: string;
      name: string;
      enabled: boolean;
      intervalMs: number;
      dirtyPagesPerSec?: number;
    }
  | { type: 'define'; replyTo: string; spec: VmSpec }
  | { type: 'remove'; replyTo: string; name: string }
  | { type: 'beginMigration'; replyTo: string; name: string; to: string }
  | { type: 'pause'; replyTo: string; name: string }
  | { type: 'resume'; replyTo: string; name: string }
  /** The migration failed: the VM stays here, running again unless `hold` (its fate is unknown). */
  | { type: 'migrationFailed'; replyTo: string; name: string; hold: boolean }
  | { type: 'migratedAway'; replyTo: string; name: string }
  | { type: 'incoming'; replyTo: string; spec: VmSpec; from: string }
  | { type: 'incomingResume'; replyTo: string; name: string; device: DeviceState }
  | { type: 'incomingAbort'; replyTo: string; name: string }
  | { type: 'dirtyTick'; name: string; epoch: number }
  /** lastSeq: the newest record of this VM found on its disk at a cold boot (0 when none). */
  | { type: 'memoryReady'; name: string; epoch: number; lastSeq?: number }
  | { type: 'memoryFailed'; name: string; epoch: number; error: string }
  | { type: 'booted'; name: string; epoch: number }
  | { type: 'saved'; name: string; epoch: number }
  | { type: 'saveFailed'; name: string; epoch: number; error: string }
  | { type: 'tick'; name: string }
  | { type: 'writeDone'; name: string; seq: number; outcome: WriteOutcome };

/** Effects the adapter carries out. */
export type VmEffect =
  | { type: 'reply'; replyTo: string; reply: VmReply }
  /** Allocate the VM's memory (a Buffer of memoryMiB), from its saved-state file when restoring. */
  | { type: 'allocMemory'; vm: string; epoch: number; memoryMiB: number; restore: boolean }
  | { type: 'freeMemory'; vm: string }
  | { type: 'saveMemory'; vm: string; epoch: number }
  | { type: 'listen'; vm: string }
  | { type: 'unlisten'; vm: string }
  | { type: 'writeRecord'; vm: string; seq: number; lun: string; offset: number; timeMs: number }
  /** Allocate an empty memory for the skeleton VM of an incoming migration, at once. */
  | { type: 'allocIncoming'; vm: string; memoryMiB: number }
  /** The guest dirties this many pages of its memory. */
  | { type: 'dirtyMemory'; vm: string; pages: number; seq: number }
  /** The VM lives elsewhere now: drop its memory and any saved state here. */
  | { type: 'forget'; vm: string }
  /** A running VM hit a fault the cluster must handle (its node was fenced off the disk). */
  | { type: 'fault'; vm: string; reason: string }
  | { type: 'log'; level: 'info' | 'warn'; msg: string; fields: Record<string, unknown> };

type Out = Decision<VmManagerState, VmEffect | TimerEffect<VmMsg>>;

/** Names travel in NATS subjects and records: letters, digits, '-' and '_' only. */
const NAME_RE = /^[A-Za-z0-9_-]+$/;

/** Why a VM name is unusable, or null when it is fine. */
export function vmNameProblem(name: string): string | null {
  if (!NAME_RE.test(name))
    return `VM name ${JSON.stringify(name)} may hold only letters, digits, '-' and '_'`;
  if (Buffer.byteLength(name) > RECORD_NAME_BYTES)
    return `VM name ${name} is longer than ${RECORD_NAME_BYTES} bytes`;
  return null;
}

/** The CSV LUN of a node: the first mapped LUN that is not the quorum LUN. */
export function csvLunOf(luns: readonly string[]): string | null {
  return luns.find((l) => l !== QUORUM_LUN) ?? null;
}

function freshWorkload(intervalMs: number, spec: VmSpec): Workload {
  return {
    enabled: true,
    intervalMs,
    nextSeq: 1,
    acked: [],
    failedWrites: 0,
    unknownWrites: 0,
    lastError: '',
    inFlight: null,
    dirtyPagesPerSec: spec.dirtyPagesPerSec ?? DIRTY_PAGES_PER_SEC,
    dirtyAt: 0,
    dirtyCarry: 0,
  };
}

function freshEntry(spec: VmSpec, intervalMs: number): VmEntry {
  return {
    spec,
    run: { state: 'Off' },
    workload: freshWorkload(intervalMs, spec),
    epoch: 0,
    migratingTo: null,
    faultEpoch: 0,
  };
}

/**
 * The VMs whose lifecycle state changed between two manager states (new ones included); the
 * adapter reports them to onChange. VMs that are gone are not listed: their removal was asked.
 */
export function changedVms(before: VmManagerState, after: VmManagerState): VmEntry[] {
  if (before.vms === after.vms) return [];
  const out: VmEntry[] = [];
  // Called after every decision: no arrays made, and an untouched entry is the same object.
  for (const name in after.vms) {
    const vm = after.vms[name] as VmEntry;
    const was = before.vms[name];
    if (was !== vm && was?.run.state !== vm.run.state) out.push(vm);
  }
  return out;
}

/** The manager at start: the topology's VMs for this host, defined and Off. */
export function initialVms(opts: {
  host: string;
  nodeId: number;
  switches: string[];
  luns: string[];
  vms: VmSpec[];
  bootMs: number;
  writeIntervalMs: number;
}): VmManagerState {
  const regionStart = REGION_START_BYTES + (opts.nodeId - 1) * REGION_SIZE_BYTES;
  const regionEnd = regionStart + REGION_SIZE_BYTES;
  const csvLun = csvLunOf(opts.luns);
  let nextDiskOffset = regionStart;
  const vms: Record<string, VmEntry> = {};
  for (const spec of opts.vms.filter((v) => v.node === opts.host)) {
    const problem = vmNameProblem(spec.name);
    if (problem) throw new Error(`topology VM: ${problem}`);
    if (!opts.switches.includes(spec.switchName)) {
      throw new Error(
        `topology VM ${spec.name}: virtual switch ${spec.switchName} does not exist on ${opts.host}`,
      );
    }
    const end = spec.diskOffsetBytes + spec.diskSizeBytes;
    if (spec.lun === csvLun && end > nextDiskOffset && spec.diskOffsetBytes < regionEnd) nextDiskOffset = end;
    vms[spec.name] = freshEntry(spec, opts.writeIntervalMs);
  }
  return {
    host: opts.host,
    switches: opts.switches,
    csvLun,
    nextDiskOffset,
    regionEnd,
    vms,
    bootMs: opts.bootMs,
    writeIntervalMs: opts.writeIntervalMs,
  };
}

const bootTimer = (vm: string) => `boot:${vm}`;
const tickTimer = (vm: string) => `tick:${vm}`;
const dirtyTimer = (vm: string) => `dirty:${vm}`;

/** The VM core: decide one message. */
export function decideVm(state: VmManagerState, msg: VmMsg, ctx: Ctx): Out {
  switch (msg.type) {
    case 'create':
      return create(state, msg.replyTo, msg.req);
    case 'start':
      return withVm(state, msg.replyTo, msg.name, (vm) => start(state, vm, ctx));
    case 'stop':
      return withVm(state, msg.replyTo, msg.name, (vm) => stop(state, vm));
    case 'save':
      return withVm(state, msg.replyTo, msg.name, (vm) => save(state, vm, ctx));
    case 'setWorkload':
      return withVm(state, msg.replyTo, msg.name, (vm) =>
        setWorkload(vm, msg.enabled, msg.intervalMs, msg.dirtyPagesPerSec, ctx),
      );
    case 'define':
      return define(state, msg.replyTo, msg.spec);
    case 'remove':
      return remove(state, msg.replyTo, msg.name);
    case 'beginMigration':
      return withVm(state, msg.replyTo, msg.name, (vm) => beginMigration(state, vm, msg.to));
    case 'pause':
      return pause(state, msg.replyTo, msg.name, ctx);
    case 'resume':
      return withVm(state, msg.replyTo, msg.name, (vm) => resume(vm, ctx));
    case 'migrationFailed':
      return withVm(state, msg.replyTo, msg.name, (vm) => migrationFailed(vm, msg.hold, ctx));
    case 'migratedAway':
      return migratedAway(state, msg.replyTo, msg.name);
    case 'incoming':
      return incoming(state, msg.replyTo, msg.spec, msg.from, ctx);
    case 'incomingResume':
      return withVm(state, msg.replyTo, msg.name, (vm) => incomingResume(vm, msg.device, ctx));
    case 'incomingAbort':
      return incomingAbort(state, msg.replyTo, msg.name);
    case 'dirtyTick':
      return dirtyTick(state, msg.name, msg.epoch, ctx);
    case 'memoryReady':
      return memoryReady(state, msg.name, msg.epoch, msg.lastSeq ?? 0, ctx);
    case 'memoryFailed':
      return memoryFailed(state, msg.name, msg.epoch, msg.error);
    case 'booted':
      return booted(state, msg.name, msg.epoch, ctx);
    case 'saved':
      return saved(state, msg.name, msg.epoch, ctx);
    case 'saveFailed':
      return saveFailed(state, msg.name, msg.epoch, msg.error, ctx);
    case 'tick':
      return tick(state, msg.name, ctx);
    case 'writeDone':
      return writeDone(state, msg.name, msg.seq, msg.outcome);
  }
}

/** A step on one VM: its new entry and effects, or a refusal. */
type Moved = { vm: VmEntry; effects: (VmEffect | TimerEffect<VmMsg>)[] };
type Step = Moved | { code: ErrorCode; message: string };

function withVm(state: VmManagerState, replyTo: string, name: string, step: (vm: VmEntry) => Step): Out {
  const vm = state.vms[name];
  if (!vm) {
    const reply: VmReply = { ok: false, code: 'NOT_FOUND', message: `no VM named ${name} on ${state.host}` };
    return { state, effects: [{ type: 'reply', replyTo, reply }] };
  }
  const r = step(vm);
  if ('code' in r)
    return {
      state,
      effects: [{ type: 'reply', replyTo, reply: { ok: false, code: r.code, message: r.message } }],
    };
  return {
    state: put(state, r.vm),
    effects: [...r.effects, { type: 'reply', replyTo, reply: { ok: true, vm: r.vm } }],
  };
}

function put(state: VmManagerState, vm: VmEntry): VmManagerState {
  return { ...state, vms: { ...state.vms, [vm.spec.name]: vm } };
}

function badState(vm: VmEntry, action: string): Step {
  return { code: 'BAD_STATE', message: `cannot ${action} VM ${vm.spec.name}: it is ${vm.run.state}` };
}

function create(state: VmManagerState, replyTo: string, req: CreateVm): Out {
  const refuse = (code: ErrorCode, message: string): Out => ({
    state,
    effects: [{ type: 'reply', replyTo, reply: { ok: false, code, message } }],
  });
  const problem = vmNameProblem(req.name);
  if (problem) return refuse('INVALID_ARGUMENT', problem);
  if (state.vms[req.name])
    return refuse('ALREADY_EXISTS', `a VM named ${req.name} already exists on ${state.host}`);
  if (!Number.isInteger(req.memoryMiB) || req.memoryMiB < 1 || req.memoryMiB > MEMORY_MAX_MIB) {
    return refuse('INVALID_ARGUMENT', `memory_mib must be 1..${MEMORY_MAX_MIB}, got ${req.memoryMiB}`);
  }
  if (!state.switches.includes(req.switchName)) {
    const known = state.switches.join(', ') || 'none';
    return refuse(
      'INVALID_ARGUMENT',
      `virtual switch ${JSON.stringify(req.switchName)} does not exist on ${state.host} (it has: ${known})`,
    );
  }
  const rest = req.diskPath.slice(CSV_ROOT.length);
  if (req.diskPath.slice(0, CSV_ROOT.length).toLowerCase() !== CSV_ROOT.toLowerCase() || rest.length === 0) {
    return refuse(
      'INVALID_ARGUMENT',
      `disk_path must be a file under ${CSV_ROOT}, got ${JSON.stringify(req.diskPath)}`,
    );
  }
  const sizeBytes = req.diskSizeMiB * MIB;
  if (!Number.isInteger(req.diskSizeMiB) || req.diskSizeMiB < 1) {
    return refuse('INVALID_ARGUMENT', `disk_size_mib must be at least 1, got ${req.diskSizeMiB}`);
  }
  if (!state.csvLun) return refuse('BAD_STATE', `${state.host} has no CSV LUN mapped to hold a VM disk`);
  const given = req.diskOffsetBytes;
  if (given !== undefined && (!Number.isSafeInteger(given) || given < 0 || given % RECORD_SIZE !== 0)) {
    return refuse(
      'INVALID_ARGUMENT',
      `disk_offset_bytes must be a multiple of ${RECORD_SIZE} (one record), got ${given}`,
    );
  }
  // An extent the CSV coordinator allocated is taken as given; otherwise the node's region.
  const offset = given ?? Math.ceil(state.nextDiskOffset / MIB) * MIB;
  if (given === undefined && offset + sizeBytes > state.regionEnd) {
    const freeMiB = Math.max(0, Math.floor((state.regionEnd - offset) / MIB));
    return refuse(
      'INVALID_ARGUMENT',
      `no room for a ${req.diskSizeMiB} MiB disk on ${state.host}: ${freeMiB} MiB left`,
    );
  }
  const spec: VmSpec = {
    name: req.name,
    memoryMiB: req.memoryMiB,
    diskPath: req.diskPath,
    lun: state.csvLun,
    diskOffsetBytes: offset,
    diskSizeBytes: sizeBytes,
    switchName: req.switchName,
    node: state.host,
  };
  const vm = freshEntry(spec, state.writeIntervalMs);
  return {
    state: {
      ...put(state, vm),
      nextDiskOffset: given === undefined ? offset + sizeBytes : state.nextDiskOffset,
    },
    effects: [
      {
        type: 'log',
        level: 'info',
        msg: 'VM created',
        fields: { vm: req.name, lun: state.csvLun, offset, sizeBytes },
      },
      { type: 'reply', replyTo, reply: { ok: true, vm } },
    ],
  };
}

function start(_state: VmManagerState, vm: VmEntry, ctx: Ctx): Step {
  if (vm.run.state !== 'Off' && vm.run.state !== 'Saved') return badState(vm, 'start');
  const restoring = vm.run.state === 'Saved';
  const epoch = vm.epoch + 1;
  const name = vm.spec.name;
  return {
    vm: { ...vm, epoch, run: { state: 'Starting', epoch, since: ctx.now, restoring, memoryReady: false } },
    effects: [
      { type: 'allocMemory', vm: name, epoch, memoryMiB: vm.spec.memoryMiB, restore: restoring },
      // A cold boot takes its time while the guest reads its disk (the journal scan comes with
      // memoryReady); a restore resumes only once its memory is read back.
      ...(restoring
        ? []
        : [
            {
              type: 'startTimer',
              id: bootTimer(name),
              ms: _state.bootMs,
              msg: { type: 'booted', name, epoch },
            } as const,
          ]),
    ],
  };
}

/** Turns the VM off at once (Hyper-V's Turn Off): memory is dropped, nothing is saved. */
/** Turns the VM off at once (Hyper-V's Turn Off): memory is dropped, nothing is saved. */
function stop(_state: VmManagerState, vm: VmEntry): Step {
  const name = vm.spec.name;
  if (vm.run.state === 'Starting') {
    return {
      vm: { ...vm, run: { state: 'Off' } },
      effects: [
        { type: 'cancelTimer', id: bootTimer(name) },
        { type: 'freeMemory', vm: name },
      ],
    };
  }
  if (vm.run.state === 'Running' || vm.run.state === 'Pausing' || vm.run.state === 'Paused') {
    const effects: (VmEffect | TimerEffect<VmMsg>)[] = [
      { type: 'unlisten', vm: name },
      { type: 'cancelTimer', id: tickTimer(name) },
      { type: 'freeMemory', vm: name },
      { type: 'cancelTimer', id: dirtyTimer(name) },
    ];
    if (vm.run.state === 'Pausing') {
      const message = `VM ${name} was turned off while pausing`;
      effects.push({
        type: 'reply',
        replyTo: vm.run.replyTo,
        reply: { ok: false, code: 'BAD_STATE', message },
      });
    }
    return { vm: { ...vm, run: { state: 'Off' } }, effects };
  }
  return badState(vm, 'stop');
}

/** Saves a Running VM: it stops answering and writing, and its memory goes to a file. */
function save(_state: VmManagerState, vm: VmEntry, ctx: Ctx): Step {
  if (vm.run.state !== 'Running') return badState(vm, 'save');
  if (vm.migratingTo) return migrating(vm, 'save');
  const name = vm.spec.name;
  return {
    vm: { ...vm, run: { state: 'Saving', epoch: vm.run.epoch, since: ctx.now } },
    effects: [
      { type: 'unlisten', vm: name },
      { type: 'cancelTimer', id: tickTimer(name) },
      { type: 'saveMemory', vm: name, epoch: vm.run.epoch },
      { type: 'cancelTimer', id: dirtyTimer(name) },
    ],
  };
}

function migrating(vm: VmEntry, action: string): Step {
  return {
    code: 'BAD_STATE',
    message: `cannot ${action} VM ${vm.spec.name}: it is migrating to ${vm.migratingTo}`,
  };
}

/** More than 4 GB/s of dirtied memory is a typo, not a workload. */
const DIRTY_PAGES_PER_SEC_MAX = 1_000_000;

function setWorkload(
  vm: VmEntry,
  enabled: boolean,
  intervalMs: number,
  dirtyPagesPerSec: number | undefined,
  ctx: Ctx,
): Step {
  if (!Number.isInteger(intervalMs) || intervalMs < 0) {
    return {
      code: 'INVALID_ARGUMENT',
      message: `interval_ms must be a non-negative integer, got ${intervalMs}`,
    };
  }
  const rate = dirtyPagesPerSec ?? vm.workload.dirtyPagesPerSec;
  if (!Number.isInteger(rate) || rate < 0 || rate > DIRTY_PAGES_PER_SEC_MAX) {
    return {
      code: 'INVALID_ARGUMENT',
      message: `dirty_pages_per_sec must be an integer 0..${DIRTY_PAGES_PER_SEC_MAX}, got ${rate}`,
    };
  }
  const workload = {
    ...vm.workload,
    enabled,
    intervalMs: intervalMs || vm.workload.intervalMs,
    dirtyPagesPerSec: rate,
    dirtyAt: ctx.now,
    dirtyCarry: 0,
  };
  const next = { ...vm, workload };
  if (vm.run.state !== 'Running') return { vm: next, effects: [] };
  return {
    vm: next,
    effects: [
      enabled ? tickAfter(next) : { type: 'cancelTimer', id: tickTimer(vm.spec.name) },
      rate > 0 ? dirtyAfter(next, vm.run.epoch) : { type: 'cancelTimer', id: dirtyTimer(vm.spec.name) },
    ],
  };
}

function tickAfter(vm: VmEntry): TimerEffect<VmMsg> {
  return {
    type: 'startTimer',
    id: tickTimer(vm.spec.name),
    ms: vm.workload.intervalMs,
    msg: { type: 'tick', name: vm.spec.name },
  };
}

function dirtyAfter(vm: VmEntry, epoch: number): TimerEffect<VmMsg> {
  return {
    type: 'startTimer',
    id: dirtyTimer(vm.spec.name),
    ms: dirtyTickMs(vm.workload.dirtyPagesPerSec),
    msg: { type: 'dirtyTick', name: vm.spec.name, epoch },
  };
}

/**
 * A VM entering Running at `since` (boot, failed save, resume, migration in): it answers on
 * its address, and its disk workload and memory dirtying run.
 */
function running(vm: VmEntry, epoch: number, since: number, ctx: Ctx): Moved {
  const next: VmEntry = {
    ...vm,
    run: { state: 'Running', epoch, since },
    workload: { ...vm.workload, inFlight: null, dirtyAt: ctx.now, dirtyCarry: 0 },
  };
  const effects: (VmEffect | TimerEffect<VmMsg>)[] = [{ type: 'listen', vm: vm.spec.name }];
  if (next.workload.enabled) effects.push(tickAfter(next));
  if (next.workload.dirtyPagesPerSec > 0) effects.push(dirtyAfter(next, epoch));
  return { vm: next, effects };
}

function current(
  state: VmManagerState,
  name: string,
  epoch: number,
  run: VmRun['state'],
): VmEntry | undefined {
  const vm = state.vms[name];
  if (!vm || vm.run.state !== run || !('epoch' in vm.run) || vm.run.epoch !== epoch) return undefined;
  return vm;
}

function memoryReady(state: VmManagerState, name: string, epoch: number, lastSeq: number, ctx: Ctx): Out {
  const vm = current(state, name, epoch, 'Starting');
  if (vm?.run.state !== 'Starting') return { state, effects: [] };
  // A guest that boots cold carries on its journal after the newest record on its disk, as a
  // restarted guest would: records acknowledged before a failover are never overwritten.
  const nextSeq = Math.max(vm.workload.nextSeq, lastSeq + 1);
  const ready: VmEntry = {
    ...vm,
    run: { ...vm.run, memoryReady: true },
    workload: { ...vm.workload, nextSeq },
  };
  // A cold boot whose time already passed runs now; a restored guest resumes after bootMs once
  // its memory is read back.
  if (!vm.run.restoring && vm.run.bootDone) return toRunning(state, ready, name, epoch, ctx);
  if (!vm.run.restoring) return { state: put(state, ready), effects: [] };
  return {
    state: put(state, ready),
    effects: [
      { type: 'startTimer', id: bootTimer(name), ms: state.bootMs, msg: { type: 'booted', name, epoch } },
    ],
  };
}

function memoryFailed(state: VmManagerState, name: string, epoch: number, error: string): Out {
  const vm = current(state, name, epoch, 'Starting');
  if (vm?.run.state !== 'Starting') return { state, effects: [] };
  // A failed restore keeps the saved state for another try; a failed allocation leaves it Off.
  const run: VmRun = vm.run.restoring ? { state: 'Saved', savedAt: vm.run.since } : { state: 'Off' };
  return {
    state: put(state, { ...vm, run }),
    effects: [
      { type: 'log', level: 'warn', msg: 'VM failed to start: no memory', fields: { vm: name, error } },
    ],
  };
}

function booted(state: VmManagerState, name: string, epoch: number, ctx: Ctx): Out {
  const vm = current(state, name, epoch, 'Starting');
  if (vm?.run.state !== 'Starting') return { state, effects: [] };
  // The guest is up only once its disk's journal is read too.
  if (!vm.run.memoryReady)
    return { state: put(state, { ...vm, run: { ...vm.run, bootDone: true } }), effects: [] };
  return toRunning(state, vm, name, epoch, ctx);
}

function toRunning(state: VmManagerState, vm: VmEntry, name: string, epoch: number, ctx: Ctx): Out {
  const r = running(vm, epoch, ctx.now, ctx);
  const effects: Out['effects'] = [
    { type: 'log', level: 'info', msg: 'VM running', fields: { vm: name } },
    ...r.effects,
  ];
  return { state: put(state, r.vm), effects };
}

function saved(state: VmManagerState, name: string, epoch: number, ctx: Ctx): Out {
  const vm = current(state, name, epoch, 'Saving');
  if (!vm) return { state, effects: [] };
  return {
    state: put(state, { ...vm, run: { state: 'Saved', savedAt: ctx.now } }),
    effects: [{ type: 'freeMemory', vm: name }],
  };
}

function saveFailed(state: VmManagerState, name: string, epoch: number, error: string, ctx: Ctx): Out {
  const vm = current(state, name, epoch, 'Saving');
  if (!vm) return { state, effects: [] };
  // The state could not be written: the VM carries on running, as Hyper-V resumes it.
  const r = running(vm, epoch, ctx.now, ctx);
  const effects: Out['effects'] = [
    { type: 'log', level: 'warn', msg: 'VM save failed; it keeps running', fields: { vm: name, error } },
    ...r.effects,
  ];
  return { state: put(state, r.vm), effects };
}

function tick(state: VmManagerState, name: string, ctx: Ctx): Out {
  const vm = state.vms[name];
  if (vm?.run.state !== 'Running' || !vm.workload.enabled) return { state, effects: [] };
  const effects: Out['effects'] = [tickAfter(vm)];
  if (vm.workload.inFlight !== null) return { state, effects };
  const seq = vm.workload.nextSeq;
  const offset = recordOffset(vm.spec.diskOffsetBytes, vm.spec.diskSizeBytes, seq);
  effects.push({ type: 'writeRecord', vm: name, seq, lun: vm.spec.lun, offset, timeMs: ctx.now });
  return { state: put(state, { ...vm, workload: { ...vm.workload, inFlight: seq } }), effects };
}

/**
 * Counts a write's outcome. An acknowledged seq is durable and the workload moves on; a write
 * refused definitely counts as failed, one whose fate is unknown (timeout, path loss) as
 * unknown — never as failed, since it may have landed. Either way the same seq is written
 * again at the next tick.
 */

/**
 * Counts a write's outcome. An acknowledged seq is durable and the workload moves on; a write
 * refused definitely counts as failed, one whose fate is unknown (timeout, path loss) as
 * unknown — never as failed, since it may have landed. Either way the same seq is written
 * again at the next tick. A RESERVATION_CONFLICT means the node was fenced off the disk: the
 * cluster hears of it once per run and decides; the VM is left as it is. A VM pausing for a
 * migration is Paused once its write is settled.
 */
function writeDone(state: VmManagerState, name: string, seq: number, outcome: WriteOutcome): Out {
  const vm = state.vms[name];
  if (!vm || vm.workload.inFlight !== seq) return { state, effects: [] };
  const w = { ...vm.workload, inFlight: null };
  if (outcome.ok) {
    w.acked = addAck(w.acked, seq);
    w.nextSeq = seq + 1;
  } else if (outcome.definite) {
    w.failedWrites += 1;
    w.lastError = `${outcome.code}: ${outcome.message}`;
  } else {
    w.unknownWrites += 1;
    w.lastError = `${outcome.code}: ${outcome.message}`;
  }
  let next: VmEntry = { ...vm, workload: w };
  const effects: Out['effects'] = [];
  const run = vm.run;
  if (
    !outcome.ok &&
    outcome.code === 'RESERVATION_CONFLICT' &&
    (run.state === 'Running' || run.state === 'Pausing') &&
    vm.faultEpoch !== run.epoch
  ) {
    next = { ...next, faultEpoch: run.epoch };
    effects.push({ type: 'fault', vm: name, reason: `${outcome.code}: ${outcome.message}` });
  }
  if (run.state === 'Pausing') {
    next = { ...next, run: { state: 'Paused', epoch: run.epoch, since: run.since, pausedAt: run.pausedAt } };
    effects.push({ type: 'reply', replyTo: run.replyTo, reply: { ok: true, vm: next } });
  }
  return { state: put(state, next), effects };
}

/** The guest dirties its memory: rate × elapsed pages, the fraction carried to the next batch. */
function dirtyTick(state: VmManagerState, name: string, epoch: number, ctx: Ctx): Out {
  const vm = current(state, name, epoch, 'Running');
  if (!vm || vm.workload.dirtyPagesPerSec <= 0) return { state, effects: [] };
  const w = vm.workload;
  // At most one second's worth after a stall, so a frozen process does not thrash on waking.
  const elapsedMs = Math.min(1000, Math.max(0, ctx.now - w.dirtyAt));
  const exact = (w.dirtyPagesPerSec * elapsedMs) / 1000 + w.dirtyCarry;
  const pages = Math.floor(exact);
  const next: VmEntry = { ...vm, workload: { ...w, dirtyAt: ctx.now, dirtyCarry: exact - pages } };
  const effects: Out['effects'] = [dirtyAfter(next, epoch)];
  if (pages > 0) effects.push({ type: 'dirtyMemory', vm: name, pages, seq: w.nextSeq });
  return { state: put(state, next), effects };
}

// ---- Registry operations for the cluster ----

/** The fields that make two definitions the same VM (where it lives is not one of them). */
function sameSpec(a: VmSpec, b: VmSpec): boolean {
  return (
    a.name === b.name &&
    a.memoryMiB === b.memoryMiB &&
    a.diskPath === b.diskPath &&
    a.lun === b.lun &&
    a.diskOffsetBytes === b.diskOffsetBytes &&
    a.diskSizeBytes === b.diskSizeBytes &&
    a.switchName === b.switchName &&
    (a.dirtyPagesPerSec ?? DIRTY_PAGES_PER_SEC) === (b.dirtyPagesPerSec ?? DIRTY_PAGES_PER_SEC)
  );
}

/** Why a spec given by a peer cannot be defined here, or null. */
function specProblem(state: VmManagerState, spec: VmSpec): string | null {
  const problem = vmNameProblem(spec.name);
  if (problem) return problem;
  if (!Number.isInteger(spec.memoryMiB) || spec.memoryMiB < 1 || spec.memoryMiB > MEMORY_MAX_MIB)
    return `memory must be 1..${MEMORY_MAX_MIB} MiB, got ${spec.memoryMiB}`;
  if (!state.switches.includes(spec.switchName))
    return `virtual switch ${JSON.stringify(spec.switchName)} does not exist on ${state.host}`;
  if (
    spec.diskSizeBytes < RECORD_SIZE ||
    spec.diskOffsetBytes < 0 ||
    spec.diskOffsetBytes % RECORD_SIZE !== 0
  )
    return `disk extent ${spec.diskOffsetBytes}+${spec.diskSizeBytes} is not a whole number of ${RECORD_SIZE}-byte records`;
  return null;
}

const settled = (vm: VmEntry) => vm.run.state === 'Off' || vm.run.state === 'Saved';

/**
 * Defines a VM with exactly this spec (a clustered role placed here by failover). The same
 * spec again is a no-op; a different VM of that name is replaced only while it is Off or Saved.
 */
function define(state: VmManagerState, replyTo: string, given: VmSpec): Out {
  const refuse = (code: ErrorCode, message: string): Out => ({
    state,
    effects: [{ type: 'reply', replyTo, reply: { ok: false, code, message } }],
  });
  const spec: VmSpec = { ...given, node: state.host };
  const problem = specProblem(state, spec);
  if (problem) return refuse('INVALID_ARGUMENT', problem);
  const old = state.vms[spec.name];
  if (old && sameSpec(old.spec, spec))
    return { state, effects: [{ type: 'reply', replyTo, reply: { ok: true, vm: old } }] };
  if (old && !settled(old))
    return refuse('BAD_STATE', `a different VM named ${spec.name} is ${old.run.state} on ${state.host}`);
  const vm = freshEntry(spec, state.writeIntervalMs);
  const effects: Out['effects'] = [];
  // A saved state of the VM this definition replaces belongs to a VM that no longer exists.
  if (old) effects.push({ type: 'forget', vm: spec.name });
  effects.push(
    { type: 'log', level: 'info', msg: 'VM defined', fields: { vm: spec.name, replaced: old !== undefined } },
    { type: 'reply', replyTo, reply: { ok: true, vm } },
  );
  return { state: put(state, vm), effects };
}

function drop(state: VmManagerState, name: string): VmManagerState {
  const { [name]: _gone, ...vms } = state.vms;
  return { ...state, vms };
}

/** Forgets a VM that is Off or Saved (it lives elsewhere now); an unknown name is already gone. */
function remove(state: VmManagerState, replyTo: string, name: string): Out {
  const vm = state.vms[name];
  if (!vm) return { state, effects: [{ type: 'reply', replyTo, reply: { ok: true, vm: null } }] };
  if (!settled(vm)) {
    const message = `cannot remove VM ${name}: it is ${vm.run.state} (turn it off or save it first)`;
    return { state, effects: [{ type: 'reply', replyTo, reply: { ok: false, code: 'BAD_STATE', message } }] };
  }
  return {
    state: drop(state, name),
    effects: [
      { type: 'forget', vm: name },
      { type: 'log', level: 'info', msg: 'VM removed', fields: { vm: name } },
      { type: 'reply', replyTo, reply: { ok: true, vm: null } },
    ],
  };
}

// ---- Migration, source side (DOMAIN.md §5) ----

/** Takes the node-pair slot: 2008 R2 runs one live migration at a time per pair (DOMAIN.md §5). */
function beginMigration(state: VmManagerState, vm: VmEntry, to: string): Step {
  const name = vm.spec.name;
  if (to === state.host) return { code: 'INVALID_ARGUMENT', message: `VM ${name} is already on ${to}` };
  if (vm.run.state !== 'Running') return badState(vm, 'migrate');
  if (vm.migratingTo) return migrating(vm, 'migrate');
  const busy = Object.values(state.vms).find((v) => v.migratingTo === to);
  if (busy) {
    return {
      code: 'BAD_STATE',
      message: `a migration from ${state.host} to ${to} is already under way (VM ${busy.spec.name}); 2008 R2 runs one at a time per node pair`,
    };
  }
  return { vm: { ...vm, migratingTo: to }, effects: [] };
}

/**
 * Pauses a Running VM for stop-and-copy: it stops answering, writing and dirtying memory. The
 * reply comes once the write under way (if any) is settled, so the workload state is final.
 */
function pause(state: VmManagerState, replyTo: string, name: string, ctx: Ctx): Out {
  const vm = state.vms[name];
  const refuse = (code: ErrorCode, message: string): Out => ({
    state,
    effects: [{ type: 'reply', replyTo, reply: { ok: false, code, message } }],
  });
  if (!vm) return refuse('NOT_FOUND', `no VM named ${name} on ${state.host}`);
  if (vm.run.state !== 'Running')
    return refuse('BAD_STATE', `cannot pause VM ${name}: it is ${vm.run.state}`);
  const { epoch, since } = vm.run;
  const effects: Out['effects'] = [
    { type: 'unlisten', vm: name },
    { type: 'cancelTimer', id: tickTimer(name) },
    { type: 'cancelTimer', id: dirtyTimer(name) },
  ];
  if (vm.workload.inFlight !== null) {
    const next: VmEntry = { ...vm, run: { state: 'Pausing', epoch, since, pausedAt: ctx.now, replyTo } };
    return { state: put(state, next), effects };
  }
  const next: VmEntry = { ...vm, run: { state: 'Paused', epoch, since, pausedAt: ctx.now } };
  effects.push({ type: 'reply', replyTo, reply: { ok: true, vm: next } });
  return { state: put(state, next), effects };
}

function resume(vm: VmEntry, ctx: Ctx): Step {
  if (vm.run.state !== 'Paused') return badState(vm, 'resume');
  return running(vm, vm.run.epoch, vm.run.since, ctx);
}

/** Frees the node-pair slot; the VM runs on here unless its fate is unknown (`hold`). */
function migrationFailed(vm: VmEntry, hold: boolean, ctx: Ctx): Step {
  const next = { ...vm, migratingTo: null };
  if (vm.run.state !== 'Paused' || hold) return { vm: next, effects: [] };
  return running(next, vm.run.epoch, vm.run.since, ctx);
}

/** The VM runs on the target now: the source forgets it. */
function migratedAway(state: VmManagerState, replyTo: string, name: string): Out {
  const vm = state.vms[name];
  if (!vm) return { state, effects: [{ type: 'reply', replyTo, reply: { ok: true, vm: null } }] };
  if (vm.run.state !== 'Paused' && vm.run.state !== 'Off') {
    const message = `cannot hand VM ${name} over: it is ${vm.run.state} here`;
    return { state, effects: [{ type: 'reply', replyTo, reply: { ok: false, code: 'BAD_STATE', message } }] };
  }
  return {
    state: drop(state, name),
    effects: [
      { type: 'forget', vm: name },
      { type: 'log', level: 'info', msg: 'VM migrated away', fields: { vm: name, to: vm.migratingTo } },
      { type: 'reply', replyTo, reply: { ok: true, vm: null } },
    ],
  };
}

// ---- Migration, target side ----

/** Creates the skeleton VM of an incoming migration, with empty memory allocated. */
function incoming(state: VmManagerState, replyTo: string, given: VmSpec, from: string, ctx: Ctx): Out {
  const refuse = (code: ErrorCode, message: string): Out => ({
    state,
    effects: [{ type: 'reply', replyTo, reply: { ok: false, code, message } }],
  });
  const spec: VmSpec = { ...given, node: state.host };
  const problem = specProblem(state, spec);
  if (problem) return refuse('INVALID_ARGUMENT', problem);
  const busy = Object.values(state.vms).find((v) => v.run.state === 'Incoming' && v.run.from === from);
  if (busy) {
    return refuse(
      'BAD_STATE',
      `a migration from ${from} to ${state.host} is already under way (VM ${busy.spec.name}); 2008 R2 runs one at a time per node pair`,
    );
  }
  const old = state.vms[spec.name];
  if (old && !settled(old))
    return refuse('BAD_STATE', `VM ${spec.name} is already ${old.run.state} on ${state.host}`);
  const epoch = (old?.epoch ?? 0) + 1;
  const vm: VmEntry = {
    ...freshEntry(spec, state.writeIntervalMs),
    epoch,
    run: { state: 'Incoming', epoch, from, since: ctx.now },
  };
  const effects: Out['effects'] = [];
  if (old) effects.push({ type: 'forget', vm: spec.name });
  effects.push(
    { type: 'allocIncoming', vm: spec.name, memoryMiB: spec.memoryMiB },
    { type: 'log', level: 'info', msg: 'VM migrating in', fields: { vm: spec.name, from } },
    { type: 'reply', replyTo, reply: { ok: true, vm } },
  );
  return { state: put(state, vm), effects };
}

/** The VM resumes here with the source's device state: same workload seq, acked writes, uptime. */
function incomingResume(vm: VmEntry, device: DeviceState, ctx: Ctx): Step {
  if (vm.run.state !== 'Incoming') return badState(vm, 'resume an incoming');
  const withDevice: VmEntry = {
    ...vm,
    workload: {
      ...vm.workload,
      enabled: device.enabled,
      intervalMs: device.intervalMs || vm.workload.intervalMs,
      nextSeq: device.nextSeq,
      acked: device.acked,
      failedWrites: device.failedWrites,
      unknownWrites: device.unknownWrites,
      lastError: device.lastError,
      dirtyPagesPerSec: device.dirtyPagesPerSec,
    },
  };
  const r = running(withDevice, vm.run.epoch, ctx.now - device.uptimeMs, ctx);
  return {
    vm: r.vm,
    effects: [
      ...r.effects,
      { type: 'log', level: 'info', msg: 'VM resumed after migration', fields: { vm: vm.spec.name } },
    ],
  };
}

/** An incoming migration that failed: the skeleton VM goes. */
function incomingAbort(state: VmManagerState, replyTo: string, name: string): Out {
  const vm = state.vms[name];
  if (vm?.run.state !== 'Incoming')
    return { state, effects: [{ type: 'reply', replyTo, reply: { ok: true, vm: vm ?? null } }] };
  return {
    state: drop(state, name),
    effects: [
      { type: 'forget', vm: name },
      { type: 'log', level: 'warn', msg: 'incoming migration abandoned', fields: { vm: name } },
      { type: 'reply', replyTo, reply: { ok: true, vm: null } },
    ],
  };
}

/** The state a migration carries for a paused VM: its workload and uptime. */
export function deviceStateOf(vm: VmEntry, nowMs: number): DeviceState {
  const w = vm.workload;
  const since = 'since' in vm.run ? vm.run.since : nowMs;
  const at = vm.run.state === 'Paused' || vm.run.state === 'Pausing' ? vm.run.pausedAt : nowMs;
  return {
    enabled: w.enabled,
    intervalMs: w.intervalMs,
    nextSeq: w.nextSeq,
    acked: w.acked,
    failedWrites: w.failedWrites,
    unknownWrites: w.unknownWrites,
    lastError: w.lastError,
    dirtyPagesPerSec: w.dirtyPagesPerSec,
    uptimeMs: Math.max(0, at - since),
  };
}
