/**
 * The seed scenario: the tutorial end to end on a fresh data center (docs/seed-scenario.md). VMs on the
 * CSV are made highly available (off first), brought online on HVR2NODO2, one is live-migrated
 * to HVR2NODO1 while it is pinged every 100 ms, the CSV is coordinated by HVR2NODO2, and blade 2
 * is powered off through the management module. Every number comes from the pings and the
 * cluster's own events, never from configuration. The folder holds only this scenario, which
 * `dcbox demo` runs (cli/main.ts); its Pinger serves the integration tests and the benchmark too.
 */
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { ClusterEvent__Output } from '../../services/generated/dcbox/cluster/v1/ClusterEvent.js';
import type { ClusterState__Output } from '../../services/generated/dcbox/cluster/v1/ClusterState.js';
import type { MoveResponse__Output } from '../../services/generated/dcbox/cluster/v1/MoveResponse.js';
import type { PingReply__Output } from '../../services/generated/dcbox/workstation/v1/PingReply.js';
import { PollTimeoutError, pollUntil } from '../../services/process/poll-until.js';
import { deadline, rpc } from '../../services/transport/grpc.js';
import { type Clients, connect } from '../run/clients.js';
import { down } from '../run/sweep.js';
import { up } from '../run/up.js';
import type { RuntimeKind } from '../runtime/types.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';
const PING_INTERVAL_MS = 100;

/** Pings one VM from the workstation every 100 ms until stopped, keeping every reply. */
export class Pinger {
  readonly replies: PingReply__Output[] = [];
  private stream: ClientReadableStream<PingReply__Output> | null = null;

  constructor(
    private readonly c: Clients,
    readonly vm: string,
  ) {}

  start(): void {
    this.stream = this.c
      .workstation()
      .Ping({ vm: this.vm, count: 0, interval_ms: PING_INTERVAL_MS, timeout_ms: 1000 });
    this.stream.on('data', (r: PingReply__Output) => this.replies.push(r));
    this.stream.on('error', () => undefined);
  }

  stop(): void {
    this.stream?.cancel();
  }

  /** Replies to pings sent in [from, to). */
  between(from: number, to: number): PingReply__Output[] {
    return this.replies.filter((r) => Number(r.sent_at_ms) >= from && Number(r.sent_at_ms) < to);
  }

  lost(from: number, to: number): number {
    return this.between(from, to).filter((r) => !r.ok).length;
  }
}

export interface SeedReport {
  scenario: 'seed';
  ok: boolean;
  timing: string;
  checks: { name: string; ok: boolean; detail: string }[];
  liveMigration: {
    vm: string;
    from: string;
    to: string;
    passes: number;
    bytesCopied: number;
    durationMs: number;
    blackoutMs: number;
    lostPings: number;
    pingsDuring: number;
    /** Each lost ping: when it was sent, in ms from the move's request, and why it failed. */
    lost: { atMs: number; error: string }[];
  };
  powerOff: {
    bay: number;
    node: string;
    csvCoordinatorBefore: string;
    csvCoordinatorAfter: string;
    detectionMs: number;
    quorumAfter: { hasQuorum: boolean; votes: number; needed: number };
    /** Event 1177 (quorum lost) on the survivor since the power-off: held quorum means none. */
    quorumLostEvents: number;
    vms: {
      name: string;
      hostBefore: string;
      hostAfter: string;
      lostPings: number;
      downtimeMs: number;
      restarted: boolean;
    }[];
  };
  events: { t: number; node: string; eventId: number; kind: string; message: string }[];
}

async function state(c: Clients, node: string): Promise<ClusterState__Output> {
  return rpc<ClusterState__Output>((cb) => c.cluster(node).GetState({}, deadline(3000), cb));
}

async function events(c: Clients, node: string): Promise<ClusterEvent__Output[]> {
  return rpc<{ events: ClusterEvent__Output[] }>((cb) =>
    c.cluster(node).Events({ since_index: 0 }, deadline(3000), cb),
  ).then((r) => r.events);
}

/** What every step of the scenario works with. */
interface Step {
  c: Clients;
  say: (line: string) => void;
  /** Waits are 4 times longer with the default timing than with the fast one. */
  timingScale: number;
}

