/**
 * One measurement session of the benchmark: a fresh data center brought up, measured and torn
 * down, run under the machine-wide test lock by bench/session-main.ts. Each session returns raw
 * samples; bench/bench.ts takes medians and sets them beside their baselines.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { type Clients, connect } from '../orchestrator/run/clients.js';
import { hostDir } from '../orchestrator/run/paths.js';
import { down } from '../orchestrator/run/sweep.js';
import { up } from '../orchestrator/run/up.js';
import { namespaceOf } from '../orchestrator/runtime/runtime.js';
import { Pinger } from '../orchestrator/scenario/seed.js';
import { TIMINGS } from '../orchestrator/topology/timing.js';
import type { ClusterEvent__Output } from '../services/generated/dcbox/cluster/v1/ClusterEvent.js';
import type { ClusterState__Output } from '../services/generated/dcbox/cluster/v1/ClusterState.js';
import type { MoveResponse__Output } from '../services/generated/dcbox/cluster/v1/MoveResponse.js';
import type { IoLoadResult__Output } from '../services/generated/dcbox/node/v1/IoLoadResult.js';
import type { RunStatus__Output } from '../services/generated/dcbox/orchestrator/v1/RunStatus.js';
import { pollUntil } from '../services/process/poll-until.js';
import { deadline, rpc } from '../services/transport/grpc.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';
const MIB = 1024 * 1024;

/** Session kinds: `seed` (startup, memory, failover), `lm-io` (migration and storage), `scale-N`. */
export type SessionKind = 'seed' | 'lm-io' | `scale-${number}`;

/** Raw samples of one session, keyed by what they measure. */
export type Samples = Record<string, number | string | boolean>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function state(c: Clients, node: string): Promise<ClusterState__Output> {
  return rpc<ClusterState__Output>((cb) => c.cluster(node).GetState({}, deadline(3000), cb));
}

function events(c: Clients, node: string): Promise<ClusterEvent__Output[]> {
  return rpc<{ events: ClusterEvent__Output[] }>((cb) =>
    c.cluster(node).Events({ since_index: 0 }, deadline(3000), cb),
  ).then((r) => r.events);
}

async function formed(c: Clients, node: string, members: number): Promise<void> {
  await pollUntil(
    async () => {
      const s = await state(c, node);
      return s.service_state === 'Running' && s.members.length === members && s.quorum?.has_quorum;
    },
    { what: 'the cluster to form with quorum', timeoutMs: 120_000 },
  );
}

