/**
 * A simulated schedule written as a chaos experiment (chaos/experiment.ts's format, as in
 * chaos/experiments/*.yaml), so `dcbox chaos run <file>` replays on real processes what a shrink
 * reduced in simulation. Each fault becomes a fault step at the same offset from the first fault
 * (a real run's method starts once its roles are online and its steady state holds, as the
 * simulation's faults start after its setup), with waits between, and each operator's move an
 * action step (live-migrate or quick-migrate) to the node it went to; a node partition is the group
 * of its targets against the other nodes, one way when it was. The network's impairments have no
 * step of their own and are named in the description; the injected bug, which a real run takes
 * from DCBOX_INJECT_BUG, in the header.
 */
import { stringify } from 'yaml';
import type { ResolvedTopology } from '../orchestrator/topology/topology.js';
import type { NodeSettings } from '../services/process/config.js';
import type { PlannedFault } from './faults.js';
import type { MoveOutcome } from './moves.js';
import type { Shrunk } from './shrink.js';

/** How long the method goes on after the last fault ends, before the runner's settle wait. */
const TAIL_WAIT_MS = 2000;

/** One fault as an experiment's fault step. */
function stepOf(f: PlannedFault, nodes: string[]) {
  const duration = `${f.durationMs}ms`;
  if (f.kind === 'storage-crash') return { fault: f.kind, duration };
  if (f.kind !== 'partition') return { fault: f.kind, targets: f.targets, duration };
  const others = nodes.filter((n) => !f.targets.includes(n));
  return { fault: f.kind, groups: [f.targets, others], oneWay: !!f.oneWay, duration };
}

/** One operator's move the simulation carried out, as an experiment's action step. */
function moveStepOf(o: MoveOutcome) {
  const action = o.move.kind === 'live' ? 'live-migrate' : 'quick-migrate';
  return { action, role: o.move.role, to: o.to ?? o.move.to };
}

/**
 * The method: the faults and moves at their offsets from the first, then a wait past the last
 * fault's end. A move step waits for its migration to end (chaos/method.ts), so on real processes
 * what follows it starts that much later.
 */
function methodOf(faults: PlannedFault[], moves: MoveOutcome[], nodes: string[]) {
  const items = [
    ...faults.map((f) => ({ atMs: f.atMs, endMs: f.atMs + f.durationMs, step: stepOf(f, nodes) })),
    ...moves.map((o) => ({ atMs: o.move.atMs, endMs: o.move.atMs, step: moveStepOf(o) })),
  ].sort((a, b) => a.atMs - b.atMs);
  const method: unknown[] = [];
  let now = items[0]?.atMs ?? 0;
  for (const item of items) {
    if (item.atMs > now) method.push({ wait: `${Math.round(item.atMs - now)}ms` });
    now = Math.max(now, item.atMs);
    method.push(item.step);
  }
  const end = Math.max(now, ...items.map((i) => i.endMs));
  method.push({ wait: `${Math.round(end - now + TAIL_WAIT_MS)}ms` });
  return method;
}

/** A checker's details up to the end of its first sentence: the first violation it names. */
function firstSentence(text: string): string {
  const end = text.indexOf('. ');
  return end < 0 ? text : text.slice(0, end + 1);
}

/** The experiment file (YAML, with a comment header) for a shrunk schedule. */
export function experimentOf(
  s: Shrunk,
  topology: ResolvedTopology,
  opts: { topologyName: string; bug: string | null },
): string {
  const nodes = topology.hosts.filter((h) => h.component === 'hyperv-node');
  const roles = nodes.flatMap((h) =>
    (h.settings as NodeSettings).vms.map((vm) => ({ vm: vm.name, node: vm.node })),
  );
  const net = s.after.network;
  const impaired = (['lossRate', 'duplicateRate', 'reorderRate'] as const).filter((r) => net[r] > 0);
  // Moves the simulation carried out; one it refused would fail the real run's method.
  const moves = s.moveOutcomes.filter((o) => o.ok);
  const refused = s.moveOutcomes.length - moves.length;
  const spec = {
    title: `Shrunk from simulation seed ${s.seed}: ${s.checker}`,
    description:
      `dcbox sim shrink --seed ${s.seed} reduced ${s.before.faults.length} fault(s) in ${s.before.durationMs} ms ` +
      `to ${s.after.faults.length} in ${s.after.durationMs} ms that still fail ${s.checker} in simulation ` +
      `(${s.runs} runs)${moves.length > 0 ? `, with ${moves.length} operator's move(s)` : ''}: ${firstSentence(s.details)}` +
      (impaired.length > 0
        ? ` The simulated network also had ${impaired.map((r) => `${r} ${net[r]}`).join(', ')}, which this file does not replay.`
        : '') +
      (refused > 0 ? ` ${refused} move(s) the simulation refused are not replayed.` : ''),
    topology: opts.topologyName,
    timing: topology.timing.name,
    roles,
    method: methodOf(
      s.after.faults,
      moves,
      nodes.map((h) => h.name),
    ),
    settleTimeout: '30s',
  };
  const header = [
    `# Written by dcbox sim shrink --seed ${s.seed}${opts.bug ? ` --bug ${opts.bug}` : ''}.`,
    `# Replay on real processes: ${opts.bug ? `DCBOX_INJECT_BUG=${opts.bug} ` : ''}dcbox chaos run <this file> --seed ${s.seed}`,
  ];
  return `${header.join('\n')}\n${stringify(spec, { lineWidth: 100 })}`;
}
