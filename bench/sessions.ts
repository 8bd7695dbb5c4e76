/**
 * One measurement session of the benchmark: a fresh data center brought up, measured and torn
 * down, run under the machine-wide test lock by bench/session-main.ts. Each session returns raw
 * samples; bench/bench.ts takes medians and sets them beside their baselines. The seed and lm-io
 * sessions are here; the scale session is in scale.ts, the loads and baselines in baselines.ts.
 */
import { type Clients, connect } from '../orchestrator/run/clients.js';
import { codeCacheCounts } from '../orchestrator/run/service-log.js';
import { down } from '../orchestrator/run/sweep.js';
import { topologyPath, up } from '../orchestrator/run/up.js';
import { loadTopology } from '../orchestrator/topology/parse.js';
import type { RunStatus__Output } from '../services/generated/dcbox/orchestrator/v1/RunStatus.js';
import { pollUntil } from '../services/process/poll-until.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { fio, layOutLoadRegion, nodeWrites } from './baselines.js';
import { ECHO_INTERVAL_MS, EchoWatch } from './echo.js';
import { powerOffFailover } from './failover.js';
import { guestResidentOf } from './guest-memory.js';
import { copyRates, type LiveMover, moveRatios, withMovingVm } from './lm-support.js';
import { formed, MIB, median, N1, N2, online, type Samples, sleep, state } from './session-support.js';
import { longestSilenceMs, switchOverGapMs } from './verdict.js';
/** Session kinds: `seed` (startup, memory, failover), `lm-io` (migration and storage), `scale-N`. */
export type SessionKind = 'seed' | 'lm-io' | `scale-${number}`;

/**
 * `seed`: default timing. startupMs runs from `dcbox up` to the cluster formed with quorum and
 * VirtualMachine1 highly available and Online (the seed topology starts with no role online), as
 * the cluster says it: once its VM runs, before its guest's boot; answeringMs to its first echo
 * answered, after that boot. readyMs is `dcbox up`'s own "every service healthy". Then memory per host at steady state, then
 * blade 2 is powered off through the MM and the failover is measured from outside the blade
 * (failover.ts): the detection (Event 1135 on the survivor minus the orchestrator's power event),
 * the role's start (Event 1201) and the first echo the survivor answers.
 */
export async function seedSession(quick: boolean): Promise<Samples> {
  const t0 = Date.now();
  const readyMs = await up({ topology: 'seed', timing: 'default', quiet: true });
  const c = connect();
  const first = new EchoWatch(c, 'VirtualMachine1');
  // Echoes every 2 ms are a load of their own: they run only around the failover, not while the
  // memory is sampled.
  const echo = new EchoWatch(c, 'VirtualMachine1');
  try {
    await formed(c, N1, 2);
    const formedMs = Date.now() - t0;
    await online(c, 'VirtualMachine1', N2);
    const startupMs = Date.now() - t0;
    first.start();
    const answeredAt = await pollUntil(async () => first.firstAnswerFrom(N2, startupMs + t0), {
      what: 'VirtualMachine1 answering from HVR2NODO2',
      timeoutMs: 10_000,
    });
    first.stop();
    // The role is Online once its VM runs; its guest answers after its boot (vmBootMs).
    const answeringMs = answeredAt - t0;

    await sleep(quick ? 1000 : 5000); // steady state: heartbeats and the VM's disk workload running
    const memory = await memorySamples(c);

    const echoFrom = Date.now();
    echo.start();
    await pollUntil(async () => echo.firstAnswerFrom(N2, echoFrom), {
      what: 'VirtualMachine1 answering the fine echo',
      timeoutMs: 10_000,
    });
    const f = await powerOffFailover(c, echo, { bay: 2, victim: N2, survivor: N1 });
    return {
      readyMs,
      formedMs,
      startupMs,
      answeringMs,
      ...memory,
      failoverMs: f.failoverMs,
      detectionMs: f.detectionMs,
      recoveryMs: f.recoveryMs,
      roleStartMs: f.roleStartMs,
      failoverRatio: f.failoverMs / f.detectionMs,
      // Where the recovery went (failover.ts RecoverySteps), from the survivor's own events.
      ...f.steps,
    };
  } finally {
    first.stop();
    echo.stop();
    c.close();
    await down();
  }
}

/**
 * Each host's memory (service + nats-server RSS, as `dcbox status` reports it), the largest
 * host's part that is its guests' memory, and what V8's code cache did for the services' start.
 */
