/**
 * The data center as a whole: `dcbox up`, `status` and `down`, and the scripted runs on a fresh
 * one, `dcbox demo` and `dcbox scenario run`.
 */
import { type Command, Option } from 'commander';
import { connect } from '../orchestrator/run/clients.js';
import { firstFormedAtMs, formatTimeline, startTimeline } from '../orchestrator/run/start-timeline.js';
import { down, isClean } from '../orchestrator/run/sweep.js';
import { startRun, topologyPath, UsageError } from '../orchestrator/run/up.js';
import type { RuntimeKind } from '../orchestrator/runtime/runtime.js';
import { formatSeedReport, runSeedScenario } from '../orchestrator/scenario/seed.js';
import { TIMING_NAMES } from '../orchestrator/topology/timing.js';
import type { EventList__Output } from '../services/generated/dcbox/cluster/v1/EventList.js';
import { deadline, rpc } from '../services/transport/grpc.js';
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
      // The timeline counts from when this process began, so that it shows the CLI's own load.
      const t0 = Math.round(performance.timeOrigin);
      if (!o.json) console.log(`dcbox up: ${topologyPath(topology)}`);
      const started = await startRun({
        topology,
        runtime: o.runtime,
        timing: o.timing,
        quiet: o.json,
        dashboard: o.dashboard,
        allowControl: !!o.allowControl,
      });
      const ms = started.readyMs;
      const [s, clusterFormedAtMs] = await Promise.all([gatherStatus(), clusterFormedAt()]);
      const timeline = startTimeline(started.marks, {
        originMs: t0,
        upCalledAtMs: started.calledAtMs,
        clusterFormedAtMs,
      });
      if (o.json) printJson({ readyMs: ms, totalMs: Date.now() - t0, timeline, ...s });
      else {
        console.log(`\nready in ${(ms / 1000).toFixed(2)} s`);
        for (const line of formatTimeline(timeline)) console.log(`  ${line}`);
        console.log('');
        printStatus(s);
      }
    });
}

/**
 * When the run's cluster formed (its first 'cluster-formed' event, epoch ms), asked of every
 * cluster node once; null when it has not formed yet, or the topology has no cluster.
 */
async function clusterFormedAt(): Promise<number | null> {
  const c = connect();
  try {
    const lists = await Promise.all(
      c.byComponent('hyperv-node').map((n) =>
        rpc<EventList__Output>((cb) => c.cluster(n.name).Events({ since_index: 0 }, deadline(2000), cb))
          .then((r) => r.events)
          .catch(() => []),
      ),
    );
    return firstFormedAtMs(lists.flat());
  } finally {
    c.close();
  }
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
          `removed ${n.processes.length} processes, ${n.namespaces.length} namespaces, ${n.links.length} links, ${n.rules.length} rules, ${n.containers.length} containers, ${n.networks.length} networks, ${n.regions.length} shared-memory regions${r.dataKept ? '; data kept' : ''}`,
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
