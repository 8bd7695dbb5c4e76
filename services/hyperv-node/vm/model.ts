/**
 * The VM core's data, pure: the lifecycle and workload states, the messages the core decides,
 * the effects it asks of the adapter, and the small helpers every concern of the core shares.
 */
import type { Decision, TimerEffect } from '../../actor/actor.js';
import type { ErrorCode } from '../../actor/errors.js';
import type { VmSpec } from '../../process/config.js';
import type { SeqRange } from '../ack-ranges.js';
import type { VmState } from '../cluster/core/state.js';

/** Where every clustered VM's disk lives in 2008 R2: the CSV namespace (docs/domain.md §Cluster Shared Volumes). */
export const CSV_ROOT = 'C:\\ClusterStorage\\Volume1\\';
/** The LUN name that holds the disk witness, never a CSV. */
export const QUORUM_LUN = 'Quorum';
/** A bound on a VM's memory so a typo cannot take the host's memory: 64 GiB. */
export const MEMORY_MAX_MIB = 65536;
/** Pages of 4 KiB a running guest dirties per second unless its spec says otherwise. */
export const DIRTY_PAGES_PER_SEC = 256;

/**
 * A VM's lifecycle, with the state names Hyper-V Manager shows, plus Incoming: the skeleton
 * VM on the target of a migration, its memory arriving, not yet running (docs/domain.md §Live migration).
 * Pausing waits for the disk write under way to finish so the device state is complete.
 */
/**
 * A VM's run state. Running is Hyper-V's Enabled: the virtual machine runs, and the cluster's
 * Virtual Machine resource is Online (docs/domain.md §Resources and groups). A cold-booted guest
 * is still booting then: until `bootsAt` (this node's clock) it answers nothing and writes
 * nothing. A pause for migration keeps `bootsAt`, so the boot goes on where the VM resumes.
 */
export type VmRunState =
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
  | { state: 'Running'; epoch: number; since: number; bootsAt?: number }
  | { state: 'Pausing'; epoch: number; since: number; pausedAt: number; replyTo: string; bootsAt?: number }
  | { state: 'Paused'; epoch: number; since: number; pausedAt: number; bootsAt?: number }
  | { state: 'Saving'; epoch: number; since: number }
  | { state: 'Saved'; savedAt: number }
  | { state: 'Incoming'; epoch: number; from: string; since: number };

/** A VM's disk workload and what became of its writes. */
export interface WorkloadState {
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
  /** What is left of the guest's boot (0 once it is up): it goes on on the target. */
  bootLeftMs: number;
}

