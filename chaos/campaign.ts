/**
 * Seeded campaigns (TigerBeetle's VOPR idea): everything — fault kinds, targets, start times and
 * durations — is drawn from one seed, so `--seed N` replays the same schedule. The schedule is
 * followed by a healing phase in which every role must come back within a bound.
 */
import type { FaultKind } from '../orchestrator/faults/kinds.js';
import { Random } from '../services/actor/clock.js';
import type { ExperimentSpec, FaultStepT, Step } from './experiment.js';

/**
 * The fault kinds a campaign may draw, in the order the seed indexes them (so never reorder; new
 * kinds go at the end). Every kind of FAULT_KINDS is here: a test keeps the two lists equal.
 */
export const CAMPAIGN_FAULTS = [
  'kill',
  'freeze',
  'partition',
  'power-off',
  'netem',
  'rssm-pull',
  'witness-loss',
  'storage-crash',
  'storage-slow',
  'storage-errors',
] as const satisfies readonly FaultKind[];
export type CampaignFault = (typeof CAMPAIGN_FAULTS)[number];

/** One fault of the schedule: when it starts and ends, and the step that injects it. */
export interface ScheduledFault {
  atMs: number;
  endMs: number;
  kind: CampaignFault;
  step: FaultStepT;
}

/** What a campaign is drawn from: the seed, the kinds, the topology's targets and the options. */
export interface CampaignOptions {
  seed: number;
  durationMs: number;
  faults: CampaignFault[];
  nodes: string[];
  rssms: string[];
  /** The LUNs storage-slow and storage-errors may hit, and the one holding the disk witness. */
  luns?: string[];
  witnessLun?: string;
  /** Faults may overlap in time, within the limits of `allowedWith`. */
  overlap?: boolean;
  /** Partitions may be one-way (only the first group's traffic to the second is dropped). */
  oneWay?: boolean;
  /** Shortest and longest fault, and the pause between faults (between starts with overlap). */
  faultMs?: [number, number];
  gapMs?: [number, number];
}

/**
 * At most this many faults at once: two is enough to meet the interactions (a failover during a
 * degraded network, a pulled I/O module during a takeover) while each state keeps a readable cause.
 */
export const MAX_CONCURRENT_FAULTS = 2;

/** How many times an overlapping draw that breaks the limits is drawn again before waiting. */
const REDRAWS = 8;

/** Draws the step of one fault of a kind, its targets and parameters from the seed. */
function drawStep(rnd: Random, kind: CampaignFault, o: CampaignOptions, duration: number): FaultStepT {
  const node = rnd.pick(o.nodes);
  const base = { fault: kind, duration, oneWay: false, peers: [] as string[] };
  switch (kind) {
    case 'partition': {
      const others = o.nodes.filter((n) => n !== node);
      // One-way: the drawn node's traffic to the others is dropped, theirs to it still arrives.
      const oneWay = o.oneWay ? rnd.int(0, 1) === 1 : false;
      return { ...base, groups: [[node], others.length ? others : ['quorum']], oneWay };
    }
    case 'netem':
      // Loss only: delay needs sch_netem, which not every kernel has (orchestrator/runtime/).
      return { ...base, target: node, loss: rnd.int(5, 40) };
    case 'rssm-pull':
      return { ...base, target: rnd.pick(o.rssms) };
    case 'witness-loss':
    case 'storage-crash':
      return base;
    case 'storage-slow':
      return { ...base, lun: rnd.pick(o.luns ?? ['CSV1']), delay: rnd.int(50, 400) };
    case 'storage-errors':
      return { ...base, lun: rnd.pick(o.luns ?? ['CSV1']), errorRate: rnd.int(5, 30) / 100 };
    default:
      return { ...base, target: node };
  }
}

/**
 * Draws the fault schedule for a seed. Without `overlap`, one fault at a time, each lifted before
 * the next starts, so every state the cluster passes through has a clear cause. With it, the pause
 * is drawn between starts, so a fault may start while another holds, within `allowedWith`.
 */
export function schedule(o: CampaignOptions): ScheduledFault[] {
  if (o.faults.length === 0) throw new Error('a campaign needs at least one fault kind');
  const rnd = new Random(o.seed);
  const [fMin, fMax] = o.faultMs ?? [1500, 6000];
  const [gMin, gMax] = o.gapMs ?? [1000, 4000];
  const out: ScheduledFault[] = [];
  let t = rnd.int(gMin, gMax);
  while (t < o.durationMs) {
    const active = out.filter((f) => f.endMs > t);
    const f = active.length < MAX_CONCURRENT_FAULTS ? drawAllowed(rnd, o, t, [fMin, fMax], active) : null;
    if (!f) {
      // Nothing fits beside the faults holding now: wait for the first of them to be lifted.
      t = Math.min(...active.map((a) => a.endMs)) + gMin;
      continue;
    }
    out.push(f);
    t = o.overlap ? t + rnd.int(gMin, gMax) : f.endMs + rnd.int(gMin, gMax);
  }
  return out;
}

