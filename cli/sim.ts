/**
 * `dcbox sim run|replay|swarm|shrink`: the deterministic simulation of the whole data center
 * (sim/, docs/simulation.md). `run` simulates one seed and prints the checkers' verdicts, the
 * simulated and real time and their ratio; `replay` runs the same seed again and prints every
 * event the simulation ran, in order; `swarm` runs many seeds on worker threads
 * (cli/sim-swarm.ts); `shrink` reduces a failing seed's schedule and writes it as a chaos
 * experiment. Nothing is started: no processes, namespaces or files but those asked for.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Command, Option } from 'commander';
import { loadExperiment, parseDuration, parseExperiment } from '../chaos/experiment.js';
import { topologyPath, UsageError } from '../orchestrator/run/up.js';
import { TIMING_NAMES } from '../orchestrator/topology/timing.js';
import { loadTopology, resolveTopology } from '../orchestrator/topology/topology.js';
import { INJECTED_BUGS, parseInjectedBugs } from '../services/process/injected-bugs.js';
import { eventStory } from '../sim/agreement.js';
import { simOptionsOf } from '../sim/experiment.js';
import { judge, type SimResult, simulate as simulateRun } from '../sim/run.js';
import { experimentOf } from '../sim/schedule-file.js';
import { shrink } from '../sim/shrink.js';
import { parseSeeds, type SwarmSummary } from '../sim/swarm.js';
import { EXPERIMENTS_DIR } from './chaos.js';
import { needsSwarmRerun, rerunSwarm, runSwarm, SWARM_V8_FLAGS } from './sim-swarm.js';
import { printJson } from './util.js';

/** What both subcommands take. */
interface SimCliOptions {
  seed?: string;
  duration: string;
  timing?: string;
  bug?: string;
  /** A chaos experiment to simulate instead of the seed's own faults (sim/experiment.ts). */
  experiment?: string;
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
  const spec = o.experiment ? loadExperiment(experimentFile(o.experiment)) : null;
  const file = topologyPath(spec?.topology ?? topology);
  const resolved = resolveTopology(loadTopology(file), file, o.timing ?? spec?.timing);
  const started = performance.now();
  const run = simulateRun({
    seed,
    topology: resolved,
    durationMs: parseDuration(o.duration),
    ...(spec ? simOptionsOf(spec, resolved, seed) : {}),
    bugs: parseInjectedBugs(o.bug),
    trace,
  });
  const simulatedAt = performance.now();
  const result = judge(run);
  return { result, realMs: simulatedAt - started, judgeMs: performance.now() - simulatedAt };
}

/** An experiment named as `dcbox chaos run` takes it: a file, or the name of a shipped one. */
function experimentFile(name: string): string {
  return name.endsWith('.yaml') || name.includes('/') ? name : join(EXPERIMENTS_DIR, `${name}.yaml`);
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
    mix: r.mix,
    violation: r.violation,
    faults: r.faults,
    invariants: r.report.invariants.map(({ name, verdict, details }) => ({ name, verdict, details })),
    availability: r.report.availability,
    story: eventStory(r.history),
  };
}

