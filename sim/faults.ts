/**
 * The faults of a simulated run: kinds from the chaos list (orchestrator/faults/kinds.ts), each
 * applied to the simulated hosts and recorded as a fault line at its start and end, and the
 * schedule drawn from the seed. A schedule leaves every fault a recovery window after its end
 * that is longer than the liveness bound (docs/chaos.md §Liveness bound), so the checkers can
 * judge the cluster settling again between faults.
 */
import type { FaultKind } from '../orchestrator/faults/kinds.js';
import type { DataCenter } from './datacenter.js';
import { bayPower, storageFault } from './faults-extra.js';
import type { HistoryLog } from './history-log.js';
import type { SimRandom } from './random.js';

/** One fault of a schedule: what, on whom, when and for how long. */
export interface PlannedFault {
  kind: Extract<
    FaultKind,
    | 'power-off'
    | 'kill'
    | 'freeze'
    | 'partition'
    | 'storage-crash'
    | 'rssm-pull'
    | 'storage-slow'
    | 'storage-errors'
  >;
  targets: string[];
  /** partition: cut only from the targets to the other nodes. */
  oneWay?: boolean;
  atMs: number;
  durationMs: number;
}

/** The fault kinds stage 1 simulates. */
export const SIM_FAULT_KINDS: PlannedFault['kind'][] = [
  'power-off',
  'kill',
  'freeze',
  'partition',
  'storage-crash',
];

/**
 * Draws a schedule: faults one after another from `fromMs`, each lasting 2–20 s, each followed
 * by `recoveryMs` without faults, the last one healed `recoveryMs` before `untilMs`.
 */
export function drawSchedule(
  random: SimRandom,
  nodes: string[],
  opts: { fromMs: number; untilMs: number; recoveryMs: number },
): PlannedFault[] {
  const out: PlannedFault[] = [];
  let at = opts.fromMs + random.int(0, 5000);
  for (;;) {
    const durationMs = random.int(2000, 20_000);
    if (at + durationMs + opts.recoveryMs > opts.untilMs) break;
    const kind = random.pick(SIM_FAULT_KINDS);
    const node = random.pick(nodes);
    const f: PlannedFault = { kind, targets: kind === 'storage-crash' ? [] : [node], atMs: at, durationMs };
    if (kind === 'partition') f.oneWay = random.chance(0.3);
    out.push(f);
    at += durationMs + opts.recoveryMs + random.int(0, 10_000);
  }
  return out;
}

/** Puts a schedule on the event queue: each fault starts, then ends, with its history lines. */
export function scheduleFaults(dc: DataCenter, history: HistoryLog, faults: PlannedFault[]): void {
  const sched = dc.world.sched;
  faults.forEach((f, i) => {
    const id = `f${i + 1}`;
    const storageHost = dc.storage.host.name;
    const targets = f.kind === 'storage-crash' ? [storageHost] : f.targets;
    const detail: Record<string, unknown> = {
      durationMs: f.durationMs,
      ...(f.oneWay ? { oneWay: true } : {}),
    };
    const others = dc.nodes.map((n) => n.name).filter((n) => !f.targets.includes(n));
    if (f.kind === 'partition') detail.from = others;
    sched.at(f.atMs, `fault ${id} ${f.kind} ${targets.join(',')}`, () => {
      history.add({ type: 'fault', phase: 'start', id, kind: f.kind, targets, detail });
      startFault(dc, f, others);
    });
    sched.at(f.atMs + f.durationMs, `heal ${id} ${f.kind} ${targets.join(',')}`, () => {
      endFault(dc, f);
      history.add({ type: 'fault', phase: 'end', id, kind: f.kind, targets, detail });
    });
  });
}

function startFault(dc: DataCenter, f: PlannedFault, others: string[]): void {
  switch (f.kind) {
    case 'power-off':
    case 'rssm-pull':
      for (const t of f.targets) bayPower(dc, t, false);
      return;
    case 'storage-slow':
    case 'storage-errors':
      storageFault(dc, f.kind, f.targets, true, f.durationMs);
      return;
    case 'kill':
      for (const t of f.targets) dc.net.host(t).kill();
      return;
    case 'freeze':
      for (const t of f.targets) dc.net.host(t).freeze();
      return;
    case 'partition':
      dc.net.partition(f.targets, others, f.oneWay);
      return;
    case 'storage-crash':
      dc.storage.crash();
      return;
  }
}

function endFault(dc: DataCenter, f: PlannedFault): void {
  switch (f.kind) {
    case 'power-off':
    case 'rssm-pull':
      for (const t of f.targets) bayPower(dc, t, true);
      return;
    case 'storage-slow':
    case 'storage-errors':
      storageFault(dc, f.kind, f.targets, false, 0);
      return;
    case 'kill':
      for (const t of f.targets) dc.node(t).boot();
      return;
    case 'freeze':
      for (const t of f.targets) dc.net.host(t).thaw();
      return;
    case 'partition':
      dc.net.heal();
      return;
    case 'storage-crash':
      dc.storage.boot();
      return;
  }
}
