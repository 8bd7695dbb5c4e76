/**
 * Large writes' data through shared memory, as an HBA moves a write's data by DMA while the
 * command crosses the SAS fabric (issue 19; ARCHITECTURE.md §Storage path).
 *
 * A blade keeps one region: a file in a tmpfs folder of the user's (`dmaDir`), mapped by the
 * blade and, once a write names it, by the storage controller. A write of SLOT_MIN_BYTES to
 * SLOT_BYTES is copied into a free slot of it, and the SAS frame that crosses the RSSM carries a
 * descriptor (slot, generation, length, region) instead of the bytes: every fault that acts on a
 * command still acts (a pulled or frozen RSSM holds or drops the command, zoning refuses it, a
 * dead controller never answers). The controller writes to its LUN straight from the slot.
 *
 * Each slot has a state word, changed only by compare-and-swap, so the two processes never both
 * own a slot's bytes:
 *
 *   FREE ─blade offers─▶ OFFERED ─controller claims─▶ CLAIMED ─written─▶ DONE ─blade─▶ FREE
 *                           └──── blade withdraws (timeout, broken path) ──▶ FREE
 *
 * A write the blade gave up on is withdrawn: if the controller had not claimed it yet, a late
 * command (an RSSM frozen with it, then thawed) finds its claim refused and writes nothing
 * (ABORTED), so a slot's later bytes can never land under an earlier command. A claimed slot is
 * the controller's until it is written; the blade takes it back once it reads DONE, or once the
 * claiming process is gone. Words carry the slot's generation, so no stale command or release
 * matches a slot's later use.
 *
 * Without the native helper (build/Release/dcbox_dma.node, built by scripts/build-native.mjs),
 * in containers (their /dev/shm is their own: the controller refuses with DMA_REFUSED and the
 * blade sends the bytes after all), or with DCBOX_DMA=0, the data goes in the frame as before.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DcboxError } from '../actor/errors.js';
import { projectRoot } from '../process/root.js';
import { IdleWatch } from './idle-watch.js';

/** Writes at least this large go through a slot (smaller ones cost less in the frame). */
export const SLOT_MIN_BYTES = 128 * 1024;
/** A slot's size, and the largest write that goes through one. */
export const SLOT_BYTES = 1024 * 1024;
/** Slots per region: the writes a blade keeps in flight at once through shared memory. */
export const SLOTS = 32;
/** The region's first page: a header, then each slot's state word and claimer's pid. */
const HEAD_BYTES = 4096;
const MAGIC = 0x4d444344; // "DCDM"
const NAME_AT = 16;
const NAME_MAX = 96;
const WORDS_AT = 128;
/** A region's memory is given back after this long with no write through it. */
const IDLE_DISCARD_MS = 1000;

const FREE = 0;
const OFFERED = 1;
const CLAIMED = 2;
const DONE = 3;
const word = (gen: number, phase: number) => (gen << 2) | phase;

interface Native {
  map(fd: number, bytes: number): ArrayBuffer;
  compareExchange(buffer: ArrayBuffer, index: number, expected: number, desired: number): number;
  discard(buffer: ArrayBuffer, offset: number, bytes: number): void;
}

let loaded: Native | null | undefined;

/** The native helper, or null where it is not built (or DCBOX_DMA=0). */
export function dmaNative(): Native | null {
  if (process.env.DCBOX_DMA === '0') return null;
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)(
        join(projectRoot, 'build', 'Release', 'dcbox_dma.node'),
      ) as Native;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}

/** The folder of this user's regions: on tmpfs, removed by `dcbox down`. */
export function dmaDir(): string {
  return join('/dev/shm', `dcbox-${process.getuid?.() ?? 0}`);
}

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,40}-\d{1,10}-[0-9a-f]{16}\.dma$/;

/** What a command carries in place of the data: 16 bytes, then the region's name. */
export interface DmaDescriptor {
  slot: number;
  gen: number;
  length: number;
  region: string;
}

export function encodeDescriptor(d: DmaDescriptor): Buffer {
  const name = Buffer.from(d.region, 'latin1');
  const out = Buffer.allocUnsafe(16 + name.length);
  out.writeUInt32LE(d.slot, 0);
  out.writeUInt32LE(d.gen, 4);
  out.writeUInt32LE(d.length, 8);
  out.writeUInt32LE(name.length, 12);
  name.copy(out, 16);
  return out;
}

