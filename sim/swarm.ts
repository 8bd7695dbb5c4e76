/**
 * Swarm testing (docs/simulation.md §Swarm): many seeds, each with the fault kinds and network
 * impairments it draws (faults.ts drawMix), each judged by the in-step invariants and the chaos
 * checkers. This file is the pure part — one seed's outcome, the seed list, the summary — so the
 * simulation's purity rule holds; the CLI runs it on worker threads (cli/sim-swarm.ts) and
 * measures the wall-clock time.
 */
import type { CheckReport } from '../chaos/checkers/index.js';
import { historyDigest } from '../chaos/history.js';
import type { ResolvedTopology } from '../orchestrator/topology/topology.js';
import type { InjectedBugs } from '../services/process/injected-bugs.js';
import type { FaultMix } from './faults.js';
import { judge, simulate } from './run.js';

/** What every seed of a swarm shares. */
export interface SwarmConfig {
  topology: ResolvedTopology;
  durationMs: number;
  bugs: InjectedBugs;
  /**
   * Digest each seed's history (historyHash). Off by default: hashing 12 MB of JSON Lines was an
   * eighth of a ten-minute seed, for a figure only a replay check reads.
   */
  digest?: boolean;
}

/** The checker that failed first, and what it said. */
export interface Failure {
  /** A chaos checker's name, or an in-step invariant's as `<name> (in-step)`. */
  checker: string;
  details: string;
}

/** One seed's outcome, small enough to post from a worker. */
export interface SeedOutcome {
  seed: number;
  verdict: CheckReport['verdict'];
  failure: Failure | null;
  mix: FaultMix;
  faults: number;
  steps: number;
  simulatedMs: number;
  /**
   * The digest of the history's JSON Lines (historyDigest), when the swarm was asked for it: the
   * same seed gives the same one on replay.
   */
  historyHash?: string;
}

/** The first failing checker of a report (an in-step invariant comes first), or null. */
export function firstFailure(report: CheckReport): Failure | null {
  const f = report.invariants.find((i) => i.verdict === 'fail');
  return f ? { checker: f.name, details: f.details } : null;
}

/** Simulates and judges one seed of a swarm. */
export function runSeed(seed: number, cfg: SwarmConfig): SeedOutcome {
  const r = judge(simulate({ seed, topology: cfg.topology, durationMs: cfg.durationMs, bugs: cfg.bugs }));
  return {
    seed,
    verdict: r.report.verdict,
    failure: firstFailure(r.report),
    mix: r.mix,
    faults: r.faults.length,
    steps: r.steps,
    simulatedMs: r.simulatedMs,
    ...(cfg.digest ? { historyHash: historyDigest(r.history) } : {}),
  };
}

/** Parses a seed list: `1..10000`, `7`, or a comma-separated mix of both (`1..5,9`). */
export function parseSeeds(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new Error(`not a seed or a range of seeds (a..b): ${part}`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (!Number.isSafeInteger(to) || to < from) throw new Error(`not a range of seeds: ${part}`);
    for (let s = from; s <= to; s++) out.push(s);
  }
  return out;
}

/** A swarm's figures. */
export interface SwarmSummary {
  seeds: number;
  verdicts: Record<CheckReport['verdict'], number>;
  realMs: number;
  seedsPerSecond: number;
  /** Simulated time over wall-clock time, over all workers together. */
  simSpeedRatio: number;
  simulatedMs: number;
  steps: number;
  /** Failing seeds in seed order, with the checker and its first violation. */
  failures: { seed: number; checker: string; details: string; kinds: FaultMix['kinds'] }[];
  /** How many failing seeds each checker accounts for. */
  byChecker: Record<string, number>;
}

/** Sums a swarm's outcomes over `realMs` of wall-clock time. */
export function summarize(outcomes: readonly SeedOutcome[], realMs: number): SwarmSummary {
  const verdicts = { pass: 0, unknown: 0, fail: 0 };
  const byChecker: Record<string, number> = {};
  let simulatedMs = 0;
  let steps = 0;
  for (const o of outcomes) {
    verdicts[o.verdict]++;
    simulatedMs += o.simulatedMs;
    steps += o.steps;
    if (o.failure) byChecker[o.failure.checker] = (byChecker[o.failure.checker] ?? 0) + 1;
  }
  const failures = outcomes
    .filter((o) => o.failure)
    .sort((a, b) => a.seed - b.seed)
    .map((o) => ({ seed: o.seed, ...(o.failure as Failure), kinds: o.mix.kinds }));
  const seconds = Math.max(realMs, 1) / 1000;
  return {
    seeds: outcomes.length,
    verdicts,
    realMs: Math.round(realMs),
    seedsPerSecond: Math.round((outcomes.length / seconds) * 100) / 100,
    simSpeedRatio: Math.round(simulatedMs / Math.max(realMs, 1)),
    simulatedMs,
    steps,
    failures,
    byChecker,
  };
}
