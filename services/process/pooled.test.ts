import { describe, expect, it } from 'vitest';
import { mapPooled } from './pooled.js';

describe('mapPooled', () => {
  it('keeps at most `width` calls in flight, calls each item once, and keeps the order', async () => {
    let inFlight = 0;
    let most = 0;
    const calls: number[] = [];
    const out = await mapPooled([5, 1, 4, 2, 3, 0], 3, async (n) => {
      calls.push(n);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, n));
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(calls.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(3);
  });

  it('returns an empty list for no items, and rejects with the first failure', async () => {
    expect(await mapPooled([], 4, async () => 1)).toEqual([]);
    await expect(
      mapPooled([1, 2], 2, async (n) => {
        if (n === 2) throw new Error('two failed');
        return n;
      }),
    ).rejects.toThrow('two failed');
  });
});
