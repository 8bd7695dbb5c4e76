/**
 * The gRPC face of a Hyper-V node: dcbox.node.v1.HyperVNode handlers over the MPIO and VM
 * adapters. Handlers translate wire messages and forward them; the checks and decisions are the
 * cores'.
 */
import type * as grpc from '@grpc/grpc-js';
import { DcboxError } from '../actor/errors.js';
import type { CreateVmRequest__Output } from '../generated/dcbox/node/v1/CreateVmRequest.js';
import type { DiskStatus } from '../generated/dcbox/node/v1/DiskStatus.js';
import type { IoLoadRequest__Output } from '../generated/dcbox/node/v1/IoLoadRequest.js';
import type { IoLoadResult as IoLoadResultMsg } from '../generated/dcbox/node/v1/IoLoadResult.js';
import type { MigrationAck } from '../generated/dcbox/node/v1/MigrationAck.js';
import type { MigrationChunk__Output } from '../generated/dcbox/node/v1/MigrationChunk.js';
import type { ShutdownReply } from '../generated/dcbox/node/v1/ShutdownReply.js';
import type { StorageCommandRequest__Output } from '../generated/dcbox/node/v1/StorageCommandRequest.js';
import type { StorageCommandResponse } from '../generated/dcbox/node/v1/StorageCommandResponse.js';
import type { Vm } from '../generated/dcbox/node/v1/Vm.js';
import type { VmRef__Output } from '../generated/dcbox/node/v1/VmRef.js';
import type { WatchWritesRequest__Output } from '../generated/dcbox/node/v1/WatchWritesRequest.js';
import type { WorkloadRequest__Output } from '../generated/dcbox/node/v1/WorkloadRequest.js';
import type { WriteEvent } from '../generated/dcbox/node/v1/WriteEvent.js';
import { serveFollow } from '../observability/follow-log.js';
import type { NodeSettings, ServiceConfig } from '../process/config.js';
import { protos, unary } from '../transport/grpc.js';
import { toServiceError } from '../transport/grpc-errors.js';
import { countAcked } from './ack-ranges.js';
import type { IoLoadResult, IoLoadSpec } from './io-load.js';
import { disksView, reservationKey, type StorageOp } from './mpio.js';
import type { Multipath } from './multipath.js';
import { RECORD_SIZE } from './record.js';
import type { VmInstanceState } from './vm/model.js';
import type { VmHost } from './vm-host.js';

/** The VM as the API shows it. */
export function vmView(vm: VmInstanceState, host: string, nowMs: number): Vm {
  return {
    name: vm.spec.name,
    state: vm.run.state,
    memory_mib: vm.spec.memoryMiB,
    disk: virtualDisk(vm),
    switch_name: vm.spec.switchName,
    host,
    uptime_ms: vm.run.state === 'Running' ? Math.max(0, nowMs - vm.run.since) : 0,
    records_acked: countAcked(vm.workload.acked),
  };
}

function virtualDisk(vm: VmInstanceState) {
  return {
    path: vm.spec.diskPath,
    lun: vm.spec.lun,
    offset_bytes: vm.spec.diskOffsetBytes,
    size_bytes: vm.spec.diskSizeBytes,
  };
}

/** The workload of a VM as GetDiskStatus shows it. */
export function diskStatus(vm: VmInstanceState): DiskStatus {
  const w = vm.workload;
  return {
    vm: vm.spec.name,
    disk: virtualDisk(vm),
    record_size: RECORD_SIZE,
    acked: w.acked.map((r) => ({ first: r.first, last: r.last })),
    failed_writes: w.failedWrites,
    unknown_writes: w.unknownWrites,
    last_error: w.lastError,
    next_seq: w.nextSeq,
  };
}

