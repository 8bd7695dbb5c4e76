import { describe, expect, it } from 'vitest';
import { batchRuns, DirtyBitmap, PAGE_SIZE, runPages, splitRuns } from './dirty-bitmap.js';

describe('dirty bitmap', () => {
  it('counts each dirty page once and hands the set over as ordered runs, then is clean', () => {
    const b = new DirtyBitmap(100);
    for (const p of [5, 6, 7, 7, 40, 31, 32, 99]) b.mark(p);
    expect(b.count).toBe(7);
    expect(b.isDirty(31)).toBe(true);
    expect(b.take()).toEqual([5, 3, 31, 2, 40, 1, 99, 1]);
    expect(b.count).toBe(0);
    expect(b.isDirty(31)).toBe(false);
    expect(b.take()).toEqual([]);
  });

  it('marks all pages, including a partial last word, as one run', () => {
    const b = new DirtyBitmap(70);
    b.markAll();
    expect(b.count).toBe(70);
    expect(b.take()).toEqual([0, 70]);
  });

  it('marks every page a byte range touches', () => {
    const b = new DirtyBitmap(8);
    b.markBytes(PAGE_SIZE - 1, 2);
    b.markBytes(5 * PAGE_SIZE, PAGE_SIZE);
    expect(b.take()).toEqual([0, 2, 5, 1]);
  });

  it('refuses a page outside the memory', () => {
    const b = new DirtyBitmap(8);
    expect(() => b.mark(8)).toThrow(/outside 0..7/);
  });

  it('splits runs into batches of at most N pages, cutting a long run', () => {
    const runs = [0, 5, 10, 2, 20, 1];
    expect(runPages(runs)).toBe(8);
    expect(batchRuns(runs, 3)).toEqual([
      [0, 3],
      [3, 2, 10, 1],
      [11, 1, 20, 1],
    ]);
    expect(batchRuns([], 3)).toEqual([]);
  });
});

describe('splitRuns', () => {
  it('splits each run where the set begins or ends, keeping the order', () => {
    const set = new DirtyBitmap(100);
    set.markRuns([3, 2, 40, 30]);
    expect(splitRuns([0, 10, 38, 4, 69, 2, 90, 0], set)).toEqual({
      inSet: [3, 2, 40, 2, 69, 1],
      outside: [0, 3, 5, 5, 38, 2, 70, 1],
    });
    expect(splitRuns([], set)).toEqual({ inSet: [], outside: [] });
  });
});