async function online(c: Clients, vm: string, node: string): Promise<void> {
  await rpc((cb) =>
    c
      .cluster(node)
      .MakeHighlyAvailable({ vm, preferred_owners: [], allow_failback: false }, deadline(10_000), cb),
  );
  await rpc((cb) => c.cluster(node).Online({ name: vm }, deadline(10_000), cb));
  await pollUntil(
    async () => {
      const r = (await state(c, node)).roles.find((x) => x.name === vm);
      return r?.state === 'Online' && r.owner === node;
    },
    { what: `${vm} online on ${node}`, timeoutMs: 60_000 },
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Runs a command to completion and returns its stdout; fails on a non-zero exit. */
function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`)),
    );
  });
}

/**
 * `seed`: default timing. startupMs runs from `dcbox up` to the cluster formed with quorum and
 * VirtualMachine1 highly available and Online (the seed topology starts with no role online);
 * readyMs is `dcbox up`'s own "every service healthy". Then memory per host at steady state, then
 * blade 2 is powered off through the MM and the VM is pinged until it answers from HVR2NODO1.
 */
export async function seedSession(quick: boolean): Promise<Samples> {
  const timing = TIMINGS.default as NonNullable<(typeof TIMINGS)['default']>;
  const t0 = Date.now();
  const readyMs = await up({ topology: 'seed', timing: 'default', quiet: true });
  const c = connect();
  const p = new Pinger(c, 'VirtualMachine1');
  try {
    await formed(c, N1, 2);
    const formedMs = Date.now() - t0;
    await online(c, 'VirtualMachine1', N2);
    const startupMs = Date.now() - t0;
    p.start();
    await pollUntil(async () => p.replies.some((r) => r.ok && r.host === N2), {
      what: 'VirtualMachine1 answering from HVR2NODO2',
      timeoutMs: 10_000,
    });

    await sleep(quick ? 1000 : 5000); // steady state: heartbeats and the VM's disk workload running
    const status = await rpc<RunStatus__Output>((cb) => c.orchestrator.Status({}, deadline(5000), cb));
    // processes are [nats-server, service] (the order `dcbox status` prints).
    const natsMiB = status.hosts.map((h) => Number(h.processes[0]?.rss_bytes ?? 0) / MIB);
    const serviceMiB = status.hosts.map((h) => Number(h.processes[1]?.rss_bytes ?? 0) / MIB);
    const perHost = status.hosts.map((h) => h.processes.reduce((n, x) => n + Number(x.rss_bytes), 0) / MIB);

    const offAt = Date.now();
    await rpc((cb) => c.mm().Power({ kind: 'blade', bay: 2, action: 'off' }, deadline(30_000), cb));
    const back = await pollUntil(
      async () => p.replies.find((r) => r.ok && r.host === N1 && Number(r.sent_at_ms) >= offAt),
      { what: 'VirtualMachine1 answering from HVR2NODO1', timeoutMs: 120_000 },
    );
    const failoverMs = Number(back.sent_at_ms) - offAt;
    const detectionMs = timing.sameSubnetDelayMs * timing.sameSubnetThreshold;
    return {
      readyMs,
      formedMs,
      startupMs,
      rssMiBPerHost: median(perHost),
      rssMiBMax: Math.max(...perHost),
      natsMiB: median(natsMiB),
      serviceMiB: median(serviceMiB),
      hosts: perHost.length,
      failoverMs,
      detectionMs,
      failoverRatio: failoverMs / detectionMs,
    };
  } finally {
    p.stop();
    c.close();
    await down();
  }
}

async function iperf(c: Clients, seconds: number): Promise<number> {
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

/**
 * Writes through node → RSSM → storage controller with `depth` in flight for `ms`; ops per
 * second. The load runs inside the node (HyperVNode.RunIoLoad), as a VM's disk I/O does, through
 * the CSV volume and MPIO, in CSV1's free space far above the VMs' disks.
 */
async function nodeWrites(
  c: Clients,
  node: string,
  blockSize: number,
  sequential: boolean,
  depth: number,
  ms: number,
): Promise<number> {
  const r = await rpc<IoLoadResult__Output>((cb) =>
    c.node(node).RunIoLoad(
      {
        lun: 'CSV1',
        kind: 'write',
        block_size: blockSize,
        sequential,
        depth,
        duration_ms: ms,
        offset_base: 60 * 1024 * MIB,
        span_bytes: 256 * MIB,
      },
      deadline(ms + 60_000),
      cb,
    ),
  );
  if (r.errors > 0) throw new Error(`${r.errors} writes failed in the load on ${node}: ${r.first_error}`);
  return r.ops_per_sec;
}

/** fio on the storage controller's data folder, same durability (fdatasync per write) and depth. */
async function fio(
  blockSize: string,
  rw: 'randwrite' | 'write',
  jobs: number,
  seconds: number,
): Promise<number> {
  const dir = mkdtempSync(join(hostDir('storage'), 'data', 'fio-'));
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

/**
 * `lm-io`: default timing. A VM (1 GiB, or 128 MiB when quick) is created on HVR2NODO2 and
 * live-migrated back and forth: first with its default workload for the copy rate, then idle
 * (almost no dirty pages) for the blackout. iperf3 between the same namespaces is the baseline.
 * Then writes generated inside the node (RunIoLoad) through its CSV, MPIO, an RSSM and the
 * controller, against fio on the controller's own disk.
 */
export async function lmIoSession(quick: boolean): Promise<Samples> {
  const reps = quick ? 1 : 3;
  // The copy rate of one move swings by ±30 % on a shared 2-core machine (page faults of the
  // target's fresh 1 GiB, the other services' timers), so it takes five moves for a steady median.
  const copyReps = quick ? 1 : 5;
  const memoryMiB = quick ? 128 : 1024;
  const ioMs = quick ? 1000 : 5000;
  const vm = 'BenchVM';
  await up({ topology: 'seed', timing: 'default', quiet: true });
  const c = connect();
  const p = new Pinger(c, vm);
  try {
    await formed(c, N1, 2);
    await rpc((cb) =>
      c.node(N2).CreateVm(
        {
          name: vm,
          memory_mib: memoryMiB,
          disk_path: `C:\\ClusterStorage\\Volume1\\${vm}\\${vm}.vhd`,
          disk_size_mib: 64,
          switch_name: 'VMs',
        },
        deadline(30_000),
        cb,
      ),
    );
    await online(c, vm, N2);
    p.start();
    await pollUntil(async () => p.replies.some((r) => r.ok), { what: `${vm} answering`, timeoutMs: 10_000 });

    let owner = N2;
    const move = async () => {
      const to = owner === N1 ? N2 : N1;
      const from = Date.now();
      const r = await rpc<MoveResponse__Output>((cb) =>
        c.cluster(N1).Move({ role: vm, to, live: true }, deadline(300_000), cb),
      );
      await pollUntil(
        async () => p.replies.some((x) => x.ok && x.host === to && Number(x.sent_at_ms) >= from),
        { what: `${vm} answering from ${to}`, timeoutMs: 10_000 },
      );
      owner = to;
      const m = r.migration;
      if (!m) throw new Error('the move returned no migration stats');
      const ping = p.between(from, Date.now());
      return { m, lost: ping.filter((x) => !x.ok).length, sent: ping.length };
    };

    const tcp: number[] = [];
    const lm: number[] = [];
    for (let i = 0; i < copyReps; i++) {
      tcp.push(await iperf(c, quick ? 1 : 3));
      const { m } = await move();
      lm.push(Number(m.bytes_copied) / (Number(m.duration_ms) / 1000));
    }

    // Idle: no disk workload and (almost) no dirtied pages, so the last pass is tiny.
    await rpc((cb) =>
      c
        .node(owner)
        .SetWorkload({ vm, enabled: false, interval_ms: 0, dirty_pages_per_sec: 1 }, deadline(3000), cb),
    );
    const blackout: number[] = [];
    let lostPings = 0;
    let pingsDuring = 0;
    for (let i = 0; i < reps; i++) {
      await sleep(500);
      const r = await move();
      blackout.push(Number(r.m.blackout_ms));
      lostPings += r.lost;
      pingsDuring += r.sent;
    }

    const writer = (await state(c, N1)).csv[0]?.owner ?? N1;
    const iops: number[] = [];
    const fioIops: number[] = [];
    const seq: number[] = [];
    const fioSeq: number[] = [];
    for (let i = 0; i < reps; i++) {
      iops.push(await nodeWrites(c, writer, 4096, false, 32, ioMs));
      fioIops.push(await fio('4k', 'randwrite', 32, ioMs / 1000));
      seq.push((await nodeWrites(c, writer, MIB, true, 32, ioMs)) * 1);
      fioSeq.push(await fio('1M', 'write', 32, ioMs / 1000));
    }
    return {
      reps,
      memoryMiB,
      tcpMBps: median(tcp) / 1e6,
      lmMBps: median(lm) / 1e6,
      lmThroughputRatio: median(lm) / median(tcp),
      copyReps,
      lmRatios: lm.map((x, i) => (x / (tcp[i] as number)).toFixed(2)).join(', '),
      lmBlackoutMs: median(blackout),
      blackoutLostPings: lostPings,
      blackoutPings: pingsDuring,
      iops: median(iops),
      fioIops: median(fioIops),
      iopsRatio: median(iops) / median(fioIops),
      seqMBps: median(seq) * (MIB / 1e6),
      fioSeqMBps: median(fioSeq) * (MIB / 1e6),
      seqWriteRatio: median(seq) / median(fioSeq),
      writer,
    };
  } finally {
    p.stop();
    c.close();
    await down();
  }
}

/**
 * A topology with `n` blades (the BladeCenter S has six bays) and `perNode` VMs on each: the
 * first of each node as before (64 MiB, 64 MiB disk), the others small (32 MiB of memory, which
 * is only resident once touched, and a 1 MiB disk).
 */
export function scaleTopology(n: number, perNode = 1): string {
  const nodes = Array.from({ length: n }, (_, i) => `HVR2NODO${i + 1}`);
  const lines = [
    `name: scale-${n}`,
    'network:',
    '  subnet: 198.18.0.0/24',
    'chassis:',
    '  name: BCS-DCBOX',
    '  model: IBM BladeCenter S',
    '  managementModule:',
    '    host: mm',
    '    credentials: { username: USERID, password: PASSW0RD }',
    '  blades:',
    ...nodes.map((name, i) => `    - { bay: ${i + 1}, node: ${name} }`),
    '  ioModules:',
    '    - { bay: 3, host: rssm3, type: rssm }',
    '    - { bay: 4, host: rssm4, type: rssm }',
    '  storageModules:',
    '    - { bay: 1, drives: 6 }',
    '    - { bay: 2, drives: 6 }',
    'storage:',
    '  host: storage',
    '  luns:',
    `    - { name: Quorum, size: 10GB, mappedTo: [${nodes.join(', ')}] }`,
    `    - { name: CSV1, size: 100GB, mappedTo: [${nodes.join(', ')}] }`,
    'witness:',
    '  host: quorum',
    '  kind: disk',
    '  lun: Quorum',
    'nodes:',
    ...nodes.flatMap((name) => [
      `  - name: ${name}`,
      '    features: [Microsoft-Hyper-V, MultipathIo, FailoverCluster-Core]',
      '    mpio: { enabled: true, policy: failover-only }',
      '    virtualSwitches: [VMs]',
    ]),
    'workstation:',
    '  host: workstation',
    'cluster:',
    '  name: HVR2CLUSTER',
    '  quorum: node-and-disk-majority',
    '  sharedVolumes:',
    "    - { lun: CSV1, path: 'C:\\ClusterStorage\\Volume1' }",
    'vms:',
    ...nodes.flatMap((name, i) =>
      scaleVms(i + 1, perNode).flatMap((vm, k) => [
        `  - name: ${vm}`,
        `    memoryMiB: ${k === 0 ? 64 : 32}`,
        `    disk: 'C:\\ClusterStorage\\Volume1\\${vm}\\${vm}.vhd'`,
        `    diskSizeMiB: ${k === 0 ? 64 : 1}`,
        '    switch: VMs',
        `    node: ${name}`,
      ]),
    ),
    'timing: default',
    '',
  ];
  return lines.join('\n');
}

/** The VMs of node `i` in a scale topology: ScaleVM<i>, then S<i>x2 … S<i>x<perNode>. */
function scaleVms(i: number, perNode: number): string[] {
  return [`ScaleVM${i}`, ...Array.from({ length: perNode - 1 }, (_, k) => `S${i}x${k + 2}`)];
}

/** Retries an operation a few times a second apart: a busy leader may time a command out. */
async function retried<T>(what: string, f: () => Promise<T>, attempts = 6): Promise<T> {
  for (let a = 1; ; a++) {
    try {
      return await f();
    } catch (err) {
      if (a >= attempts) throw new Error(`${what}: ${(err as Error).message}`);
      await sleep(1000);
    }
  }
}

/**
 * `scale-N` (one VM per node) or `scale-NxK` (K per node): default timing, every VM made highly
 * available and brought online by eight workers at a time (as an operator's script would), each
 * VM then quiet (a record every 10 s, one dirtied page a second), and the cluster watched for
 * `watchMs`; a false failover is any node removal (Event 1135) or failover event while nothing
 * was faulted. Runs with no dashboard, as a scale test would.
 */
export async function scaleSession(n: number, watchMs: number, perNode = 1): Promise<Samples> {
  const dir = mkdtempSync('/tmp/dcbox-bench-');
  const file = join(dir, `scale-${n}x${perNode}.yaml`);
  writeFileSync(file, scaleTopology(n, perNode));
  try {
    const t0 = Date.now();
    await up({ topology: file, timing: 'default', quiet: true, dashboard: 'off' });
    const c = connect();
    try {
      await formed(c, 'HVR2NODO1', n);
      const work: [string, string][] = [];
      for (let i = 1; i <= n; i++) for (const vm of scaleVms(i, perNode)) work.push([vm, `HVR2NODO${i}`]);
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < work.length; i = next++) {
          const [vm, node] = work[i] as [string, string];
          await retried(`make ${vm} highly available`, () =>
            rpc((cb) =>
              c
                .cluster(node)
                .MakeHighlyAvailable(
                  { vm, preferred_owners: [], allow_failback: false },
                  deadline(60_000),
                  cb,
                ),
            ).catch((err: Error) => {
              if (!/already/i.test(err.message)) throw err;
            }),
          );
          await retried(`bring ${vm} online`, () =>
            rpc((cb) => c.cluster(node).Online({ name: vm }, deadline(60_000), cb)),
          );
          await retried(`quiet ${vm}`, () =>
            rpc((cb) =>
              c
                .node(node)
                .SetWorkload(
                  { vm, enabled: true, interval_ms: 10_000, dirty_pages_per_sec: 1 },
                  deadline(60_000),
                  cb,
                ),
            ),
          );
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      await pollUntil(
        async () =>
          (await state(c, 'HVR2NODO1')).roles.filter((r) => r.state === 'Online').length === work.length,
        { what: `all ${work.length} VMs online`, timeoutMs: 300_000 },
      );
      const startupMs = Date.now() - t0;
      const watchFrom = Date.now();
      await sleep(watchMs);
      let falseFailovers = 0;
      for (let i = 1; i <= n; i++)
        falseFailovers += (await events(c, `HVR2NODO${i}`)).filter(
          (e) => Number(e.time_ms) >= watchFrom && (e.event_id === 1135 || e.kind === 'failover'),
        ).length;
      const roles = (await state(c, 'HVR2NODO1')).roles;
      const rss = await rpc<RunStatus__Output>((cb) => c.orchestrator.Status({}, deadline(5000), cb));
      const nodeRss = rss.hosts
        .filter((h) => h.component === 'hyperv-node')
        .map((h) => h.processes.reduce((a, p) => a + Number(p.rss_bytes), 0) / MIB);
      return {
        nodes: n,
        perNode,
        nodeRssMiBMax: Math.round(Math.max(...nodeRss)),
        loadAvg1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
        vms: roles.filter((r) => r.state === 'Online').length,
        startupMs,
        watchedMs: watchMs,
        falseFailovers,
        ok: falseFailovers === 0,
      };
    } finally {
      c.close();
      await down();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
