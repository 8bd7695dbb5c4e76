import { describe, expect, it } from 'vitest';
import {
  afterResourceFailure,
  chooseTarget,
  failbackTarget,
  mayFailOver,
  RESTART_PERIOD_MS,
} from './policy.js';

describe('restart and failover policies (docs/domain.md §Resources and groups)', () => {
  it('restarts a failed resource in place three times within 15 minutes, then fails the group over', () => {
    expect(afterResourceFailure([], 0).action).toBe('restart');
    expect(afterResourceFailure([1, 2], 3).action).toBe('restart');
    expect(afterResourceFailure([1, 2, 3], 4).action).toBe('failover');
  });

  it('forgets restarts older than the restart period', () => {
    const r = afterResourceFailure([0, 1, 2], RESTART_PERIOD_MS + 1);
    expect(r).toEqual({ action: 'restart', recent: [2] });
  });

  it('fails a group over at most nodes − 1 times in six hours', () => {
    expect(mayFailOver([], 0, 2).allowed).toBe(true);
    expect(mayFailOver([10], 20, 2).allowed).toBe(false);
    expect(mayFailOver([10], 10 + 6 * 3600_000, 2).allowed).toBe(true);
    expect(mayFailOver([1, 2], 3, 4).allowed).toBe(true);
    expect(mayFailOver([1, 2, 3], 4, 4).allowed).toBe(false);
  });

  it('places a group on its first preferred owner that is up', () => {
    expect(
      chooseTarget({ from: 'A', up: ['B', 'C'], preferredOwners: ['A', 'C', 'B'], groupsPerNode: {} }),
    ).toBe('C');
  });

  it('otherwise places a group on the least loaded node, never where it came from', () => {
    expect(
      chooseTarget({ from: 'A', up: ['A', 'B', 'C'], preferredOwners: [], groupsPerNode: { B: 2, C: 1 } }),
    ).toBe('C');
    expect(chooseTarget({ from: 'A', up: ['A'], preferredOwners: [], groupsPerNode: {} })).toBeNull();
  });

  it('fails back only when allowed and a preferred owner is up', () => {
    expect(failbackTarget({ owner: 'B', up: ['A', 'B'], preferredOwners: ['A'], allowFailback: true })).toBe(
      'A',
    );
    expect(
      failbackTarget({ owner: 'B', up: ['A', 'B'], preferredOwners: ['A'], allowFailback: false }),
    ).toBeNull();
    expect(
      failbackTarget({ owner: 'A', up: ['A', 'B'], preferredOwners: ['A'], allowFailback: true }),
    ).toBeNull();
    expect(failbackTarget({ owner: 'B', up: ['B'], preferredOwners: ['A'], allowFailback: true })).toBeNull();
  });
});
