/**
 * A running guest's memory: a real Buffer and the bitmap of pages changed since migration last
 * copied them. Every write to guest memory goes through here so the bitmap never misses one.
 */
import { createHash } from 'node:crypto';
import type { Random } from '../../actor/clock.js';
import { DirtyBitmap, PAGE_SIZE } from './dirty-bitmap.js';

/** Bytes of the stamp a dirtying write leaves in a page. */
const STAMP_BYTES = 16;

/** One guest's memory. */
export class GuestMemory {
  readonly dirty: DirtyBitmap;
  /** Counts dirtying writes; each stamp carries it, so every write changes the page. */
  private generation = 0;

  /**
   * @param everyPageWritten every page of `buf` was written on this node before anything read it
   *   (memory that came by migration or from a saved state), so each is backed by a page of its
   *   own; a cold-booted guest's memory is not: see ../warm-memory.ts for why that matters.
   */
  constructor(
    readonly buf: Buffer,
    readonly everyPageWritten = false,
  ) {
    this.dirty = new DirtyBitmap(Math.ceil(buf.length / PAGE_SIZE));
  }

  /** Writes bytes at an offset, as the guest does, marking the pages dirty. */
  write(offset: number, data: Uint8Array): void {
    this.buf.set(data, offset);
    this.dirty.markBytes(offset, data.length);
  }

  /**
   * The guest at work: dirties `pages` pages picked at random, each with a 16-byte stamp
   * (generation, page, seq) at a position that moves with the generation, so the page's
   * contents really change.
   */
  dirtyPages(pages: number, seq: number, random: Random): void {
    const total = this.dirty.pages;
    if (total === 0) return;
    const stamp = Buffer.alloc(STAMP_BYTES);
    for (let i = 0; i < pages; i++) {
      const page = random.int(0, total - 1);
      this.generation++;
      stamp.writeDoubleLE(this.generation, 0);
      stamp.writeUInt32LE(page, 8);
      stamp.writeUInt32LE(seq >>> 0, 12);
      const slot = this.generation % (PAGE_SIZE / STAMP_BYTES);
      const offset = Math.min(page * PAGE_SIZE + slot * STAMP_BYTES, this.buf.length - STAMP_BYTES);
      if (offset >= 0) this.write(offset, stamp);
    }
  }

  /** SHA-256 of the whole memory, hex: equal digests mean byte-for-byte equal memory. */
  digest(): string {
    return createHash('sha256').update(this.buf).digest('hex');
  }
}
