/**
 * The storage controller's simulated disk: what is durable, and what sits in the page cache.
 * A write lands in the cache at once, block by block; an fdatasync of its LUN makes it durable;
 * a crash loses the cache, except the blocks the kernel had already written back on its own,
 * which a torn crash keeps at random (so a multi-block write the crash cut is left half old,
 * half new: a torn write of a slotted document such as the witness's or the CSV table's).
 *
 * The durable bytes are kept in pages of PAGE_BYTES allocated where something was written, so
 * a cold boot's 4 MiB reads copy a few pages instead of looking up thousands of blocks.
 */
import type { SimRandom } from './random.js';

/** The durable store's unit: a multiple of every block size. */
export const PAGE_BYTES = 64 * 1024;

/** Pages of one LUN by index. */
type Pages = Map<number, Uint8Array>;
/** Cached (not yet durable) blocks of one LUN by byte offset. */
type Blocks = Map<number, Uint8Array>;

/**
 * Walks `length` bytes from byte `offset` page by page: `piece` gets each page's index, where the
 * piece starts within the page, how many bytes came before it and its length.
 */
function eachPiece(
  offset: number,
  length: number,
  piece: (index: number, within: number, done: number, n: number) => void,
): void {
  for (let done = 0; done < length; ) {
    const at = offset + done;
    const index = Math.floor(at / PAGE_BYTES);
    const within = at - index * PAGE_BYTES;
    const n = Math.min(PAGE_BYTES - within, length - done);
    piece(index, within, done, n);
    done += n;
  }
}

/** Copies `data` into the pages at byte `offset`, allocating the pages it touches. */
function copyIn(pages: Pages, offset: number, data: Uint8Array): void {
  eachPiece(offset, data.length, (index, within, done, n) => {
    let page = pages.get(index);
    if (!page) {
      page = new Uint8Array(PAGE_BYTES);
      pages.set(index, page);
    }
    page.set(data.subarray(done, done + n), within);
  });
}

/** Copies the pages' bytes at `offset` into `out` (zeros where nothing was written). */
function copyOut(pages: Pages | undefined, offset: number, out: Uint8Array): void {
  if (!pages) return;
  eachPiece(offset, out.length, (index, within, done, n) => {
    const page = pages.get(index);
    if (page) out.set(page.subarray(within, within + n), done);
  });
}

/** The controller's disk. */
export class SimDisk {
  private readonly durable = new Map<string, Pages>();
  /** Written but not yet synced: lost on a crash. */
  private cache = new Map<string, Blocks>();

  constructor(private readonly blockSize: number) {}

  /** A write lands in the page cache. */
  write(lun: string, offset: number, data: Uint8Array): void {
    let blocks = this.cache.get(lun);
    if (!blocks) {
      blocks = new Map();
      this.cache.set(lun, blocks);
    }
    for (let at = 0; at < data.length; at += this.blockSize)
      blocks.set(offset + at, data.slice(at, at + this.blockSize));
  }

  private pages(lun: string): Pages {
    let pages = this.durable.get(lun);
    if (!pages) {
      pages = new Map();
      this.durable.set(lun, pages);
    }
    return pages;
  }

  /** Makes the cached blocks of these writes durable (an fdatasync of their LUNs). */
  sync(writes: { lun: string; offset: number; length: number }[]): void {
    for (const w of writes) {
      const cached = this.cache.get(w.lun);
      if (!cached) continue;
      const pages = this.pages(w.lun);
      for (let at = w.offset; at < w.offset + w.length; at += this.blockSize) {
        const b = cached.get(at);
        if (b) {
          copyIn(pages, at, b);
          cached.delete(at);
        }
      }
    }
  }

  /** What a read sees: the cache over the durable bytes. */
  read(lun: string, offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    copyOut(this.durable.get(lun), offset, out);
    const cached = this.cache.get(lun);
    if (!cached || cached.size === 0) return out;
    const end = offset + length;
    for (const [at, b] of cached)
      if (at >= offset && at < end) out.set(b.subarray(0, Math.min(b.length, end - at)), at - offset);
    return out;
  }

  /**
   * A crash: the page cache is gone. With `tornRate` > 0, each cached block had been written
   * back by the kernel with that chance before the crash and survives it.
   */
  crash(random?: SimRandom, tornRate = 0): void {
    if (random && tornRate > 0)
      for (const [lun, blocks] of this.cache) {
        const pages = this.pages(lun);
        for (const [at, b] of blocks) if (random.chance(tornRate)) copyIn(pages, at, b);
      }
    this.cache = new Map();
  }
}
