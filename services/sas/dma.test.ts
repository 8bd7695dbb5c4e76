import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DcboxError } from '../actor/errors.js';
import { writeThrough } from '../storage-controller/dma-writes.js';
import { type SasAnswer, SasClient, type SasCommand, type SasServer, serveSasChannel } from './channel.js';
import {
  DmaRegion,
  DmaWindows,
  dmaDir,
  dmaNative,
  encodeDescriptor,
  ownDir,
  regionOnFirstUse,
  releaseDmaView,
  SLOT_BYTES,
  SLOT_MIN_BYTES,
  SLOTS,
} from './dma.js';
import { encodeFrame, FrameDecoder } from './frame.js';

const regions: DmaRegion[] = [];
const closers: (() => void)[] = [];

afterAll(() => {
  // The regions' folder, if these tests made it and nothing else uses it (a run's `down` removes it).
  try {
    rmdirSync(dmaDir());
  } catch {
    // Not empty (a run is up), or gone.
  }
});

afterEach(() => {
  vi.useRealTimers();
  for (const r of regions.splice(0)) r.close();
  for (const c of closers.splice(0)) c();
});

function region(): DmaRegion {
  const r = DmaRegion.create('dmatest');
  if (!r) throw new Error('no DMA region: is build/Release/dcbox_dma.node built (npm run build)?');
  regions.push(r);
  return r;
}

function patterned(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) & 0xff;
  return b;
}

async function failure(p: Promise<unknown> | (() => unknown)): Promise<DcboxError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (err instanceof DcboxError) return err;
    throw err;
  }
  throw new Error('it succeeded');
}

describe('DMA regions', () => {
  it('is built here (the suite runs after npm run build)', () => {
    expect(dmaNative()).not.toBeNull();
  });

  it("hands the controller a view of the blade's bytes, and the slot back once written", () => {
    const r = region();
    const data = patterned(256 * 1024, 1);
    const ref = r.offer(data);
    expect(ref).not.toBeNull();
    const view = new DmaWindows().claim(ref?.descriptor as Buffer);
    expect(view.equals(data)).toBe(true);
    releaseDmaView(view);
    r.settle(ref as NonNullable<typeof ref>);
    expect(r.available()).toBe(SLOTS);
  });

  it("makes a blade's region at its first write that fits a slot, not before", () => {
    const lazy = regionOnFirstUse('dmalazy');
    if (!lazy) throw new Error('no DMA');
    closers.push(() => lazy.close());
    const mine = () =>
      existsSync(dmaDir()) ? readdirSync(dmaDir()).filter((f) => f.startsWith('dmalazy-')) : [];
    expect(lazy.offer(Buffer.alloc(4096))).toBeNull();
    expect(mine()).toEqual([]);
    const ref = lazy.offer(Buffer.alloc(SLOT_MIN_BYTES, 1));
    expect(ref).not.toBeNull();
    expect(mine()).toHaveLength(1);
    lazy.settle(ref as NonNullable<typeof ref>);
  });

  it('takes only writes that fit a slot, and none once every slot is out', () => {
    const r = region();
    expect(r.offer(Buffer.alloc(SLOT_MIN_BYTES - 1))).toBeNull();
    expect(r.offer(Buffer.alloc(SLOT_BYTES + 1))).toBeNull();
    const refs = Array.from({ length: SLOTS }, () => r.offer(Buffer.alloc(SLOT_MIN_BYTES)));
    expect(refs.every((x) => x !== null)).toBe(true);
    expect(r.offer(Buffer.alloc(SLOT_MIN_BYTES))).toBeNull();
  });

  it('refuses a command the blade withdrew, even once its slot carries a later write', async () => {
    const r = region();
    const windows = new DmaWindows();
    const first = r.offer(patterned(SLOT_MIN_BYTES, 1));
    if (!first) throw new Error('no slot');
    r.settle(first); // timed out before the controller claimed it: withdrawn
    const second = r.offer(patterned(SLOT_MIN_BYTES, 2));
    expect(second?.slot).toBe(first.slot);
    expect(second?.gen).not.toBe(first.gen);
    // The first command arrives late (an RSSM frozen with it, then thawed).
    expect((await failure(() => windows.claim(first.descriptor))).code).toBe('ABORTED');
    const view = windows.claim(second?.descriptor as Buffer);
    expect(view.equals(patterned(SLOT_MIN_BYTES, 2))).toBe(true);
  });

  it('keeps a claimed slot out of use until the controller is done with it', () => {
    const r = region();
    const ref = r.offer(patterned(SLOT_MIN_BYTES, 3));
    if (!ref) throw new Error('no slot');
    const view = new DmaWindows().claim(ref.descriptor);
    r.settle(ref); // the blade gave up while the controller writes from the slot
    expect(r.available()).toBe(SLOTS - 1);
    releaseDmaView(view);
    expect(r.available()).toBe(SLOTS);
  });

  it('takes a slot back from a controller process that died holding it', () => {
    const r = region();
    const ref = r.offer(patterned(SLOT_MIN_BYTES, 4));
    if (!ref) throw new Error('no slot');
    const claimer = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${join(import.meta.dirname, 'dma.ts')}').then((m) => { new m.DmaWindows().claim(Buffer.from('${ref.descriptor.toString('hex')}', 'hex')); console.log('claimed'); })`,
      ],
      { encoding: 'utf8' },
    );
    expect(claimer.stdout.trim(), claimer.stderr).toBe('claimed');
    r.settle(ref);
    expect(r.available()).toBe(SLOTS);
  });

  it('refuses regions it cannot map: unknown, misnamed, or not a region', async () => {
    const windows = new DmaWindows();
    const named = (region: string) => encodeDescriptor({ slot: 0, gen: 1, length: SLOT_MIN_BYTES, region });
    expect((await failure(() => windows.claim(named('nobody-1-0123456789abcdef.dma')))).code).toBe(
      'DMA_REFUSED',
    );
    expect((await failure(() => windows.claim(named('../../etc/passwd')))).code).toBe('DMA_REFUSED');
    expect((await failure(() => new DmaWindows(null).claim(named(region().name)))).code).toBe('DMA_REFUSED');
  });

  it("uses only a folder that is the user's alone", () => {
    const base = mkdtempSync(join(tmpdir(), 'dcbox-dma-test-'));
    closers.push(() => rmSync(base, { recursive: true, force: true }));
    const dir = join(base, 'regions');
    mkdirSync(dir, { mode: 0o700 });
    expect(ownDir(dir)).toBe(true);
    chmodSync(dir, 0o755);
    expect(ownDir(dir)).toBe(false);
    chmodSync(dir, 0o700);
    symlinkSync(dir, join(base, 'link'));
    expect(ownDir(join(base, 'link'))).toBe(false);
  });

  it("gives the slots' memory back after a second without writes", () => {
    vi.useFakeTimers();
    const r = region();
    const path = join(dmaDir(), r.name);
    const refs = Array.from({ length: 8 }, (_, i) => r.offer(Buffer.alloc(SLOT_BYTES, i + 1)));
    for (const ref of refs) if (ref) r.settle(ref);
    expect(statSync(path).blocks * 512).toBeGreaterThanOrEqual(8 * SLOT_BYTES);
    vi.advanceTimersByTime(2500);
    expect(statSync(path).blocks * 512).toBeLessThan(SLOT_BYTES);
  });
});

