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
 * datacenter.ts (hosts from a topology), faults.ts (fault kinds, the seed's mix and schedule),
 * invariants.ts (asserted after every event), observer.ts (pings, samples, layout, read-back),
 * this file (a run, start to verdict), swarm.ts (many seeds) and shrink.ts (a failing schedule
 * reduced).
 */
import { type CheckReport, check } from '../chaos/checkers/index.js';
import type { HistoryEntry } from '../chaos/history.js';
import type { ResolvedTopology } from '../orchestrator/topology/topology.js';
import { type InjectedBugs, NO_BUGS } from '../services/process/injected-bugs.js';
import { DataCenter } from './datacenter.js';
import {
  drawMix,
  drawSchedule,
  type FaultMix,
  isFaultKind,
  type MoveKind,
  type PlannedFault,
  scheduleFaults,
} from './faults.js';
import { HistoryLog, type Unstamped } from './history-log.js';
import { InvariantMonitor, type NodeView, type Violation } from './invariants.js';
import { drawMoves, type MoveOutcome, type PlannedMove, scheduleMoves } from './moves.js';
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
  /** The faults; absent, drawn from the seed (of the mix's kinds). */
  faults?: PlannedFault[];
  /** The fault kinds and network impairments; absent, drawn from the seed (swarm testing). */
  mix?: FaultMix;
  /** The operator's moves of roles (migrations) during the run. */
  moves?: PlannedMove[];
  /** Overrides the network profile, over the mix's impairments. */
  network?: Partial<NetworkProfile>;
  /** Receives every event run, for `dcbox sim replay`. */
  trace?: TraceSink;
  /** Assert the in-step invariants (sim/invariants.ts) after every event; default true. */
  invariants?: boolean;
  /** The most events the run may take before it stops as stalled (default: maxSteps below). */
  maxSteps?: number;
  /** Called once the data center is built, before the first event: tests break things here. */
  onStart?: (dc: DataCenter) => void;
}

/** What a simulated run gives back. */
export interface SimResult {
  history: HistoryEntry[];
  /** The history as JSON Lines (made on demand: a swarm only hashes it). */
  jsonl: () => string;
  faults: PlannedFault[];
  mix: FaultMix;
  /** The first in-step invariant broken; the run stopped at its step. */
  violation: Violation | null;
  report: CheckReport;
  /** Events the scheduler ran. */
  steps: number;
  simulatedMs: number;
  messages: Network['counts'];
  /** The operator's moves the run scheduled (given, or drawn from the seed's mix). */
  plannedMoves: PlannedMove[];
  /** What became of each planned move. */
  moves: MoveOutcome[];
}

/**
 * When faults may begin: the cluster formed and its roles online (the seed topology's roles are
 * online half a second in, in either timing profile), with margin for a larger topology's setup.
 */
const FAULTS_FROM_MS = 5000;

/** The liveness bound of the run's timing (docs/chaos.md §Liveness bound), plus its 5 s tail. */
function recoveryMs(t: ResolvedTopology['timing']): number {
  return 4 * (t.sameSubnetDelayMs * t.sameSubnetThreshold + t.witnessChallengeWaitMs + t.vmBootMs) + 10_000;
}

/** The history's first line: the seed, the topology and the timing profile the checkers judge by. */
/** The history's last line: the run ended (the same run fields as startLine, without the profile). */
function endLine(opts: SimOptions): Unstamped {
  const { profile: _profile, ...run } = startLine(opts) as Unstamped & { profile?: unknown };
  return { ...run, phase: 'end' } as Unstamped;
}

function startLine(opts: SimOptions): Unstamped {
  const t = opts.topology.timing;
  return {
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
      retryPeriodOnFailureMs: t.retryPeriodOnFailureMs,
    },
  };
}

/** Runs one seed from power-on to the verdict of the chaos checkers. */
export function runSimulation(opts: SimOptions): SimResult {
  return judge(simulate(opts));
}

/** The nodes as the in-step invariants see them: a node off or frozen acts on nothing. */
function nodeViews(dc: DataCenter): NodeView[] {
  return dc.nodes.map((n) => {
    const host = dc.net.host(n.name);
    return { name: n.name, state: host.alive && !host.frozen ? n.cluster.state : null };
  });
}

/** A simulated run's history, not yet judged. */
export type Simulated = Omit<SimResult, 'report'>;

/**
 * The pings a survivor's VM may lose during one fault on a lossy network: the longest fault
 * (20 s) sends 200 pings, each lost with about twice the loss rate (the request or the reply),
 * and 4 × that mean + 3 is exceeded by chance about once in 10^8 faults. A ping the network
 * lost says nothing of the VM; without loss, none may be lost.
 */
export function lostPingsTolerated(mix: FaultMix): number {
  const rate = mix.network.lossRate;
  return rate > 0 ? Math.ceil(4 * 200 * 2 * rate) + 3 : 0;
}

