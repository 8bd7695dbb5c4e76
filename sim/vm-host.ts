/**
 * The VMs of one simulated node, stage 1: each VM's lifecycle as the cluster drives it (define,
 * start with a cold boot of vmBootMs, turn off, save, remove) and its disk workload — the real
 * record format (services/hyperv-node/record.ts), one sequence-numbered record at a time every
 * vmWriteIntervalMs through the node's MPIO, continuing after a restart from the newest record
 * on its disk, each write logged as issued and as answered (the history's write ops, with
 * writer host, incarnation and content hash). The VM core itself (services/hyperv-node/vm/) and
 * the CSV I/O layer are a later stage (docs/simulation.md).
 */
import type { ErrorCode } from '../services/actor/errors.js';
import { ERROR_CODES } from '../services/actor/errors.js';
import type { VmState } from '../services/hyperv-node/cluster/core/decide.js';
import type { IoResult, StorageOp } from '../services/hyperv-node/mpio.js';
import {
  encodeRecord,
  RECORD_SIZE,
  recordOffset,
  recordsPerDisk,
  verifyRecord,
} from '../services/hyperv-node/record.js';
import { contentHash } from '../services/observability/content-hash.js';
import type { VmSpec } from '../services/process/config.js';
import type { SimWorld } from './actor.js';
import type { HistoryLog } from './history-log.js';
import type { SimHost } from './host.js';

/** One VM on this node. */
interface SimVm {
  spec: VmSpec;
  state: VmState;
  /** Bumped at every start and stop, so a late boot or write of an earlier run is ignored. */
  epoch: number;
  incarnation: string;
  nextSeq: number;
  writing: boolean;
}

/** What the VM host needs from its node. */
export interface VmHostPorts {
  io(lun: string, op: StorageOp, done: (r: IoResult) => void): void;
  /** The VM manager's state of a VM changed. */
  changed(vm: string, state: VmState): void;
  /** A write was refused with RESERVATION CONFLICT: the node is fenced from the disk. */
  fault(vm: string, reason: string): void;
  /** The newest record of `vm` on its disk (the cold boot's journal scan); 0 when none. */
  newestSeq(spec: VmSpec): number;
}

/** The VM manager of one node. */
export class SimVmHost {
  readonly vms = new Map<string, SimVm>();

  constructor(
    private readonly world: SimWorld,
    private readonly host: SimHost,
    private readonly history: HistoryLog,
    private readonly ports: VmHostPorts,
    private readonly timing: { vmBootMs: number; vmWriteIntervalMs: number },
  ) {}

  /** Whether `vm` runs here now. */
  running(vm: string): boolean {
    return this.vms.get(vm)?.state === 'Running';
  }

  /** Carries out one of the cluster's VM operations; `done` reports it as vmOpDone. */
  op(op: string, name: string, spec: VmSpec | undefined, done: (ok: boolean, error?: string) => void) {
    let vm = this.vms.get(name);
    if (op === 'define') {
      if (!spec) return done(false, `no spec to define ${name}`);
      vm = vm ?? { spec, state: 'Off', epoch: 0, incarnation: '', nextSeq: 1, writing: false };
      vm.spec = spec;
      this.vms.set(name, vm);
      this.set(vm, vm.state === 'Running' ? 'Running' : 'Off');
      return done(true);
    }
    if (!vm) return done(false, `no VM named ${name} on ${this.host.name}`);
    switch (op) {
      case 'start':
        this.start(vm);
        break;
      case 'turnOff':
      case 'save':
        vm.epoch++;
        this.set(vm, op === 'save' ? 'Saved' : 'Off');
        break;
      case 'remove':
        vm.epoch++;
        this.vms.delete(name);
        this.ports.changed(name, 'Absent');
        break;
    }
    done(true);
  }

  /** Defines a VM of the topology on this node at boot, Off. */
  define(spec: VmSpec): void {
    this.vms.set(spec.name, { spec, state: 'Off', epoch: 0, incarnation: '', nextSeq: 1, writing: false });
    this.ports.changed(spec.name, 'Off');
  }

