import { describe, expect, it } from 'vitest';
import { campaignExperiment, schedule } from './campaign.js';

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
