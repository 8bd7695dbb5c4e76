/**
 * `dcbox sim run|replay`: the deterministic simulation of the whole data center (sim/,
 * docs/simulation.md). `run` simulates one seed and prints the checkers' verdicts, the simulated
 * and real time and their ratio; `replay` runs the same seed again and prints every event the
 * simulation ran, in order. Nothing is started: no processes, namespaces or files but the
 * history asked for.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type Command, Option } from 'commander';
import { parseDuration } from '../chaos/experiment.js';
import { topologyPath, UsageError } from '../orchestrator/run/up.js';
import { TIMING_NAMES } from '../orchestrator/topology/timing.js';
import { loadTopology, resolveTopology } from '../orchestrator/topology/topology.js';
import { INJECTED_BUGS, parseInjectedBugs } from '../services/process/injected-bugs.js';
import { judge, type SimResult, simulate as simulateRun } from '../sim/run.js';
import { printJson } from './util.js';

/** What both subcommands take. */
interface SimCliOptions {
  seed?: string;
  duration: string;
  timing?: string;
  bug?: string;
}

function seedOf(text: string | undefined, required: boolean): number {
  if (text === undefined) {
    if (required) throw new UsageError('--seed is required: the seed of the run to replay');
    return Math.floor(Math.random() * 2 ** 31);
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new UsageError(`--seed must be a non-negative integer, got ${text}`);
  return n;
}

function options(cmd: Command): Command {
  return cmd
    .argument('[topology]', 'a topology file or the name of one in topologies/ (default: seed)')
    .option('--seed <n>', 'the seed: the same seed gives the same run, byte for byte')
    .option('--duration <d>', 'simulated time to run, e.g. 90s or 10m', '10m')
    .addOption(
      new Option('--timing <profile>', 'timing profile (overrides the topology)').choices(TIMING_NAMES),
    )
    .addOption(
      new Option('--bug <name>', 'run every service with an injected bug').choices([...INJECTED_BUGS]),
    );
}

/** Simulates one seed; `trace` receives every event. */
function simulate(
  topology: string | undefined,
  o: SimCliOptions,
  seed: number,
  trace?: (at: number, label: string) => void,
) {
  const file = topologyPath(topology);
  const resolved = resolveTopology(loadTopology(file), file, o.timing);
  const started = performance.now();
  const run = simulateRun({
    seed,
    topology: resolved,
    durationMs: parseDuration(o.duration),
    bugs: parseInjectedBugs(o.bug),
    trace,
  });
  const simulatedAt = performance.now();
  const result = judge(run);
  return { result, realMs: simulatedAt - started, judgeMs: performance.now() - simulatedAt };
}

function summary(r: SimResult, seed: number, realMs: number, judgeMs: number) {
  return {
    seed,
    verdict: r.report.verdict,
    simulatedMs: r.simulatedMs,
    realMs: Math.round(realMs),
    judgeMs: Math.round(judgeMs),
    simSpeedRatio: Math.round(r.simulatedMs / Math.max(realMs, 1)),
    steps: r.steps,
    messages: r.messages,
    faults: r.faults,
    invariants: r.report.invariants.map(({ name, verdict, details }) => ({ name, verdict, details })),
    availability: r.report.availability,
  };
}

/** Registers `dcbox sim run` and `dcbox sim replay`. */
export function addSimCommands(cli: Command): void {
  const sim = cli
    .command('sim')
    .description('deterministic simulation of the whole data center (no processes)');
  options(sim.command('run').description('simulate one seed and judge its history with the chaos checkers'))
    .option('--history <file>', 'write the history (JSON Lines, as dcbox chaos writes it)')
    .option('--json', 'print one JSON object')
    .action((topology: string | undefined, o: SimCliOptions & { history?: string; json?: boolean }) => {
      const seed = seedOf(o.seed, false);
      const { result, realMs, judgeMs } = simulate(topology, o, seed);
      if (o.history) writeFileSync(o.history, result.jsonl);
      const s = summary(result, seed, realMs, judgeMs);
      if (o.json) printJson(s);
      else {
        console.log(
          `seed ${seed}: ${s.verdict.toUpperCase()} (replay with: dcbox sim replay --seed ${seed})`,
        );
        console.log(
          `  ${s.simulatedMs / 1000} s simulated in ${(realMs / 1000).toFixed(2)} s: ${s.simSpeedRatio}× real time, ${s.steps} events; judged in ${(judgeMs / 1000).toFixed(2)} s`,
        );
        for (const f of s.faults)
          console.log(`  fault ${f.kind} ${f.targets.join(',')} at ${f.atMs} ms for ${f.durationMs} ms`);
        for (const i of s.invariants) console.log(`  [${i.verdict}] ${i.name}: ${i.details}`);
      }
      process.exitCode = s.verdict === 'fail' ? 1 : 0;
    });
  options(
    sim.command('replay').description('run a seed again and print every event it ran, in order'),
  ).action((topology: string | undefined, o: SimCliOptions) => {
    const seed = seedOf(o.seed, true);
    const lines: string[] = [];
    const flush = () => {
      if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
      lines.length = 0;
    };
    const { result } = simulate(topology, o, seed, (at, label) => {
      lines.push(`${at.toFixed(3).padStart(12)} ${label}`);
      if (lines.length >= 10_000) flush();
    });
    flush();
    console.log(`seed ${seed}: ${result.report.verdict.toUpperCase()}`);
  });
}
