/**
 * sim/: a deterministic simulation of the whole data center (docs/simulation.md). The real pure
 * cores of every service run on simulated hosts, a simulated network and simulated disks, on one
 * simulated clock, with everything drawn from one seed; a run writes the chaos history format and
 * the chaos checkers judge it unchanged. No file of sim/ reads the wall clock, starts a timer or
 * draws an unseeded random number (Biome's override for sim/).
 *
 * Files: random.ts (the seeded sfc32 generator), scheduler.ts (clock and event queue), host.ts
 * (kill, freeze), network.ts (latency, loss, duplication, reordering, partitions, deadlines),
 * actor.ts (a core on a host), storage.ts (controller core, durable and volatile writes, its
 * log), rssm.ts, witness.ts (the witness core on the Quorum LUN), node.ts (cluster and MPIO
 * cores and the cluster adapter's effects), block-commands.ts (MPIO's operations as controller
 * commands), witness-client.ts (a node's witness calls), vm-host.ts (VMs and their disk workload),
 * datacenter.ts (hosts from a topology), faults.ts (fault kinds and the seeded schedule),
 * observer.ts (pings, samples, layout, read-back), this file (a run, start to verdict).
 */
import { type CheckReport, check } from '../chaos/checkers/index.js';
import type { HistoryEntry } from '../chaos/history.js';
import type { ResolvedTopology } from '../orchestrator/topology/topology.js';
import { type InjectedBugs, NO_BUGS } from '../services/process/injected-bugs.js';
import { DataCenter } from './datacenter.js';
import { drawSchedule, type PlannedFault, scheduleFaults } from './faults.js';
import { HistoryLog } from './history-log.js';
import { type MoveOutcome, type PlannedMove, scheduleMoves } from './moves.js';
import { LAN, Network, type NetworkProfile } from './network.js';
import { Observer } from './observer.js';
import { SimRandom } from './random.js';
import { Scheduler, type TraceSink } from './scheduler.js';

/** What a simulated run is given. */
export interface SimOptions {
  seed: number;
  topology: ResolvedTopology;
  durationMs: number;
  /** A bug every service runs with (services/process/injected-bugs.ts). */
  bugs?: InjectedBugs;
  /** The faults; absent, drawn from the seed. */
  faults?: PlannedFault[];
  /** The operator's moves of roles (migrations) during the run. */
  moves?: PlannedMove[];
  network?: Partial<NetworkProfile>;
  /** Receives every event run, for `dcbox sim replay`. */
  trace?: TraceSink;
}

/** What a simulated run gives back. */
export interface SimResult {
  history: HistoryEntry[];
  jsonl: string;
  faults: PlannedFault[];
  report: CheckReport;
  /** Events the scheduler ran. */
  steps: number;
  simulatedMs: number;
  messages: Network['counts'];
  /** What became of each planned move. */
  moves: MoveOutcome[];
}

/** When faults may begin: the cluster formed and its roles online. */
const FAULTS_FROM_MS = 20_000;

/** The liveness bound of the run's timing (docs/chaos.md §Liveness bound), plus its 5 s tail. */
function recoveryMs(t: ResolvedTopology['timing']): number {
  return 4 * (t.sameSubnetDelayMs * t.sameSubnetThreshold + t.witnessChallengeWaitMs + t.vmBootMs) + 10_000;
}

/** Runs one seed from power-on to the verdict of the chaos checkers. */
export function runSimulation(opts: SimOptions): SimResult {
  return judge(simulate(opts));
}

/** A simulated run's history, not yet judged. */
export type Simulated = Omit<SimResult, 'report'>;

/** Judges a simulated run's history with the chaos checkers, unchanged. */
export function judge(run: Simulated): SimResult {
  return { ...run, report: check(run.history) };
}

/** Runs one seed from power-on to the end of its history (the checkers not run yet). */
export function simulate(opts: SimOptions): Simulated {
  const sched = new Scheduler(opts.trace ?? null);
  const random = new SimRandom(opts.seed);
  const world = { sched, random };
  const net = new Network(sched, random, { ...LAN, ...opts.network });
  const history = new HistoryLog(sched);
  const t = opts.topology.timing;
  history.add({
    type: 'run',
    phase: 'start',
    seed: opts.seed,
    experiment: 'simulation',
    topology: opts.topology.name,
    timing: t.name,
    at: 0,
    profile: {
      sameSubnetDelayMs: t.sameSubnetDelayMs,
      sameSubnetThreshold: t.sameSubnetThreshold,
      witnessChallengeWaitMs: t.witnessChallengeWaitMs,
      vmBootMs: t.vmBootMs,
    },
  });
  const dc = new DataCenter(world, net, opts.topology, history, opts.bugs ?? NO_BUGS);
  const observer = new Observer(dc, history);
  observer.start();
  const faults =
    opts.faults ??
    drawSchedule(
      random,
      dc.nodes.map((n) => n.name),
      { fromMs: FAULTS_FROM_MS, untilMs: opts.durationMs, recoveryMs: recoveryMs(t) },
    );
  scheduleFaults(dc, history, faults);
  const moves = scheduleMoves(dc, opts.moves ?? []);
  sched.runUntil(opts.durationMs);
  observer.finish();
  history.add({
    type: 'run',
    phase: 'end',
    seed: opts.seed,
    experiment: 'simulation',
    topology: opts.topology.name,
    timing: t.name,
    at: 0,
  });
  return {
    history: history.entries,
    jsonl: history.jsonl(),
    faults,
    steps: sched.steps,
    simulatedMs: sched.now,
    messages: net.counts,
    moves,
  };
}
