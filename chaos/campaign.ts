/**
 * Seeded campaigns (TigerBeetle's VOPR idea): everything — fault kinds, targets, start times and
 * durations — is drawn from one seed, so `--seed N` replays the same schedule. The schedule is
 * followed by a healing phase in which every role must come back within a bound.
 */
import type { FaultKind } from '../orchestrator/faults/kinds.js';
import { Random } from '../services/actor/clock.js';
import type { ExperimentSpec, Step } from './experiment.js';

/** The fault kinds a campaign may draw, in the order the seed indexes them (so never reorder). */
export const CAMPAIGN_FAULTS = [
  'kill',
  'freeze',
  'partition',
  'power-off',
  'netem',
  'rssm-pull',
  'witness-loss',
] as const satisfies readonly FaultKind[];
export type CampaignFault = (typeof CAMPAIGN_FAULTS)[number];

export interface ScheduledFault {
  atMs: number;
  kind: CampaignFault;
  step: Step;
}

export interface CampaignOptions {
  seed: number;
  durationMs: number;
  faults: CampaignFault[];
  nodes: string[];
  rssms: string[];
  /** Shortest and longest fault, and the pause between faults. */
  faultMs?: [number, number];
  gapMs?: [number, number];
}

/**
 * Draws the fault schedule for a seed: one fault at a time, each lifted before the next starts,
 * so every state the cluster passes through has a clear cause.
 */
export function schedule(o: CampaignOptions): ScheduledFault[] {
  if (o.faults.length === 0) throw new Error('a campaign needs at least one fault kind');
  const rnd = new Random(o.seed);
  const [fMin, fMax] = o.faultMs ?? [1500, 6000];
  const [gMin, gMax] = o.gapMs ?? [1000, 4000];
  const out: ScheduledFault[] = [];
  let t = rnd.int(gMin, gMax);
  while (t < o.durationMs) {
    const kind = rnd.pick(o.faults);
    const duration = Math.min(rnd.int(fMin, fMax), Math.max(500, o.durationMs - t));
    const node = rnd.pick(o.nodes);
    let step: Step;
    switch (kind) {
      case 'partition': {
        const others = o.nodes.filter((n) => n !== node);
        step = {
          fault: 'partition',
          groups: [[node], others.length ? others : ['quorum']],
          oneWay: false,
          duration,
          peers: [],
        };
        break;
      }
      case 'netem':
        // Loss only: delay needs sch_netem, which not every kernel has (orchestrator/runtime.ts).
        step = { fault: 'netem', target: node, duration, loss: rnd.int(5, 40), oneWay: false, peers: [] };
        break;
      case 'rssm-pull':
        step = { fault: 'rssm-pull', target: rnd.pick(o.rssms), duration, oneWay: false, peers: [] };
        break;
      case 'witness-loss':
        step = { fault: 'witness-loss', duration, oneWay: false, peers: [] };
        break;
      default:
        step = { fault: kind, target: node, duration, oneWay: false, peers: [] };
    }
    out.push({ atMs: t, kind, step });
    t += duration + rnd.int(gMin, gMax);
  }
  return out;
}

/** The campaign as an experiment: its method is the schedule, with waits between the faults. */
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
    const d = 'duration' in f.step ? (f.step as { duration: number }).duration : 0;
    method.push({ wait: d });
    t = f.atMs + d;
  }
  if (o.durationMs > t) method.push({ wait: o.durationMs - t });
  return {
    plan,
    spec: {
      title: `Campaign (seed ${o.seed}, ${Math.round(o.durationMs / 1000)} s, ${o.faults.join(', ')})`,
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