async function memorySamples(c: Clients): Promise<Samples> {
  const status = await rpc<RunStatus__Output>((cb) => c.orchestrator.Status({}, deadline(5000), cb));
  // processes are [nats-server, service] (the order `dcbox status` prints).
  const natsMiB = status.hosts.map((h) => Number(h.processes[0]?.rss_bytes ?? 0) / MIB);
  const serviceMiB = status.hosts.map((h) => Number(h.processes[1]?.rss_bytes ?? 0) / MIB);
  const perHost = status.hosts.map((h) => h.processes.reduce((n, x) => n + Number(x.rss_bytes), 0) / MIB);
  const largest = Math.max(...perHost);
  const largestHost = status.hosts[perHost.indexOf(largest)];
  const largestService = largestHost?.processes[1]?.pid;
  const guest = largestService ? guestResidentOf(largestService, seedGuestBytes()) : null;
  return {
    // Whether the services started from V8's code cache: the first start of a build writes it.
    codeCache: codeCacheCounts(status.hosts.map((h) => h.name)),
    rssMiBPerHost: median(perHost),
    rssMiBMax: largest,
    rssLargestHost: largestHost?.name ?? '',
    // The part of the largest host's figure that is its guests' memory touched so far.
    ...(guest === null ? {} : { rssLargestGuestMiB: guest / MIB }),
    rssEach: status.hosts.map((h, i) => `${h.name} ${(perHost[i] ?? 0).toFixed(1)}`).join(', '),
    natsMiB: median(natsMiB),
    serviceMiB: median(serviceMiB),
    hosts: perHost.length,
  };
}

/** The sizes of the seed topology's VMs' memory, each a Buffer of its own in its blade. */
function seedGuestBytes(): number[] {
  return loadTopology(topologyPath('seed')).vms.map((v) => v.memoryMiB * MIB);
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
  // Every first touch of memory is a page fault, and on a machine whose host takes back the memory
  // its guest frees it faults in the host as well: on the 2-core VM of 2026-12-04, plain Node took
  // 2.9 s to read one byte of each page of a fresh 1 GiB buffer and 3.9 s to write one. The first
  // two moves read guest memory the VM never wrote and wrote it into fresh memory on the target:
  // ratios of 0.10 and 0.16 against 0.84-0.94 after. Pages never written now go as zero frames,
  // read from one zero buffer and written nowhere that is zero already
  // (docs/design.md §Emulated behaviour); `session-main.js lm --moves 5` gave 0.69, 0.90, 0.82,
  // 0.88, 0.86 on 2026-12-05.
  // Later moves land in the memory the VM left warm (services/hyperv-node/warm-memory.ts).
  // Five moves for a median; bench/lm-session.ts shows each move's phases.
  const copyReps = quick ? 1 : 5;
  const memoryMiB = quick ? 128 : 1024;
  const ioMs = quick ? 1000 : 5000;
  return withMovingVm(memoryMiB, async (c, mover) => {
    const copy = await copyRates(c, mover, copyReps, quick ? 1 : 3);
    // Idle: no disk workload and (almost) no dirtied pages, so the last pass is tiny.
    await rpc((cb) =>
      c
        .node(mover.owner)
        .SetWorkload(
          { vm: mover.vm, enabled: false, interval_ms: 0, dirty_pages_per_sec: 1 },
          deadline(3000),
          cb,
        ),
    );
    const blackout = await blackouts(c, mover, reps);
    const writes = await storageWrites(c, reps, ioMs);
    return lmIoSamples({ reps, memoryMiB, copyReps }, copy, blackout, writes);
  });
}

/**
 * Blackouts of moves of the idle VM. Measured from outside the nodes: the workstation echoes the
 * VM every ECHO_INTERVAL_MS, and a move's blackout is the silence that spans its switch-over,
 * from the source's last answer to the target's first (verdict.ts switchOverGapMs). The longest
 * silence anywhere in the move (a pre-copy pass delays the source's answers on two shared
 * cores) is kept beside it, and the longest silence over a quiet stretch just before each move
 * is the echo's own resolution; the nodes' own figure stays a hint in the note.
 */
