/**
 * A chaos experiment (chaos/experiment.ts, the files in chaos/experiments/) run in the simulation:
 * its roles' live migrations and its CSV coordinator set up before the method, and its method's
 * faults at the offsets the real runner injects them (a fault step starts its fault and goes on, a
 * wait waits), so a real run and a simulated run of the same file can be compared
 * (docs/simulation.md §Simulation and reality). The simulation makes every VM of the topology a
 * role on its node, as the seed's experiments do; a file that asks for anything the simulation
 * cannot set up the same way is refused with the reason, never approximated.
 */
import type { ExperimentSpec, FaultStepT, Step } from '../chaos/experiment.js';
import type { ResolvedTopology } from '../orchestrator/topology/topology.js';
import type { NodeSettings } from '../services/process/config.js';
import type { DataCenter } from './datacenter.js';
import { FULL_MIX, type PlannedFault } from './faults.js';
import type { PlannedMove } from './moves.js';
import type { SimOptions } from './run.js';

/** The CSV coordinator is moved here, once the roles are online (about 0.5 s in). */
const CSV_MOVE_MS = 1000;
/** Live migrations of the experiment's roles start here. */
const ROLE_MOVES_MS = 1500;
/**
 * The method starts here, once the setup is done, as the real runner starts it only then: the
 * simulation moves a 512 MiB guest over the 1 Gbit/s link of a real chassis (about 5 s with the
 * dirtied pages), where the emulation's loopback moves it in under one.
 */
const METHOD_FROM_MS = 10_000;

/** A step the simulation cannot run as the real runner does. */
export class UnsimulatedError extends Error {}

/** One fault step as the simulation's fault, starting at `atMs`. */
function faultOf(step: FaultStepT, atMs: number, nodes: string[]): PlannedFault {
  const kinds = ['power-off', 'kill', 'freeze', 'partition', 'storage-crash', 'rssm-pull'] as const;
  const kind = kinds.find((k) => k === step.fault);
  if (!kind) throw new UnsimulatedError(`the simulation has no ${step.fault} fault step`);
  const targets = step.targets ?? (step.target ? [step.target] : []);
  if (kind !== 'partition') return { kind, targets, atMs, durationMs: step.duration };
  // A node partition: the first group against the rest, every group of nodes only.
  const groups = step.groups ?? [];
  const first = groups[0] ?? [];
  const named = groups.flat();
  if (groups.length !== 2 || named.some((h) => !nodes.includes(h)) || named.length !== nodes.length)
    throw new UnsimulatedError('the simulation partitions the nodes in two groups that hold every node');
  return { kind, targets: first, oneWay: step.oneWay, atMs, durationMs: step.duration };
}

/** The method's faults at their offsets from METHOD_FROM_MS; refuses actions and parallel steps. */
export function faultsOfMethod(method: Step[], nodes: string[]): PlannedFault[] {
  const out: PlannedFault[] = [];
  let at = METHOD_FROM_MS;
  for (const step of method) {
    if ('wait' in step) at += step.wait;
    else if ('fault' in step) out.push(faultOf(step, at, nodes));
    else
      throw new UnsimulatedError(
        `the simulation runs fault and wait steps only, not ${JSON.stringify(step)}`,
      );
  }
  return out;
}

/** The experiment's roles as the simulation sets them up: their live migrations before the method. */
function roleMoves(spec: ExperimentSpec, topology: ResolvedTopology): PlannedMove[] {
  const vms = topology.hosts.flatMap((h) =>
    h.component === 'hyperv-node' ? (h.settings as NodeSettings).vms : [],
  );
  const moves: PlannedMove[] = [];
  for (const vm of vms) {
    const role = spec.roles.find((r) => r.vm === vm.name);
    if (!role || role.node !== vm.node)
      throw new UnsimulatedError(
        `the simulation makes ${vm.name} a role on ${vm.node}, as the topology places it; the experiment ${role ? `puts it on ${role.node}` : 'leaves it out'}`,
      );
    if (role.liveMigrateTo)
      moves.push({ role: vm.name, to: role.liveMigrateTo, kind: 'live', atMs: ROLE_MOVES_MS });
  }
  return moves;
}

/** Moves Volume1's coordinator where the experiment wants it, through the leader, as the runner does. */
function csvMove(to: string | undefined): ((dc: DataCenter) => void) | undefined {
  if (!to) return undefined;
  return (dc) =>
    dc.world.sched.at(CSV_MOVE_MS, `move Volume1's coordinator to ${to}`, () =>
      dc.nodes[0]?.command({ op: 'moveCsv', volume: 'Volume1', to }, () => undefined),
    );
}

/** The simulation's options for one run of the experiment: the same topology, roles and faults. */
export function simOptionsOf(
  spec: ExperimentSpec,
  topology: ResolvedTopology,
  seed: number,
): Pick<SimOptions, 'seed' | 'topology' | 'faults' | 'mix' | 'moves' | 'durationMs' | 'onStart'> {
  const nodes = topology.hosts.filter((h) => h.component === 'hyperv-node').map((h) => h.name);
  const faults = faultsOfMethod(spec.method, nodes);
  const end = Math.max(METHOD_FROM_MS, ...faults.map((f) => f.atMs + f.durationMs));
  const waits = spec.method.reduce((sum, s) => sum + ('wait' in s ? s.wait : 0), METHOD_FROM_MS);
  return {
    seed,
    topology,
    faults,
    // A clean LAN and only the experiment's faults: nothing drawn from the seed.
    mix: { ...FULL_MIX, kinds: [...new Set(faults.map((f) => f.kind))] },
    moves: roleMoves(spec, topology),
    durationMs: Math.max(end, waits) + spec.settleTimeout,
    onStart: csvMove(spec.csvCoordinator),
  };
}