/** Turns a StorageCommand request into an MPIO command, or says what is wrong with it. */
export function storageOp(
  req: StorageCommandRequest__Output,
  settings: NodeSettings,
): StorageOp | DcboxError {
  const key = reservationKey(settings.nodeId);
  switch (req.op) {
    case 'register':
      return { kind: 'register', key };
    case 'reserve':
      return { kind: 'reserve', key };
    case 'release':
      return { kind: 'release', key };
    case 'preempt': {
      const victim = settings.clusterNodes.find((n) => n.name === req.victim_host);
      if (!victim) {
        const known = settings.clusterNodes.map((n) => n.name).join(', ') || 'none';
        return new DcboxError(
          'INVALID_ARGUMENT',
          `victim_host ${JSON.stringify(req.victim_host)} is not a cluster node (known: ${known})`,
        );
      }
      return { kind: 'preempt', key, victimKey: reservationKey(victim.nodeId) };
    }
    case 'read-keys':
      return { kind: 'readKeys' };
    case 'write':
      if (req.data.length === 0) return new DcboxError('INVALID_ARGUMENT', 'write needs data');
      return { kind: 'write', offset: req.offset, data: req.data };
    case 'read':
      if (req.length === 0) return new DcboxError('INVALID_ARGUMENT', 'read needs a length above 0');
      return { kind: 'read', offset: req.offset, length: req.length };
    default:
      return new DcboxError(
        'INVALID_ARGUMENT',
        `unknown op ${JSON.stringify(req.op)}: use register, reserve, release, preempt, read-keys, write or read`,
      );
  }
}

/** Builds the HyperVNode service. */
export function nodeService(
  cfg: ServiceConfig<NodeSettings>,
  disks: Multipath,
  vms: VmHost,
  /** Runs an I/O load on a CSV's free space (RunIoLoad). */
  ioLoad?: (spec: IoLoadSpec) => Promise<IoLoadResult>,
  /** Shuts the operating system down for a soft power off (Shutdown; os-shutdown.ts). */
  shutdown?: () => Promise<ShutdownReply>,
): { definition: grpc.ServiceDefinition; name: string; impl: grpc.UntypedServiceImplementation } {
  const s = cfg.settings;
  const impl = {
    GetInfo: unary(() => ({
      name: cfg.host,
      address: cfg.address,
      bay: s.bay,
      features: s.features,
      mpio_enabled: s.mpio.enabled,
      mpio_policy: s.mpio.enabled ? s.mpio.policy : 'none',
      virtual_switches: s.virtualSwitches,
    })),
    ...vmHandlers(cfg.host, vms),
    ...storageHandlers(cfg, disks, ioLoad),
    Shutdown: unary(async () => {
      if (!shutdown) throw new DcboxError('BAD_STATE', `${cfg.host} has no operating system shutdown`);
      return shutdown();
    }),
  };
  return { definition: protos().dcbox.node.v1.HyperVNode.service, name: 'dcbox.node.v1.HyperVNode', impl };
}