/** Runs the seed scenario on a fresh data center and tears it down; `say` receives progress lines. */
export async function runSeedScenario(opts: {
  timing: string;
  say: (line: string) => void;
  /** Where the hosts live (default: netns as root, else local). */
  runtime?: RuntimeKind;
}): Promise<SeedReport> {
  const say = opts.say;
  const t0 = Date.now();
  await up({ topology: 'seed', timing: opts.timing, quiet: true, runtime: opts.runtime });
  say(`seed data center up in ${((Date.now() - t0) / 1000).toFixed(1)} s (${opts.timing} timing)`);
  const c = connect();
  const pingers: Pinger[] = [];
  try {
    const step: Step = { c, say, timingScale: opts.timing === 'fast' ? 1 : 4 };
    await formCluster(step);
    await coordinateCsvOnNode2(step);
    await bringVmsOnline(step, pingers);
    const [p2, p1] = pingers as [Pinger, Pinger];
    const lm = await liveMigrate(step, p2);
    const before = await recap(step);
    const off = await powerOffBlade2(step, p1);
    for (const p of pingers) p.stop();
    const evs = [...(await events(c, N1)), ...(await events(c, N2).catch(() => []))].sort(
      (a, b) => Number(a.time_ms) - Number(b.time_ms),
    );
    const report = seedReport({ timing: opts.timing, t0, lm, before, off, evs, p1, p2 });
    report.checks = seedChecks(report);
    report.ok = report.checks.every((x) => x.ok);
    return report;
  } finally {
    for (const p of pingers) p.stop();
    c.close();
    await down();
  }
}

/** Waits for a step of the tutorial (services/process/poll-until.ts, argument order of this file). */
const until = <T>(what: string, probe: () => Promise<T | false | null | undefined>, timeoutMs: number) =>
  pollUntil(probe, { what, timeoutMs });

/** The cluster forms with quorum: both nodes up, Node and Disk Majority. */
async function formCluster({ c, say, timingScale }: Step): Promise<void> {
  await until(
    'the cluster to form with quorum',
    async () => {
      const s = await state(c, N1);
      return (
        s.service_state === 'Running' &&
        s.members.length === 2 &&
        s.quorum?.has_quorum &&
        s.quorum.witness_owner
      );
    },
    30_000 * timingScale,
  );
  say('cluster HVR2CLUSTER formed: HVR2NODO1 and HVR2NODO2 up, Node and Disk Majority, 3 votes');
}

/** The tutorial's CSV is coordinated by HVR2NODO2. */
async function coordinateCsvOnNode2({ c, say }: Step): Promise<void> {
  await rpc((cb) => c.cluster(N1).MoveCsv({ volume: 'Volume1', to: N2 }, deadline(10_000), cb));
  await until(
    'HVR2NODO2 to coordinate the CSV',
    async () =>
      (await state(c, N1)).csv[0]?.coordinator === N2 && (await state(c, N2)).csv[0]?.coordinator === N2,
    10_000,
  );
  say('CSV1 at C:\\ClusterStorage\\Volume1 coordinated by HVR2NODO2');
}

/**
 * Both VMs live on the CSV and are made highly available while off, then brought online on
 * HVR2NODO2; each is pinged from then on (pingers: VirtualMachine2's, then VirtualMachine1's).
 */
async function bringVmsOnline({ c, say, timingScale }: Step, pingers: Pinger[]): Promise<void> {
  for (const vm of ['VirtualMachine2', 'VirtualMachine1']) {
    await rpc((cb) =>
      c
        .cluster(N2)
        .MakeHighlyAvailable({ vm, preferred_owners: [], allow_failback: false }, deadline(10_000), cb),
    );
    await rpc((cb) => c.cluster(N2).Online({ name: vm }, deadline(10_000), cb));
    await until(
      `${vm} online`,
      async () => (await state(c, N1)).roles.find((r) => r.name === vm)?.state === 'Online',
      30_000 * timingScale,
    );
    const p = new Pinger(c, vm);
    p.start();
    pingers.push(p);
    await until(`${vm} answering`, async () => p.replies.some((r) => r.ok && r.host === N2), 10_000);
    say(`${vm} is highly available and online on HVR2NODO2`);
  }
}

/** What the live migration measured. */
interface LiveMigration {
  m: MoveResponse__Output['migration'];
  lmStart: number;
  lmEnd: number;
  lmLost: number;
}

