import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DirtyBitmap } from './migration/dirty-bitmap.js';
import { type KeptMemory, WarmMemory } from './warm-memory.js';

/** Memory of `bytes` (the limits below count bytes), none of it written. */
function kept(bytes: number, fill = 0): KeptMemory {
  return { buf: Buffer.alloc(bytes, fill), written: new DirtyBitmap(1) };
}

describe('WarmMemory', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands a kept buffer to the next request of exactly its size, once', () => {
    const warm = new WarmMemory(100, 1000);
    const a = kept(10, 1);
    warm.keep(a);
    expect(warm.take(20)).toBeUndefined();
    expect(warm.take(10)).toBe(a);
    expect(warm.take(10)).toBeUndefined();
    expect(warm.bytes()).toBe(0);
  });

  it('drops the oldest buffers past its byte limit, and refuses one larger than the limit', () => {
    const warm = new WarmMemory(25, 1000);
    const [a, b, c] = [kept(10), kept(10), kept(10)];
    warm.keep(a);
    warm.keep(b);
    warm.keep(c);
    expect(warm.bytes()).toBe(20);
    expect(warm.take(10)).toBe(b);
    expect(warm.take(10)).toBe(c);
    warm.keep(kept(30));
    expect(warm.bytes()).toBe(0);
  });

  it('drops everything it kept when cleared', () => {
    const warm = new WarmMemory(100, 1000);
    warm.keep(kept(10));
    warm.clear();
    expect(warm.take(10)).toBeUndefined();
    expect(warm.bytes()).toBe(0);
  });

  it('gives memory back that nobody took within its keeping time', () => {
    const warm = new WarmMemory(100, 1000);
    warm.keep(kept(10));
    vi.advanceTimersByTime(999);
    warm.keep(kept(20));
    expect(warm.bytes()).toBe(30);
    vi.advanceTimersByTime(1);
    expect(warm.bytes()).toBe(20);
    expect(warm.take(10)).toBeUndefined();
    vi.advanceTimersByTime(1000);
    expect(warm.bytes()).toBe(0);
  });
});
