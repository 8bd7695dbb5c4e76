/**
 * Chaos on real processes (netns runtime, fast timing): every shipped experiment and a seeded
 * campaign of every fault kind with overlap and one-way partitions pass their checkers, and a
 * runner killed halfway leaves nothing behind once its leases expire and `dcbox down` runs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../chaos/checkers/types.js';
import { loadExperiment } from '../chaos/experiment.js';
import { entriesOf, type HistoryEntry, readHistory } from '../chaos/history.js';
import { isClean, leftovers } from '../orchestrator/run/sweep.js';
import { topologyPath } from '../orchestrator/run/up.js';
import { loadTopology, resolveTopology } from '../orchestrator/topology/topology.js';
import { pollUntil } from '../services/process/poll-until.js';
import { projectRoot } from '../services/transport/grpc.js';
import { eventStory } from '../sim/agreement.js';
import { simOptionsOf } from '../sim/experiment.js';
import { runSimulation } from '../sim/run.js';
import { dcbox, dcboxOk } from './harness.js';
import { ROOT, unmet } from './requirements.js';

/** Processes of any dcbox run that are stopped (SIGSTOP): a frozen host left behind. */
function stoppedProcesses(): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const env = readFileSync(`/proc/${e}/environ`, 'latin1');
      if (!env.includes('DCBOX_RUN=')) continue;
      if (/^\d+ \(.*\) T/.test(readFileSync(`/proc/${e}/stat`, 'utf8'))) out.push(Number(e));
    } catch {
      // Gone while we looked.
    }
  }
  return out;
}

/** The run's namespaces: their qdiscs and rules exist only as long as they do. */
function dcboxNamespaces(): string {
  return readdirSync('/run/netns', { withFileTypes: true })
    .filter((d) => d.name.startsWith('dcbox-'))
    .map((d) => d.name)
    .join(',');
}

afterAll(async () => {
  await dcbox(['down']);
});

/** The experiments whose real runs the simulation must retell (issue 18). */
const AGREEMENT = ['seed-power-off', 'node-partition-witness', 'gray-failure-freeze'];

/** The story of cluster events the simulation tells for a shipped experiment, seed 11. */
function simulatedStory(name: string): Record<string, string[]> {
  const spec = loadExperiment(join(projectRoot, 'chaos', 'experiments', `${name}.yaml`));
  const file = topologyPath(spec.topology);
  const topology = resolveTopology(loadTopology(file), file, spec.timing);
  return eventStory(runSimulation(simOptionsOf(spec, topology, 11)).history);
}

/**
 * The answered pings of a real run, each with when its host answered: [invoke, answeredAt, ok].
 * Every process reads one clock, so each is stamped and within its ping (docs/chaos.md §no-split-brain).
 */
function answerTimes(h: HistoryEntry[]): [number, number | undefined, number][] {
  const invokes = new Map<string, number>();
  const out: [number, number | undefined, number][] = [];
  for (const op of entriesOf(h, 'op')) {
    if (op.f !== 'ping') continue;
    if (op.phase === 'invoke') invokes.set(`${op.process}/${op.id}`, op.t);
    if (op.phase === 'ok') out.push([invokes.get(`${op.process}/${op.id}`) ?? -1, op.answeredAt, op.t]);
  }
  return out;
}

const skip = unmet('test/chaos.test.ts', [ROOT]);

