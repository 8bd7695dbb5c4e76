/**
 * The simulation's one source of randomness: sfc32, Chris Doty-Humphrey's Small Fast Counter
 * generator from the PractRand suite (public domain; the 32-bit variant as PractRand ships it,
 * rotation 21, shifts 9 and 3). It passes PractRand's tests to terabytes, has a 128-bit state
 * and needs only 32-bit integer arithmetic, so the same seed draws the same numbers on every
 * machine. It extends the cores' `Random` (services/actor/clock.ts), so the very instance every
 * core receives as `ctx.random` is the simulation's generator: one seed drives everything.
 */
import { Random } from '../services/actor/clock.js';

/** A seeded sfc32 generator, usable wherever a core expects its `Random`. */
export class SimRandom extends Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    super(seed);
    // PractRand seeds sfc32 with (0, seed, seed >> 32, 1) and discards the first outputs; a
    // double seed is split into its low and high 32 bits so seeds beyond 2^32 stay distinct.
    this.a = 0;
    this.b = seed >>> 0;
    this.c = Math.floor(seed / 2 ** 32) >>> 0;
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** The next 32-bit unsigned integer of the stream. */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A float in [0, 1). */
  override next(): number {
    return this.u32() / 4294967296;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** A float in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** 16 hex digits, as the nodes' incarnations and boot ids are written. */
  hex64(): string {
    return this.u32().toString(16).padStart(8, '0') + this.u32().toString(16).padStart(8, '0');
  }
}
