/**
 * The node's set of VMs, pure: the topology's VMs at start, VMs created by CreateVm on the CSV
 * (the disk extent checked or allocated from the node's region), VMs defined and removed by the
 * cluster as roles move, and which VMs changed lifecycle state after a decision.
 */
import type { ErrorCode } from '../../actor/errors.js';
import type { VmSpec } from '../../process/config.js';
import { RECORD_NAME_BYTES, RECORD_SIZE } from '../record.js';
import {
  type CreateVm,
  CSV_ROOT,
  DIRTY_PAGES_PER_SEC,
  drop,
  MEMORY_MAX_MIB,
  put,
  QUORUM_LUN,
  refuse,
  replyWith,
  settled,
  type VmDecision,
  type VmInstanceState,
  type VmManagerState,
} from './model.js';
import { freshWorkload } from './workload.js';

const GIB = 1024 * 1024 * 1024;
const MIB = 1024 * 1024;
/**
 * Until the CSV coordinator allocates extents, each node bump-allocates new VM disks from a
 * region of the CSV LUN private to it: 8 GiB per node from 4 GiB on, clear of the extents the
 * topology gives its VMs at the start of the LUN.
 */
export const REGION_START_BYTES = 4 * GIB;
export const REGION_SIZE_BYTES = 8 * GIB;

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

/** A VM just defined: Off, never started, its workload fresh. */
export function freshEntry(spec: VmSpec, intervalMs: number): VmInstanceState {
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
export function changedVms(before: VmManagerState, after: VmManagerState): VmInstanceState[] {
  if (before.vms === after.vms) return [];
  const out: VmInstanceState[] = [];
  // Called after every decision: no arrays made, and an untouched entry is the same object.
  for (const name in after.vms) {
    const vm = after.vms[name] as VmInstanceState;
    const was = before.vms[name];
    if (was === vm) continue;
    // A paused VM whose migration ended without freeing it is Held for the cluster (model.ts
    // clusterVmState): its lifecycle state stays Paused, so that change is reported too.
    const held = vm.run.state === 'Paused' && was?.migratingTo !== vm.migratingTo;
    if (was?.run.state !== vm.run.state || held) out.push(vm);
  }
  return out;
}

/**
 * The VMs that left the manager between two states, which the adapter reports Absent to the
 * cluster. A removal the cluster asked for it also hears in its answer; two VMs leave unasked:
 * - the skeleton of an abandoned incoming migration: without it a target that gave up a stalled
 *   migration stream left its cluster believing the VM was Starting there, and a role failed over
 *   to it stayed Pending for good (found by the deterministic simulation: a partition in the
 *   middle of a live migration);
 * - a VM migrated away, which the source forgets once the target runs it: without it the
 *   source's cluster went on counting the VM as Running there. When the move's end then failed to
 *   reach the leader, the leader judged from the nodes' views that the VM had not been handed
 *   over (stale-moves.ts), ended the move as failed and had the target turn its copy off: the VM
 *   ran nowhere while its role showed Online (found by the simulation's swarm, four-node seed 26).
 */
export function goneVms(before: VmManagerState, after: VmManagerState): string[] {
  if (before.vms === after.vms) return [];
  const out: string[] = [];
  for (const name in before.vms) if (!after.vms[name]) out.push(name);
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
  /** New VM disks are files the CSV coordinator allocates (default: the node's region). */
  csvAllocates?: boolean;
}): VmManagerState {
  const regionStart = REGION_START_BYTES + (opts.nodeId - 1) * REGION_SIZE_BYTES;
  const regionEnd = regionStart + REGION_SIZE_BYTES;
  const csvLun = csvLunOf(opts.luns);
  let nextDiskOffset = regionStart;
  const vms: Record<string, VmInstanceState> = {};
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
    csvAllocates: opts.csvAllocates ?? false,
  };
}

type Refusal = { code: ErrorCode; message: string };
const invalid = (message: string): Refusal => ({ code: 'INVALID_ARGUMENT', message });

/** Why a CreateVm request's name, memory, switch and disk path are unusable here, or null. */
function requestProblem(state: VmManagerState, req: CreateVm): Refusal | null {
  const problem = vmNameProblem(req.name);
  if (problem) return invalid(problem);
  if (state.vms[req.name])
    return { code: 'ALREADY_EXISTS', message: `a VM named ${req.name} already exists on ${state.host}` };
  if (!Number.isInteger(req.memoryMiB) || req.memoryMiB < 1 || req.memoryMiB > MEMORY_MAX_MIB)
    return invalid(`memory_mib must be 1..${MEMORY_MAX_MIB}, got ${req.memoryMiB}`);
  if (!state.switches.includes(req.switchName)) {
    const known = state.switches.join(', ') || 'none';
    return invalid(
      `virtual switch ${JSON.stringify(req.switchName)} does not exist on ${state.host} (it has: ${known})`,
    );
  }
  const rest = req.diskPath.slice(CSV_ROOT.length);
  if (req.diskPath.slice(0, CSV_ROOT.length).toLowerCase() !== CSV_ROOT.toLowerCase() || rest.length === 0)
    return invalid(`disk_path must be a file under ${CSV_ROOT}, got ${JSON.stringify(req.diskPath)}`);
  if (!Number.isInteger(req.diskSizeMiB) || req.diskSizeMiB < 1)
    return invalid(`disk_size_mib must be at least 1, got ${req.diskSizeMiB}`);
  if (!state.csvLun)
    return { code: 'BAD_STATE', message: `${state.host} has no CSV LUN mapped to hold a VM disk` };
  return null;
}

