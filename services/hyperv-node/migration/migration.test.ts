/**
 * Two VM hosts in one process, each serving MigrateIn on real gRPC over 127.0.0.1 (ports
 * 24100–24109), migrating a VM whose guest keeps dirtying its memory. Real timers and sockets,
 * so it asserts what must hold, not exact milliseconds.
 */

import type { UntypedHandleCall } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DcboxError } from '../../actor/errors.js';
import type { VmSpec } from '../../process/config.js';
import { pollUntil } from '../../process/poll-until.js';
import { type GrpcServer, protos, startGrpcServer } from '../../transport/grpc.js';
import { subjects } from '../../transport/subjects.js';
import { GuestMemory } from '../migration/guest-memory.js';
import { CsvSavedState, LocalSavedState, type SavedStateStore } from '../saved-state.js';
import { FakeNats, MemoryDisk, MemoryVolume, nodeConfig } from '../test-support.js';
import { type MigrationEvent, VmHost } from '../vm-host.js';

const MIB = 1024 * 1024;
const NODE1 = 'HVR2NODO1';
const NODE2 = 'HVR2NODO2';
const peers = [
  { name: NODE1, port: 24101 },
  { name: NODE2, port: 24102 },
  // In the directory, but nothing listens there: an unreachable target.
  { name: 'HVR2NODO3', port: 24103 },
];
const spec = (name: string, offsetMiB: number, dirtyPagesPerSec: number, memoryMiB = 32): VmSpec => ({
  name,
  memoryMiB,
  diskPath: `C:\\ClusterStorage\\Volume1\\${name}\\${name}.vhd`,
  lun: 'CSV1',
  diskOffsetBytes: offsetMiB * MIB,
  diskSizeBytes: 16 * MIB,
  switchName: 'VMs',
  node: NODE2,
  dirtyPagesPerSec,
});
const quiet = () => undefined;

interface Node {
  host: VmHost;
  nats: FakeNats;
  disk: MemoryDisk;
  server: GrpcServer;
  events: MigrationEvent[];
}

async function node(
  name: string,
  id: number,
  port: number,
  directory = peers,
  savedState?: SavedStateStore,
  migrationStallMs = 2000,
): Promise<Node> {
  const nats = new FakeNats();
  const disk = new MemoryDisk();
  const host = new VmHost(nodeConfig(name, id, directory), nats.asNats, disk, quiet, {
    migrationStallMs,
    savedState,
  });
  const events: MigrationEvent[] = [];
  host.onMigrationEvent((e) => events.push(e));
  const server = await startGrpcServer('127.0.0.1', port, [
    {
      definition: protos().dcbox.node.v1.HyperVNode.service,
      name: 'dcbox.node.v1.HyperVNode',
      impl: {
        MigrateIn: ((call: Parameters<VmHost['receive']>[0], cb: (e: unknown, r?: unknown) => void) =>
          host.receive(call).then(
            (ack) => cb(null, ack),
            (err) => cb(err),
          )) as unknown as UntypedHandleCall,
      },
    },
  ]);
  return { host, nats, disk, server, events };
}

async function runningVm(n: Node, s: VmSpec): Promise<void> {
  await n.host.defineVm(s);
  await n.host.start(s.name);
  await pollUntil(() => n.host.get(s.name)?.run.state === 'Running', {
    what: `${s.name} running`,
    timeoutMs: 5000,
    intervalMs: 5,
  });
}

let src: Node;
let dst: Node;

beforeAll(async () => {
  dst = await node(NODE1, 1, 24101);
  src = await node(NODE2, 2, 24102);
});

afterAll(async () => {
  for (const n of [src, dst]) {
    n.host.stop();
    await n.server.shutdown();
  }
});