describe.skipIf(!!skip)('chaos (netns runtime, fast timing)', () => {
  // Every experiment we ship (chaos/experiments/), each with every checker.
  const shipped = readdirSync(join(projectRoot, 'chaos', 'experiments'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
  it('ships experiments to run', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(10);
  });
  for (const name of shipped) {
    it(`passes the ${name} experiment with every checker`, async () => {
      const r = await dcbox(['chaos', 'run', name, '--seed', '11', '--json'], 170_000);
      const report = JSON.parse(r.stdout) as {
        invariants: CheckResult[];
        verdict: string;
        html: string;
        history: string;
      };
      expect(report.invariants.length).toBeGreaterThan(0);
      // survivor-continuity alone may have nothing to judge: an experiment whose only faults are
      // on the storage, or that leaves no node with quorum and a pinged VM (docs/chaos.md).
      const notPassed = report.invariants.filter((i) => i.verdict !== 'pass');
      expect(notPassed.filter((i) => !(i.name === 'survivor-continuity' && i.verdict === 'unknown'))).toEqual(
        [],
      );
      expect(report.verdict).toBe(notPassed.length === 0 ? 'pass' : 'unknown');
      expect(r.code).toBe(report.verdict === 'pass' ? 0 : 1);
      expect(readFileSync(report.html, 'utf8')).toContain('<svg');
      expect(isClean(leftovers())).toBe(true);
      const history = readHistory(report.history);
      const answers = answerTimes(history);
      expect(answers.length).toBeGreaterThan(0);
      expect(answers.filter(([invoke, at, ok]) => at === undefined || at < invoke || at > ok)).toEqual([]);
      // Simulation and reality agree (docs/simulation.md §Simulation and reality): the same file
      // simulated tells the same story of cluster events, node by node, as this real run.
      if (AGREEMENT.includes(name)) {
        const real = eventStory(history);
        expect(Object.keys(real).length).toBeGreaterThan(0);
        expect(real).toEqual(simulatedStory(name));
      }
    }, 180_000);
  }

  it('passes a 30 s seeded campaign of every fault kind, overlapping and one-way, and plans the same schedule from the same seed', async () => {
    const args = ['chaos', 'campaign', '--seed', '3', '--duration', '30s', '--overlap', '--one-way'];
    const plan = async () => JSON.parse((await dcboxOk([...args, '--plan', '--json'])).toString()).plan;
    expect(await plan()).toEqual(await plan());
    const r = await dcbox([...args, '--json'], 170_000);
    const report = JSON.parse(r.stdout);
    expect(report.plan.length).toBeGreaterThan(3);
    // Overlap on: some fault starts before the one before it ended.
    const spans = report.plan as { atMs: number; endMs: number }[];
    expect(spans.some((f, i) => i > 0 && f.atMs < spans[i - 1]!.endMs)).toBe(true);
    expect(report.invariants.length).toBeGreaterThan(0);
    expect(report.invariants.filter((i: { verdict: string }) => i.verdict !== 'pass')).toEqual([]);
    expect(report.verdict).toBe('pass');
  }, 180_000);

  it('leaves no frozen process, namespace, rule or qdisc behind when the runner is killed halfway', async () => {
    const runner = spawn(
      process.execPath,
      [join(projectRoot, 'bin', 'dcbox.js'), 'chaos', 'run', 'gray-failure-freeze', '--seed', '4'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    runner.stdout.on('data', (d) => {
      out += d;
    });
    runner.stderr.on('data', (d) => {
      err += d;
    });
    await pollUntil(() => out.includes('injected') || runner.exitCode !== null, {
      what: 'the freeze to be injected',
      timeoutMs: 100_000,
      intervalMs: 100,
    });
    expect(runner.exitCode, `the runner ended before injecting the freeze:\n${out}\n${err}`).toBeNull();
    expect(stoppedProcesses().length).toBeGreaterThan(0);
    runner.kill('SIGKILL');
    // The freeze was a lease of 4 s (+5 s margin): the orchestrator thaws it by itself.
    await pollUntil(() => stoppedProcesses().length === 0, {
      what: 'the lease to thaw the frozen host',
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    expect(dcboxNamespaces()).not.toBe('');
    await dcboxOk(['down']);
    expect(stoppedProcesses()).toEqual([]);
    expect(dcboxNamespaces()).toBe('');
    expect(isClean(leftovers())).toBe(true);
    // The runner killed above has exited and closed its pipes before the test ends.
    if (runner.exitCode === null && runner.signalCode === null) await once(runner, 'exit');
  }, 120_000);
});
