/**
 * The scale session: a topology of up to 16 blades (one chassis of six bays, or several chassis
 * sharing the storage beyond six) with many VMs each, every VM brought online by a few workers at
 * a time, then the cluster watched for false failovers while one VM is live-migrated and one
 * blade is powered off through its chassis's management module.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { type Clients, connect } from '../orchestrator/run/clients.js';
import { down } from '../orchestrator/run/sweep.js';
import { up } from '../orchestrator/run/up.js';
import type { MoveResponse__Output } from '../services/generated/dcbox/cluster/v1/MoveResponse.js';
import type { RunStatus__Output } from '../services/generated/dcbox/orchestrator/v1/RunStatus.js';
import { pollUntil } from '../services/process/poll-until.js';
import { mapPooled } from '../services/process/pooled.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { EchoWatch } from './echo.js';
import { events, formed, MIB, type Samples, sleep, state } from './session-support.js';
import { longestSilenceMs } from './verdict.js';

/** Blade bays of a BladeCenter S: a scale topology of more nodes takes several chassis. */
const BAYS_PER_CHASSIS = 6;

/**
 * Where node `i` (from 1) of an `n`-node scale topology sits: the management module of its chassis
 * and its bay. Up to six nodes share one chassis (MM `mm`); beyond, chassis k holds nodes
 * 6k−5 … 6k (MM `mm<k>`), so 16 nodes fill 6 + 6 + 4 bays.
 */
export function scaleSlot(n: number, i: number): { mm: string; bay: number } {
  if (n <= BAYS_PER_CHASSIS) return { mm: 'mm', bay: i };
  return { mm: `mm${Math.ceil(i / BAYS_PER_CHASSIS)}`, bay: ((i - 1) % BAYS_PER_CHASSIS) + 1 };
}

/**
 * The VMs of each of `n` nodes: `perNode` each, or, given a `total`, that many spread as evenly
 * as they go (the first nodes take one more), e.g. 1000 over 16 nodes as 8 × 63 + 8 × 62.
 */
export function vmCounts(n: number, perNode: number, total?: number): number[] {
  if (total === undefined) return Array.from({ length: n }, () => perNode);
  const base = Math.floor(total / n);
  return Array.from({ length: n }, (_, i) => base + (i < total % n ? 1 : 0));
}

/** The chassis lines of a scale topology: one chassis as a mapping, several as a list. */
function chassisLines(nodes: string[]): string[] {
  if (nodes.length <= BAYS_PER_CHASSIS)
    return [
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
    ];
  // Several chassis lead through their own I/O modules to the one shared storage controller,
  // which stands for an external array (docs/domain.md §Several chassis); no DSMs then.
  const chassis = Math.ceil(nodes.length / BAYS_PER_CHASSIS);
  return [
    'chassis:',
    ...Array.from({ length: chassis }, (_, k) => [
      `  - name: BCS-DCBOX-${k + 1}`,
      '    model: IBM BladeCenter S',
      '    managementModule:',
      `      host: mm${k + 1}`,
      '      credentials: { username: USERID, password: PASSW0RD }',
      '    blades:',
      ...nodes
        .slice(k * BAYS_PER_CHASSIS, (k + 1) * BAYS_PER_CHASSIS)
        .map((name, i) => `      - { bay: ${i + 1}, node: ${name} }`),
      '    ioModules:',
      `      - { bay: 3, host: rssm${k + 1}-3, type: rssm }`,
      `      - { bay: 4, host: rssm${k + 1}-4, type: rssm }`,
    ]).flat(),
  ];
}

/**
 * A topology with `n` blades (six a chassis, docs/domain.md §Chassis) and `perNode` VMs on each,
 * or `total` VMs spread over them: the first of each node as before (64 MiB, 64 MiB disk), the
 * others small (32 MiB of memory, which is only resident once touched, and a 1 MiB disk).
 */
