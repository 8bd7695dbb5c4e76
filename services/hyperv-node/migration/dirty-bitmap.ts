/**
 * Which pages of a guest's memory changed since they were last copied: one bit per 4 KiB page,
 * as Hyper-V tracks modified pages during live migration (docs/domain.md §Live migration). A pure data structure.
 */

/** Guest memory moves in 4 KB pages (docs/domain.md §Live migration). */
export const PAGE_SIZE = 4096;

/** A set of dirty pages, one bit each. */
export class DirtyBitmap {
  private readonly words: Uint32Array;
  private dirty = 0;

  constructor(readonly pages: number) {
    if (!Number.isInteger(pages) || pages < 0) throw new Error(`page count ${pages} is not a whole number`);
    this.words = new Uint32Array(Math.ceil(pages / 32));
  }

  /** How many pages are dirty. */
  get count(): number {
    return this.dirty;
  }

  /** Marks one page dirty. */
  mark(page: number): void {
    if (page < 0 || page >= this.pages || !Number.isInteger(page))
      throw new Error(`page ${page} is outside 0..${this.pages - 1}`);
    const w = page >>> 5;
    const bit = 1 << (page & 31);
    const word = this.words[w] as number;
    if ((word & bit) === 0) {
      this.words[w] = word | bit;
      this.dirty++;
    }
  }

  /** Marks every page that bytes [offset, offset + length) touch. */
  markBytes(offset: number, length: number): void {
    if (length <= 0) return;
    const last = Math.floor((offset + length - 1) / PAGE_SIZE);
    for (let p = Math.floor(offset / PAGE_SIZE); p <= last; p++) this.mark(p);
  }

  /** Marks every page: the first pass of a migration copies all of memory. */
  markAll(): void {
    this.words.fill(0xffffffff);
    const tail = this.pages & 31;
    if (tail !== 0) this.words[this.words.length - 1] = (1 << tail) - 1;
    this.dirty = this.pages;
  }

  /** True when the page is dirty. */
  isDirty(page: number): boolean {
    return ((this.words[page >>> 5] as number) & (1 << (page & 31))) !== 0;
  }

  /** Marks every page of flat (first, count) runs. */
  markRuns(runs: readonly number[]): void {
    for (let i = 0; i + 1 < runs.length; i += 2) {
      const first = runs[i] as number;
      const end = first + (runs[i + 1] as number);
      for (let p = first; p < end; p++) this.mark(p);
    }
  }

  /**
   * Takes the dirty set and clears it: the pages as (first page, count) runs, flat and in
   * order, so contiguous pages travel as one run without an object per page.
   */
  take(): number[] {
    const runs: number[] = [];
    let first = -1;
    let n = 0;
    for (let w = 0; w < this.words.length; w++) {
      const word = this.words[w] as number;
      if (word === 0xffffffff && first >= 0 && first + n === w * 32) {
        n += 32;
        continue;
      }
      if (word === 0) {
        if (first >= 0) {
          runs.push(first, n);
          first = -1;
          n = 0;
        }
        continue;
      }
      for (let b = 0; b < 32; b++) {
        const page = w * 32 + b;
        if ((word & (1 << b)) !== 0) {
          if (first >= 0 && first + n === page) n++;
          else {
            if (first >= 0) runs.push(first, n);
            first = page;
            n = 1;
          }
        }
      }
    }
    if (first >= 0) runs.push(first, n);
    this.words.fill(0);
    this.dirty = 0;
    return runs;
  }
}

/** The number of pages in flat (first, count) runs. */
export function runPages(runs: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < runs.length; i += 2) n += runs[i] as number;
  return n;
}

/**
 * Splits flat (first, count) runs by a set of pages: the parts of each run whose pages are in
 * `set`, and the parts whose pages are not, each as flat runs in order.
 */
export function splitRuns(runs: readonly number[], set: DirtyBitmap): { inSet: number[]; outside: number[] } {
  const inSet: number[] = [];
  const outside: number[] = [];
  for (let i = 0; i + 1 < runs.length; i += 2) {
    const first = runs[i] as number;
    const end = first + (runs[i + 1] as number);
    if (end <= first) continue;
    let from = first;
    for (let p = first; p <= end; p++) {
      if (p < end && set.isDirty(p) === set.isDirty(from)) continue;
      (set.isDirty(from) ? inSet : outside).push(from, p - from);
      from = p;
    }
  }
  return { inSet, outside };
}

/**
 * Splits flat (first, count) runs into batches of at most maxPages pages each, splitting a run
 * across batches where needed: one batch becomes one stream message.
 */
export function batchRuns(runs: readonly number[], maxPages: number): number[][] {
  if (!Number.isInteger(maxPages) || maxPages < 1) throw new Error(`maxPages ${maxPages} must be at least 1`);
  const batches: number[][] = [];
  let current: number[] = [];
  let room = maxPages;
  for (let i = 0; i + 1 < runs.length; i += 2) {
    let first = runs[i] as number;
    let count = runs[i + 1] as number;
    while (count > 0) {
      const take = Math.min(count, room);
      current.push(first, take);
      first += take;
      count -= take;
      room -= take;
      if (room === 0) {
        batches.push(current);
        current = [];
        room = maxPages;
      }
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
