/**
 * What the lm-io session (sessions.ts) and the lm session (lm-session.ts) share: a fresh seed
 * data center with the benchmark's VM online on HVR2NODO2 and answering the workstation's ping,
 * a mover that live-migrates it back and forth, and the copy rates of its moves beside iperf3.
 */
import { type Clients, connect } from '../orchestrator/run/clients.js';
import { down } from '../orchestrator/run/sweep.js';
import { up } from '../orchestrator/run/up.js';
import { Pinger } from '../orchestrator/scenario/seed.js';
import type { MigrationStats__Output } from '../services/generated/dcbox/cluster/v1/MigrationStats.js';
import type { MoveResponse__Output } from '../services/generated/dcbox/cluster/v1/MoveResponse.js';
import { pollUntil } from '../services/process/poll-until.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { iperf } from './baselines.js';
import { formed, N1, N2, online } from './session-support.js';

/** The benchmark's VM. */
export const BENCH_VM = 'BenchVM';

/**
 * Brings the seed up (default timing), creates the benchmark's VM of `memoryMiB` on HVR2NODO2,
 * brings it online and waits for its first ping answer, then runs `body` with a mover; the
 * ping stops and the data center goes down whatever `body` did.
 */
export async function withMovingVm<T>(
  memoryMiB: number,
  body: (c: Clients, mover: LiveMover) => Promise<T>,
): Promise<T> {
  const vm = BENCH_VM;
  await up({ topology: 'seed', timing: 'default', quiet: true });
  const c = connect();
  const p = new Pinger(c, vm);
  try {
    await formed(c, N1, 2);
    await createVm(c, vm, memoryMiB);
    await online(c, vm, N2);
    p.start();
    await pollUntil(async () => p.replies.some((r) => r.ok), { what: `${vm} answering`, timeoutMs: 10_000 });
    return await body(c, new LiveMover(c, p, vm));
  } finally {
    p.stop();
    c.close();
    await down();
  }
}

/** Creates the benchmark's VM on HVR2NODO2, with its disk on the CSV. */
export async function createVm(c: Clients, vm: string, memoryMiB: number): Promise<void> {
  const spec = {
    name: vm,
    memory_mib: memoryMiB,
    disk_path: `C:\\ClusterStorage\\Volume1\\${vm}\\${vm}.vhd`,
    disk_size_mib: 64,
    switch_name: 'VMs',
  };
  await rpc((cb) => c.node(N2).CreateVm(spec, deadline(30_000), cb));
}

/** Live-migrates one VM back and forth between the seed's two nodes. */
export class LiveMover {
  /** The node the VM runs on now. */
  owner = N2;

  constructor(
    private readonly c: Clients,
    private readonly p: Pinger,
    readonly vm: string,
  ) {}

  /** Moves the VM to the other node; its stats, and the pings lost and sent during the move. */
  async move() {
    const { c, p, vm } = this;
    const to = this.owner === N1 ? N2 : N1;
    const from = Date.now();
    const r = await rpc<MoveResponse__Output>((cb) =>
      c.cluster(N1).Move({ role: vm, to, live: true }, deadline(300_000), cb),
    );
    await pollUntil(
      async () => p.replies.some((x) => x.ok && x.host === to && Number(x.sent_at_ms) >= from),
      {
        what: `${vm} answering from ${to}`,
        timeoutMs: 10_000,
      },
    );
    this.owner = to;
    const m = r.migration;
    if (!m) throw new Error('the move returned no migration stats');
    const ping = p.between(from, Date.now());
    return { m, lost: ping.filter((x) => !x.ok).length, sent: ping.length };
  }
}

/** Copy rates (bytes/s) of moves and the iperf3 rate just before each, with each move's stats. */
export type CopyRates = { tcp: number[]; lm: number[]; moves: MigrationStats__Output[] };

/**
 * Copy rates of moves with the VM's default workload, each after an iperf3 baseline; `moves`
 * keeps each move's stats (passes, bytes per pass, duration) for a closer look (bench/lm-session.ts).
 */
export async function copyRates(
  c: Clients,
  mover: LiveMover,
  copyReps: number,
  iperfSeconds: number,
): Promise<CopyRates> {
  const tcp: number[] = [];
  const lm: number[] = [];
  const moves: MigrationStats__Output[] = [];
  for (let i = 0; i < copyReps; i++) {
    tcp.push(await iperf(c, iperfSeconds));
    const { m } = await mover.move();
    moves.push(m);
    lm.push(Number(m.bytes_copied) / (Number(m.duration_ms) / 1000));
  }
  return { tcp, lm, moves };
}

/** Each move's ratio to the iperf3 run just before it. */
export function moveRatios(r: { tcp: number[]; lm: number[] }): number[] {
  return r.lm.map((x, i) => x / (r.tcp[i] as number));
}
