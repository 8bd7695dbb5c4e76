/**
 * A simulated schedule written as a chaos experiment (chaos/experiment.ts's format, as in
 * chaos/experiments/*.yaml), so `dcbox chaos run <file>` replays on real processes what a shrink
 * reduced in simulation. Each fault becomes a fault step at the same offset from the first fault
 * (a real run's method starts once its roles are online and its steady state holds, as the
 * simulation's faults start after its setup), with waits between; a node partition is the group
 * of its targets against the other nodes, one way when it was. The network's impairments have no
 * step of their own and are named in the description; the injected bug, which a real run takes
 * from DCBOX_INJECT_BUG, in the header.
 */
import { stringify } from 'yaml';
import type { ResolvedTopology } from '../orchestrator/topology/topology.js';
import type { NodeSettings } from '../services/process/config.js';
import type { PlannedFault } from './faults.js';
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

/** The method: the faults at their offsets from the first, then a wait past the last one's end. */
function methodOf(faults: PlannedFault[], nodes: string[]) {
  const method: unknown[] = [];
  const sorted = [...faults].sort((a, b) => a.atMs - b.atMs);
  let now = sorted[0]?.atMs ?? 0;
  for (const f of sorted) {
    if (f.atMs > now) method.push({ wait: `${Math.round(f.atMs - now)}ms` });
    now = Math.max(now, f.atMs);
    method.push(stepOf(f, nodes));
  }
  const end = Math.max(now, ...sorted.map((f) => f.atMs + f.durationMs));
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
  const spec = {
    title: `Shrunk from simulation seed ${s.seed}: ${s.checker}`,
    description:
      `dcbox sim shrink --seed ${s.seed} reduced ${s.before.faults.length} fault(s) in ${s.before.durationMs} ms ` +
      `to ${s.after.faults.length} in ${s.after.durationMs} ms that still fail ${s.checker} in simulation ` +
      `(${s.runs} runs): ${firstSentence(s.details)}` +
      (impaired.length > 0
        ? ` The simulated network also had ${impaired.map((r) => `${r} ${net[r]}`).join(', ')}, which this file does not replay.`
        : ''),
    topology: opts.topologyName,
    timing: topology.timing.name,
    roles,
    method: methodOf(
      s.after.faults,
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