/** Live migration of VirtualMachine2 to HVR2NODO1 while it is pinged. */
async function liveMigrate({ c, say }: Step, p2: Pinger): Promise<LiveMigration> {
  await new Promise((r) => setTimeout(r, 1000));
  const lmStart = Date.now();
  const move = await rpc<MoveResponse__Output>((cb) =>
    c.cluster(N1).Move({ role: 'VirtualMachine2', to: N1, live: true }, deadline(120_000), cb),
  );
  const lmEnd = Date.now();
  await until(
    'VirtualMachine2 answering from HVR2NODO1',
    async () => p2.replies.some((r) => r.ok && r.host === N1 && Number(r.sent_at_ms) >= lmStart),
    10_000,
  );
  await new Promise((r) => setTimeout(r, 1500));
  const m = move.migration;
  const lmLost = p2.lost(lmStart, lmEnd + 1000);
  say(
    `live migration of VirtualMachine2 HVR2NODO2 -> HVR2NODO1: ${m?.passes} passes, ${(Number(m?.bytes_copied) / 1048576).toFixed(0)} MiB in ${m?.duration_ms} ms, blackout ${m?.blackout_ms} ms, ${lmLost} of ${p2.between(lmStart, lmEnd + 1000).length} pings lost`,
  );
  return { m, lmStart, lmEnd, lmLost };
}

/** The recap of the tutorial before the power-off: where each VM runs and which node coordinates the CSV. */
async function recap({ c, say }: Step): Promise<ClusterState__Output> {
  const before = await state(c, N1);
  const hostBefore = (vm: string) => before.roles.find((r) => r.name === vm)?.owner ?? '';
  say(
    `VirtualMachine1 runs on ${hostBefore('VirtualMachine1')}, VirtualMachine2 on ${hostBefore('VirtualMachine2')}, CSV coordinator ${before.csv[0]?.coordinator}`,
  );
  return before;
}

/** What the power-off of blade 2 measured. */
interface PowerOff {
  offAt: number;
  detectionMs: number;
  after: ClusterState__Output;
  back: PingReply__Output;
  /** The survivor's quorum once VirtualMachine1 answered (settledQuorum). */
  quorum: ClusterState__Output['quorum'];
  windowEnd: number;
}

/**
 * Power off blade 2 through the management module, then wait for the survivor's Event 1135, the
 * CSV and VirtualMachine1 on HVR2NODO1, and VirtualMachine1 answering again.
 */
async function powerOffBlade2({ c, say, timingScale }: Step, p1: Pinger): Promise<PowerOff> {
  await new Promise((r) => setTimeout(r, 2000));
  const offAt = Date.now();
  await rpc((cb) => c.mm().Power({ kind: 'blade', bay: 2, action: 'off' }, deadline(30_000), cb));
  say('blade 2 (HVR2NODO2) powered off through the management module');
  const removal = await until(
    'Event 1135 on HVR2NODO1',
    async () => (await events(c, N1)).find((e) => e.event_id === 1135 && Number(e.time_ms) >= offAt),
    60_000 * timingScale,
  );
  const detectionMs = Number(removal.time_ms) - offAt;
  say(`HVR2NODO1 logged Event 1135 after ${detectionMs} ms: ${removal.message}`);
  const after = await until(
    'the CSV coordinator and VirtualMachine1 on HVR2NODO1',
    async () => {
      const s = await state(c, N1);
      return s.csv[0]?.coordinator === N1 &&
        s.roles.find((r) => r.name === 'VirtualMachine1')?.state === 'Online'
        ? s
        : null;
    },
    60_000 * timingScale,
  );
  const back = await until(
    'VirtualMachine1 answering from HVR2NODO1',
    async () => p1.replies.find((r) => r.ok && r.host === N1 && Number(r.sent_at_ms) >= offAt),
    60_000 * timingScale,
  );
  const quorum = await settledQuorum(c, 2000 * timingScale);
  await new Promise((r) => setTimeout(r, 2000));
  return { offAt, detectionMs, after, back, quorum, windowEnd: Date.now() };
}

/**
 * The survivor's quorum, read until it counts 2 votes or for at most `waitMs` (the last read then).
 * Read once, at the moment the takeover ends, it may catch the survivor in doubt: the witness is
 * still its own, but its last defence was answered later than two heartbeat intervals ago (the
 * failover's I/O keeps a 2-core machine busy), and until the next one it counts only its own vote
 * (docs/design.md §Leases during arbitration). Whether quorum was ever lost is the survivor's
 * Event 1177, which the report counts apart.
 */
