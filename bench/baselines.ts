/**
 * The loads a benchmark measures and the baselines it sets them beside: iperf3 between two nodes'
 * namespaces, writes generated inside a node through its CSV, and fio on the controller's disk.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Clients } from '../orchestrator/run/clients.js';
import { hostDir } from '../orchestrator/run/paths.js';
import { namespaceOf } from '../orchestrator/runtime/runtime.js';
import type { IoLoadResult__Output } from '../services/generated/dcbox/node/v1/IoLoadResult.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { MIB, N1, N2, run } from './session-support.js';

/** Bytes per second iperf3 carries from HVR2NODO2's namespace to HVR2NODO1's in `seconds`. */
export async function iperf(c: Clients, seconds: number): Promise<number> {
  const addr = c.host(N1).address;
  let last = '';
  // A fresh one-off server for every attempt: a client that raced the server's start leaves a
  // one-off server gone, and iperf3 can exit 0 with an error in its JSON.
  for (let attempt = 0; attempt < 5; attempt++) {
    const server = spawn('ip', ['netns', 'exec', namespaceOf(N1), 'iperf3', '-s', '-1', '-B', addr], {
      stdio: 'ignore',
    });
    try {
      await new Promise((r) => setTimeout(r, 300 + attempt * 200));
      const out = await run('ip', [
        'netns',
        'exec',
        namespaceOf(N2),
        'iperf3',
        '-c',
        addr,
        '-t',
        String(seconds),
        '-J',
      ]).catch((err: Error) => err.message);
      try {
        const j = JSON.parse(out) as {
          end?: { sum_received?: { bits_per_second?: number } };
          error?: string;
        };
        const bps = j.end?.sum_received?.bits_per_second;
        if (bps) return bps / 8;
        last = j.error ?? 'no sum_received in the iperf3 report';
      } catch {
        last = out.slice(0, 200);
      }
    } finally {
      server.kill();
    }
  }
  throw new Error(`iperf3 did not measure the link after 5 attempts: ${last}`);
}

/** Where the loads write: CSV1's free space far above the VMs' disks. */
export const LOAD_REGION = { lun: 'CSV1', offsetBase: 60 * 1024 * MIB, spanBytes: 256 * MIB } as const;

/**
 * Writes through node → RSSM → storage controller with `depth` in flight for `ms`, in
 * LOAD_REGION; throws when a write failed. The load runs inside the node (HyperVNode.RunIoLoad),
 * as a VM's disk I/O does, through the CSV volume and MPIO. `ops_per_sec` is the figure.
 */
export async function nodeWrites(
  c: Clients,
  node: string,
  blockSize: number,
  sequential: boolean,
  depth: number,
  ms: number,
): Promise<IoLoadResult__Output> {
  const r = await rpc<IoLoadResult__Output>((cb) =>
    c.node(node).RunIoLoad(
      {
        lun: LOAD_REGION.lun,
        kind: 'write',
        block_size: blockSize,
        sequential,
        depth,
        duration_ms: ms,
        offset_base: LOAD_REGION.offsetBase,
        span_bytes: LOAD_REGION.spanBytes,
      },
      deadline(ms + 60_000),
      cb,
    ),
  );
  if (r.errors > 0) throw new Error(`${r.errors} writes failed in the load on ${node}: ${r.first_error}`);
  return r;
}

/**
 * Writes every block of LOAD_REGION once, sequentially, as fio lays out its file (`fio`,
 * --overwrite=1) before a timed run: the random writes then overwrite written blocks on both
 * sides. On the controller's sparse LUN file the first write to a block also allocates it, and
 * the fdatasync that follows commits that metadata too (before this, the bench's first
 * repetition was ~20% slower than the next two).
 */
export async function layOutLoadRegion(c: Clients, node: string): Promise<void> {
  for (let ms = 2000; ms <= 16_000; ms *= 2) {
    const r = await nodeWrites(c, node, MIB, true, 32, ms);
    if (Number(r.bytes) >= LOAD_REGION.spanBytes) return;
  }
  throw new Error(
    `laying out ${LOAD_REGION.spanBytes} bytes of ${LOAD_REGION.lun} on ${node} took over 16 s`,
  );
}

/**
 * fio on the storage controller's data folder, same durability (fdatasync per write) and depth.
 * Both sides count a write only once an fdatasync that began after it returned. The controller
 * commits in groups in user space (services/storage-controller/store.ts): the writes that arrive
 * while a LUN's fdatasync runs are written together, then synced once, so 32 in flight share a
 * few syncs. fio's 32 psync jobs each call fdatasync on the same file after every write, and the
 * kernel groups them instead: an fdatasync writes back every dirty page of the file (the other
 * jobs' too), and the journal commits and cache flushes of fdatasyncs that overlap are merged.
 */
export async function fio(
  blockSize: string,
  rw: 'randwrite' | 'write',
  jobs: number,
  seconds: number,
  parent = join(hostDir('storage'), 'data'),
): Promise<number> {
  const dir = mkdtempSync(join(parent, 'fio-'));
  try {
    const out = await run('fio', [
      '--name=bench',
      `--directory=${dir}`,
      `--rw=${rw}`,
      `--bs=${blockSize}`,
      `--numjobs=${jobs}`,
      '--ioengine=psync',
      '--fdatasync=1',
      '--time_based',
      `--runtime=${seconds}`,
      '--group_reporting',
      '--filename=shared.dat',
      // Lay the file out by writing it before the timed run, as the bench does with the node's
      // region (layOutLoadRegion): both sides then overwrite written blocks. Without it fio only
      // fallocates, and each first write converts an unwritten extent, a metadata change the
      // fdatasync commits: 4 KiB random writes measured 27-28k IOPS that way against 40-54k
      // laid out here (sequential writes: no difference, each job rewrites its own slice).
      '--overwrite=1',
      // Random writes share one 256 MiB file; sequential writers each stream their own slice of it.
      ...(rw === 'write'
        ? [`--offset_increment=${Math.floor(256 / jobs)}M`, `--size=${Math.floor(256 / jobs)}M`]
        : ['--size=256M']),
      '--output-format=json',
    ]);
    const j = JSON.parse(out) as { jobs: { write: { iops: number } }[] };
    return j.jobs[0]?.write.iops ?? 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