  private set(vm: SimVm, state: VmState): void {
    vm.state = state;
    this.ports.changed(vm.spec.name, state);
  }

  private start(vm: SimVm): void {
    if (vm.state === 'Running' || vm.state === 'Starting') return;
    const epoch = ++vm.epoch;
    this.set(vm, 'Starting');
    this.later(this.timing.vmBootMs, `boot ${vm.spec.name}`, () => {
      if (vm.epoch !== epoch || vm.state !== 'Starting') return;
      // The guest continues its journal after the newest record on its disk, as a new instance.
      vm.nextSeq = this.ports.newestSeq(vm.spec) + 1;
      vm.incarnation = this.world.random.hex64();
      vm.writing = false;
      this.set(vm, 'Running');
      this.tick(vm, epoch);
    });
  }

  private tick(vm: SimVm, epoch: number): void {
    this.later(this.timing.vmWriteIntervalMs, `write ${vm.spec.name}`, () => {
      if (vm.epoch !== epoch || vm.state !== 'Running') return;
      if (!vm.writing) this.write(vm, epoch);
      this.tick(vm, epoch);
    });
  }

  /** Writes the next record; its seq moves on only once acknowledged. */
  private write(vm: SimVm, epoch: number): void {
    const { name, lun, diskOffsetBytes, diskSizeBytes } = { ...vm.spec, name: vm.spec.name };
    const seq = vm.nextSeq;
    const writer = { host: this.host.name, incarnation: vm.incarnation };
    const block = encodeRecord({
      vm: name,
      seq,
      timeMs: this.world.sched.now,
      writer: writer.host,
      incarnation: writer.incarnation,
    });
    const hash = contentHash(block);
    const id = this.history.opId();
    const base = {
      type: 'op',
      process: `disk:${name}`,
      f: 'write',
      id,
      vm: name,
      seq,
      ...writer,
      hash,
    } as const;
    this.history.add({ ...base, phase: 'invoke' });
    vm.writing = true;
    const offset = recordOffset(diskOffsetBytes, diskSizeBytes, seq);
    this.ports.io(lun, { kind: 'write', offset, data: block }, (r) => {
      if (vm.epoch === epoch) vm.writing = false;
      if (r.ok) {
        this.history.add({ ...base, phase: 'ok' });
        if (vm.epoch === epoch && vm.nextSeq === seq) vm.nextSeq = seq + 1;
        return;
      }
      const definite = ERROR_CODES[r.code as ErrorCode]?.definite ?? false;
      this.history.add({ ...base, phase: definite ? 'fail' : 'info', error: `${r.code}: ${r.message}` });
      if (r.code === 'RESERVATION_CONFLICT' && vm.epoch === epoch)
        this.ports.fault(name, `write refused with RESERVATION CONFLICT on LUN ${lun}`);
    });
  }

  private later(ms: number, label: string, fn: () => void): void {
    const gen = this.host.gen;
    this.world.sched.after(ms, `${this.host.name}:${label}`, () => this.host.run(gen, fn));
  }
}

/** The newest record of a VM in a disk image read whole: the cold boot's journal scan. */
export function newestRecord(spec: VmSpec, read: (offset: number, length: number) => Uint8Array): number {
  let newest = 0;
  const slots = recordsPerDisk(spec.diskSizeBytes);
  const chunk = 256 * RECORD_SIZE;
  for (let first = 0; first < slots; first += 256) {
    const n = Math.min(256, slots - first);
    const data = read(spec.diskOffsetBytes + first * RECORD_SIZE, Math.min(chunk, n * RECORD_SIZE));
    for (let i = 0; i < n; i++) {
      const block = data.subarray(i * RECORD_SIZE, (i + 1) * RECORD_SIZE);
      if (block[0] === 0) continue;
      const r = verifyRecord(block, { vm: spec.name });
      if (r.ok && r.record.seq > newest) newest = r.record.seq;
    }
  }
  return newest;
}
