import { describe, expect, it } from 'vitest';
import { cleanRun, inOrder, N1, N2, samples } from './fixtures.js';
import { singleCsvCoordinator } from './single-csv-coordinator.js';

describe('single-csv-coordinator', () => {
  it('passes the clean power-off run, where the coordinator moves once', () => {
    expect(singleCsvCoordinator(cleanRun())).toMatchObject({
      name: 'single-csv-coordinator',
      verdict: 'pass',
    });
  });

  it('fails when two nodes with quorum both coordinate one volume at once', () => {
    const h = inOrder([
      ...samples(N1, 0, 3000, { members: [N1, N2], csv: { Volume1: N1 } }),
      ...samples(N2, 10, 1000, { members: [N1, N2], csv: { Volume1: N1 } }),
      ...samples(N2, 1010, 3000, { members: [N1, N2], csv: { Volume1: N2 } }),
    ]);
    const r = singleCsvCoordinator(h);
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(
      `Volume1 was claimed by ${N2} at t=1010 ms while ${N1} claimed it too (18 such samples in all)`,
    );
    expect(r.offending?.length).toBeGreaterThan(0);
  });

  it('ignores the claim of a node that has lost quorum', () => {
    const h = inOrder([
      ...samples(N1, 0, 3000, { members: [N1], hasQuorum: false, csv: { Volume1: N1 } }),
      ...samples(N2, 10, 3000, { members: [N2], csv: { Volume1: N2 } }),
    ]);
    expect(singleCsvCoordinator(h).verdict).toBe('pass');
  });

  it('passes a move whose samples of one round arrive a few milliseconds apart', () => {
    const view = (coordinator: string) => ({ members: [N1, N2], csv: { Volume1: coordinator } });
    const h = inOrder([
      ...samples(N1, 0, 1200, view(N1)),
      ...samples(N1, 1200, 3000, view(N2)),
      ...samples(N2, 3, 1195, view(N1)),
      ...samples(N2, 1195, 3000, view(N2)),
    ]);
    expect(singleCsvCoordinator(h).verdict).toBe('pass');
  });

  it('is unknown when no sample names a volume', () => {
    expect(singleCsvCoordinator(samples(N1, 0, 1000)).verdict).toBe('unknown');
  });
});
