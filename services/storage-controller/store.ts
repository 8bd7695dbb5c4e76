/**
 * The controller's disks: one sparse file per LUN (`<name>.lun`) and one metadata file, under
 * the data directory. Writes are made durable with group commit: writes to a LUN that arrive
 * while its fdatasync runs are written together and synced once, then all acknowledged; up to
 * SYNCS_INFLIGHT_MAX batches may sync at once.
 * The metadata file is replaced atomically (tmp, fsync, rename, fsync dir) so a `kill -9` at
 * any instant leaves either the old or the new table, never a torn one.
 */

import {
  closeSync,
  existsSync,
  fdatasync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  read,
  readFileSync,
  renameSync,
  unlinkSync,
  write,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { releaseDmaView } from '../sas/dma.js';
import { releaseFrameBuffer } from '../sas/frame-buffers.js';
import type { Meta } from './core/decide.js';

const writeAsync = promisify(write);
const readAsync = promisify(read);
const fdatasyncAsync = promisify(fdatasync);

/** The metadata file's name inside the data directory. */
export const META_FILE = 'storage-meta.json';

/** Called when a batch of writes is durable, or failed (then none of them is acknowledged). */
export type WritesDone = (reqIds: number[], error?: Error) => void;

interface PendingWrite {
  reqId: number;
  offset: number;
  data: Uint8Array;
}

/**
 * Batches whose fdatasync may run at once on one LUN. With two, the writes that arrive during a
 * sync are written and synced at once instead of waiting for it; measured beside one (the bench's
 * storage session, alternating runs, DCBOX_SYNCS_INFLIGHT) it lost: ext4 commits one journal
 * transaction at a time, so the second sync waits for the first's commit and then forces one
 * more, and the smaller batches cost more commits (ARCHITECTURE.md, Storage path). One it is.
 */
export const SYNCS_INFLIGHT_MAX = 1;

/**
 * SYNCS_INFLIGHT_MAX, or `DCBOX_SYNCS_INFLIGHT` (1–8) from the environment: the storage bench
 * session runs both settings side by side (bench/storage-session.ts), as one run's ratios are
 * the only ones comparable on a shared machine.
 */
function syncsFromEnv(): number {
  const n = Number(process.env.DCBOX_SYNCS_INFLIGHT);
  return Number.isInteger(n) && n >= 1 && n <= 8 ? n : SYNCS_INFLIGHT_MAX;
}

/** One open LUN file and its group-commit queue. */
class LunFile {
  private queue: PendingWrite[] = [];
  /** A batch is being written into the file (batches are written one after the other). */
  private writing = false;
  /** A batch start is scheduled for the next turn of the event loop. */
  private scheduled = false;
  /** Batches written whose fdatasync has not returned yet. */
  private syncing = 0;
  /** Batches synced so far: each is one pwrite-all and one fdatasync. */
  batches = 0;

  constructor(
    readonly fd: number,
    private readonly done: WritesDone,
    private readonly syncsMax: number,
  ) {}

  submit(w: PendingWrite): void {
    this.queue.push(w);
    this.schedule();
  }

  get idle(): boolean {
    return !this.writing && !this.scheduled && this.syncing === 0 && this.queue.length === 0;
  }

  /**
   * Starts the next batch after the current event-loop turn, so that writes that arrived in the
   * same read from the network join it, once the previous batch is written and fewer than
   * `syncsMax` syncs run.
   */
  private schedule(): void {
    if (this.scheduled || this.writing || this.syncing >= this.syncsMax || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  /**
   * Writes one batch, then syncs it; the next batch may be written while this one syncs. Every
   * batch's writes reach the file before a later batch's, so overlapping writes keep their
   * arrival order across batches too, and a batch is acknowledged only after an fdatasync that
   * began after all of its writes returned.
   */
  private async flush(): Promise<void> {
    if (this.writing || this.syncing >= this.syncsMax || this.queue.length === 0) return;
    const batch = this.queue.splice(0);
    const ids = batch.map((w) => w.reqId);
    this.writing = true;
    let failed: Error | undefined;
    try {
      await writeBatch(this.fd, batch);
    } catch (err) {
      failed = err as Error;
    }
    // Every write of the batch returned (after a failure, one may still run on libuv's pool, so
    // the buffers are left to the garbage collector): the frames' buffers may carry new frames,
    // and the blades' DMA slots go back to them.
    if (!failed)
      for (const w of batch) {
        releaseFrameBuffer(w.data);
        releaseDmaView(w.data);
      }
    this.writing = false;
    if (failed) {
      this.done(ids, failed);
      this.schedule();
      return;
    }
    this.syncing++;
    this.schedule();
    try {
      await fdatasyncAsync(this.fd);
      this.batches++;
      this.done(ids);
    } catch (err) {
      this.done(ids, err as Error);
    } finally {
      this.syncing--;
      this.schedule();
    }
  }
}

/**
 * Writes a batch into the page cache. Small blocks are copied here, in arrival order (a pwrite
 * of a few KiB takes microseconds, less than a trip through libuv's pool and back). Large writes
 * to disjoint blocks run side by side on the pool; overlapping ones keep their arrival order
 * (the later one wins).
 */
async function writeBatch(fd: number, batch: readonly PendingWrite[]): Promise<void> {
  const large = batch.filter((w) => w.data.length > SYNC_WRITE_BYTES_MAX);
  if (large.length === 0) for (const w of batch) writeAllSync(fd, w.data, w.offset);
  else if (overlapping(batch)) for (const w of batch) await writeAll(fd, w.data, w.offset);
  else {
    for (const w of batch) if (w.data.length <= SYNC_WRITE_BYTES_MAX) writeAllSync(fd, w.data, w.offset);
    await Promise.all(large.map((w) => writeAll(fd, w.data, w.offset)));
  }
}

/** True when two writes of the batch touch the same byte. */
function overlapping(batch: readonly PendingWrite[]): boolean {
  if (batch.length < 2) return false;
  const sorted = [...batch].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as PendingWrite;
    if ((sorted[i] as PendingWrite).offset < prev.offset + prev.data.length) return true;
  }
  return false;
}

/** Writes up to this size are made on the event loop (see flush). */
const SYNC_WRITE_BYTES_MAX = 64 * 1024;

function writeAllSync(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) {
    const n = writeSync(fd, data, done, data.length - done, position + done);
    if (n <= 0) throw new Error(`short write at byte ${position + done}`);
    done += n;
  }
}

async function writeAll(fd: number, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await writeAsync(fd, data, done, data.length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`short write at byte ${position + done}`);
    done += bytesWritten;
  }
}

