/**
 * The buffers large SAS frames are read into, kept for the next frame once the bytes are no
 * longer needed.
 *
 * A 1 MiB write crosses two hops; each receiving process got a fresh 1 MiB buffer per frame, and
 * at hundreds of MB/s that memory, outside V8's heap, kept tripping V8's external-memory limit:
 * a quarter of the RSSM's and the controller's CPU was major garbage collection (issue 19,
 * `perf record` of a 1 MiB QD32 load: ConcurrentMarking::RunMajor on every core). A frame's
 * buffer is handed back with `releaseFrameBuffer` by whoever is done with its bytes for certain
 * (the controller once the store has written them, an RSSM once the controller acknowledged
 * them); a buffer never handed back is simply collected, as before. The free buffers are
 * dropped after IDLE_DROP_MS without use, so a host that moved a burst of large frames does not
 * keep their memory (the hosts' RSS budget, issue 8).
 */
import { IdleWatch } from './idle-watch.js';

/** Frames at least this large get a pooled buffer; smaller ones are views of the decoder's chunk. */
export const POOLED_MIN_BYTES = 128 * 1024;
/** Capacities are rounded up to this, so frames of one payload size share buffers. */
const ROUND_BYTES = 64 * 1024;
/** Free bytes kept at most per process. */
const FREE_BYTES_MAX = 48 * 1024 * 1024;
/** Free buffers are dropped after a period this long in which the pool was not used. */
const IDLE_DROP_MS = 1000;

/**
 * Large frame buffers of one process, free ones by capacity. Only buffers it handed out are
 * kept, each once, up to FREE_BYTES_MAX; all free ones go after IDLE_DROP_MS without use.
 */
export class FrameBufferPool {
  private readonly ours = new WeakSet<ArrayBuffer>();
  private readonly free = new Map<number, ArrayBuffer[]>();
  private freeBytes = 0;
  private readonly idle = new IdleWatch(IDLE_DROP_MS, () => {
    this.free.clear();
    this.freeBytes = 0;
    return true;
  });

  /** A buffer of exactly `bytes`, over a backing store of its own. */
  take(bytes: number): Buffer {
    const capacity = Math.ceil(bytes / ROUND_BYTES) * ROUND_BYTES;
    this.touch();
    const reused = this.free.get(capacity)?.pop();
    if (reused) {
      this.freeBytes -= capacity;
      return Buffer.from(reused, 0, bytes);
    }
    const store = new ArrayBuffer(capacity);
    this.ours.add(store);
    return Buffer.from(store, 0, bytes);
  }

  /**
   * Hands back the buffer under `bytes` (a frame or a view of its payload) for a next frame.
   * The caller must be done with every view of it: its bytes will be written over.
   */
  release(bytes: Uint8Array): void {
    const store = bytes.buffer;
    if (!(store instanceof ArrayBuffer) || !this.ours.has(store)) return;
    if (this.freeBytes + store.byteLength > FREE_BYTES_MAX) return;
    const list = this.free.get(store.byteLength) ?? [];
    if (list.includes(store)) return;
    list.push(store);
    this.free.set(store.byteLength, list);
    this.freeBytes += store.byteLength;
    this.touch();
  }

  /** Free bytes held now. */
  get freeNow(): number {
    return this.freeBytes;
  }

  private touch(): void {
    this.idle.touch();
  }
}

/** The process's pool, which every FrameDecoder takes its large buffers from. */
export const framePool = new FrameBufferPool();

/** Hands a frame's buffer back to the process's pool (see FrameBufferPool.release). */
export function releaseFrameBuffer(bytes: Uint8Array): void {
  framePool.release(bytes);
}
