/**
 * The swarm on worker threads: a seed's outcome from a worker is the seed run in place (same
 * drawn kinds, same history), every injected bug the simulation supports is found within a
 * stated number of seeds, and a swarm of clean seeds breaks no invariant beyond the open
 * findings listed here (docs/simulation.md §Findings).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { textDigest } from '../chaos/history.js';
import { parseTopology, resolveTopology } from '../orchestrator/topology/topology.js';
import { INJECTED_BUGS, type InjectedBug, NO_BUGS } from '../services/process/injected-bugs.js';
import { runSimulation } from '../sim/run.js';
import { parseSeeds, runSeed, type SeedOutcome } from '../sim/swarm.js';
import { runSwarm } from './sim-swarm.js';

const FILE = new URL('../topologies/seed.yaml', import.meta.url).pathname;
const topology = resolveTopology(parseTopology(readFileSync(FILE, 'utf8'), FILE), FILE, 'fast');
const swarm = (
  seeds: string,
  durationMs: number,
  opts: { bug?: string; stopWhen?: (o: SeedOutcome) => boolean; digest?: boolean } = {},
) =>
  runSwarm({
    topologyFile: FILE,
    timing: 'fast',
    durationMs,
    seeds: parseSeeds(seeds),
    jobs: 2,
    ...opts,
    bug: opts.bug,
  });

describe('parseSeeds', () => {
  it('reads ranges, single seeds and lists of both, and refuses anything else', () => {
    expect(parseSeeds('1..3,7, 9..10')).toEqual([1, 2, 3, 7, 9, 10]);
    expect(parseSeeds('5')).toEqual([5]);
    expect(() => parseSeeds('3..1')).toThrow(/not a range/);
    expect(() => parseSeeds('a')).toThrow(/not a seed/);
  });
});

describe('dcbox sim swarm', () => {
  it('gives, from a worker, what the seed gives run in place: the same drawn kinds and history', async () => {
    const { outcomes } = await swarm('3..4', 30_000, { digest: true });
    for (const o of outcomes) {
      const here = runSimulation({ seed: o.seed, topology, durationMs: 30_000 });
      expect(o.mix).toEqual(here.mix);
      expect(o.historyHash).toBe(textDigest(here.jsonl()));
      expect(runSeed(o.seed, { topology, durationMs: 30_000, bugs: NO_BUGS, digest: true })).toEqual(o);
      // Without a digest asked for, the outcome carries none (and costs none).
      expect(runSeed(o.seed, { topology, durationMs: 30_000, bugs: NO_BUGS }).historyHash).toBeUndefined();
    }
    expect(outcomes[0]?.mix).not.toEqual(outcomes[1]?.mix);
  });

  /** What finds each bug, and within how many seeds (fast timing, 60 s each). */
  const FOUND_BY: Partial<Record<InjectedBug, string[]>> = {
    // Without fencing, the old owner's queued writes land after the takeover: two writers.
    'failover-without-fencing': ['fencing-before-takeover', 'no-split-brain'],
    'ack-before-durable': ['no-lost-acked-writes'],
    'answer-after-quorum-loss': ['no-split-brain'],
    'witness-without-arbitration': ['no-split-brain', 'one-coordinator (in-step)'],
    'stale-config-on-rejoin': ['no-split-brain', 'one-coordinator (in-step)'],
    'csv-takeover-without-handoff': ['single-csv-coordinator', 'one-coordinator (in-step)'],
    'no-rejoin-after-heal': ['liveness-after-heal'],
  };
  /**
   * Bugs the swarm does not find yet, each with why: lease-lapses-on-arbitration needs a leader
   * that fails while a VM runs on the other node, and survivor-continuity said `unknown` (nothing
   * to judge) on 28 of seeds 1..30 (`dcbox sim swarm --seeds 1..30 --bug
   * lease-lapses-on-arbitration`). test/injected-bugs.test.ts catches it on real processes.
   */
  const NOT_FOUND_YET: InjectedBug[] = ['lease-lapses-on-arbitration'];
  const BUDGET_SEEDS = 10;

  it('knows for every injected bug what finds it, or why the swarm does not yet', () => {
    expect([...Object.keys(FOUND_BY), ...NOT_FOUND_YET].sort()).toEqual([...INJECTED_BUGS].sort());
  });

  it.each(Object.keys(FOUND_BY) as InjectedBug[])(
    `finds %s within ${BUDGET_SEEDS} seeds`,
    { timeout: 120_000 },
    async (bug) => {
      // Seeds are handed out in order and the swarm stops at the first failure.
      const { summary } = await swarm(`1..${BUDGET_SEEDS}`, 60_000, {
        bug,
        stopWhen: (o) => o.failure !== null,
      });
      expect(summary.failures.length).toBeGreaterThan(0);
      expect(FOUND_BY[bug]).toContain(summary.failures[0]?.checker);
    },
  );

  /**
   * Open findings of the clean swarm (docs/simulation.md §Findings), each allowed only in the
   * shape it was found in and only on a lossy network; anything else fails the test.
   */
  const OPEN_FINDINGS: { checker: string; shape: RegExp }[] = [
    // (A write of a stopped VM instance acknowledged after its successor on the same node rewrote
    // the record is fixed: a boot scans only once the last run's writes ended, sim/run.test.ts.)
    // A lost witness I/O stretches the survivor's arbitration past its lease: its VMs go Pending.
    { checker: 'survivor-continuity', shape: /which kept quorum throughout .* was Pending at/ },
  ];
  /**
   * Open findings pinned to their seed, not yet fixed (docs/simulation.md §Findings). Seed 1011
   * (two coordinators of Volume1, the old one already fenced off the LUN) is no longer one: the
   * in-step invariant counts only coordinators the storage still takes writes from.
   */
  const OPEN_SEEDS: Record<number, string> = {};
  const open = (o: SeedOutcome) =>
    OPEN_SEEDS[o.seed] === o.failure?.checker ||
    (o.mix.network.lossRate > 0 &&
      OPEN_FINDINGS.some((f) => f.checker === o.failure?.checker && f.shape.test(o.failure.details)));
  const CLEAN_SEEDS = 100;

  it(`runs ${CLEAN_SEEDS} clean seeds, every one without a violation beyond the open findings`, {
    timeout: 180_000,
  }, async () => {
    const { summary, outcomes } = await swarm(`1001..${1000 + CLEAN_SEEDS}`, 45_000);
    expect(summary.seeds).toBe(CLEAN_SEEDS);
    const unexplained = outcomes.filter((o) => o.failure && !open(o));
    expect(unexplained.map((o) => `${o.seed} ${o.failure?.checker}: ${o.failure?.details}`)).toEqual([]);
    // Every seed ran its drawn faults: the swarm explores, it does not idle.
    expect(outcomes.filter((o) => o.faults > 0).length).toBeGreaterThan(CLEAN_SEEDS * 0.9);
  });
});
