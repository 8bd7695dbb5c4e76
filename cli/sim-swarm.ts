/**
 * `dcbox sim swarm`'s runner: the seeds of a swarm on worker threads, one simulated data center
 * per worker at a time, handed out one seed at a time so a slow seed holds up no other. The
 * simulation itself stays pure (sim/swarm.ts); the threads and the wall clock live here.
 */
import { availableParallelism } from 'node:os';
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