async function settledQuorum(c: Clients, waitMs: number): Promise<ClusterState__Output['quorum']> {
  let last: ClusterState__Output['quorum'] = null;
  const settled = async () => {
    last = (await state(c, N1)).quorum;
    return last?.has_quorum && last.votes === 2 ? last : null;
  };
  return pollUntil(settled, { what: 'HVR2NODO1 to count 2 votes', timeoutMs: waitMs }).catch((err) => {
    if (err instanceof PollTimeoutError) return last;
    throw err;
  });
}

/** The survivor's settled quorum, and its Event 1177 (quorum lost) since the power-off. */
function quorumAfter(off: PowerOff, evs: ClusterEvent__Output[]) {
  const q = off.quorum;
  const lost = evs.filter((e) => e.node === N1 && e.event_id === 1177 && Number(e.time_ms) >= off.offAt);
  return {
    quorumAfter: { hasQuorum: !!q?.has_quorum, votes: q?.votes ?? 0, needed: q?.needed ?? 0 },
    quorumLostEvents: lost.length,
  };
}

/** The longest run of lost pings among replies, in ms (one ping every PING_INTERVAL_MS). */
export function longestOutageMs(replies: { ok: boolean }[]): number {
  let run = 0;
  let worst = 0;
  for (const r of replies) {
    run = r.ok ? 0 : run + PING_INTERVAL_MS;
    worst = Math.max(worst, run);
  }
  return worst;
}

/** The live migration as the report shows it: the move's own figures and the pings sent during it. */
function liveMigrationReport(lm: LiveMigration, p2: Pinger): SeedReport['liveMigration'] {
  const { m } = lm;
  const during = p2.between(lm.lmStart, lm.lmEnd + 1000);
  return {
    vm: 'VirtualMachine2',
    from: m?.from ?? N2,
    to: m?.to ?? N1,
    passes: m?.passes ?? 0,
    bytesCopied: Number(m?.bytes_copied ?? 0),
    durationMs: Number(m?.duration_ms ?? 0),
    blackoutMs: Number(m?.blackout_ms ?? 0),
    lostPings: lm.lmLost,
    pingsDuring: during.length,
    lost: during
      .filter((r) => !r.ok)
      .map((r) => ({ atMs: Number(r.sent_at_ms) - lm.lmStart, error: r.error })),
  };
}

/** The report of a run from what its steps measured (checks not yet made). */
function seedReport(r: {
  timing: string;
  t0: number;
  lm: LiveMigration;
  before: ClusterState__Output;
  off: PowerOff;
  evs: ClusterEvent__Output[];
  p1: Pinger;
  p2: Pinger;
}): SeedReport {
  const { lm, before, off, p1, p2 } = r;
  const { offAt, after, back, windowEnd } = off;
  const hostBefore = (vm: string) => before.roles.find((x) => x.name === vm)?.owner ?? '';
  const lastOkBefore = [...p1.replies].reverse().find((x) => x.ok && Number(x.sent_at_ms) < offAt);
  const failover = r.evs.find((e) => e.kind === 'failover' && e.message.includes('VirtualMachine1'));
  return {
    scenario: 'seed',
    ok: false,
    timing: r.timing,
    checks: [],
    liveMigration: liveMigrationReport(lm, p2),
    powerOff: {
      bay: 2,
      node: N2,
      csvCoordinatorBefore: before.csv[0]?.coordinator ?? '',
      csvCoordinatorAfter: after.csv[0]?.coordinator ?? '',
      detectionMs: off.detectionMs,
      ...quorumAfter(off, r.evs),
      vms: [
        {
          name: 'VirtualMachine2',
          hostBefore: hostBefore('VirtualMachine2'),
          hostAfter: after.roles.find((x) => x.name === 'VirtualMachine2')?.owner ?? '',
          lostPings: p2.lost(offAt, windowEnd),
          // VirtualMachine2's downtime: the longest run of lost pings after the power-off.
          downtimeMs: longestOutageMs(p2.between(offAt, windowEnd)),
          restarted: false,
        },
        {
          name: 'VirtualMachine1',
          hostBefore: hostBefore('VirtualMachine1'),
          hostAfter: back.host,
          lostPings: p1.lost(offAt, windowEnd),
          downtimeMs: Number(back.sent_at_ms) - Number(lastOkBefore?.sent_at_ms ?? offAt),
          restarted: !!failover && back.host === N1,
        },
      ],
    },
    events: r.evs.map((e) => ({
      t: Number(e.time_ms) - r.t0,
      node: e.node,
      eventId: e.event_id,
      kind: e.kind,
      message: e.message,
    })),
  };
}