export function decodeDescriptor(b: Uint8Array): DmaDescriptor {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length < 16 || buf.readUInt32LE(12) !== buf.length - 16)
    throw new DcboxError('INVALID_ARGUMENT', 'a SAS write names its data with a malformed descriptor');
  return {
    slot: buf.readUInt32LE(0),
    gen: buf.readUInt32LE(4),
    length: buf.readUInt32LE(8),
    region: buf.toString('latin1', 16),
  };
}

/** A write's slot while the blade waits for its answer. */
export interface DmaRef {
  slot: number;
  gen: number;
  descriptor: Buffer;
}

/** The blade's side, as its SAS clients use it. */
export interface DmaInitiator {
  /** Copies `data` into a free slot; null when it does not fit one or none is free. */
  offer(data: Uint8Array): DmaRef | null;
  /** The write's outcome is known: its slot goes back (see DmaRegion.settle). */
  settle(ref: DmaRef): void;
  close(): void;
}

/**
 * A blade's region made at its first write that fits a slot, so a blade that never writes that
 * much maps nothing (an idle blade's memory, and V8 counts a mapping as external memory, which
 * makes it collect sooner); null without the native helper.
 */
export function regionOnFirstUse(host: string): DmaInitiator | null {
  if (!dmaNative()) return null;
  let region: DmaRegion | null | undefined;
  return {
    offer: (data) => {
      if (data.length < SLOT_MIN_BYTES || data.length > SLOT_BYTES) return null;
      if (region === undefined) region = DmaRegion.create(host);
      return region?.offer(data) ?? null;
    },
    settle: (ref) => region?.settle(ref),
    close: () => region?.close(),
  };
}

/** A blade's region: offers writes' data, takes slots back once the controller is done. */
export class DmaRegion implements DmaInitiator {
  private readonly free: number[] = [];
  private readonly gens = new Array<number>(SLOTS).fill(0);
  /** Slots the blade gave up on while the controller held them: free once DONE. */
  private readonly held = new Set<number>();
  private readonly idle = new IdleWatch(IDLE_DISCARD_MS, () => this.discardIfDone());
  private dirty = false;
  /** The header's state words and claimers' pids (wordIndex). */
  private readonly words: Int32Array;

  private constructor(
    private readonly native: Native,
    private readonly buffer: ArrayBuffer,
    readonly name: string,
    private readonly path: string,
  ) {
    for (let i = SLOTS - 1; i >= 0; i--) this.free.push(i);
    this.words = new Int32Array(buffer, 0, WORDS_AT / 4 + SLOTS * 2);
  }

