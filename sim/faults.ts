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
import type { NetworkProfile } from './network.js';
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

/**
 * The fault kinds a seed's mix draws from: stage 1's five first, then the ones added later, in
 * that order, so that a seed drawing none of the later ones has stage 1's mix and schedule.
 */
export const SIM_FAULT_KINDS: PlannedFault['kind'][] = [
  'power-off',
  'kill',
  'freeze',
  'partition',
  'storage-crash',
  'rssm-pull',
  'storage-slow',
  'storage-errors',
];

/** How many of SIM_FAULT_KINDS stage 1 drew (the rest are drawn after the network, see drawMix). */
const STAGE1_KINDS = 5;

/** An operator's move of a role, named as a chaos experiment's action (chaos/experiment.ts). */
export type MoveKind = 'live-migrate' | 'quick-migrate';

/** The operator's moves a seed's mix may draw. */
export const SIM_MOVE_KINDS: MoveKind[] = ['live-migrate', 'quick-migrate'];

/** What a seed's mix may have on: fault kinds and operator moves. */
export type MixKind = PlannedFault['kind'] | MoveKind;

/** Whether a kind of a mix is a fault (rather than an operator's move). */
export function isFaultKind(kind: MixKind): kind is PlannedFault['kind'] {
  return !(SIM_MOVE_KINDS as string[]).includes(kind);
}

/**
 * What one seed's world may do wrong: the fault kinds its schedule draws from and the network's
 * impairments. Swarm testing (Groce, Zhang, Eide, Chen and Regehr, "Swarm Testing", ISSTA 2012;
 * TigerBeetle's VOPR draws its fault probabilities from the seed the same way,
 * https://docs.tigerbeetle.com/about/vopr) turns features off per seed: a run without partitions
 * gets more of the other kinds, and a fault that masks another (a power-off hides a freeze) is
 * absent from some seeds, so more distinct schedules are explored than when every seed has all.
 */
export interface FaultMix {
  kinds: MixKind[];
  /** The network's impairments (the rest of the profile stays the LAN's). */
  network: Pick<NetworkProfile, 'lossRate' | 'duplicateRate' | 'reorderRate' | 'jitterMs'>;
}

/** Every kind on and a clean network: what stage 1 ran, and the shrinker's end point. */
export const FULL_MIX: FaultMix = {
  kinds: [...SIM_FAULT_KINDS],
  network: { lossRate: 0, duplicateRate: 0, reorderRate: 0, jitterMs: 0.3 },
};

/** A rate that is off for half the seeds, else uniform up to `max`, rounded to 1e-4. */
function drawRate(random: SimRandom, max: number): number {
  return random.chance(0.5) ? 0 : Math.round(random.between(0, max) * 10_000) / 10_000;
}

/**
 * Draws a seed's mix: each fault kind and each kind of operator move on with probability 1/2
 * (at least one of stage 1's fault kinds), and loss, duplication and reordering each off for
 * half the seeds, else up to 1 %, 1 % and 5 % of messages. The ceilings keep the cluster's
 * heartbeats (5 in a row lost to remove a node) far from spurious removals, so a failure is the
 * faults' doing, not a broken LAN's. The kinds added after stage 1 are drawn last, so a seed
 * that draws none of them has the mix (and the schedule) it had before they were added.
 */
export function drawMix(random: SimRandom): FaultMix {
  const stage1 = SIM_FAULT_KINDS.slice(0, STAGE1_KINDS);
  const kinds: MixKind[] = stage1.filter(() => random.chance(0.5));
  if (kinds.length === 0) kinds.push(random.pick(stage1));
  const network = {
    lossRate: drawRate(random, 0.01),
    duplicateRate: drawRate(random, 0.01),
    reorderRate: drawRate(random, 0.05),
    jitterMs: random.pick([0.3, 1, 3]),
  };
  const later = [...SIM_FAULT_KINDS.slice(STAGE1_KINDS), ...SIM_MOVE_KINDS];
  kinds.push(...later.filter(() => random.chance(0.5)));
  return { kinds, network };
}

/** Where a schedule's faults may land besides the nodes: the I/O modules and the LUNs. */
export interface FaultTargets {
  nodes: string[];
  /** The RSSMs' host names, for rssm-pull. */
  rssms: string[];
  /** The storage controller's LUNs, for storage-slow and storage-errors. */
  luns: string[];
}

/**
 * Draws a schedule: faults one after another from `fromMs`, each lasting 2–20 s (less when
 * that is all the room left), each followed by `recoveryMs` without faults, the last one healed
 * `recoveryMs` before `untilMs`; each of a fault kind the mix has on (all kinds without one). An
 * rssm-pull pulls one RSSM, a storage fault hits one LUN with the chaos runner's defaults
 * (200 ms more per I/O, or a fifth of the I/O failing: faults-extra.ts).
 */
export function drawSchedule(
  random: SimRandom,
  targets: FaultTargets,
  opts: { fromMs: number; untilMs: number; recoveryMs: number; kinds?: MixKind[] },
): PlannedFault[] {
  const drawn = opts.kinds?.filter(isFaultKind) ?? [];
  const kinds = drawn.length > 0 ? drawn : SIM_FAULT_KINDS;
  const out: PlannedFault[] = [];
  let at = opts.fromMs + random.int(0, 5000);
  for (;;) {
    // A fault that would outlast the room left is cut to fit it, so a short run still gets one.
    const durationMs = Math.min(random.int(2000, 20_000), opts.untilMs - opts.recoveryMs - at);
    if (durationMs < 2000) break;
    const kind = random.pick(kinds);
    const node = random.pick(targets.nodes);
    const f: PlannedFault = { kind, targets: targetsOf(random, kind, node, targets), atMs: at, durationMs };
    if (kind === 'partition') f.oneWay = random.chance(0.3);
    out.push(f);
    at += durationMs + opts.recoveryMs + random.int(0, 10_000);
  }
  return out;
}

/** A fault's targets: its node, or (drawn only for these kinds) an RSSM or a LUN; none for a controller crash. */
function targetsOf(random: SimRandom, kind: PlannedFault['kind'], node: string, t: FaultTargets): string[] {
  switch (kind) {
    case 'storage-crash':
      return [];
    case 'rssm-pull':
      return [random.pick(t.rssms)];
    case 'storage-slow':
    case 'storage-errors':
      return [random.pick(t.luns)];
    default:
      return [node];
  }
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
