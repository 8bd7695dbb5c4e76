/**
 * Guest memory a VM left behind on this node, kept a little while for the next VM that migrates
 * in with the same size. A live migration writes the pages the guest wrote on the source into
 * the target's memory; into a fresh Buffer each of its 4 KiB pages is a page fault (the kernel
 * finds and zeroes a page), which cost 0.4–1.2 s of the target's CPU per GiB on the benchmark's
 * machine and was most of a move's time, varying with the machine's load (bench/lm-session.ts).
 * A buffer that was already written is resident: the pass copies into it without a fault, and
 * no 1 GiB allocation makes V8 collect garbage in the middle of the copy.
 *
 * The buffer is kept with the set of its pages written here (migration/guest-memory.ts): the
 * others are zero and not backed yet, so a zero page sent to the next VM needs no write there
 * (migration/page-channel.ts, zero frames). Memory whose unwritten pages were read as a whole
 * (saved to the CSV) is not kept: a read of an untouched page maps the kernel's shared zero
 * page, and writing there later costs a copy-on-write fault and a TLB flush each, about twice a
 * fresh page's fault on the benchmark's machine (a VM's second move once took three times as
 * long as its first, 1.7 s against 0.6 s for 1 GiB, bench/lm-session.ts).
 *
 * Only an incoming migration takes a kept buffer: every page of it is sent (the first pass
 * covers all memory: a page that is zero on the source is cleared here where it was written; a
 * restore reads all of it) before the VM runs, so nothing of the VM that left is ever seen by the
 * one that came. Kept buffers are bounded in bytes and in time, so a node that no longer hosts a
 * VM gives its memory back.
 */
import type { DirtyBitmap } from './migration/dirty-bitmap.js';

/** A kept buffer and the pages of it written on this node (the others are zero). */
export interface KeptMemory {
  buf: Buffer;
  written: DirtyBitmap;
}

/** Bytes of memory kept at most, over all kept buffers: the oldest goes first past it. */
export const WARM_BYTES_MAX = 2 * 1024 * 1024 * 1024;
/** A kept buffer nobody took within this long is dropped. */
export const WARM_KEEP_MS = 30_000;

/** Freed guest memory of this node, by size, oldest first. */
export class WarmMemory {
  private readonly kept: { mem: KeptMemory; timer: NodeJS.Timeout }[] = [];

  constructor(
    private readonly bytesMax = WARM_BYTES_MAX,
    private readonly keepMs = WARM_KEEP_MS,
  ) {}

  /** Keeps memory nothing uses any more (no write of its VM in flight). */
  keep(mem: KeptMemory): void {
    if (mem.buf.length === 0 || mem.buf.length > this.bytesMax) return;
    const timer = setTimeout(() => this.drop(mem), this.keepMs);
    timer.unref();
    this.kept.push({ mem, timer });
    while (this.bytes() > this.bytesMax) this.drop((this.kept[0] as { mem: KeptMemory }).mem);
  }

  /** A kept buffer of exactly `bytes`, with whatever it held, or undefined; it is no longer kept. */
  take(bytes: number): KeptMemory | undefined {
    const at = this.kept.findIndex((k) => k.mem.buf.length === bytes);
    if (at < 0) return undefined;
    const [k] = this.kept.splice(at, 1);
    if (!k) return undefined;
    clearTimeout(k.timer);
    return k.mem;
  }

  /** Drops every kept buffer (the host stops). */
  clear(): void {
    for (const k of this.kept) clearTimeout(k.timer);
    this.kept.length = 0;
  }

  /** Bytes kept now. */
  bytes(): number {
    return this.kept.reduce((n, k) => n + k.mem.buf.length, 0);
  }

  private drop(mem: KeptMemory): void {
    const at = this.kept.findIndex((k) => k.mem === mem);
    if (at < 0) return;
    clearTimeout(this.kept[at]?.timer);
    this.kept.splice(at, 1);
  }
}
