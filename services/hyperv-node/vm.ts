/**
 * The Hyper-V VM manager of one node, as a pure core: VM definitions and their lifecycle
 * (Off → Starting → Running → Saving → Saved), the address each Running VM answers on, and
 * each VM's disk workload — sequence-numbered records written one at a time through MPIO.
 * Memory buffers, files, NATS and storage are the adapter's (vm-host.ts); it reports back with
 * messages, each tagged with the start epoch it belongs to so a late answer from an earlier run
 * of the VM cannot move the current one.
 */
import type { Ctx, Decision, TimerEffect } from '../actor/actor.js';
import type { VmSpec } from '../actor/config.js';
import type { ErrorCode } from '../actor/errors.js';
import { addAck, type SeqRange } from './ack-ranges.js';
import { RECORD_NAME_BYTES, recordOffset } from './record.js';

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

/** A VM's lifecycle, with the state names Hyper-V Manager shows. */
export type VmRun =
  | { state: 'Off' }
  | { state: 'Starting'; epoch: number; since: number; restoring: boolean; memoryReady: boolean }
  | { state: 'Running'; epoch: number; since: number }
  | { state: 'Saving'; epoch: number; since: number }
  | { state: 'Saved'; savedAt: number };

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
}

/** One VM: what it is, where it is in its lifecycle, and its workload. */
export interface VmEntry {
  spec: VmSpec;
  run: VmRun;
  workload: Workload;
  /** Bumped at every start, so answers meant for an earlier run are recognised. */
  epoch: number;
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
}

/** Outcome of a request: the VM after it, or why not. */
export type VmReply = { ok: true; vm: VmEntry } | { ok: false; code: ErrorCode; message: string };

/** The result of one record write through MPIO, reduced to what the workload counts. */
export type WriteOutcome = { ok: true } | { ok: false; definite: boolean; code: ErrorCode; message: string };

/** Messages the VM core decides. */
export type VmMsg =
  | { type: 'create'; replyTo: string; req: CreateVm }
  | { type: 'start'; replyTo: string; name: string }
  | { type: 'stop'; replyTo: string; name: string }
  | { type: 'save'; replyTo: string; name: string }
  | { type: 'setWorkload'; replyTo: string; name: string; enabled: boolean; intervalMs: number }
  | { type: 'memoryReady'; name: string; epoch: number }
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

function freshWorkload(intervalMs: number): Workload {
  return {
    enabled: true,
    intervalMs,
    nextSeq: 1,
    acked: [],
    failedWrites: 0,
    unknownWrites: 0,
    lastError: '',
    inFlight: null,
  };
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
    vms[spec.name] = { spec, run: { state: 'Off' }, workload: freshWorkload(opts.writeIntervalMs), epoch: 0 };
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
        setWorkload(state, vm, msg.enabled, msg.intervalMs),
      );
    case 'memoryReady':
      return memoryReady(state, msg.name, msg.epoch);
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
type Step =
  | { vm: VmEntry; effects: (VmEffect | TimerEffect<VmMsg>)[] }
  | { code: ErrorCode; message: string };

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
  const offset = Math.ceil(state.nextDiskOffset / MIB) * MIB;
  if (offset + sizeBytes > state.regionEnd) {
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
  const vm: VmEntry = {
    spec,
    run: { state: 'Off' },
    workload: freshWorkload(state.writeIntervalMs),
    epoch: 0,
  };
  return {
    state: { ...put(state, vm), nextDiskOffset: offset + sizeBytes },
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
  return {
    vm: { ...vm, epoch, run: { state: 'Starting', epoch, since: ctx.now, restoring, memoryReady: false } },
    effects: [
      { type: 'allocMemory', vm: vm.spec.name, epoch, memoryMiB: vm.spec.memoryMiB, restore: restoring },
    ],
  };
}

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
  if (vm.run.state === 'Running') {
    return {
      vm: { ...vm, run: { state: 'Off' } },
      effects: [
        { type: 'unlisten', vm: name },
        { type: 'cancelTimer', id: tickTimer(name) },
        { type: 'freeMemory', vm: name },
      ],
    };
  }
  return badState(vm, 'stop');
}

/** Saves a Running VM: it stops answering and writing, and its memory goes to a file. */
function save(_state: VmManagerState, vm: VmEntry, ctx: Ctx): Step {
  if (vm.run.state !== 'Running') return badState(vm, 'save');
  const name = vm.spec.name;
  return {
    vm: { ...vm, run: { state: 'Saving', epoch: vm.run.epoch, since: ctx.now } },
    effects: [
      { type: 'unlisten', vm: name },
      { type: 'cancelTimer', id: tickTimer(name) },
      { type: 'saveMemory', vm: name, epoch: vm.run.epoch },
    ],
  };
}

function setWorkload(_state: VmManagerState, vm: VmEntry, enabled: boolean, intervalMs: number): Step {
  if (!Number.isInteger(intervalMs) || intervalMs < 0) {
    return {
      code: 'INVALID_ARGUMENT',
      message: `interval_ms must be a non-negative integer, got ${intervalMs}`,
    };
  }
  const workload = { ...vm.workload, enabled, intervalMs: intervalMs || vm.workload.intervalMs };
  const next = { ...vm, workload };
  if (vm.run.state !== 'Running') return { vm: next, effects: [] };
  return {
    vm: next,
    effects: [enabled ? tickAfter(next) : { type: 'cancelTimer', id: tickTimer(vm.spec.name) }],
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

/** Finds the VM a late message is about, if it is still in the run that message belongs to. */
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

function memoryReady(state: VmManagerState, name: string, epoch: number): Out {
  const vm = current(state, name, epoch, 'Starting');
  if (vm?.run.state !== 'Starting') return { state, effects: [] };
  // The guest boots only once its memory is there (allocated, or read back from saved state).
  return {
    state: put(state, { ...vm, run: { ...vm.run, memoryReady: true } }),
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
  if (!vm) return { state, effects: [] };
  const next: VmEntry = { ...vm, run: { state: 'Running', epoch, since: ctx.now } };
  const effects: Out['effects'] = [
    { type: 'listen', vm: name },
    { type: 'log', level: 'info', msg: 'VM running', fields: { vm: name } },
  ];
  if (next.workload.enabled) effects.push(tickAfter(next));
  return { state: put(state, next), effects };
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
  const next: VmEntry = { ...vm, run: { state: 'Running', epoch, since: ctx.now } };
  const effects: Out['effects'] = [
    { type: 'listen', vm: name },
    { type: 'log', level: 'warn', msg: 'VM save failed; it keeps running', fields: { vm: name, error } },
  ];
  if (next.workload.enabled) effects.push(tickAfter(next));
  return { state: put(state, next), effects };
}

/** One workload tick: write the next record unless the previous write is still under way. */
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
  return { state: put(state, { ...vm, workload: w }), effects: [] };
}