/** Registers `dcbox sim run` and `dcbox sim replay`. */
export function addSimCommands(cli: Command): void {
  const sim = cli
    .command('sim')
    .description('deterministic simulation of the whole data center (no processes)');
  options(sim.command('run').description('simulate one seed and judge its history with the chaos checkers'))
    .option('--history <file>', 'write the history (JSON Lines, as dcbox chaos writes it)')
    .option(
      '--experiment <file>',
      "simulate a chaos experiment (a file, or the name of a shipped one) instead of the seed's own faults",
    )
    .option('--json', 'print one JSON object')
    .action((topology: string | undefined, o: SimCliOptions & { history?: string; json?: boolean }) => {
      const seed = seedOf(o.seed, false);
      const { result, realMs, judgeMs } = simulate(topology, o, seed);
      if (o.history) writeFileSync(o.history, result.jsonl());
      const s = summary(result, seed, realMs, judgeMs);
      if (o.json) printJson(s);
      else {
        console.log(
          `seed ${seed}: ${s.verdict.toUpperCase()} (replay with: dcbox sim replay --seed ${seed})`,
        );
        console.log(
          `  ${s.simulatedMs / 1000} s simulated in ${(realMs / 1000).toFixed(2)} s: ${s.simSpeedRatio}× real time, ${s.steps} events; judged in ${(judgeMs / 1000).toFixed(2)} s`,
        );
        console.log(`  fault kinds on: ${s.mix.kinds.join(', ')}; network ${JSON.stringify(s.mix.network)}`);
        for (const f of s.faults)
          console.log(`  fault ${f.kind} ${f.targets.join(',')} at ${f.atMs} ms for ${f.durationMs} ms`);
        for (const i of s.invariants) console.log(`  [${i.verdict}] ${i.name}: ${i.details}`);
        for (const [node, story] of Object.entries(s.story)) console.log(`  ${node}: ${story.join(' → ')}`);
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
  addSwarmCommand(sim);
  addShrinkCommand(sim);
}

/** The command that replays one seed of a swarm or shrink as it ran. */
function replayCommand(seed: number, o: SimCliOptions, topology?: string): string {
  const extra = [
    topology ? ` ${topology}` : '',
    ` --seed ${seed} --duration ${o.duration}`,
    o.timing ? ` --timing ${o.timing}` : '',
    o.bug ? ` --bug ${o.bug}` : '',
  ];
  return `dcbox sim replay${extra.join('')}`;
}

function printSwarm(s: SwarmSummary, o: SimCliOptions, topology?: string): void {
  const v = s.verdicts;
  console.log(
    `${s.seeds} seeds in ${(s.realMs / 1000).toFixed(1)} s: ${v.pass} pass, ${v.unknown} unknown, ${v.fail} fail`,
  );
  console.log(
    `  ${s.seedsPerSecond} seeds/s; ${(s.simulatedMs / 3_600_000).toFixed(2)} h simulated, ${s.simSpeedRatio}× real time over all workers`,
  );
  for (const [checker, n] of Object.entries(s.byChecker)) console.log(`  ${checker}: ${n} seed(s)`);
  for (const f of s.failures) {
    console.log(`  seed ${f.seed} [${f.kinds.join(',')}] ${f.checker}: ${f.details}`);
    console.log(`    replay: ${replayCommand(f.seed, o, topology)}`);
  }
}

/** Registers `dcbox sim swarm`. */
function addSwarmCommand(sim: Command): void {
  options(
    sim
      .command('swarm')
      .description('run many seeds on worker threads, each drawing its fault kinds and network'),
  )
    .option('--seeds <list>', 'the seeds: a..b, n, or a comma-separated list of both', '1..100')
    .option('--jobs <n>', 'worker threads', String(availableParallelism()))
    .option('--json', 'print one JSON object')
    .action(
      async (
        topology: string | undefined,
        o: SimCliOptions & { seeds: string; jobs: string; json?: boolean },
      ) => {
        if (needsSwarmRerun()) {
          process.exitCode = await rerunSwarm();
          return;
        }
        let seeds: number[];
        try {
          seeds = parseSeeds(o.seeds);
        } catch (err) {
          throw new UsageError(`--seeds: ${(err as Error).message}`);
        }
        const jobs = Number(o.jobs);
        if (!Number.isInteger(jobs) || jobs < 1)
          throw new UsageError(`--jobs must be a positive integer, got ${o.jobs}`);
        const file = topologyPath(topology);
        const { summary } = await runSwarm({
          topologyFile: file,
          timing: o.timing,
          durationMs: parseDuration(o.duration),
          bug: o.bug,
          seeds,
          jobs,
          onOutcome: (r) => {
            if (!o.json && r.failure) console.log(`seed ${r.seed}: FAIL ${r.failure.checker}`);
          },
        });
        if (o.json)
          printJson({
            ...summary,
            failures: summary.failures.map((f) => ({ ...f, replay: replayCommand(f.seed, o, topology) })),
            // The V8 flags the swarm ran under (SWARM_V8_FLAGS, when it started itself again).
            v8Flags: process.execArgv.filter((f) => SWARM_V8_FLAGS.includes(f)),
          });
        else printSwarm(summary, o, topology);
        process.exitCode = summary.verdicts.fail > 0 ? 1 : 0;
      },
    );
}

/** Registers `dcbox sim shrink`. */
function addShrinkCommand(sim: Command): void {
  options(
    sim.command('shrink').description("reduce a failing seed's schedule and write it as a chaos experiment"),
  )
    .option('--out <file>', 'write the experiment file here (default: shrunk-<seed>.yaml)')
    .option('--json', 'print one JSON object')
    .action((topology: string | undefined, o: SimCliOptions & { out?: string; json?: boolean }) => {
      const seed = seedOf(o.seed, true);
      const file = topologyPath(topology);
      const resolved = resolveTopology(loadTopology(file), file, o.timing);
      const s = shrink({
        seed,
        topology: resolved,
        durationMs: parseDuration(o.duration),
        bugs: parseInjectedBugs(o.bug),
        onTry: (c, fails) => {
          if (!o.json)
            console.log(
              `  try ${c.faults.length} fault(s), ${c.moves.length} move(s), ${c.durationMs} ms: ${fails ? 'still fails' : 'passes'}`,
            );
        },
      });
      const text = experimentOf(s, resolved, { topologyName: topology ?? 'seed', bug: o.bug ?? null });
      const out = o.out ?? `shrunk-${seed}.yaml`;
      parseExperiment(text, out);
      writeFileSync(out, text);
      if (o.json) return printJson({ ...s, file: out });
      const show = (c: typeof s.before) =>
        [
          ...c.faults.map((f) => `${f.kind} ${f.targets.join(',')}@${f.atMs}+${f.durationMs}`),
          ...c.moves.map((m) => `${m.kind}-migrate ${m.role}@${m.atMs}`),
        ].join('; ') || 'none';
      console.log(`seed ${seed} fails ${s.checker}: ${s.details}`);
      console.log(
        `  before: ${s.before.faults.length} fault(s), ${s.before.moves.length} move(s) in ${s.before.durationMs} ms: ${show(s.before)}`,
      );
      console.log(
        `  after:  ${s.after.faults.length} fault(s), ${s.after.moves.length} move(s) in ${s.after.durationMs} ms: ${show(s.after)}`,
      );
      console.log(`  network after: ${JSON.stringify(s.after.network)}; ${s.runs} simulated runs`);
      console.log(`  wrote ${out}: replay on real processes with dcbox chaos run ${out} --seed ${seed}`);
    });
}