  /** A new region for `host` (older ones of its dead processes removed), or null without DMA. */
  static create(host: string): DmaRegion | null {
    const native = dmaNative();
    if (!native || !/^[A-Za-z0-9_-]{1,40}$/.test(host)) return null;
    const dir = dmaDir();
    const name = `${host}-${process.pid}-${randomBytes(8).toString('hex')}.dma`;
    const path = join(dir, name);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!ownDir(dir)) return null;
      removeDeadRegions(dir, host);
      const fd = openSync(path, 'wx+', 0o600);
      try {
        ftruncateSync(fd, HEAD_BYTES + SLOTS * SLOT_BYTES);
        const buffer = native.map(fd, HEAD_BYTES + SLOTS * SLOT_BYTES);
        writeHeader(Buffer.from(buffer), name);
        return new DmaRegion(native, buffer, name, path);
      } finally {
        closeSync(fd);
      }
    } catch {
      rmSync(path, { force: true });
      return null;
    }
  }

  /** Copies `data` into a free slot; null when it does not fit one or none is free. */
  offer(data: Uint8Array): DmaRef | null {
    if (data.length < SLOT_MIN_BYTES || data.length > SLOT_BYTES) return null;
    if (this.free.length === 0) this.reap();
    const slot = this.free.pop();
    if (slot === undefined) return null;
    // FREE or DONE: the controller leaves the word (and the bytes) alone until it is OFFERED.
    const state = this.stateOf(slot);
    if ((state & 3) !== FREE && (state & 3) !== DONE) throw new Error(`DMA slot ${slot} is not free`);
    const gen = ((this.gens[slot] as number) + 1) & 0x1fffffff;
    this.gens[slot] = gen;
    new Uint8Array(this.buffer, HEAD_BYTES + slot * SLOT_BYTES, data.length).set(data);
    this.native.compareExchange(this.buffer, wordIndex(slot), state, word(gen, OFFERED));
    this.touch();
    const descriptor = encodeDescriptor({ slot, gen, length: data.length, region: this.name });
    return { slot, gen, descriptor };
  }

  /**
   * The write's outcome is known to the blade (answered, refused, timed out or cut off): takes
   * its slot back, withdrawing it if the controller has not claimed it, or waits for the
   * controller to finish with it.
   */
  settle(ref: DmaRef): void {
    const i = wordIndex(ref.slot);
    const before = this.native.compareExchange(this.buffer, i, word(ref.gen, OFFERED), word(ref.gen, FREE));
    if (before === word(ref.gen, OFFERED)) this.free.push(ref.slot);
    else if (!this.takeBack(ref.slot, ref.gen)) this.held.add(ref.slot);
    this.touch();
  }

  /** Slots a write may take now, once the controller's finished ones are taken back. */
  available(): number {
    this.reap();
    return this.free.length;
  }

  /** Removes the region's file (the mappings stay valid while mapped). */
  close(): void {
    this.idle.stop();
    rmSync(this.path, { force: true });
  }

  private stateOf(slot: number): number {
    return this.words[wordIndex(slot)] as number;
  }

  /** DONE, or CLAIMED by a process that is gone: the slot is the blade's again. */
  private takeBack(slot: number, gen: number): boolean {
    const i = wordIndex(slot);
    const done = this.native.compareExchange(this.buffer, i, word(gen, DONE), word(gen, FREE));
    const claimedByDead =
      done === word(gen, CLAIMED) &&
      !alive(this.words[i + 1] as number) &&
      this.native.compareExchange(this.buffer, i, word(gen, CLAIMED), word(gen, FREE)) === word(gen, CLAIMED);
    if (done !== word(gen, DONE) && !claimedByDead) return false;
    this.free.push(slot);
    return true;
  }

  /** Takes back the held slots the controller has finished with. */
  private reap(): void {
    for (const slot of [...this.held])
      if (this.takeBack(slot, this.gens[slot] as number)) this.held.delete(slot);
  }

  private touch(): void {
    this.dirty = true;
    this.idle.touch();
  }

  /** A period passed without writes: frees the slots' memory once every slot is back. */
  private discardIfDone(): boolean {
    this.reap();
    if (this.free.length < SLOTS) return false;
    if (this.dirty) this.native.discard(this.buffer, HEAD_BYTES, SLOTS * SLOT_BYTES);
    this.dirty = false;
    return true;
  }
}

/**
 * The folder is this user's alone (a directory, not a link, no access for others): on a shared
 * machine another user could have made it first, to read the blades' writes or plant regions.
 */
export function ownDir(dir: string): boolean {
  const st = lstatSync(dir);
  return st.isDirectory() && st.uid === (process.getuid?.() ?? st.uid) && (st.mode & 0o077) === 0;
}

/** The index of a slot's state word; the claimer's pid is the word after it. */
function wordIndex(slot: number): number {
  return WORDS_AT / 4 + slot * 2;
}

function writeHeader(head: Buffer, name: string): void {
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt32LE(SLOTS, 4);
  head.writeUInt32LE(SLOT_BYTES, 8);
  head.writeUInt32LE(name.length, 12);
  head.write(name, NAME_AT, 'latin1');
}

function alive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The host and pid a region's name carries (`<host>-<pid>-<random>.dma`). */
function hostOf(name: string): string | undefined {
  return /^(.+)-\d+-[0-9a-f]{16}\.dma$/.exec(name)?.[1];
}

/** Removes the regions a dead process of `host` left (a blade powered off or killed). */
function removeDeadRegions(dir: string, host: string): void {
  for (const f of readdirSync(dir)) {
    const pid = /-(\d+)-[0-9a-f]{16}\.dma$/.exec(f)?.[1];
    if (hostOf(f) === host && !alive(Number(pid))) rmSync(join(dir, f), { force: true });
  }
}

