/**
 * The data center as a whole: `dcbox up`, `status` and `down`, and the scripted runs on a fresh
 * one, `dcbox demo` and `dcbox scenario run`.
 */
import { type Command, Option } from 'commander';
import { down, isClean } from '../orchestrator/run/sweep.js';
import { topologyPath, UsageError, up } from '../orchestrator/run/up.js';
import type { RuntimeKind } from '../orchestrator/runtime/runtime.js';
import { formatSeedReport, runSeedScenario } from '../orchestrator/scenario/seed.js';
import { TIMING_NAMES } from '../orchestrator/topology/timing.js';
import { gatherStatus, printStatus } from './status.js';
import { printJson, progress, withClients } from './util.js';

/** The `--runtime` option of `up` and `scenario run`. */
function runtimeOption(): Option {
  return new Option('--runtime <kind>', 'where hosts live').choices(['netns', 'local', 'docker']);
}

type UpOptions = {
  runtime?: RuntimeKind;
  timing?: string;
  json?: boolean;
  dashboard: string;
  allowControl?: boolean;
};

/** `dcbox up [topology]`: starts the daemon, then prints the status (or JSON with the timings). */
export function addUpCommand(cli: Command): void {
  cli
    .command('up')
    .description('start a data center from a topology (default: topologies/seed.yaml)')
    .argument('[topology]', 'a topology file or the name of one in topologies/')
    .addOption(runtimeOption())
    .addOption(
      new Option('--timing <profile>', 'timing profile (overrides the topology)').choices(TIMING_NAMES),
    )
    .option('--json', 'print the status as JSON when ready')
    .option('--dashboard <host:port>', 'where to serve the live dashboard, or "off"', '127.0.0.1:8080')
    .option(
      '--allow-control',
      'let the dashboard power, move and inject faults (with the token printed at start)',
    )
    .action(async (topology: string | undefined, o: UpOptions) => {
      const t0 = Date.now();
      if (!o.json) console.log(`dcbox up: ${topologyPath(topology)}`);
      const ms = await up({
        topology,
        runtime: o.runtime,
        timing: o.timing,
        quiet: o.json,
        dashboard: o.dashboard,
        allowControl: !!o.allowControl,
      });
      const s = await gatherStatus();
      if (o.json) printJson({ readyMs: ms, totalMs: Date.now() - t0, ...s });
      else {
        console.log(`\nready in ${(ms / 1000).toFixed(2)} s\n`);
        printStatus(s);
      }
    });
}

/** `dcbox status`. */
export function addStatusCommand(cli: Command): void {
  cli
    .command('status')
    .description('hosts, processes and health; chassis bays with power; LUNs and paths per node')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const s = await withClients(() => gatherStatus());
      if (o.json) printJson(s);
      else printStatus(s);
    });
}

/** `dcbox down`: exits 1 when something is still present after the sweep. */
export function addDownCommand(cli: Command): void {
  cli
    .command('down')
    .description('stop the run and remove everything it made (and anything a crashed run left behind)')
    .option('--keep-data', 'keep the run folder (logs, LUN files, state)')
    .option('--json', 'print JSON')
    .action(async (o: { keepData?: boolean; json?: boolean }) => {
      const r = await down({ keepData: o.keepData });
      if (o.json) printJson(r);
      else {
        const n = r.removed;
        console.log(
          `removed ${n.processes.length} processes, ${n.namespaces.length} namespaces, ${n.links.length} links, ${n.rules.length} rules, ${n.containers.length} containers, ${n.networks.length} networks${r.dataKept ? '; data kept' : ''}`,
        );
        console.log(
          isClean(r.remaining) ? 'nothing left behind' : `still present: ${JSON.stringify(r.remaining)}`,
        );
      }
      if (!isClean(r.remaining)) process.exitCode = 1;
    });
}

/** Runs the seed scenario and prints its report; exits 1 when it did not pass. */
async function seedScenario(o: { timing: string; json?: boolean; runtime?: RuntimeKind }): Promise<void> {
  const report = await runSeedScenario({
    timing: o.timing,
    runtime: o.runtime,
    say: progress(o.json),
  });
  if (o.json) printJson(report);
  else console.log(`\n${formatSeedReport(report)}`);
  if (!report.ok) process.exitCode = 1;
}

/** `dcbox demo` and `dcbox scenario run <name>`. */
export function addScenarioCommands(cli: Command): void {
  cli
    .command('demo')
    .description('the main job: the seed scenario with the real default timing, as a readable report')
    .option('--timing <profile>', 'timing profile', 'default')
    .option('--json', 'print the JSON report')
    .action((o: { timing: string; json?: boolean }) => seedScenario(o));

  const scenario = cli.command('scenario').description('scripted scenarios on a fresh data center');
  scenario
    .command('run')
    .description('run a scenario (seed: the tutorial end to end) and tear the data center down after')
    .argument('<name>', 'the scenario: seed')
    .addOption(new Option('--timing <profile>', 'timing profile').choices(TIMING_NAMES).default('default'))
    .addOption(runtimeOption())
    .option('--json', 'print one JSON object')
    .action(async (name: string, o: { timing: string; json?: boolean; runtime?: RuntimeKind }) => {
      if (name !== 'seed') throw new UsageError(`no scenario named ${name} (scenarios: seed)`);
      await seedScenario(o);
    });
}
