/**
 * The deterministic simulation's speed (issue 18): a swarm of seeds of the seed topology with the
 * default timing and the VM workloads running, ten simulated minutes each, one worker thread per
 * core — `dcbox sim swarm` itself, run as a user runs it. simSpeedRatio is the simulated time of
 * every seed together over the swarm's wall-clock time (its baseline is real time itself: 1×). The
 * memory of one simulated data center is what a finished ten-minute run still holds — its hosts,
 * cores, disks and history — measured as the heap it keeps alive after a full garbage collection.
 */
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { topologyPath } from '../orchestrator/run/up.js';
import { loadTopology, resolveTopology } from '../orchestrator/topology/topology.js';
import { projectRoot } from '../services/transport/grpc.js';
import type { DataCenter } from '../sim/datacenter.js';
import { simulate } from '../sim/run.js';
import type { Entry } from './verdict.js';

/** Ten simulated minutes per seed, as `dcbox sim run` by default. */
const DURATION_MS = 600_000;

export interface SimSpeed {
  simSpeedRatio: number;
  seeds: number;
  jobs: number;
  seedsPerSecond: number;
  realMs: number;
  /** Seeds whose checkers said fail (a swarm of the shipped code should have none). */
  failed: number;
  /** The heap one finished ten-minute simulated data center keeps alive. */
  memoryMiBPerDataCenter: number;
}

/** A full garbage collection, from a process not started with --expose-gc. */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** The heap one simulated data center holds at the end of its run. */
function memoryPerDataCenter(): number {
  const file = topologyPath('seed');
  const topology = resolveTopology(loadTopology(file), file, 'default');
  collect();
  const before = process.memoryUsage().heapUsed;
  let dc: DataCenter | null = null;
  const run = simulate({ seed: 1, topology, durationMs: DURATION_MS, onStart: (d) => (dc = d) });
  collect();
  const held = process.memoryUsage().heapUsed - before;
  // Both stay reachable until here: what was measured is a live data center and its history.
  if (!dc || run.history.length === 0) throw new Error('the simulated data center did not run');
  return held / 2 ** 20;
}

/** What `dcbox sim swarm --json` prints that this row uses. */
interface SwarmJson {
  seeds: number;
  verdicts: { fail: number };
  realMs: number;
  seedsPerSecond: number;
  simSpeedRatio: number;
}

/**
 * Runs `dcbox sim swarm` as a user would (8 seeds in a quick run, 100 otherwise), then measures
 * one data center's memory here.
 */
export async function simSpeed(quick: boolean): Promise<SimSpeed> {
  const jobs = availableParallelism();
  const args = [`${projectRoot}/bin/dcbox.js`, 'sim', 'swarm', '--seeds', `1..${quick ? 8 : 100}`];
  args.push('--timing', 'default', '--duration', `${DURATION_MS / 1000}s`, '--jobs', String(jobs), '--json');
  // The swarm exits 1 when a seed fails, with its summary printed all the same: a failing seed is
  // a figure of the row (`failed`), not a failed session.
  const stdout = await promisify(execFile)(process.execPath, args, {
    cwd: projectRoot,
    maxBuffer: 64 * 2 ** 20,
    timeout: 900_000,
  }).then(
    (r) => r.stdout,
    (err: Error & { code?: number; stdout?: string }) => {
      if (err.code === 1 && err.stdout?.trim().startsWith('{')) return err.stdout;
      throw err;
    },
  );
  const summary = JSON.parse(stdout) as SwarmJson;
  return {
    simSpeedRatio: summary.simSpeedRatio,
    seeds: summary.seeds,
    jobs,
    seedsPerSecond: summary.seedsPerSecond,
    realMs: summary.realMs,
    failed: summary.verdicts.fail,
    memoryMiBPerDataCenter: Math.round(memoryPerDataCenter() * 10) / 10,
  };
}

/** The results row: the swarm's aggregate speed against the goal, with what it ran. */
export function simSpeedEntry(s: SimSpeed | null, error?: string): Entry {
  const figure = s?.simSpeedRatio ?? null;
  return {
    key: 'simSpeedRatio',
    figure,
    unit: '×',
    baseline: null,
    baselineUnit: '',
    baselineRequired: false,
    ratio: null,
    goal: '≥ 1000',
    met: figure !== null && figure >= 1000 && s?.failed === 0,
    runs: s?.seeds ?? 0,
    note: s
      ? `\`dcbox sim swarm\` of seeds 1..${s.seeds} (seed topology, default timing, VM workloads and pings running, the faults each seed draws, every seed judged by the chaos checkers), 10 simulated minutes each, ${s.jobs} worker threads: ${s.seedsPerSecond} seeds/s in ${(s.realMs / 1000).toFixed(1)} s, ${s.failed} failing; one finished simulated data center holds ${s.memoryMiBPerDataCenter} MiB of heap (hosts, cores, disks and its history)`
      : `not measured: ${error}`,
  };
}