describe('live migration between two nodes over gRPC', () => {
  it('moves a 32 MiB VM that keeps dirtying memory: same bytes, same workload, answering from the target', async () => {
    await runningVm(src, spec('VM1', 0, 20_000));
    await pollUntil(() => (src.host.get('VM1')?.workload.nextSeq ?? 0) > 20, {
      what: 'some acknowledged writes',
      timeoutMs: 5000,
      intervalMs: 5,
    });
    // Memory and workload of the source at pause, read when the target acknowledges the
    // resume (the source VM is paused from stop-and-copy until it is forgotten).
    let atPause: { digest: string | null; nextSeq: number; acked: unknown } | undefined;
    let atResume: { digest: string | null; nextSeq: number; acked: unknown } | undefined;
    src.host.onMigrationEvent((e) => {
      if (e.phase !== 'resumed' || atPause) return;
      const vm = src.host.get('VM1');
      atPause = {
        digest: src.host.memoryDigest('VM1'),
        nextSeq: vm?.workload.nextSeq ?? 0,
        acked: vm?.workload.acked,
      };
      pausedState = vm?.run.state;
    });
    dst.host.onMigrationEvent((e) => {
      if (e.phase !== 'resumed' || atResume) return;
      const vm = dst.host.get('VM1');
      atResume = {
        digest: dst.host.memoryDigest('VM1'),
        nextSeq: vm?.workload.nextSeq ?? 0,
        acked: vm?.workload.acked,
      };
    });
    let pausedState: string | undefined;
    const changes: string[] = [];
    dst.host.onChange((vm) => changes.push(`${vm.spec.name}:${vm.run.state}`));

    const stats = await src.host.liveMigrate('VM1', NODE1);

    // The target's memory at resume is the source's at pause, byte for byte.
    expect(pausedState).toBe('Paused');
    expect(atPause?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(atResume?.digest).toBe(atPause?.digest);
    expect(atResume?.nextSeq).toBe(atPause?.nextSeq);
    expect(atResume?.acked).toEqual(atPause?.acked);
    expect(stats).toMatchObject({ vm: 'VM1', from: NODE2, to: NODE1, kind: 'live' });
    expect(stats.passes).toBeGreaterThanOrEqual(2);
    expect(stats.pass_bytes).toHaveLength(stats.passes);
    expect(stats.pass_bytes[0]).toBe(32 * MIB);
    expect(stats.bytes_copied).toBe(stats.pass_bytes.reduce((a, b) => a + b, 0));
    expect(stats.blackout_ms).toBeGreaterThan(0);
    expect(stats.blackout_ms).toBe(stats.resumed_at_ms - stats.paused_at_ms);
    expect(stats.blackout_ms).toBeLessThan(stats.duration_ms);
    expect(src.events.map((e) => e.phase)).toEqual([
      'setup',
      ...Array.from({ length: stats.passes - 1 }, () => 'pass'),
      'stop-and-copy',
      'resumed',
      'completed',
    ]);
    expect(changes.slice(0, 2)).toEqual(['VM1:Incoming', 'VM1:Running']);

    // The VM lives on the target only: it answers from there, and the source forgot it.
    expect(src.host.get('VM1')).toBeUndefined();
    expect(src.host.memoryDigest('VM1')).toBeNull();
    expect(src.nats.subs.has(subjects.vmEcho('VM1'))).toBe(false);
    expect(dst.nats.echo(subjects.vmEcho('VM1'))).toMatchObject({ vm: 'VM1', host: NODE1 });
    // Its workload carries on from the same seq, on the target's disk path.
    const carried = atPause?.nextSeq ?? 0;
    await pollUntil(() => dst.disk.writes.length > 3, {
      what: 'writes from the target',
      timeoutMs: 5000,
      intervalMs: 5,
    });
    expect(dst.disk.writes[0]?.seq).toBe(carried);
    expect(src.disk.writes.length).toBeGreaterThan(0);
    expect(src.disk.writes.every((w) => w.seq < carried)).toBe(true);

    const mbPerS = stats.bytes_copied / MIB / (stats.duration_ms / 1000);
    console.log(
      `live migration of 32 MiB at 20000 dirty pages/s: ${stats.passes} passes ${JSON.stringify(stats.pass_bytes)}, ` +
        `${stats.bytes_copied} bytes in ${stats.duration_ms} ms (${mbPerS.toFixed(0)} MiB/s), blackout ${stats.blackout_ms} ms`,
    );
  });

  it('refuses a second migration to the same node while one is under way', async () => {
    await runningVm(src, spec('VM2', 32, 256));
    await runningVm(src, spec('VM3', 64, 256));
    const first = src.host.liveMigrate('VM2', NODE1);
    await expect(src.host.liveMigrate('VM3', NODE1)).rejects.toMatchObject({
      code: 'BAD_STATE',
      message: expect.stringMatching(/already under way \(VM VM2\)/),
    });
    await first;
    expect(dst.host.get('VM2')?.run.state).toBe('Running');
    expect(src.host.get('VM3')?.run.state).toBe('Running');
  });

  it('keeps the VM running on the source when the target cannot be reached', async () => {
    const before = src.host.get('VM3')?.epoch;
    const err = await src.host.liveMigrate('VM3', 'HVR2NODO3').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DcboxError);
    expect((err as DcboxError).code).toMatch(/UNAVAILABLE|TIMEOUT/);
    expect(src.host.get('VM3')).toMatchObject({
      run: { state: 'Running' },
      epoch: before,
      migratingTo: null,
    });
    expect(src.nats.echo(subjects.vmEcho('VM3'))).toMatchObject({ vm: 'VM3', host: NODE2 });
    expect(src.events.at(-1)).toMatchObject({ vm: 'VM3', phase: 'failed' });
  });

  it('quick-migrates: one full pass while paused, the blackout is the whole pause', async () => {
    const stats = await src.host.quickMigrate('VM3', NODE1);
    expect(stats).toMatchObject({ kind: 'quick', passes: 1, pass_bytes: [32 * MIB], bytes_copied: 32 * MIB });
    expect(stats.blackout_ms).toBeGreaterThan(0);
    expect(dst.host.get('VM3')?.run.state).toBe('Running');
    expect(src.host.get('VM3')).toBeUndefined();
    console.log(`quick migration of 32 MiB: ${stats.duration_ms} ms, blackout ${stats.blackout_ms} ms`);
  });

  it('refuses to migrate a VM in to a node where that VM is already running', async () => {
    await runningVm(src, spec('VM1', 96, 256));
    await expect(src.host.liveMigrate('VM1', NODE1)).rejects.toMatchObject({
      message: expect.stringMatching(/VM VM1 is already Running on HVR2NODO1/),
    });
    expect(src.host.get('VM1')?.run.state).toBe('Running');
    expect(dst.host.get('VM1')?.run.state).toBe('Running');
  });

  it('moves a VM back into the memory it left behind, warm, with the bytes of the VM as it is now', async () => {
    // 8 MiB: no other VM of these tests has that size, so the memory kept is VM5's own.
    await runningVm(src, spec('VM5', 128, 20_000, 8));
    const srcKept = src.host.warmBytes();
    const dstKept = dst.host.warmBytes();
    await src.host.liveMigrate('VM5', NODE1);
    // The memory it left is kept: the pages the guest never wrote went as zero frames, unread.
    expect(src.host.warmBytes()).toBe(srcKept + 8 * MIB);
    await dst.host.liveMigrate('VM5', NODE2);
    // Back on the source, in the memory it left there; the target keeps what it had.
    expect(src.host.warmBytes()).toBe(srcKept);
    expect(dst.host.warmBytes()).toBe(dstKept + 8 * MIB);
    // The guest keeps dirtying its memory on the source again, so what the target kept is stale.
    await pollUntil(() => (src.host.get('VM5')?.workload.nextSeq ?? 0) > 5, {
      what: 'VM5 running on the source again',
      timeoutMs: 5000,
      intervalMs: 5,
    });
    let atPause: string | null = null;
    let atResume: string | null = null;
    src.host.onMigrationEvent((e) => {
      if (e.vm === 'VM5' && e.phase === 'resumed' && atPause === null) atPause = src.host.memoryDigest('VM5');
    });
    dst.host.onMigrationEvent((e) => {
      if (e.vm === 'VM5' && e.phase === 'resumed' && atResume === null)
        atResume = dst.host.memoryDigest('VM5');
    });
    await src.host.liveMigrate('VM5', NODE1);
    expect(dst.host.warmBytes()).toBe(dstKept);
    expect(atPause).toMatch(/^[0-9a-f]{64}$/);
    expect(atResume).toBe(atPause);
  });
});