describe('DMA on the SAS data channel', () => {
  async function serve(windows: DmaWindows | null, disk: Buffer): Promise<SasServer> {
    const srv = await serveSasChannel({
      address: '127.0.0.1',
      handle: (cmd: SasCommand): Promise<SasAnswer> => {
        if (cmd.kind === 'read') throw new Error('no reads here');
        return writeThrough(windows, cmd, async (w) => {
          w.data.copy(disk, w.offset);
          releaseDmaView(w.data);
          return { written: w.data.length };
        });
      },
    });
    closers.push(() => srv.close());
    return srv;
  }

  function client(port: number, dma: DmaRegion): SasClient {
    const c = new SasClient({
      peer: 'rssm3',
      address: '127.0.0.1',
      timeoutMs: 2000,
      discover: async () => port,
      dma,
    });
    closers.push(() => c.close());
    return c;
  }

  it('writes through shared memory: the frame carries a descriptor, the slot comes back', async () => {
    const disk = Buffer.alloc(4 * SLOT_BYTES);
    const dma = region();
    let frameBytes = 0;
    const srv = await serve(new DmaWindows(), disk);
    const c = client(srv.port, dma);
    const data = patterned(SLOT_BYTES, 5);
    const spy = vi.spyOn(c as unknown as { call: (f: SasCommand) => unknown }, 'call');
    expect(await c.write('CSV1', { host: 'n1', port: 'rssm3' }, SLOT_BYTES, data)).toBe(SLOT_BYTES);
    for (const [f] of spy.mock.calls) frameBytes += encodeFrame(f).length;
    expect(frameBytes).toBeLessThan(256);
    expect(disk.subarray(SLOT_BYTES, 2 * SLOT_BYTES).equals(data)).toBe(true);
    expect(dma.available()).toBe(SLOTS);
  });

  it('sends the bytes after all to a controller that cannot map the region, and from then on', async () => {
    const disk = Buffer.alloc(4 * SLOT_BYTES);
    const dma = region();
    const srv = await serve(null, disk);
    const c = client(srv.port, dma);
    for (const i of [0, 1]) {
      const data = patterned(SLOT_MIN_BYTES, 10 + i);
      await c.write('CSV1', { host: 'n1', port: 'rssm3' }, i * SLOT_BYTES, data);
      expect(disk.subarray(i * SLOT_BYTES, i * SLOT_BYTES + data.length).equals(data)).toBe(true);
    }
    expect(dma.available()).toBe(SLOTS);
  });

  it('decodes a DMA write as a descriptor with the length of the data it names', () => {
    const descriptor = encodeDescriptor({
      slot: 3,
      gen: 9,
      length: 300_000,
      region: 'n1-1-0123456789abcdef.dma',
    });
    const frame = encodeFrame({
      kind: 'write',
      id: 7,
      lun: 'CSV1',
      initiator: { host: 'n1', port: 'rssm3' },
      offset: 4096,
      data: descriptor,
      dma: true,
    });
    expect(frame.readUInt32LE(12)).toBe(300_000);
    const [f] = new FrameDecoder().push(frame);
    expect(f).toMatchObject({ kind: 'write', id: 7, dma: true, offset: 4096 });
    expect(f?.kind === 'write' && f.data.equals(descriptor)).toBe(true);
  });
});