/**
 * Judges a simulated run's history with the chaos checkers, unchanged. A run an in-step
 * invariant stopped fails with that invariant first (named `<invariant> (in-step)`), before
 * what the checkers make of the history up to the stop.
 */
export function judge(run: Simulated): SimResult {
  const report = check(run.history, { survivorLostPingsMax: lostPingsTolerated(run.mix) });
  const v = run.violation;
  if (!v) return { ...run, report };
  const first = {
    name: `${v.invariant} (in-step)`,
    verdict: 'fail' as const,
    details: `step ${v.step} at ${v.atMs.toFixed(3)} ms (${v.event}): ${v.details}`,
  };
  return { ...run, report: { ...report, verdict: 'fail', invariants: [first, ...report.invariants] } };
}

/**
 * The generator a seed's plan (its mix and fault schedule) is drawn from: apart from the run's
 * own, so a run given the drawn plan explicitly (the shrinker's first candidate) is the drawn
 * run byte for byte. Seeded with bit 52 of the seed flipped, which no practical seed has.
 */
export function planRandom(seed: number): SimRandom {
  return new SimRandom(seed < 2 ** 52 ? seed + 2 ** 52 : seed - 2 ** 52);
}

/**
 * The operator's moves a seed's mix has on, drawn from the plan's stream after its mix (so the
 * same whatever faults are given), ending `recoveryMs` before the run does, as its faults do.
 */
function plannedMoves(
  plan: SimRandom,
  dc: DataCenter,
  mix: FaultMix,
  room: { fromMs: number; untilMs: number; recoveryMs: number },
): PlannedMove[] {
  const kinds = mix.kinds.filter((k): k is MoveKind => !isFaultKind(k));
  const roles = dc.nodes.flatMap((n) => n.settings.vms.map((v) => v.name));
  return drawMoves(plan, roles, kinds, { fromMs: room.fromMs, untilMs: room.untilMs - room.recoveryMs });
}

/**
 * The events a run of `durationMs` may take: STEPS_PER_SIMULATED_MS per simulated millisecond,
 * far above any seed's rate (docs/simulation.md §Stalled runs), so only a runaway stops there.
 */
export const STEPS_PER_SIMULATED_MS = 500;
export function maxSteps(durationMs: number): number {
  return Math.max(1_000_000, durationMs * STEPS_PER_SIMULATED_MS);
}

/** Runs one seed from power-on to the end of its history (the checkers not run yet). */
export function simulate(opts: SimOptions): Simulated {
  let label = '';
  const sched = new Scheduler((at, l) => {
    label = l;
    opts.trace?.(at, l);
  });
  const random = new SimRandom(opts.seed);
  const world = { sched, random };
  const plan = planRandom(opts.seed);
  // Drawn even when given, so the moves drawn after it are the seed's whatever mix is given.
  const drawnMix = drawMix(plan);
  const mix = opts.mix ?? drawnMix;
  const net = new Network(sched, random, { ...LAN, ...mix.network, ...opts.network });
  const history = new HistoryLog(sched);
  const t = opts.topology.timing;
  history.add(startLine(opts));
  const dc = new DataCenter(world, net, opts.topology, history, opts.bugs ?? NO_BUGS);
  const observer = new Observer(dc, history);
  observer.start();
  const room = { fromMs: FAULTS_FROM_MS, untilMs: opts.durationMs, recoveryMs: recoveryMs(t) };
  const targets = {
    nodes: dc.nodes.map((n) => n.name),
    rssms: dc.rssms.map((r) => r.host.name),
    luns: dc.storage.luns,
  };
  const faults = opts.faults ?? drawSchedule(random, targets, { ...room, kinds: mix.kinds });
  scheduleFaults(dc, history, faults);
  const planned = opts.moves ?? plannedMoves(plan, dc, mix, room);
  const moves = scheduleMoves(dc, planned);
  opts.onStart?.(dc);
  let violation: Violation | null = null;
  const monitor = new InvariantMonitor();
  const stop = () => {
    const broken = monitor.check(nodeViews(dc), history.entries, sched.now);
    if (broken) violation = { ...broken, step: sched.steps, atMs: sched.now, event: label };
    return broken !== null;
  };
  sched.maxSteps = opts.maxSteps ?? maxSteps(opts.durationMs);
  sched.runUntil(opts.durationMs, opts.invariants === false ? undefined : stop);
  // A run whose clock stopped moving is a bug of its own (a livelock), never a hang of the swarm.
  if (sched.stalled)
    violation ??= {
      invariant: 'time-advances',
      step: sched.steps,
      atMs: sched.now,
      event: label,
      details: sched.stalled,
    };
  observer.finish();
  history.add(endLine(opts));
  return {
    history: history.entries,
    jsonl: () => history.jsonl(),
    faults,
    mix,
    violation,
    steps: sched.steps,
    simulatedMs: sched.now,
    messages: net.counts,
    plannedMoves: planned,
    moves,
  };
}
