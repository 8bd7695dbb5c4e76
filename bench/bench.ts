/**
 * The benchmark suite of issue 8: every figure is a median of several runs with its baseline
 * measured in the same run. Each session brings up its own data center under the machine-wide
 * test lock, one session at a time, so other users of the machine can interleave.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../services/transport/grpc.js';
import type { Samples } from './session-support.js';

/** The lock every real data center on this machine is taken under (others run tests too). */
export const LOCK = process.env.DCBOX_TEST_LOCK ?? '/tmp/dcbox-test.lock';

/** One row of the results table. */
export interface Entry {
  key: string;
  /** What was measured, median over `runs`. */
  figure: number | null;
  unit: string;
  /** Measured in the same run; null when the issue names none. */
  baseline: number | null;
  baselineUnit: string;
  /** figure ÷ baseline where there is a baseline (failoverRatio: the ratio is the figure). */
  ratio: number | null;
  goal: string;
  met: boolean;
  runs: number;
  note: string;
}

/** The machine a run was made on. */
export interface Machine {
  nproc: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  date: string;
}

export interface BenchResults {
  quick: boolean;
  machine: Machine;
  entries: Entry[];
  sessions: { kind: string; samples: Samples | null; error?: string; ms: number }[];
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/** One session under the lock, then `dcbox down` under the lock, whatever happened. */
async function session(kind: string, args: string[]): Promise<BenchResults['sessions'][number]> {
  const t0 = Date.now();
  const script = join(projectRoot, 'dist', 'bench', 'session-main.js');
  const r = await run('flock', [LOCK, process.execPath, script, kind, ...args]);
  await run('flock', [LOCK, process.execPath, join(projectRoot, 'bin', 'dcbox.js'), 'down']);
  const line = r.out.trim().split('\n').at(-1) ?? '';
  if (r.code !== 0 || !line.startsWith('{'))
    return {
      kind,
      samples: null,
      error: (r.err || r.out).trim().split('\n').slice(-5).join(' | '),
      ms: Date.now() - t0,
    };
  return { kind, samples: JSON.parse(line) as Samples, ms: Date.now() - t0 };
}

const num = (s: Samples | null, k: string): number | null =>
  typeof s?.[k] === 'number' ? (s[k] as number) : null;

function fmt(n: number | null, digits = 2): string {
  if (n === null) return '—';
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(digits);
}

/** A session's outcome: its samples, or the last lines of its error output. */
type Session = BenchResults['sessions'][number];

/** Runs the suite; `say` gets one line per session as it ends. */
export async function runBench(opts: {
  quick: boolean;
  say?: (line: string) => void;
  /** How long the scale session watches (the issue's 10 minutes unless told otherwise). */
  scaleWatchMs?: number;
}): Promise<BenchResults> {
  const say = opts.say ?? (() => undefined);
  const q = opts.quick ? ['--quick'] : [];
  const sessions: BenchResults['sessions'] = [];
  const add = async (kind: string, args: string[]) => {
    const s = await session(kind, args);
    say(
      `${kind}: ${s.error ? `FAILED ${s.error}` : JSON.stringify(s.samples)} (${(s.ms / 1000).toFixed(0)} s)`,
    );
    sessions.push(s);
    return s;
  };
  const seeds = [];
  for (let i = 0; i < (opts.quick ? 1 : 3); i++) seeds.push(await add('seed', q));
  const lmio = await add('lm-io', q);
  const scales = [];
  // The BladeCenter S has six blade bays: the largest cluster is six nodes; 167 VMs on each make
  // the 2008 R2 SP1 limit of 1000 per cluster (1002), watched for the issue's 10 minutes.
  if (!opts.quick)
    scales.push(await add('scale-6x167', ['--watch-ms', String(opts.scaleWatchMs ?? 600_000)]));
  return {
    quick: opts.quick,
    machine: thisMachine(),
    entries: benchEntries(opts.quick, seeds, lmio, scales),
    sessions,
  };
}

/** The machine the suite runs on, and when. */
function thisMachine(): Machine {
  return {
    nproc: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    node: process.version,
    date: new Date().toISOString(),
  };
}

/** An entry whose goal is met when its measured value `on` passes `met`. */
function entry(x: Omit<Entry, 'met'>, met: (v: number) => boolean, on: number | null): Entry {
  return { ...x, met: on !== null && met(on) };
}

/**
 * The results table from the sessions' samples: medians over the seed sessions that succeeded,
 * the migration and storage figures from lm-io, and the largest scale run.
 */
export function benchEntries(quick: boolean, seeds: Session[], lmio: Session, scales: Session[]): Entry[] {
  const okSeeds = seeds.map((s) => s.samples).filter((s): s is Samples => !!s);
  const seedMedian: SeedMedian = (k) =>
    median(okSeeds.map((s) => num(s, k)).filter((x): x is number => x !== null));
  const runs = okSeeds.length;
  return [
    startupEntry(runs, seedMedian),
    failoverEntry(runs, seedMedian),
    ...lmIoEntries(lmio.samples),
    rssEntry(runs, seedMedian),
    scaleEntry(quick, scales),
  ];
}

/** The median of one sample over the seed sessions that succeeded. */
type SeedMedian = (key: string) => number | null;

/** From `dcbox up` to the cluster formed and the first VM online. */
function startupEntry(runs: number, seedMedian: SeedMedian): Entry {
  const startup = seedMedian('startupMs');
  return entry(
    {
      key: 'startupMs',
      figure: startup,
      unit: 'ms',
      baseline: null,
      baselineUnit: '',
      ratio: null,
      goal: '≤ 3000',
      runs,
      note: `\`dcbox up\` seed (netns, compiled, default timing) → cluster formed with quorum and VirtualMachine1 made HA and Online (the seed starts with no role online). All services healthy (readyMs): ${fmt(seedMedian('readyMs'))} ms; cluster formed: ${fmt(seedMedian('formedMs'))} ms`,
    },
    (v) => v <= 3000,
    startup,
  );
}

/** Failover time against the detection time the heartbeat settings allow. */
function failoverEntry(runs: number, seedMedian: SeedMedian): Entry {
  const failover = seedMedian('failoverMs');
  const detection = seedMedian('detectionMs');
  const fr = failover !== null && detection ? failover / detection : null;
  return entry(
    {
      key: 'failoverRatio',
      figure: fr,
      unit: '×',
      baseline: detection,
      baselineUnit: 'ms (delay × threshold)',
      ratio: fr,
      goal: '≤ 1.3',
      runs,
      note: `blade 2 powered off through the MM → VirtualMachine1 answers a 100 ms ping from HVR2NODO1: ${fmt(failover)} ms (default timing)`,
    },
    (v) => v <= 1.3,
    fr,
  );
}

/** Memory per host at steady state. */
function rssEntry(runs: number, seedMedian: SeedMedian): Entry {
  const rss = seedMedian('rssMiBPerHost');
  return entry(
    {
      key: 'rssMiBPerHost',
      figure: rss,
      unit: 'MiB',
      baseline: null,
      baselineUnit: '',
      ratio: null,
      goal: '≤ 80',
      runs,
      note: `median over ${seedMedian('hosts') ?? '?'} hosts of service + nats-server RSS with VirtualMachine1 online; largest host ${fmt(seedMedian('rssMiBMax'))} MiB; median service ${fmt(seedMedian('serviceMiB'))} MiB, median nats-server ${fmt(seedMedian('natsMiB'))} MiB`,
    },
    (v) => v <= 80,
    rss,
  );
}

/** Live-migration throughput and blackout, and storage IOPS and sequential writes, from lm-io. */
function lmIoEntries(lm: Samples | null): Entry[] {
  const lmRuns = num(lm, 'reps') ?? 0;
  const memory = num(lm, 'memoryMiB') ?? '?';
  return [
    entry(
      {
        key: 'lmThroughputRatio',
        figure: num(lm, 'lmMBps'),
        unit: 'MB/s',
        baseline: num(lm, 'tcpMBps'),
        baselineUnit: 'MB/s (iperf3)',
        ratio: num(lm, 'lmThroughputRatio'),
        goal: '≥ 0.5',
        runs: num(lm, 'copyReps') ?? lmRuns,
        note: `bytes_copied / duration (setup to the target's ack) of a ${memory} MiB VM with its default workload between HVR2NODO1 and HVR2NODO2, pages on the migration's TCP page channel, vs iperf3 between the same namespaces just before each move; each move's ratio: ${typeof lm?.lmRatios === 'string' ? lm.lmRatios : '?'}`,
      },
      (v) => v >= 0.5,
      num(lm, 'lmThroughputRatio'),
    ),
    entry(
      {
        key: 'lmBlackoutMs',
        figure: num(lm, 'lmBlackoutMs'),
        unit: 'ms',
        baseline: null,
        baselineUnit: '',
        ratio: null,
        goal: '≤ 50',
        runs: lmRuns,
        note: `idle ${memory} MiB VM (no disk workload, 1 dirty page/s), from the migration stats; pings during the moves: ${num(lm, 'blackoutLostPings') ?? '?'} lost of ${num(lm, 'blackoutPings') ?? '?'}`,
      },
      (v) => v <= 50,
      num(lm, 'lmBlackoutMs'),
    ),
    ...storageEntries(lm, lmRuns),
  ];
}

/** Random-write IOPS and sequential writes through the node against fio on the controller. */
function storageEntries(lm: Samples | null, runs: number): Entry[] {
  return [
    entry(
      {
        key: 'iopsRatio',
        figure: num(lm, 'iops'),
        unit: 'IOPS',
        baseline: num(lm, 'fioIops'),
        baselineUnit: 'IOPS (fio)',
        ratio: num(lm, 'iopsRatio'),
        goal: '≥ 0.5',
        runs,
        note: `4 KiB random writes, 32 in flight, generated inside ${lm?.writer ?? 'a node'} (RunIoLoad, as a VM's disk I/O) → CSV → MPIO → RSSM → controller on the SAS data channel (acked once fdatasync'd) vs fio psync, numjobs 32, fdatasync=1 in the controller's data folder`,
      },
      (v) => v >= 0.5,
      num(lm, 'iopsRatio'),
    ),
    entry(
      {
        key: 'seqWriteRatio',
        figure: num(lm, 'seqMBps'),
        unit: 'MB/s',
        baseline: num(lm, 'fioSeqMBps'),
        baselineUnit: 'MB/s (fio)',
        ratio: num(lm, 'seqWriteRatio'),
        goal: '≥ 0.5',
        runs,
        note: '1 MiB sequential writes, 32 in flight, generated inside the node, same path vs fio psync, numjobs 32 (each its own slice), fdatasync=1',
      },
      (v) => v >= 0.5,
      num(lm, 'seqWriteRatio'),
    ),
  ];
}

/** The largest cluster that ran without a false failover; skipped in a quick run. */
function scaleEntry(quick: boolean, scales: Session[]): Entry {
  const ran = scales.map((s) => s.samples).filter((s): s is Samples => !!s && s.ok === true);
  const best = ran.sort((a, b) => (num(b, 'nodes') ?? 0) - (num(a, 'nodes') ?? 0))[0] ?? null;
  const scaleNodes = quick ? null : (num(best, 'nodes') ?? 0);
  const scaleVms = num(best, 'vms') ?? 0;
  return {
    key: 'scale',
    figure: scaleNodes,
    unit: 'nodes',
    baseline: null,
    baselineUnit: '',
    ratio: null,
    goal: '16 nodes, 1000 VMs',
    met: scaleNodes !== null && scaleNodes >= 16 && scaleVms >= 1000,
    runs: quick ? 0 : scales.length,
    note: quick
      ? 'skipped in --quick'
      : `${scaleNodes} nodes with ${scaleVms} VMs. ${scales.map(scaleRun).join('; ')}. Nodes stop at six: the BladeCenter S has six blade bays and its shared SAS storage reaches only its own blades, so 16 nodes would take three chassis on one SAN, which a topology cannot describe yet`,
  };
}

/** One scale session in a sentence. */
function scaleRun(s: Session): string {
  return s.samples
    ? `${s.kind}: ${num(s.samples, 'vms')} VMs online after ${((num(s.samples, 'startupMs') ?? 0) / 1000).toFixed(0)} s, ${num(s.samples, 'falseFailovers')} false failovers in ${(num(s.samples, 'watchedMs') ?? 0) / 1000} s, largest node ${num(s.samples, 'nodeRssMiBMax')} MiB, load ${num(s.samples, 'loadAvg1')}`
    : `${s.kind}: failed (${s.error})`;
}

/** The Markdown report: the table, then the machine. */
export function resultsMarkdown(r: BenchResults): string {
  const lines = [
    `# dcbox benchmark results${r.quick ? ' (--quick smoke run)' : ''}`,
    '',
    'Every figure is the median of the runs shown, with its baseline measured in the same run (`npm run bench`).',
    '',
    '| key | figure | unit | baseline | ratio | goal | met | runs | how |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.entries.map(
      (x) =>
        `| \`${x.key}\` | ${fmt(x.figure)} | ${x.unit} | ${x.baseline === null ? '—' : `${fmt(x.baseline)} ${x.baselineUnit}`} | ${fmt(x.ratio)} | ${x.goal} | ${x.met ? 'yes' : '**no**'} | ${x.runs} | ${x.note} |`,
    ),
    '',
    `Machine: nproc ${r.machine.nproc}, memory ${r.machine.memoryGiB} GiB, kernel ${r.machine.kernel}, node ${r.machine.node}, ${r.machine.date}.`,
    '',
  ];
  return lines.join('\n');
}

/** Writes results.json and RESULTS.md into `dir`. */
export function writeResults(r: BenchResults, dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(join(dir, 'RESULTS.md'), resultsMarkdown(r));
}