/** The VM handlers: each forwards its request to the VM host and replies with what it answers. */
function vmHandlers(host: string, vms: VmHost) {
  const find = (name: string): VmInstanceState => {
    const vm = vms.actor.state.vms[name];
    if (!vm) throw new DcboxError('NOT_FOUND', `no VM named ${JSON.stringify(name)} on ${host}`);
    return vm;
  };
  const view = (vm: VmInstanceState) => vmView(vm, host, vms.clock.now());
  return {
    // The VM core checks the request and has the CSV coordinator allocate the disk (vm/registry.ts).
    CreateVm: unary(async (req: CreateVmRequest__Output) =>
      view(
        await vms.create({
          name: req.name,
          memoryMiB: req.memory_mib,
          diskPath: req.disk_path,
          diskSizeMiB: req.disk_size_mib,
          switchName: req.switch_name,
          diskOffsetBytes: req.disk_offset_bytes > 0 ? req.disk_offset_bytes : undefined,
        }),
      ),
    ),
    StartVm: unary(async (req: VmRef__Output) =>
      view(await vms.ask((replyTo) => ({ type: 'start', replyTo, name: req.name }))),
    ),
    StopVm: unary(async (req: VmRef__Output) =>
      view(await vms.ask((replyTo) => ({ type: 'stop', replyTo, name: req.name }))),
    ),
    SaveVm: unary(async (req: VmRef__Output) =>
      view(await vms.ask((replyTo) => ({ type: 'save', replyTo, name: req.name }))),
    ),
    ListVms: unary(() => ({ vms: Object.values(vms.actor.state.vms).map(view) })),
    GetDiskStatus: unary((req: VmRef__Output) => diskStatus(find(req.name))),
    WatchWrites: (call: grpc.ServerWritableStream<WatchWritesRequest__Output, WriteEvent>) =>
      serveFollow(
        vms.writes.steps,
        Number(call.request.after_seq),
        call,
        (e) => vms.writes.wire(e),
        (missed) => ({ phase: 'missed', boot_id: vms.writes.bootId, missed }),
      ),
    SetWorkload: unary(async (req: WorkloadRequest__Output) =>
      diskStatus(
        await vms.ask((replyTo) => ({
          type: 'setWorkload',
          replyTo,
          name: req.vm,
          enabled: req.enabled,
          intervalMs: req.interval_ms,
          dirtyPagesPerSec: req.dirty_pages_per_sec,
        })),
      ),
    ),
    MigrateIn: (
      call: grpc.ServerReadableStream<MigrationChunk__Output, MigrationAck>,
      callback: grpc.sendUnaryData<MigrationAck>,
    ) => {
      vms.receive(call).then(
        (ack) => callback(null, ack),
        (err) => callback(toServiceError(err)),
      );
    },
  };
}

/** The storage handlers: raw SCSI commands through MPIO, and I/O loads on a CSV. */
function storageHandlers(
  cfg: ServiceConfig<NodeSettings>,
  disks: Multipath,
  ioLoad: ((spec: IoLoadSpec) => Promise<IoLoadResult>) | undefined,
) {
  return {
    ListPaths: unary(async () => ({
      node: cfg.host,
      mpio_enabled: cfg.settings.mpio.enabled,
      disks: disksView(disks.actor.state, await disks.lunDetails()),
    })),
    RunIoLoad: unary(async (req: IoLoadRequest__Output): Promise<IoLoadResultMsg> => {
      if (!ioLoad) throw new DcboxError('BAD_STATE', `${cfg.host} has no CSV to run an I/O load on`);
      return ioLoadView(
        await ioLoad({
          lun: req.lun,
          kind: req.kind === '' ? 'write' : (req.kind as IoLoadSpec['kind']),
          blockSize: req.block_size,
          sequential: req.sequential,
          depth: req.depth,
          durationMs: req.duration_ms,
          offsetBase: Number(req.offset_base),
          spanBytes: Number(req.span_bytes),
        }),
      );
    }),
    StorageCommand: unary(async (req: StorageCommandRequest__Output): Promise<StorageCommandResponse> => {
      const op = storageOp(req, cfg.settings);
      if (op instanceof DcboxError) return { ok: false, code: op.code, message: op.message };
      const r = await disks.io(req.lun, op);
      if (!r.ok) return { ok: false, code: r.code, message: r.message, path: r.path ?? '' };
      return {
        ok: true,
        state_json: r.prState === undefined ? '' : JSON.stringify(r.prState),
        data: r.data ? Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength) : Buffer.alloc(0),
        path: r.path ?? '',
      };
    }),
  };
}

/** An I/O load's result as RunIoLoad returns it, with rates per second. */
function ioLoadView(r: IoLoadResult): IoLoadResultMsg {
  const seconds = Math.max(r.durationMs, 1) / 1000;
  return {
    ops: r.ops,
    bytes: r.bytes,
    duration_ms: Math.round(r.durationMs),
    ops_per_sec: r.ops / seconds,
    bytes_per_sec: r.bytes / seconds,
    latency_p50_us: r.latencyP50Us,
    latency_p99_us: r.latencyP99Us,
    latency_max_us: r.latencyMaxUs,
    errors: r.errors,
    first_error: r.firstError,
  };
}