async function blackouts(c: Clients, mover: LiveMover, reps: number) {
  const outside: number[] = [];
  const longest: number[] = [];
  const quiet: number[] = [];
  const nodes: number[] = [];
  let lostPings = 0;
  let pingsDuring = 0;
  const echo = new EchoWatch(c, mover.vm).start();
  try {
    for (let i = 0; i < reps; i++) {
      const quietFrom = Date.now();
      await sleep(500);
      const from = Date.now();
      const source = mover.owner;
      const r = await mover.move();
      // The move returns once the target answered the 100 ms ping; the fine echo's answers up to
      // then close the window (an answer in flight lands within a round trip).
      await sleep(50);
      const hosts = { source, target: mover.owner };
      const switchOver = switchOverGapMs(echo.echoes, from, Date.now(), hosts);
      const silence = longestSilenceMs(echo.echoes, from, Date.now());
      const still = longestSilenceMs(echo.echoes, quietFrom, from);
      if (switchOver === null || silence === null || still === null)
        throw new Error(
          `the workstation's echoes of ${mover.vm} show no answer from ${source} and then from ${hosts.target} around move ${i + 1}`,
        );
      outside.push(switchOver);
      longest.push(silence);
      quiet.push(still);
      nodes.push(Number(r.m.blackout_ms));
      lostPings += r.lost;
      pingsDuring += r.sent;
    }
  } finally {
    echo.stop();
  }
  return { outside, longest, quiet, nodes, lostPings, pingsDuring };
}

/** Random and sequential writes from the CSV's coordinator, each beside a fio run. */
export async function storageWrites(c: Clients, reps: number, ioMs: number) {
  const writer = (await state(c, N1)).csv[0]?.coordinator ?? N1;
  const iops: number[] = [];
  const fioIops: number[] = [];
  const seq: number[] = [];
  const fioSeq: number[] = [];
  await layOutLoadRegion(c, writer);
  for (let i = 0; i < reps; i++) {
    iops.push((await nodeWrites(c, writer, 4096, false, 32, ioMs)).ops_per_sec);
    fioIops.push(await fio('4k', 'randwrite', 32, ioMs / 1000));
    seq.push((await nodeWrites(c, writer, MIB, true, 32, ioMs)).ops_per_sec);
    fioSeq.push(await fio('1M', 'write', 32, ioMs / 1000));
  }
  return { writer, iops, fioIops, seq, fioSeq };
}

/** The lm-io session's samples, medians beside their baselines (bench.ts reads these keys). */
export function lmIoSamples(
  run: { reps: number; memoryMiB: number; copyReps: number },
  copy: { tcp: number[]; lm: number[] },
  b: {
    outside: number[];
    longest: number[];
    quiet: number[];
    nodes: number[];
    lostPings: number;
    pingsDuring: number;
  },
  w: { writer: string; iops: number[]; fioIops: number[]; seq: number[]; fioSeq: number[] },
): Samples {
  const { tcp, lm } = copy;
  return {
    reps: run.reps,
    memoryMiB: run.memoryMiB,
    tcpMBps: median(tcp) / 1e6,
    lmMBps: median(lm) / 1e6,
    lmThroughputRatio: median(lm) / median(tcp),
    copyReps: run.copyReps,
    lmRatios: moveRatios(copy)
      .map((x) => x.toFixed(2))
      .join(', '),
    lmBlackoutMs: median(b.outside),
    lmBlackouts: b.outside.map((x) => x.toFixed(1)).join(', '),
    lmLongestSilenceMs: median(b.longest),
    lmLongestSilences: b.longest.map((x) => x.toFixed(1)).join(', '),
    echoQuietGapMs: median(b.quiet),
    nodesBlackoutMs: median(b.nodes),
    echoIntervalMs: ECHO_INTERVAL_MS,
    blackoutLostPings: b.lostPings,
    blackoutPings: b.pingsDuring,
    ...storageSamples(w),
  };
}

/** The storage writes' medians beside fio's, and each repetition's figures. */
export function storageSamples(w: {
  writer: string;
  iops: number[];
  fioIops: number[];
  seq: number[];
  fioSeq: number[];
}): Samples {
  const mbps = (xs: number[]) => xs.map((x) => ((x * MIB) / 1e6).toFixed(0)).join(', ');
  return {
    iops: median(w.iops),
    fioIops: median(w.fioIops),
    iopsRatio: median(w.iops) / median(w.fioIops),
    seqMBps: median(w.seq) * (MIB / 1e6),
    fioSeqMBps: median(w.fioSeq) * (MIB / 1e6),
    seqWriteRatio: median(w.seq) / median(w.fioSeq),
    iopsEach: w.iops.map((x) => x.toFixed(0)).join(', '),
    fioIopsEach: w.fioIops.map((x) => x.toFixed(0)).join(', '),
    seqMBpsEach: mbps(w.seq),
    fioSeqMBpsEach: mbps(w.fioSeq),
    writer: w.writer,
  };
}