/** Draws a fault starting at `t` that keeps the limits beside `active`, or null after REDRAWS tries. */
function drawAllowed(
  rnd: Random,
  o: CampaignOptions,
  t: number,
  [fMin, fMax]: [number, number],
  active: ScheduledFault[],
): ScheduledFault | null {
  for (let i = 0; i < REDRAWS; i++) {
    const kind = rnd.pick(o.faults);
    const duration = Math.min(rnd.int(fMin, fMax), Math.max(500, o.durationMs - t));
    const f: ScheduledFault = { atMs: t, endMs: t + duration, kind, step: drawStep(rnd, kind, o, duration) };
    if (allowedWith(f, active, o)) return f;
  }
  return null;
}

/** What a fault takes away while it holds: the hosts it acts on, and the votes it costs. */
export interface Impact {
  /** Hosts (or `lun:` names) the fault's lease acts on; two faults never share one. */
  targets: string[];
  /** Nodes that may lose their vote: stopped, powered off or cut off by a partition. */
  nodesDown: string[];
  /** Whether the witness's vote may be lost (witness killed, storage down, witness LUN hit). */
  witnessDown: boolean;
  /** I/O modules pulled. */
  rssmsPulled: string[];
}

/** The impact of one scheduled fault, for the overlap limits. */
export function impactOf(f: ScheduledFault, o: CampaignOptions): Impact {
  const s = f.step;
  const none: Impact = { targets: [], nodesDown: [], witnessDown: false, rssmsPulled: [] };
  switch (f.kind) {
    case 'kill':
    case 'freeze':
    case 'power-off':
      return { ...none, targets: [s.target ?? ''], nodesDown: [s.target ?? ''] };
    case 'partition':
      return { ...none, targets: (s.groups ?? []).flat(), nodesDown: s.groups?.[0] ?? [] };
    case 'netem':
      return { ...none, targets: [s.target ?? ''] };
    case 'rssm-pull':
      return { ...none, targets: [s.target ?? ''], rssmsPulled: [s.target ?? ''] };
    case 'witness-loss':
      return { ...none, targets: ['quorum'], witnessDown: true };
    case 'storage-crash':
      return { ...none, targets: ['storage'], witnessDown: true };
    case 'storage-slow':
    case 'storage-errors':
      // The storage controller holds one fault setting per LUN; two storage faults would fight over it.
      return { ...none, targets: ['storage'], witnessDown: s.lun === (o.witnessLun ?? 'Quorum') };
  }
}

/**
 * The overlap limits, checked over every fault holding while `f` does: at most
 * MAX_CONCURRENT_FAULTS at once; no host (node, I/O module, storage, witness) under two faults,
 * since the orchestrator does not compose leases on one host (a kill lifted would start a blade
 * still powered off); at least one I/O module left in place; and at most a minority of the votes
 * (each node's and the witness's) lost at once. The last is why never every node goes down: a
 * majority that can hold quorum must remain possible, and after healing the survivors' view is
 * the one the others rejoin.
 */
export function allowedWith(f: ScheduledFault, active: ScheduledFault[], o: CampaignOptions): boolean {
  if (active.length + 1 > MAX_CONCURRENT_FAULTS) return false;
  const all = [...active, f].map((x) => impactOf(x, o));
  const targets = all.flatMap((i) => i.targets);
  if (new Set(targets).size !== targets.length) return false;
  const nodesDown = new Set(all.flatMap((i) => i.nodesDown));
  const rssms = new Set(all.flatMap((i) => i.rssmsPulled));
  if (o.rssms.length > 0 && rssms.size >= o.rssms.length && active.length > 0) return false;
  const votes = o.nodes.length + 1;
  const lost = nodesDown.size + (all.some((i) => i.witnessDown) ? 1 : 0);
  // A lone fault always passes: one fault at a time is what a campaign without overlap runs.
  return active.length === 0 || (lost <= Math.floor((votes - 1) / 2) && nodesDown.size < o.nodes.length);
}

/**
 * The campaign as an experiment: its method starts each fault at its time, with waits between
 * the starts; the runner lifts each at its duration, so faults may hold together when they overlap.
 */
export function campaignExperiment(
  o: CampaignOptions,
  roles: ExperimentSpec['roles'],
): { spec: ExperimentSpec; plan: ScheduledFault[] } {
  const plan = schedule(o);
  const method: Step[] = [];
  let t = 0;
  for (const f of plan) {
    if (f.atMs > t) method.push({ wait: f.atMs - t });
    method.push(f.step);
    t = f.atMs;
  }
  // Wait out the last fault to be lifted, and the campaign's whole duration.
  const end = Math.max(o.durationMs, ...plan.map((f) => f.endMs));
  if (end > t) method.push({ wait: end - t });
  const options = [o.overlap ? 'overlap' : '', o.oneWay ? 'one-way' : ''].filter(Boolean);
  return {
    plan,
    spec: {
      title: `Campaign (seed ${o.seed}, ${Math.round(o.durationMs / 1000)} s, ${[o.faults.join(', '), ...options].join('; ')})`,
      description: 'A random schedule of faults drawn from the seed, then a healing phase.',
      topology: 'seed',
      timing: 'fast',
      roles,
      steadyState: [
        { probe: 'roles-online', tolerance: 0 },
        { probe: 'vms-answering', tolerance: 1 },
        { probe: 'quorum', tolerance: 0 },
      ],
      method: method.length ? method : [{ wait: o.durationMs }],
      rollbacks: [],
      settleTimeout: 30_000,
    },
  };
}