describe('quick migration through the saved state on the CSV', () => {
  // How long either side waits for the other. Both nodes share this test's event loop, where the
  // digests of 32 MiB of memory below block it: 300 ms stalled the stream on a slow machine.
  const STALL_MS = 1000;
  it('saves the paused VM beside it on the CSV, moves it, and restores it there: the same memory', async () => {
    const csv = new MemoryVolume(128);
    const store = (n: string) =>
      new CsvSavedState(() => [csv], new LocalSavedState(`/tmp/dcbox-quick-${process.pid}-${n}`));
    const directory = [
      { name: NODE1, port: 24104 },
      { name: NODE2, port: 24105 },
    ];
    // Each side's store notes the memory it saved or restored (the guest dirties it again at once).
    const digests: { saved?: string; restored?: string } = {};
    const recording = (inner: SavedStateStore): SavedStateStore => ({
      // Slower than the target waits for a chunk (STALL_MS): the source must say it is still saving.
      save: async (vmSpec, memory) => {
        digests.saved = new GuestMemory(Buffer.from(memory)).digest();
        await new Promise((r) => setTimeout(r, 2.5 * STALL_MS));
        return inner.save(vmSpec, memory);
      },
      has: (vmSpec) => inner.has(vmSpec),
      // Slower than the source waits for the ack (STALL_MS): it must allow for the restore.
      load: async (vmSpec, into) => {
        await new Promise((r) => setTimeout(r, 2.5 * STALL_MS));
        const found = await inner.load(vmSpec, into);
        digests.restored = new GuestMemory(Buffer.from(into)).digest();
        return found;
      },
      discard: (vmSpec) => inner.discard(vmSpec),
      forget: (name) => inner.forget(name),
      shared: (vmSpec) => inner.shared(vmSpec),
    });
    const to = await node(NODE1, 1, 24104, directory, recording(store(NODE1)), STALL_MS);
    const from = await node(NODE2, 2, 24105, directory, recording(store(NODE2)), STALL_MS);
    try {
      await runningVm(from, spec('VM5', 160, 2000));
      const stats = await from.host.quickMigrate('VM5', NODE1);
      expect(stats).toMatchObject({ kind: 'quick', passes: 1, bytes_copied: 32 * MIB });
      // No page went over the stream: the target's memory came from the CSV.
      expect(to.events.some((e) => e.phase === 'pass')).toBe(false);
      expect(to.host.get('VM5')?.run.state).toBe('Running');
      expect(from.host.get('VM5')).toBeUndefined();
      expect(digests.saved).toBeDefined();
      expect(digests.restored).toBe(digests.saved);
      expect(await store('probe').has(spec('VM5', 160, 2000))).toBe(false);
      console.log(
        `quick migration of 32 MiB through the CSV: ${stats.duration_ms} ms, blackout ${stats.blackout_ms} ms`,
      );
    } finally {
      for (const n of [from, to]) {
        n.host.stop();
        await n.server.shutdown();
      }
    }
  });
});