/** The spec a CreateVm request defines, its extent checked or taken from the node's region. */
function createdSpec(state: VmManagerState, req: CreateVm): VmSpec | Refusal {
  const problem = requestProblem(state, req);
  if (problem) return problem;
  const sizeBytes = req.diskSizeMiB * MIB;
  const given = req.diskOffsetBytes;
  if (given !== undefined && (!Number.isSafeInteger(given) || given < 0 || given % RECORD_SIZE !== 0))
    return invalid(`disk_offset_bytes must be a multiple of ${RECORD_SIZE} (one record), got ${given}`);
  // An extent the CSV coordinator allocated is taken as given; otherwise the node's region.
  const offset = given ?? Math.ceil(state.nextDiskOffset / MIB) * MIB;
  if (given === undefined && offset + sizeBytes > state.regionEnd) {
    const freeMiB = Math.max(0, Math.floor((state.regionEnd - offset) / MIB));
    return invalid(`no room for a ${req.diskSizeMiB} MiB disk on ${state.host}: ${freeMiB} MiB left`);
  }
  return {
    name: req.name,
    memoryMiB: req.memoryMiB,
    diskPath: req.diskPath,
    lun: state.csvLun as string,
    diskOffsetBytes: offset,
    diskSizeBytes: sizeBytes,
    switchName: req.switchName,
    node: state.host,
  };
}

/**
 * Creates a VM (CreateVm): Off, its disk on the CSV LUN. A disk the caller did not place is
 * allocated by the CSV coordinator when the node has one (the request is checked first, so no
 * file is made for a request that would be refused), else from the node's region.
 */
export function create(state: VmManagerState, replyTo: string, req: CreateVm): VmDecision {
  if (req.diskOffsetBytes !== undefined || !state.csvAllocates) return defineCreated(state, replyTo, req);
  const problem = requestProblem(state, req);
  if (problem) return refuse(state, replyTo, problem.code, problem.message);
  return { state, effects: [{ type: 'allocateDisk', replyTo, req, sizeBytes: req.diskSizeMiB * MIB }] };
}

/** The coordinator made the disk file: the VM is defined on it, or the file goes again. */
export function diskAllocated(
  state: VmManagerState,
  replyTo: string,
  req: CreateVm,
  offset: number,
): VmDecision {
  const d = defineCreated(state, replyTo, { ...req, diskOffsetBytes: offset });
  if (d.state !== state) return d;
  return { state, effects: [{ type: 'releaseDisk', path: req.diskPath }, ...d.effects] };
}

/** Defines the VM a CreateVm request describes, its disk extent known or taken from the region. */
function defineCreated(state: VmManagerState, replyTo: string, req: CreateVm): VmDecision {
  const spec = createdSpec(state, req);
  if ('code' in spec) return refuse(state, replyTo, spec.code, spec.message);
  const vm = freshEntry(spec, state.writeIntervalMs);
  const regionUsed = req.diskOffsetBytes === undefined;
  const { lun, diskOffsetBytes: offset, diskSizeBytes: sizeBytes } = spec;
  return {
    state: {
      ...put(state, vm),
      nextDiskOffset: regionUsed ? offset + sizeBytes : state.nextDiskOffset,
    },
    effects: [
      { type: 'log', level: 'info', msg: 'VM created', fields: { vm: req.name, lun, offset, sizeBytes } },
      { type: 'reply', replyTo, reply: { ok: true, vm } },
    ],
  };
}

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
export function specProblem(state: VmManagerState, spec: VmSpec): string | null {
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

/**
 * Defines a VM with exactly this spec (a clustered role placed here by failover). The same
 * spec again is a no-op; a different VM of that name is replaced only while it is Off or Saved.
 */
export function define(
  state: VmManagerState,
  replyTo: string,
  given: VmSpec,
  saved = false,
  now = 0,
): VmDecision {
  const spec: VmSpec = { ...given, node: state.host };
  const problem = specProblem(state, spec);
  if (problem) return refuse(state, replyTo, 'INVALID_ARGUMENT', problem);
  const old = state.vms[spec.name];
  if (old && sameSpec(old.spec, spec)) return replyWith(state, replyTo, old);
  if (old && !settled(old))
    return refuse(
      state,
      replyTo,
      'BAD_STATE',
      `a different VM named ${spec.name} is ${old.run.state} on ${state.host}`,
    );
  const fresh = freshEntry(spec, state.writeIntervalMs);
  // A VM saved by another node is defined Saved here: starting it restores that state.
  const vm: VmInstanceState = saved ? { ...fresh, run: { state: 'Saved', savedAt: now } } : fresh;
  const effects: VmDecision['effects'] = [];
  // A saved state of the VM this definition replaces belongs to a VM that no longer exists.
  if (old) effects.push({ type: 'forget', vm: spec.name });
  effects.push(
    { type: 'log', level: 'info', msg: 'VM defined', fields: { vm: spec.name, replaced: old !== undefined } },
    { type: 'reply', replyTo, reply: { ok: true, vm } },
  );
  return { state: put(state, vm), effects };
}

/** Forgets a VM that is Off or Saved (it lives elsewhere now); an unknown name is already gone. */
export function remove(state: VmManagerState, replyTo: string, name: string): VmDecision {
  const vm = state.vms[name];
  if (!vm) return replyWith(state, replyTo, null);
  if (!settled(vm)) {
    const message = `cannot remove VM ${name}: it is ${vm.run.state} (turn it off or save it first)`;
    return refuse(state, replyTo, 'BAD_STATE', message);
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