export function scaleTopology(n: number, perNode = 1, total?: number): string {
  const nodes = Array.from({ length: n }, (_, i) => `HVR2NODO${i + 1}`);
  const counts = vmCounts(n, perNode, total);
  const lines = [
    `name: scale-${n}`,
    'network:',
    '  subnet: 198.18.0.0/24',
    ...chassisLines(nodes),
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
      scaleVms(i + 1, counts[i] ?? 1).flatMap((vm, k) => [
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

/** The `count` VMs of node `i` in a scale topology: ScaleVM<i>, then S<i>x2 … S<i>x<count>. */
function scaleVms(i: number, count: number): string[] {
  return [`ScaleVM${i}`, ...Array.from({ length: count - 1 }, (_, k) => `S${i}x${k + 2}`)];
}

/** Retries an operation a few times a second apart: a busy leader may time a command out. */
async function retried<T>(what: string, f: () => Promise<T>, attempts = 30): Promise<T> {
  for (let a = 1; ; a++) {
    try {
      return await f();
    } catch (err) {
      if (a >= attempts) throw new Error(`${what}: ${(err as Error).message}`);
      await sleep(1000);
    }
  }
}

/** How the scale session's VMs are given: so many per node, or a total spread over the nodes. */
export type ScaleVms = { perNode: number } | { total: number };

/**
 * `scale-N` (one VM per node), `scale-NxK` (K per node) or `scale-NvT` (T in all): default timing,
 * every VM made highly available and brought online by eight workers at a time (as an operator's
 * script would), each VM then quiet (a record every 10 s, one dirtied page a second), and the
 * cluster watched for `watchMs`. A third of the way in, one VM is live-migrated; two thirds in,
 * the last blade is powered off through its own chassis's management module and its VMs fail
 * over. A false failover is any node removal (Event 1135) or failover event that the power-off
 * does not explain. The largest node's memory and the load are taken just before the power-off.
 * Runs with no dashboard, as a scale test would.
 */
export async function scaleSession(
  n: number,
  watchMs: number,
  vms: ScaleVms = { perNode: 1 },
): Promise<Samples> {
  const counts = 'total' in vms ? vmCounts(n, 0, vms.total) : vmCounts(n, vms.perNode);
  const dir = mkdtempSync('/tmp/dcbox-bench-');
  const file = join(dir, `scale-${n}.yaml`);
  writeFileSync(
    file,
    scaleTopology(n, 'total' in vms ? 1 : vms.perNode, 'total' in vms ? vms.total : undefined),
  );
  try {
    const t0 = Date.now();
    await up({ topology: file, timing: 'default', quiet: true, dashboard: 'off' });
    const c = connect();
    try {
      const work = await allOnline(c, n, counts);
      const startupMs = Date.now() - t0;
      const watchFrom = Date.now();
      // Not judged, only shown: removals while the VMs came up, when the machine is busiest.
      const setupFailovers = await countFalseFailovers(c, n, t0, null);
      const third = Math.floor(watchMs / 3);
      await sleep(third);
      const lm = n > 1 ? await liveMigration(c) : {};
      await sleep(Math.max(0, watchFrom + 2 * third - Date.now()));
      const steady = await steadyFigures(c);
      const victim = n > 1 ? `HVR2NODO${n}` : null;
      const fo = victim ? await bladeFailover(c, n, counts[n - 1] ?? 1) : {};
      await sleep(Math.max(0, watchFrom + watchMs - Date.now()));
      const falseFailovers = await countFalseFailovers(c, n, watchFrom, victim);
      const roles = (await state(c, 'HVR2NODO1')).roles;
      return {
        nodes: n,
        perNode: Math.max(...counts),
        ...steady,
        vms: roles.filter((r) => r.state === 'Online').length,
        vmsStarted: work.length,
        startupMs,
        watchedMs: Date.now() - watchFrom,
        falseFailovers,
        setupFailovers,
        ...lm,
        ...fo,
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

/** Forms the cluster and brings every VM online; the work list, once all are. */
async function allOnline(c: Clients, n: number, counts: number[]): Promise<[string, string][]> {
  await formed(c, 'HVR2NODO1', n);
  const work = scaleWork(n, counts);
  await mapPooled(work, WORKERS, ([vm, node]) => bringUp(c, vm, node));
  await pollUntil(
    async () =>
      (await state(c, 'HVR2NODO1')).roles.filter((r) => r.state === 'Online').length === work.length,
    { what: `all ${work.length} VMs online`, timeoutMs: 300_000 },
  );
  return work;
}

/** The largest node's memory (service + nats-server RSS) and the machine's load, now. */
async function steadyFigures(c: Clients): Promise<Samples> {
  const rss = await rpc<RunStatus__Output>((cb) => c.orchestrator.Status({}, deadline(5000), cb));
  const nodeRss = rss.hosts
    .filter((h) => h.component === 'hyperv-node')
    .map((h) => h.processes.reduce((a, p) => a + Number(p.rss_bytes), 0) / MIB);
  return {
    nodeRssMiBMax: Math.round(Math.max(...nodeRss)),
    loadAvg1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/**
 * Live-migrates ScaleVM1 from HVR2NODO1 to HVR2NODO2 under the full load: the wall time from the
 * request until the workstation's echo answers from the target, the longest silence the echo saw
 * meanwhile, and the node's own blackout figure (quoted only).
 */
async function liveMigration(c: Clients): Promise<Samples> {
  const [vm, to] = ['ScaleVM1', 'HVR2NODO2'];
  const echo = new EchoWatch(c, vm).start();
  try {
    const from = Date.now();
    const r = await rpc<MoveResponse__Output>((cb) =>
      c.cluster('HVR2NODO1').Move({ role: vm, to, live: true }, deadline(300_000), cb),
    );
    const answeredAt = await pollUntil(async () => echo.firstAnswerFrom(to, from), {
      what: `${vm} answering from ${to}`,
      timeoutMs: 60_000,
    });
    return {
      lmMs: Math.round(answeredAt - from),
      lmSilenceMs: Math.round(longestSilenceMs(echo.echoes, from, answeredAt) ?? -1),
      lmNodeBlackoutMs: Number(r.migration?.blackout_ms ?? -1),
    };
  } finally {
    echo.stop();
  }
}

/**
 * Powers the last blade off through the management module of its own chassis and times, from
 * the power-off request, the first echo its first VM answers from another node and the moment
 * all `vmsOnVictim` of its VMs are online elsewhere.
 */
async function bladeFailover(c: Clients, n: number, vmsOnVictim: number): Promise<Samples> {
  const victim = `HVR2NODO${n}`;
  const vm = `ScaleVM${n}`;
  const { mm, bay } = scaleSlot(n, n);
  const echo = new EchoWatch(c, vm).start();
  try {
    await pollUntil(async () => echo.firstAnswerFrom(victim, 0), {
      what: `${vm} answering`,
      timeoutMs: 30_000,
    });
    const offAt = Date.now();
    await rpc((cb) => c.mm(mm).Power({ kind: 'blade', bay, action: 'off' }, deadline(30_000), cb));
    const answeredAt = await pollUntil(
      async () => {
        const at = echo.echoes
          .filter((x) => x.ok && x.host !== victim && x.sentAtMs >= offAt)
          .map((x) => x.sentAtMs + x.rttUs / 1000);
        return at.length ? Math.min(...at) : null;
      },
      { what: `${vm} answering from another node`, timeoutMs: 180_000 },
    );
    const mine = new Set(scaleVms(n, vmsOnVictim));
    const allAt = await pollUntil(
      async () => {
        const back = (await state(c, 'HVR2NODO1')).roles.filter(
          (r) => mine.has(r.name) && r.state === 'Online' && r.owner !== victim,
        );
        return back.length === mine.size ? Date.now() : null;
      },
      { what: `the ${mine.size} VMs of ${victim} online elsewhere`, timeoutMs: 300_000, intervalMs: 500 },
    );
    return {
      failoverBlade: `${mm} bay ${bay}`,
      failoverAnswerMs: Math.round(answeredAt - offAt),
      failoverAllMs: allAt - offAt,
      failoverVms: mine.size,
    };
  } finally {
    echo.stop();
  }
}

/** How many VMs are made highly available and brought online at once, as an operator's script would. */
const WORKERS = 8;

/** Every VM of a scale topology with the node it starts on, node by node (`counts[i]` on node i+1). */
export function scaleWork(n: number, counts: number[]): [string, string][] {
  const work: [string, string][] = [];
  for (let i = 1; i <= n; i++)
    for (const vm of scaleVms(i, counts[i - 1] ?? 1)) work.push([vm, `HVR2NODO${i}`]);
  return work;
}

/** Makes one VM highly available from the node it was created on, brings it online and quiets it. */
async function bringUp(c: Clients, vm: string, node: string): Promise<void> {
  await retried(`make ${vm} highly available`, () => makeHa(c, vm, node));
  await retried(`bring ${vm} online`, () =>
    rpc((cb) => c.cluster(node).Online({ name: vm }, deadline(60_000), cb)),
  );
  // Quieted where it runs: a node removed meanwhile may have passed the role to another.
  const quiet = { vm, enabled: true, interval_ms: 10_000, dirty_pages_per_sec: 1 };
  await retried(`quiet ${vm}`, async () => {
    const owner = await ownerOf(c, node, vm);
    await rpc((cb) => c.node(owner).SetWorkload(quiet, deadline(60_000), cb));
  });
}

/**
 * Makes `vm` highly available from `node`, as an operator's script that checks before it retries:
 * a call that timed out may have made the role, and the role may since have moved (an offline
 * group's owner leaves a node the cluster removed, and the VM goes with it), so a role that
 * already exists is done rather than a VM not found.
 */
async function makeHa(c: Clients, vm: string, node: string): Promise<void> {
  const req = { vm, preferred_owners: [], allow_failback: false };
  await rpc((cb) => c.cluster(node).MakeHighlyAvailable(req, deadline(60_000), cb)).catch(
    async (err: Error) => {
      if (/already/i.test(err.message)) return;
      if ((await state(c, node)).roles.some((r) => r.name === vm)) return;
      throw err;
    },
  );
}

/**
 * The node that owns `vm`'s role, as `asked` sees the cluster, or HVR2NODO1 when `asked` does not
 * answer: an operator asks the cluster, not one node of it.
 */
async function ownerOf(c: Clients, asked: string, vm: string): Promise<string> {
  const s = await state(c, asked).catch(() => state(c, 'HVR2NODO1'));
  const owner = s.roles.find((r) => r.name === vm)?.owner;
  if (!owner) throw new Error(`no owner of ${vm} in the cluster's state`);
  return owner;
}

/**
 * Node removals (Event 1135) and failovers any running node logged since `fromMs` that the
 * power-off of `victim` does not explain: its removal and its roles failing over are expected,
 * anything else is false. The victim itself is off and is not asked.
 */
async function countFalseFailovers(
  c: Clients,
  n: number,
  fromMs: number,
  victim: string | null,
): Promise<number> {
  let falseFailovers = 0;
  for (let i = 1; i <= n; i++) {
    const node = `HVR2NODO${i}`;
    if (node === victim) continue;
    falseFailovers += (await events(c, node)).filter((e) => {
      if (Number(e.time_ms) < fromMs || (e.event_id !== 1135 && e.kind !== 'failover')) return false;
      const data = dataOf(e.data_json);
      return !victim || (e.event_id === 1135 ? data.node !== victim : data.from !== victim);
    }).length;
  }
  return falseFailovers;
}

function dataOf(json: string): Record<string, unknown> {
  try {
    return json ? (JSON.parse(json) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