/** The LUN files and metadata of one controller. */
export class LunStore {
  private readonly files = new Map<string, LunFile>();

  constructor(
    readonly dir: string,
    private readonly onWritesDone: WritesDone,
    /** Batches of one LUN synced at once (SYNCS_INFLIGHT_MAX unless a caller measures another). */
    private readonly syncsMax = syncsFromEnv(),
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** The path of a LUN's file. */
  lunPath(name: string): string {
    return join(this.dir, `${name}.lun`);
  }

  /** Reads the metadata file, or null on first start (no file yet). */
  loadMeta(): Meta | null {
    const path = join(this.dir, META_FILE);
    if (!existsSync(path)) return null;
    const meta = JSON.parse(readFileSync(path, 'utf8')) as Meta;
    if (meta.version !== 1 || !Array.isArray(meta.luns)) {
      throw new Error(`${path}: expected a version 1 storage metadata file with a "luns" list`);
    }
    return meta;
  }

  /** Replaces the metadata file atomically and durably. */
  writeMeta(meta: Meta): void {
    const path = join(this.dir, META_FILE);
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, `${JSON.stringify(meta, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    this.syncDir();
  }

  /** Creates a LUN's sparse file, zeroed: a leftover file of that name is truncated first. */
  createLunFile(name: string, sizeBytes: number): void {
    this.closeLun(name);
    const fd = openSync(this.lunPath(name), 'w');
    try {
      ftruncateSync(fd, sizeBytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.syncDir();
  }

  /** Removes a LUN's file; the core calls this only once no write is in flight on it. */
  removeLunFile(name: string): void {
    this.closeLun(name);
    if (existsSync(this.lunPath(name))) unlinkSync(this.lunPath(name));
    this.syncDir();
  }

  /** Queues a write; `onWritesDone` hears of it once it is durable. */
  write(reqId: number, lun: string, offset: number, data: Uint8Array): void {
    let file: LunFile;
    try {
      file = this.file(lun);
    } catch (err) {
      queueMicrotask(() => this.onWritesDone([reqId], err as Error));
      return;
    }
    file.submit({ reqId, offset, data });
  }

  /** Reads blocks; the file was sized at creation, so holes read as zeros. */
  async read(lun: string, offset: number, length: number): Promise<Uint8Array> {
    const fd = this.file(lun).fd;
    const buffer = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await readAsync(fd, buffer, got, length - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buffer;
  }

  /** How many group-commit batches a LUN has synced (for tests and status). */
  batches(lun: string): number {
    return this.files.get(lun)?.batches ?? 0;
  }

  /** Closes every idle file; one still syncing is left to the process exit, never cut short. */
  close(): void {
    for (const [name, f] of [...this.files]) if (f.idle) this.closeLun(name);
  }

  private file(name: string): LunFile {
    let f = this.files.get(name);
    if (!f) {
      f = new LunFile(openSync(this.lunPath(name), 'r+'), this.onWritesDone, this.syncsMax);
      this.files.set(name, f);
    }
    return f;
  }

  private closeLun(name: string): void {
    const f = this.files.get(name);
    if (!f) return;
    this.files.delete(name);
    if (!f.idle) throw new Error(`LUN ${name} closed with writes in flight`);
    closeSync(f.fd);
  }

  private syncDir(): void {
    const fd = openSync(this.dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