/** How many pings the live migration lost and, for each, when it was sent and why it failed. */
function lostDetail(lm: SeedReport['liveMigration']): string {
  const each = (lm.lost ?? []).map((l) => `+${l.atMs} ms: ${l.error}`);
  const move = `in a ${lm.durationMs} ms move with a ${lm.blackoutMs} ms blackout`;
  return each.length ? `${lm.lostPings} lost ${move} (${each.join('; ')})` : `${lm.lostPings} lost`;
}

/** The tutorial's promises, checked against a report. */
export function seedChecks(report: SeedReport): SeedReport['checks'] {
  const checks: SeedReport['checks'] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const vms = report.powerOff.vms;
  const quorum = report.powerOff.quorumAfter;
  check(
    'live migration lost at most 2 pings',
    report.liveMigration.lostPings <= 2,
    lostDetail(report.liveMigration),
  );
  check(
    'the VM on HVR2NODO1 lost no ping during the power-off',
    vms[0]?.lostPings === 0 && vms[0]?.hostBefore === N1,
    `${vms[0]?.lostPings} lost, on ${vms[0]?.hostBefore}`,
  );
  check(
    'the CSV coordinator moved to HVR2NODO1',
    report.powerOff.csvCoordinatorBefore === N2 && report.powerOff.csvCoordinatorAfter === N1,
    `${report.powerOff.csvCoordinatorBefore} -> ${report.powerOff.csvCoordinatorAfter}`,
  );
  check(
    'the VM on HVR2NODO2 restarted on HVR2NODO1',
    vms[1]?.hostBefore === N2 && vms[1]?.restarted === true,
    `${vms[1]?.hostBefore} -> ${vms[1]?.hostAfter}`,
  );
  check(
    'quorum held with 2 of 3 votes',
    quorum.hasQuorum && quorum.votes === 2 && quorum.needed === 2 && report.powerOff.quorumLostEvents === 0,
    `${quorum.votes} votes, ${quorum.needed} needed; ${report.powerOff.quorumLostEvents} Event 1177 on HVR2NODO1`,
  );
  return checks;
}

/** The human report. */
export function formatSeedReport(r: SeedReport): string {
  const lines: string[] = [];
  lines.push(`Seed scenario (${r.timing} timing): ${r.ok ? 'PASS' : 'FAIL'}`);
  lines.push('');
  const lm = r.liveMigration;
  lines.push(`Live migration of ${lm.vm} ${lm.from} -> ${lm.to}`);
  lines.push(
    `  ${lm.passes} memory passes, ${(lm.bytesCopied / 1048576).toFixed(1)} MiB copied in ${lm.durationMs} ms; blackout ${lm.blackoutMs} ms`,
  );
  lines.push(`  pings every ${PING_INTERVAL_MS} ms: ${lm.lostPings} lost of ${lm.pingsDuring}`);
  lines.push('');
  const p = r.powerOff;
  lines.push(`Power-off of blade ${p.bay} (${p.node}) through the management module`);
  lines.push(`  removed from membership after ${p.detectionMs} ms (Event 1135 on the survivor)`);
  lines.push(
    `  CSV coordinator ${p.csvCoordinatorBefore} -> ${p.csvCoordinatorAfter}; quorum ${p.quorumAfter.hasQuorum && p.quorumLostEvents === 0 ? 'held' : 'LOST'} with ${p.quorumAfter.votes} of 3 votes (${p.quorumAfter.needed} needed)`,
  );
  for (const vm of p.vms)
    lines.push(
      `  ${vm.name}: ${vm.hostBefore} -> ${vm.hostAfter}, ${vm.lostPings} pings lost, downtime ${vm.downtimeMs} ms${vm.restarted ? ', restarted (cold)' : ''}`,
    );
  lines.push('');
  for (const c of r.checks) lines.push(`  [${c.ok ? 'ok' : 'FAIL'}] ${c.name} (${c.detail})`);
  lines.push('');
  lines.push('Cluster events:');
  for (const e of r.events)
    lines.push(`  +${(e.t / 1000).toFixed(2)}s ${e.node}${e.eventId ? ` [${e.eventId}]` : ''} ${e.message}`);
  return lines.join('\n');
}
