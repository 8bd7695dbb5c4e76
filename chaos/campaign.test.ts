import { describe, expect, it } from 'vitest';
import { FAULT_KINDS } from '../orchestrator/faults/kinds.js';
import {
  allowedWith,
  CAMPAIGN_FAULTS,
  type CampaignFault,
  campaignExperiment,
  impactOf,
  MAX_CONCURRENT_FAULTS,
  type ScheduledFault,
  schedule,
} from './campaign.js';

const base = {
  durationMs: 60_000,
  faults: ['kill', 'freeze', 'partition'] as const,
  nodes: ['HVR2NODO1', 'HVR2NODO2'],
  rssms: ['rssm3', 'rssm4'],
};

describe('seeded campaigns', () => {
  it('draws the same schedule from the same seed', () => {
    expect(schedule({ ...base, faults: [...base.faults], seed: 42 })).toEqual(
      schedule({ ...base, faults: [...base.faults], seed: 42 }),
    );
  });

  it('draws different schedules from different seeds', () => {
    expect(schedule({ ...base, faults: [...base.faults], seed: 1 })).not.toEqual(
      schedule({ ...base, faults: [...base.faults], seed: 2 }),
    );
  });

  it('keeps faults apart, inside the duration, of the kinds asked for', () => {
    const plan = schedule({ ...base, faults: [...base.faults], seed: 7 });
    expect(plan.length).toBeGreaterThan(3);
    let end = 0;
    for (const f of plan) {
      expect(base.faults).toContain(f.kind);
      expect(f.atMs).toBeGreaterThanOrEqual(end);
      expect(f.atMs).toBeLessThan(base.durationMs);
      end = f.atMs + (f.step as { duration: number }).duration;
    }
  });

  it('turns the schedule into a method whose waits add up to the duration', () => {
    const { spec } = campaignExperiment({ ...base, faults: [...base.faults], seed: 3 }, []);
    const waited = spec.method.reduce((n, s) => n + ('wait' in s ? s.wait : 0), 0);
    expect(waited).toBeGreaterThanOrEqual(base.durationMs);
  });
});

const every = {
  ...base,
  faults: [...CAMPAIGN_FAULTS],
  luns: ['CSV1', 'Quorum'],
  witnessLun: 'Quorum',
  seed: 0,
};

/** The faults of a plan holding at an instant. */
function holdingAt(plan: ScheduledFault[], t: number): ScheduledFault[] {
  return plan.filter((f) => f.atMs <= t && t < f.endMs);
}

describe('campaigns that reach further', () => {
  it('can draw every fault kind the orchestrator injects', () => {
    expect([...CAMPAIGN_FAULTS].sort()).toEqual([...FAULT_KINDS].sort());
    const seen = new Set<string>();
    for (let seed = 0; seed < 20; seed++) for (const f of schedule({ ...every, seed })) seen.add(f.kind);
    expect([...seen].sort()).toEqual([...FAULT_KINDS].sort());
  });

  it('draws the same plan from the same seed and options, and another with other options', () => {
    const opts = { ...every, seed: 5, overlap: true, oneWay: true };
    expect(schedule(opts)).toEqual(schedule({ ...opts }));
    expect(schedule(opts)).not.toEqual(schedule({ ...opts, overlap: false }));
  });

  it('keeps the schedule of a campaign without the new options as it was', () => {
    const plain = schedule({ ...base, faults: [...base.faults], seed: 42 });
    const off = schedule({ ...base, faults: [...base.faults], seed: 42, overlap: false, oneWay: false });
    expect(off).toEqual(plain);
    expect(plain.every((f) => f.step.oneWay === false)).toBe(true);
  });

  it('overlaps faults with --overlap and never without', () => {
    let overlaps = 0;
    for (let seed = 0; seed < 20; seed++) {
      const plan = schedule({ ...every, seed, overlap: true });
      overlaps += plan.filter((f) => holdingAt(plan, f.atMs).length > 1).length;
      const apart = schedule({ ...every, seed });
      for (const f of apart) expect(holdingAt(apart, f.atMs)).toEqual([f]);
    }
    expect(overlaps).toBeGreaterThan(10);
  });

  it('cuts partitions one way with --one-way, and both ways without', () => {
    const cuts = (oneWay: boolean) =>
      Array.from({ length: 20 }, (_, seed) => schedule({ ...every, seed, oneWay, overlap: true }))
        .flat()
        .filter((f) => f.kind === 'partition');
    expect(cuts(true).some((f) => f.step.oneWay)).toBe(true);
    expect(cuts(true).some((f) => !f.step.oneWay)).toBe(true);
    expect(cuts(false).every((f) => !f.step.oneWay)).toBe(true);
  });

  it('keeps the overlap limits at every fault start: two at most, a majority of votes, no shared host', () => {
    for (let seed = 0; seed < 50; seed++) {
      const plan = schedule({ ...every, seed, overlap: true, oneWay: true });
      for (const f of plan) {
        const now = holdingAt(plan, f.atMs);
        expect(now.length).toBeLessThanOrEqual(MAX_CONCURRENT_FAULTS);
        const impacts = now.map((x) => impactOf(x, every));
        const nodesDown = new Set(impacts.flatMap((i) => i.nodesDown));
        const witnessDown = impacts.some((i) => i.witnessDown);
        if (now.length > 1) {
          // Three votes (two nodes and the disk witness): at most one lost, so two remain.
          expect(nodesDown.size + (witnessDown ? 1 : 0)).toBeLessThanOrEqual(1);
          const targets = impacts.flatMap((i) => i.targets);
          expect(new Set(targets).size).toBe(targets.length);
          expect(new Set(impacts.flatMap((i) => i.rssmsPulled)).size).toBeLessThan(every.rssms.length);
        }
        expect(nodesDown.size).toBeLessThan(every.nodes.length);
        expect(f.endMs).toBeGreaterThan(f.atMs);
      }
    }
  });

  it('refuses a second fault that would take the last node or the witness beside a node', () => {
    const at = (kind: CampaignFault, target?: string): ScheduledFault => ({
      atMs: 0,
      endMs: 1000,
      kind,
      step: { fault: kind, target, duration: 1000, oneWay: false, peers: [] },
    });
    expect(allowedWith(at('kill', 'HVR2NODO2'), [at('power-off', 'HVR2NODO1')], every)).toBe(false);
    expect(allowedWith(at('witness-loss'), [at('freeze', 'HVR2NODO1')], every)).toBe(false);
    expect(allowedWith(at('freeze', 'HVR2NODO1'), [at('kill', 'HVR2NODO1')], every)).toBe(false);
    expect(allowedWith(at('netem', 'HVR2NODO2'), [at('kill', 'HVR2NODO1')], every)).toBe(true);
    expect(allowedWith(at('rssm-pull', 'rssm3'), [at('kill', 'HVR2NODO1')], every)).toBe(true);
    expect(allowedWith(at('rssm-pull', 'rssm4'), [at('rssm-pull', 'rssm3')], every)).toBe(false);
  });

  it('starts overlapping faults in the method at their times and waits the last one out', () => {
    const o = { ...every, seed: 5, overlap: true, oneWay: true };
    const { spec, plan } = campaignExperiment(o, []);
    const waited = spec.method.reduce((n, s) => n + ('wait' in s ? s.wait : 0), 0);
    expect(waited).toBe(Math.max(o.durationMs, ...plan.map((f) => f.endMs)));
    expect(spec.method.filter((s) => 'fault' in s)).toEqual(plan.map((f) => f.step));
    expect(spec.title).toContain('overlap; one-way');
  });
});
