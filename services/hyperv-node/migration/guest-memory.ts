/**
 * A running guest's memory: a real Buffer, the bitmap of pages changed since migration last
 * copied them, and the set of pages ever written on this node. Every write to guest memory goes
 * through here (or marks `written` itself, as a migration's target does) so neither misses one.
 *
 * A page never written is zero, and the host has not backed it yet: its first touch is a page
 * fault (a fresh page to find and zero, or the shared zero page mapped on a read). A Hyper-V
 * host's guest memory is all allocated when the VM starts or its skeleton is created
 * (docs/domain.md §Live migration), so those faults are the emulator's cost, not the guest's: a
 * migration sends such pages from a zero buffer and its target does not touch them (a cold
 * boot's 512 MiB cost ~2 s of faults on each side, ~0.3 s once written; see
 * page-channel.ts, zero frames).
 */
import { createHash } from 'node:crypto';
import type { Random } from '../../actor/clock.js';
import { DirtyBitmap, PAGE_SIZE } from './dirty-bitmap.js';

/** Bytes of the stamp a dirtying write leaves in a page. */
const STAMP_BYTES = 16;

/** One guest's memory. */
export class GuestMemory {
  readonly dirty: DirtyBitmap;
  /** Pages written on this node since `buf` was allocated; every other page is zero. */
  readonly written: DirtyBitmap;
  /**
   * Something read the whole buffer (a save, a digest): each page never written now maps the
   * kernel's shared zero page, and a write there later costs more than a fresh page's fault.
   */
  private wholeRead = false;
  /** Counts dirtying writes; each stamp carries it, so every write changes the page. */
  private generation = 0;

  /**
   * @param written the pages of `buf` written on this node already: `true` for all of them
   *   (memory about to be filled from a saved state), a set for memory kept warm
   *   (../warm-memory.ts); a fresh Buffer has none.
   */
  constructor(
    readonly buf: Buffer,
    written: DirtyBitmap | boolean = false,
  ) {
    const pages = Math.ceil(buf.length / PAGE_SIZE);
    this.dirty = new DirtyBitmap(pages);
    if (typeof written === 'object' && written.pages !== pages)
      throw new Error(`a set of ${written.pages} written pages for a memory of ${pages}`);
    this.written = typeof written === 'object' ? written : new DirtyBitmap(pages);
    if (written === true) this.written.markAll();
  }

  /**
   * Whether the next VM migrating in may take this memory (../warm-memory.ts): not when a whole
   * read left zero pages mapped where the guest never wrote.
   */
  get keepable(): boolean {
    return !this.wholeRead || this.written.count === this.written.pages;
  }

  /** The whole buffer, to read all of it (a save to the CSV). */
  readAll(): Buffer {
    this.wholeRead = true;
    return this.buf;
  }

  /** Writes bytes at an offset, as the guest does, marking the pages dirty. */
  write(offset: number, data: Uint8Array): void {
    this.buf.set(data, offset);
    this.dirty.markBytes(offset, data.length);
    this.written.markBytes(offset, data.length);
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
    return createHash('sha256').update(this.readAll()).digest('hex');
  }
}
