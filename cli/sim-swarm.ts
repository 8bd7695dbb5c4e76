/**
 * `dcbox sim swarm`'s runner: the seeds of a swarm on worker threads, one simulated data center
 * per worker at a time, handed out one seed at a time so a slow seed holds up no other. The
 * simulation itself stays pure (sim/swarm.ts); the threads and the wall clock live here.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism, constants } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { startThread } from '../services/process/thread.js';
import { type SeedOutcome, type SwarmSummary, summarize } from '../sim/swarm.js';

/** What each worker is started with. */
export interface SwarmWorkerData {
  topologyFile: string;
  timing: string | undefined;
  durationMs: number;
  bug: string | undefined;
  /** Digest every seed's history (SeedOutcome.historyHash). */
  digest?: boolean;
}

/** From the main thread to a worker: a seed to run, or the end. */
export type ToWorker = { type: 'seed'; seed: number } | { type: 'done' };

/** From a worker: ready for a seed, a seed's outcome, or the error a seed threw. */
export type ToMain =
  | { type: 'ready' }
  | { type: 'outcome'; outcome: SeedOutcome }
  | { type: 'error'; seed: number; message: string };

/** A swarm to run. */
export interface SwarmRun extends SwarmWorkerData {
  seeds: number[];
  /** Worker threads (default: the machine's available parallelism). */
  jobs?: number;
  /** Called with each outcome as it arrives (in completion order). */
  onOutcome?: (o: SeedOutcome) => void;
  /** Hand out no more seeds once an outcome satisfies this (seeds already running finish). */
  stopWhen?: (o: SeedOutcome) => boolean;
}

/** Starts one worker thread of the swarm. */
function startWorker(data: SwarmWorkerData): Worker {
  // A young generation of 64 MiB: a simulation allocates short-lived states and messages at a
  // high rate, and fewer scavenges made the swarm about 5% faster here.
  return startThread('cli/sim-swarm-worker', {
    workerData: data,
    resourceLimits: { maxYoungGenerationSizeMb: 64 },
  });
}

/** Runs every seed on `jobs` worker threads; resolves with the summary once all are judged. */
export async function runSwarm(run: SwarmRun): Promise<{ summary: SwarmSummary; outcomes: SeedOutcome[] }> {
  const data: SwarmWorkerData = {
    topologyFile: run.topologyFile,
    timing: run.timing,
    durationMs: run.durationMs,
    bug: run.bug,
    digest: run.digest,
  };
  const jobs = Math.max(1, Math.min(run.jobs ?? availableParallelism(), run.seeds.length));
  const queue = [...run.seeds];
  const outcomes: SeedOutcome[] = [];
  const started = performance.now();
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const w = startWorker(data);
      const next = () => {
        const seed = queue.shift();
        w.postMessage(seed === undefined ? ({ type: 'done' } satisfies ToWorker) : { type: 'seed', seed });
      };
      w.on('message', (m: ToMain) => {
        if (m.type === 'error') {
          reject(new Error(`seed ${m.seed} threw: ${m.message}`));
          void w.terminate();
          return;
        }
        if (m.type === 'outcome') {
          outcomes.push(m.outcome);
          run.onOutcome?.(m.outcome);
          if (run.stopWhen?.(m.outcome)) queue.length = 0;
        }
        next();
      });
      w.on('error', reject);
      w.on('exit', () => resolve());
    });
  await Promise.all(Array.from({ length: jobs }, one));
  const summary = summarize(outcomes, performance.now() - started);
  return { summary, outcomes: outcomes.sort((a, b) => a.seed - b.seed) };
}

/**
 * V8 flags the swarm's process runs with. Its worker threads already keep every core busy, and
 * V8's own helper threads (parallel and concurrent GC, background compilation) only took turns
 * with them: with `--single-threaded` a 24-seed swarm of the seed topology ran 922–940× real
 * time against 823–861× without it, alternating runs on this 2-core machine. V8 reads these at
 * the start of a process only, so the swarm command starts itself again with them.
 */
export const SWARM_V8_FLAGS: readonly string[] = ['--single-threaded'];

/** Set in the process started again, so that it never starts another. */
const RERUN_ENV = 'DCBOX_SWARM_RERUN';

/** Whether this process lacks SWARM_V8_FLAGS and should run the swarm in one that has them. */
export function needsSwarmRerun(): boolean {
  return process.env[RERUN_ENV] !== '1' && !SWARM_V8_FLAGS.every((f) => process.execArgv.includes(f));
}

/**
 * Runs this same command again under SWARM_V8_FLAGS, its output the terminal's; resolves with
 * the exit status it ended with. SIGINT and SIGTERM sent to this process are passed on to it.
 */
export async function rerunSwarm(): Promise<number> {
  const child = spawn(process.execPath, [...SWARM_V8_FLAGS, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [RERUN_ENV]: '1' },
  });
  const pass = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = pass('SIGINT');
  const onTerm = pass('SIGTERM');
  process.on('SIGINT', onInt).on('SIGTERM', onTerm);
  try {
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    return code ?? 128 + (signal ? constants.signals[signal] : 0);
  } finally {
    process.off('SIGINT', onInt).off('SIGTERM', onTerm);
  }
}
