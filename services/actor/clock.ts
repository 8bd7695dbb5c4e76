/**
 * Time and randomness, injected into every pure core so the same code runs against the real
 * clock in a service and against a simulated clock in tests (xstate's SimulatedClock idea).
 */

/** A source of the current time in milliseconds. */
export interface Clock {
  now(): number;
}

/** The wall clock, for service processes. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when a test advances it. */
export class SimulatedClock implements Clock {
  constructor(private timeMs = 0) {}
  now(): number {
    return this.timeMs;
  }
  advance(ms: number): void {
    if (ms < 0) throw new Error(`cannot move a clock backwards by ${ms} ms`);
    this.timeMs += ms;
  }
  set(timeMs: number): void {
    this.timeMs = timeMs;
  }
}

/** A seeded pseudo-random source (mulberry32): the same seed always gives the same sequence. */
export class Random {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }
}