/** A region as the controller maps it. */
interface Window {
  buffer: ArrayBuffer;
  words: Int32Array;
  slots: number;
  slotBytes: number;
}

/** A claimed slot's view, and what releases it. */
const claims = new WeakMap<Uint8Array, { native: Native; buffer: ArrayBuffer; index: number; gen: number }>();
/** Regions mapped at most; the oldest is forgotten (and unmapped once unused) past it. */
const WINDOWS_MAX = 64;

/** The controller's side: maps the regions commands name, claims their slots. */
export class DmaWindows {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly native: Native | null = dmaNative()) {}

  /**
   * The slot a command names, claimed: a view of its bytes, the controller's until
   * `releaseDmaView`. Throws DMA_REFUSED when the region cannot be mapped here, ABORTED when
   * the blade withdrew the write (or the slot moved on to a later one).
   */
  claim(descriptor: Uint8Array): Buffer {
    const d = decodeDescriptor(descriptor);
    const w = this.window(d.region);
    if (d.slot >= w.slots || d.length > w.slotBytes)
      throw new DcboxError(
        'INVALID_ARGUMENT',
        `a SAS write names slot ${d.slot} of ${w.slots} in ${d.region}`,
      );
    const index = wordIndex(d.slot);
    const native = this.native as Native;
    const before = native.compareExchange(w.buffer, index, word(d.gen, OFFERED), word(d.gen, CLAIMED));
    if (before !== word(d.gen, OFFERED))
      throw new DcboxError('ABORTED', `the initiator withdrew this write (${d.region} slot ${d.slot})`);
    w.words[index + 1] = process.pid;
    const view = Buffer.from(w.buffer, HEAD_BYTES + d.slot * w.slotBytes, d.length);
    claims.set(view, { native, buffer: w.buffer, index, gen: d.gen });
    return view;
  }

  private window(name: string): Window {
    const known = this.windows.get(name);
    if (known) return known;
    if (!this.native || !NAME_PATTERN.test(name) || !existsSync(dmaDir()) || !ownDir(dmaDir()))
      throw new DcboxError('DMA_REFUSED', `the storage controller cannot map ${name}`);
    const w = openWindow(this.native, join(dmaDir(), name), name);
    // A host's new region replaces its old ones (the blade restarted): their memory goes with them.
    for (const old of [...this.windows.keys()]) if (hostOf(old) === hostOf(name)) this.windows.delete(old);
    this.windows.set(name, w);
    if (this.windows.size > WINDOWS_MAX) this.windows.delete(this.windows.keys().next().value as string);
    return w;
  }
}

function openWindow(native: Native, path: string, name: string): Window {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (err) {
    throw new DcboxError(
      'DMA_REFUSED',
      `the storage controller cannot open ${name}: ${(err as Error).message}`,
    );
  }
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    readSync(fd, head, 0, HEAD_BYTES, 0);
    const slots = head.readUInt32LE(4);
    const slotBytes = head.readUInt32LE(8);
    const nameLength = head.readUInt32LE(12);
    const bytes = HEAD_BYTES + slots * slotBytes;
    if (
      head.readUInt32LE(0) !== MAGIC ||
      nameLength > NAME_MAX ||
      head.toString('latin1', NAME_AT, NAME_AT + nameLength) !== name ||
      slots > (HEAD_BYTES - WORDS_AT) / 8 ||
      fstatSync(fd).size < bytes
    )
      throw new DcboxError('DMA_REFUSED', `${name} is not a dcbox DMA region`);
    const buffer = native.map(fd, bytes);
    return { buffer, words: new Int32Array(buffer, 0, WORDS_AT / 4 + slots * 2), slots, slotBytes };
  } finally {
    closeSync(fd);
  }
}

/** The controller is done with a claimed slot's bytes (written, or refused before the store). */
export function releaseDmaView(view: Uint8Array): void {
  const c = claims.get(view);
  if (!c) return;
  claims.delete(view);
  c.native.compareExchange(c.buffer, c.index, word(c.gen, CLAIMED), word(c.gen, DONE));
}

/** Removes the user's regions (`dcbox down`: every process that used them is gone). */
export function removeDmaDir(): void {
  rmSync(dmaDir(), { recursive: true, force: true });
}
