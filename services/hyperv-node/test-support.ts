/**
 * Test doubles for VmHost's edges, shared by its unit tests: a NATS connection that records
 * subscriptions and lets a test send echo requests into them, a block device that keeps
 * writes in memory, and a node config. Test-only; no service imports it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { DcboxError, type ErrorCode } from '../actor/errors.js';
import type { HostEndpoint, NodeSettings, ServiceConfig, VmSpec } from '../process/config.js';
import { decodeJson, type NatsConnection } from '../transport/nats.js';
import type { BlockDevice } from './guest-disk.js';
import type { IoResult, StorageOp } from './mpio.js';
import type { SavedStateVolume } from './saved-state.js';

/** Data folders made for test nodes, removed after the test file that made them (vitest's afterAll registers on the importing file) so no run leaves debris. */
const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh data folder for a test node, removed after its test file. */
function testDataDir(host: string): string {
  const dir = mkdtempSync(join(tmpdir(), `dcbox-${host}-`));
  dataDirs.push(dir);
  return dir;
}

type Callback = (err: unknown, msg: { data: Uint8Array; respond(data: Uint8Array): boolean }) => void;

/** A NATS connection that only records subscriptions; echo() plays a request into one. */
export class FakeNats {
  readonly subs = new Map<string, Callback>();
  subscribe(subject: string, opts: { callback: Callback }) {
    this.subs.set(subject, opts.callback);
    return { unsubscribe: () => this.subs.delete(subject) };
  }
  /** Sends a request to a subject: the reply, or null when nobody answers. */
  echo(subject: string): { vm: string; host: string; answeredAt?: number } | null {
    const cb = this.subs.get(subject);
    let reply: { vm: string; host: string; answeredAt?: number } | null = null;
    cb?.(null, {
      data: new Uint8Array(),
      respond: (data) => {
        reply = decodeJson(data);
        return true;
      },
    });
    return reply;
  }
  get asNats(): NatsConnection {
    return this as unknown as NatsConnection;
  }
}

/** A block device that acknowledges every write on the next turn, or fails with `failWith`. */
export class MemoryDisk implements BlockDevice {
  readonly writes: { lun: string; offset: number; seq: number }[] = [];
  failWith: ErrorCode | null = null;
  async io(lun: string, op: StorageOp): Promise<IoResult> {
    await new Promise((r) => setImmediate(r));
    if (this.failWith) return { ok: false, code: this.failWith, message: 'injected by the test' };
    if (op.kind === 'write') {
      const seq = Number(Buffer.from(op.data).readBigUInt64BE(72));
      this.writes.push({ lun, offset: op.offset, seq });
    }
    // It keeps no bytes: every read finds a blank disk.
    if (op.kind === 'read') return { ok: true, data: new Uint8Array(op.length) };
    return { ok: true };
  }
}

/** Two or three nodes of one cluster on 127.0.0.1, at the given gRPC ports. */
export function nodeConfig(
  host: string,
  nodeId: number,
  peers: { name: string; port: number }[],
  vms: VmSpec[] = [],
): ServiceConfig<NodeSettings> {
  const hosts: HostEndpoint[] = peers.map((p) => ({
    name: p.name,
    component: 'hyperv-node',
    address: '127.0.0.1',
    grpcPort: p.port,
    natsPort: 0,
  }));
  const me = peers.find((p) => p.name === host);
  return {
    runId: 'test',
    host,
    component: 'hyperv-node',
    address: '127.0.0.1',
    grpcPort: me?.port ?? 0,
    natsUrl: 'nats://127.0.0.1:1',
    dataDir: testDataDir(host),
    timing: {
      name: 'test',
      sameSubnetDelayMs: 200,
      sameSubnetThreshold: 5,
      pathVerificationPeriodMs: 1000,
      ioTimeoutMs: 500,
      moduleHeartbeatMs: 1000,
      moduleSilenceMs: 3000,
      witnessDefendIntervalMs: 500,
      witnessChallengeWaitMs: 1000,
      vmBootMs: 20,
      vmWriteIntervalMs: 5,
    },
    hosts,
    backplane: '',
    seed: nodeId,
    settings: {
      bay: nodeId,
      nodeId,
      features: ['Hyper-V', 'Failover-Clustering'],
      mpio: { enabled: true, policy: 'failover-only' },
      paths: [],
      luns: ['Quorum', 'CSV1'],
      virtualSwitches: ['VMs'],
      vms,
      storageHost: 'storage',
      cluster: 'HVR2CLUSTER',
      clusterNodes: peers.map((p, i) => ({ name: p.name, nodeId: i + 1 })),
      quorumModel: 'node-majority',
      witnessHost: null,
      witnessLun: null,
      sharedVolumes: [{ volume: 'Volume1', lun: 'CSV1', path: 'C:\\ClusterStorage\\Volume1' }],
      csvFiles: [],
    },
  };
}

/** One CSV in memory for saved state: a file table and a LUN of bytes; writes fail after `writesLeft`. */
export class MemoryVolume implements SavedStateVolume {
  readonly files = new Map<string, { offset: number; sizeBytes: number }>();
  readonly lun: Buffer;
  private next: number;
  constructor(lunMiB = 64) {
    this.lun = Buffer.alloc(lunMiB * 1024 * 1024);
    this.next = this.lun.length / 2;
  }
  writesLeft = Number.POSITIVE_INFINITY;
  status() {
    return { path: 'C:\\ClusterStorage\\Volume1', lun: 'CSV1' };
  }
  async lookup(path: string) {
    const f = this.files.get(path.toLowerCase());
    if (!f) throw new DcboxError('NOT_FOUND', `no file ${path}`);
    return f;
  }
  async createFile(path: string, sizeBytes: number) {
    const f = { offset: this.next, sizeBytes };
    this.next += sizeBytes;
    this.files.set(path.toLowerCase(), f);
    return f;
  }
  async extendFile(path: string, sizeBytes: number) {
    return this.createFile(path, sizeBytes);
  }
  async io(_lun: string, op: StorageOp): Promise<IoResult> {
    if (op.kind === 'write') {
      if (this.writesLeft-- <= 0) return { ok: false, code: 'IO_ERROR', message: 'the volume went away' };
      this.lun.set(op.data, op.offset);
      return { ok: true };
    }
    if (op.kind === 'read') return { ok: true, data: this.lun.subarray(op.offset, op.offset + op.length) };
    return { ok: true };
  }
}

/** A 4 MiB clustered VM on Volume1, defined on HVR2NODO1: the VM host tests' usual guest. */
export const ROLE1: VmSpec = {
  name: 'Role1',
  memoryMiB: 4,
  diskPath: 'C:\\ClusterStorage\\Volume1\\Role1\\Role1.vhd',
  lun: 'CSV1',
  diskOffsetBytes: 0,
  diskSizeBytes: 16 * 1024 * 1024,
  switchName: 'VMs',
  node: 'HVR2NODO1',
};