/** One VM: what it is, where it is in its lifecycle, and its workload. */
export interface VmInstanceState {
  spec: VmSpec;
  run: VmRunState;
  workload: WorkloadState;
  /** Bumped at every start, so answers meant for an earlier run are recognised. */
  epoch: number;
  /** The node this VM is migrating to, or null: one migration per node pair (docs/domain.md §Live migration). */
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
  vms: Record<string, VmInstanceState>;
  bootMs: number;
  /** The workload interval a new VM starts with (cfg.timing.vmWriteIntervalMs). */
  writeIntervalMs: number;
  /**
   * The CSV coordinator allocates new VM disks as files on the volume, as it keeps all
   * of the volume's metadata; false, the node allocates them from its own region.
   */
  csvAllocates: boolean;
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
export type VmReply =
  | { ok: true; vm: VmInstanceState | null }
  | { ok: false; code: ErrorCode; message: string };

/** The result of one record write through MPIO, reduced to what the workload counts. */
export type WriteOutcome = { ok: true } | { ok: false; definite: boolean; code: ErrorCode; message: string };

/** Messages the VM core decides. */
export type VmMsg =
  | { type: 'create'; replyTo: string; req: CreateVm }
  /** The CSV coordinator created the disk file of a VM being created, at this offset. */
  | { type: 'diskAllocated'; replyTo: string; req: CreateVm; offset: number }
  | { type: 'diskAllocationFailed'; replyTo: string; code: ErrorCode; message: string }
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
  /** `saved`: the VM has a saved state on shared storage (a node saved it): it is defined Saved. */
  | { type: 'define'; replyTo: string; spec: VmSpec; saved?: boolean }
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
  /** Have the CSV coordinator create the disk file of a VM being created; answer diskAllocated. */
  | { type: 'allocateDisk'; replyTo: string; req: CreateVm; sizeBytes: number }
  /** Remove the disk file made for a VM that could not be created after all. */
  | { type: 'releaseDisk'; path: string }
  /** Allocate the VM's memory (a Buffer of memoryMiB), from its saved-state file when restoring. */
  | { type: 'allocMemory'; vm: string; epoch: number; memoryMiB: number; restore: boolean }
  | { type: 'freeMemory'; vm: string }
  | { type: 'saveMemory'; vm: string; epoch: number }
  | { type: 'listen'; vm: string }
  | { type: 'unlisten'; vm: string }
  /** Write record `seq`; `epoch` is the run of the VM that writes it (its incarnation here). */
  | {
      type: 'writeRecord';
      vm: string;
      seq: number;
      lun: string;
      offset: number;
      timeMs: number;
      epoch: number;
    }
  /** Allocate an empty memory for the skeleton VM of an incoming migration, at once. */
  | { type: 'allocIncoming'; vm: string; memoryMiB: number }
  /** The guest dirties this many pages of its memory. */
  | { type: 'dirtyMemory'; vm: string; pages: number; seq: number }
  /** The VM lives elsewhere now: drop its memory and any saved state here. */
  | { type: 'forget'; vm: string }
  /** A running VM hit a fault the cluster must handle (its node was fenced off the disk). */
  | { type: 'fault'; vm: string; reason: string }
  /** A start failed after it was accepted (no memory, no saved state, a disk the guest cannot read). */
  | { type: 'startFailed'; vm: string; error: string }
  | { type: 'log'; level: 'info' | 'warn'; msg: string; fields: Record<string, unknown> };

/** What the VM core decides for one message: the new manager state and the effects. */
export type VmDecision = Decision<VmManagerState, VmEffect | TimerEffect<VmMsg>>;

/** A step on one VM that moved it: its new entry and the effects. */
export type VmMoved = { vm: VmInstanceState; effects: (VmEffect | TimerEffect<VmMsg>)[] };
/** A step on one VM: moved, or refused with a reason. */
export type VmStep = VmMoved | { code: ErrorCode; message: string };

/** The id of a VM's boot timer. */
export const bootTimer = (vm: string) => `boot:${vm}`;
/** The id of a VM's workload timer. */
export const tickTimer = (vm: string) => `tick:${vm}`;
/** The id of a VM's memory-dirtying timer. */
export const dirtyTimer = (vm: string) => `dirty:${vm}`;

/** The manager with this VM's entry replaced (or added). */
export function put(state: VmManagerState, vm: VmInstanceState): VmManagerState {
  return { ...state, vms: { ...state.vms, [vm.spec.name]: vm } };
}

/** The manager without this VM. */
export function drop(state: VmManagerState, name: string): VmManagerState {
  const { [name]: _gone, ...vms } = state.vms;
  return { ...state, vms };
}

/** A decision that only refuses the request, state unchanged. */
export function refuse(state: VmManagerState, replyTo: string, code: ErrorCode, message: string): VmDecision {
  return { state, effects: [{ type: 'reply', replyTo, reply: { ok: false, code, message } }] };
}

/** A decision that only replies with this VM (or null), state unchanged. */
export function replyWith(state: VmManagerState, replyTo: string, vm: VmInstanceState | null): VmDecision {
  return { state, effects: [{ type: 'reply', replyTo, reply: { ok: true, vm } }] };
}

/** Applies a step to a named VM and replies: NOT_FOUND for an unknown name, else the step's answer. */
export function withVm(
  state: VmManagerState,
  replyTo: string,
  name: string,
  step: (vm: VmInstanceState) => VmStep,
): VmDecision {
  const vm = state.vms[name];
  if (!vm) return refuse(state, replyTo, 'NOT_FOUND', `no VM named ${name} on ${state.host}`);
  const r = step(vm);
  if ('code' in r) return refuse(state, replyTo, r.code, r.message);
  return {
    state: put(state, r.vm),
    effects: [...r.effects, { type: 'reply', replyTo, reply: { ok: true, vm: r.vm } }],
  };
}

/** A refusal: the VM is in the wrong lifecycle state for the action. */
export function badState(vm: VmInstanceState, action: string): VmStep {
  return { code: 'BAD_STATE', message: `cannot ${action} VM ${vm.spec.name}: it is ${vm.run.state}` };
}

/** A refusal: the VM is migrating. */
export function migrating(vm: VmInstanceState, action: string): VmStep {
  return {
    code: 'BAD_STATE',
    message: `cannot ${action} VM ${vm.spec.name}: it is migrating to ${vm.migratingTo}`,
  };
}

/** The VM when it is in lifecycle state `run` of start `epoch`, else undefined (a late answer). */
export function current(
  state: VmManagerState,
  name: string,
  epoch: number,
  run: VmRunState['state'],
): VmInstanceState | undefined {
  const vm = state.vms[name];
  if (!vm || vm.run.state !== run || !('epoch' in vm.run) || vm.run.epoch !== epoch) return undefined;
  return vm;
}

/** Running with its guest up: it answers on its address and its workload writes. */
export const guestUp = (
  vm: VmInstanceState | undefined,
): vm is VmInstanceState & { run: Extract<VmRunState, { state: 'Running' }> } =>
  vm?.run.state === 'Running' && vm.run.bootsAt === undefined;

/** Off or Saved: nothing of the VM runs here, so it may be replaced or forgotten. */
export const settled = (vm: VmInstanceState) => vm.run.state === 'Off' || vm.run.state === 'Saved';

/**
 * The cluster's coarse view of a VM's lifecycle (what the VM manager reports to the cluster
 * core): a skeleton VM of an incoming migration is Starting, a VM paused for one still Running,
 * and a VM left paused by a migration that failed after its resume order went out (no migration
 * under way any more) Held: the target may be running it.
 */
export function clusterVmState(vm: VmInstanceState | undefined): VmState {
  if (!vm) return 'Absent';
  switch (vm.run.state) {
    case 'Incoming':
      return 'Starting';
    case 'Paused':
      return vm.migratingTo === null ? 'Held' : 'Running';
    case 'Pausing':
      return 'Running';
    default:
      return vm.run.state;
  }
}
