/**
 * The scale session: a topology of up to six blades with many VMs each, every VM brought online
 * by a few workers at a time, then the cluster watched for false failovers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { type Clients, connect } from '../orchestrator/run/clients.js';
import { down } from '../orchestrator/run/sweep.js';
import { up } from '../orchestrator/run/up.js';
import type { RunStatus__Output } from '../services/generated/dcbox/orchestrator/v1/RunStatus.js';
import { pollUntil } from '../services/process/poll-until.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { events, formed, MIB, type Samples, sleep, state } from './session-support.js';

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
      const work = scaleWork(n, perNode);
      await Promise.all(Array.from({ length: WORKERS }, worker(c, work)));
      await pollUntil(
        async () =>
          (await state(c, 'HVR2NODO1')).roles.filter((r) => r.state === 'Online').length === work.length,
        { what: `all ${work.length} VMs online`, timeoutMs: 300_000 },
      );
      const startupMs = Date.now() - t0;
      const watchFrom = Date.now();
      await sleep(watchMs);
      const falseFailovers = await countFalseFailovers(c, n, watchFrom);
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

/** How many VMs are made highly available and brought online at once, as an operator's script would. */
const WORKERS = 8;

/** Every VM of a scale topology with the node it starts on, node by node. */
export function scaleWork(n: number, perNode: number): [string, string][] {
  const work: [string, string][] = [];
  for (let i = 1; i <= n; i++) for (const vm of scaleVms(i, perNode)) work.push([vm, `HVR2NODO${i}`]);
  return work;
}

/**
 * The workers' loop over one shared cursor (every call of the returned function is one worker):
 * each takes the next VM not yet taken, makes it highly available (already being so is fine),
 * brings it online and quiets it, until none is left.
 */
function worker(c: Clients, work: [string, string][]): () => Promise<void> {
  let next = 0;
  const one = async (vm: string, node: string) => {
    await retried(`make ${vm} highly available`, () =>
      rpc((cb) =>
        c
          .cluster(node)
          .MakeHighlyAvailable({ vm, preferred_owners: [], allow_failback: false }, deadline(60_000), cb),
      ).catch((err: Error) => {
        if (!/already/i.test(err.message)) throw err;
      }),
    );
    await retried(`bring ${vm} online`, () =>
      rpc((cb) => c.cluster(node).Online({ name: vm }, deadline(60_000), cb)),
    );
    const quiet = { vm, enabled: true, interval_ms: 10_000, dirty_pages_per_sec: 1 };
    await retried(`quiet ${vm}`, () => rpc((cb) => c.node(node).SetWorkload(quiet, deadline(60_000), cb)));
  };
  return async () => {
    for (let i = next++; i < work.length; i = next++) {
      const [vm, node] = work[i] as [string, string];
      await one(vm, node);
    }
  };
}

/** Node removals (Event 1135) and failovers any node logged since `fromMs`: none was faulted. */
async function countFalseFailovers(c: Clients, n: number, fromMs: number): Promise<number> {
  let falseFailovers = 0;
  for (let i = 1; i <= n; i++)
    falseFailovers += (await events(c, `HVR2NODO${i}`)).filter(
      (e) => Number(e.time_ms) >= fromMs && (e.event_id === 1135 || e.kind === 'failover'),
    ).length;
  return falseFailovers;
}
