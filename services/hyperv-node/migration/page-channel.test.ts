import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DirtyBitmap, PAGE_SIZE } from './dirty-bitmap.js';
import {
  connectPageChannel,
  FRAME_MAGIC,
  FrameParser,
  type FrameSink,
  PageSender,
  ZERO_PAGES,
} from './page-channel.js';

const PAGES = 64;

/** One frame as the sender writes it: header, runs, then the runs' pages back to back. */
function frame(pass: number, runs: number[], source: Buffer, flags = 0): Buffer {
  const head = Buffer.alloc(16 + runs.length * 4);
  head.writeUInt32LE(FRAME_MAGIC, 0);
  head.writeUInt32LE(pass, 4);
  head.writeUInt32LE(runs.length, 8);
  head.writeUInt32LE(flags, 12);
  for (const [i, v] of runs.entries()) head.writeUInt32LE(v, 16 + i * 4);
  const parts: Buffer[] = [head];
  for (let i = 0; i < runs.length; i += 2)
    parts.push(
      source.subarray(
        (runs[i] as number) * PAGE_SIZE,
        ((runs[i] as number) + (runs[i + 1] as number)) * PAGE_SIZE,
      ),
    );
  return Buffer.concat(parts);
}

function patterned(pages: number): Buffer {
  const b = Buffer.alloc(pages * PAGE_SIZE);
  for (let i = 0; i < b.length; i += 97) b[i] = (i / 97) & 0xff;
  return b;
}

function sink(memory: Buffer, limitPages = PAGES, written = new DirtyBitmap(PAGES)) {
  const applied: [number, number][] = [];
  const s: FrameSink = {
    memory,
    written,
    frame: (_pass, runs) => {
      for (let i = 0; i < runs.length; i += 2)
        if ((runs[i] as number) + (runs[i + 1] as number) > limitPages) return `run ${runs[i]} is outside`;
      return null;
    },
    applied: (pass, pages) => applied.push([pass, pages]),
  };
  return { s, applied };
}

describe('page channel frames', () => {
  it('puts every run of every frame where it belongs, however TCP splits the bytes', () => {
    const source = patterned(PAGES);
    const stream = Buffer.concat([
      frame(1, [0, 10, 20, 3], source),
      frame(1, [40, 24], source),
      frame(2, [5, 1], source),
    ]);
    for (const piece of [7, 16, 4095, 4096, 65536, stream.length]) {
      const memory = Buffer.alloc(PAGES * PAGE_SIZE);
      const { s, applied } = sink(memory);
      const p = new FrameParser(s);
      for (let at = 0; at < stream.length; at += piece) p.push(stream.subarray(at, at + piece));
      expect(p.atBoundary).toBe(true);
      expect(applied).toEqual([
        [1, 13],
        [1, 24],
        [2, 1],
      ]);
      for (const [first, count] of [
        [0, 10],
        [20, 3],
        [40, 24],
        [5, 1],
      ] as const)
        expect(
          memory
            .subarray(first * PAGE_SIZE, (first + count) * PAGE_SIZE)
            .equals(source.subarray(first * PAGE_SIZE, (first + count) * PAGE_SIZE)),
        ).toBe(true);
      // Pages no frame named stay as they were.
      expect(memory.subarray(10 * PAGE_SIZE, 20 * PAGE_SIZE).every((b) => b === 0)).toBe(true);
    }
  });

  it('clears the pages of a zero frame only where this node wrote them, and marks the pages a data frame wrote', () => {
    const memory = patterned(PAGES);
    const written = new DirtyBitmap(PAGES);
    written.markRuns([4, 2]);
    const { s, applied } = sink(memory, PAGES, written);
    const p = new FrameParser(s);
    for (const piece of [
      frame(1, [2, 6], Buffer.alloc(PAGES * PAGE_SIZE), ZERO_PAGES),
      frame(1, [20, 2], patterned(PAGES)),
    ])
      for (let at = 0; at < piece.length; at += 5000) p.push(piece.subarray(at, at + 5000));
    expect(applied).toEqual([
      [1, 6],
      [1, 2],
    ]);
    const page = (n: number) => memory.subarray(n * PAGE_SIZE, (n + 1) * PAGE_SIZE);
    // Written here before: now zero, as on the source.
    expect(page(4).every((b) => b === 0) && page(5).every((b) => b === 0)).toBe(true);
    // Never written here: left untouched (the test's pattern stands for memory not yet backed).
    expect(page(2).equals(patterned(PAGES).subarray(2 * PAGE_SIZE, 3 * PAGE_SIZE))).toBe(true);
    expect([...Array(PAGES).keys()].filter((n) => written.isDirty(n))).toEqual([4, 5, 20, 21]);
  });

  it('refuses a zero frame whose bytes are not zero', () => {
    const memory = Buffer.alloc(PAGES * PAGE_SIZE);
    const p = new FrameParser(sink(memory).s);
    expect(() => p.push(frame(1, [0, 2], patterned(PAGES), ZERO_PAGES))).toThrow(/not zero/);
    expect(memory.every((b) => b === 0)).toBe(true);
  });

  it('refuses a run outside guest memory before writing any of its pages', () => {
    const memory = Buffer.alloc(PAGES * PAGE_SIZE);
    const { s, applied } = sink(memory);
    const p = new FrameParser(s);
    const bad = frame(1, [60, 8], patterned(PAGES + 8));
    expect(() => p.push(bad)).toThrow(/outside/);
    expect(memory.every((b) => b === 0)).toBe(true);
    expect(applied).toEqual([]);
  });

  it('refuses bytes that are not a frame', () => {
    const p = new FrameParser(sink(Buffer.alloc(PAGES * PAGE_SIZE)).s);
    expect(() => p.push(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toThrow(/magic/);
  });

  it('says a stream cut inside a frame is not at a boundary', () => {
    const p = new FrameParser(sink(Buffer.alloc(PAGES * PAGE_SIZE)).s);
    p.push(frame(1, [0, 2], patterned(PAGES)).subarray(0, 30));
    expect(p.atBoundary).toBe(false);
  });
});

describe('page channel over TCP', () => {
  it('carries passes from the sender into the receiver memory, and ends cleanly', async () => {
    const source = patterned(PAGES);
    const sender = await PageSender.listen('127.0.0.1', 'target', 2000);
    const memory = Buffer.alloc(PAGES * PAGE_SIZE);
    const { s, applied } = sink(memory);
    const parser = new FrameParser(s);
    const errors: Error[] = [];
    const socket = await connectPageChannel(
      '127.0.0.1',
      sender.port,
      sender.token,
      parser,
      () => undefined,
      (e) => errors.push(e),
    );
    const closed = new Promise((r) => socket.on('close', r));
    await sender.accept();
    await sender.send(1, [0, 32], [source.subarray(0, 32 * PAGE_SIZE)]);
    await sender.send(1, [32, 32], [source.subarray(32 * PAGE_SIZE)]);
    await sender.flush();
    sender.end();
    await closed;
    expect(errors).toEqual([]);
    expect(applied).toEqual([
      [1, 32],
      [1, 32],
    ]);
    expect(memory.equals(source)).toBe(true);
  });

  it('ignores a connection that does not bring the token', async () => {
    const sender = await PageSender.listen('127.0.0.1', 'target', 300);
    const stray = connect(sender.port, '127.0.0.1', () => stray.write(Buffer.alloc(16, 1)));
    const gone = new Promise((r) => stray.on('close', r));
    stray.on('error', () => undefined);
    await gone;
    await expect(sender.accept()).rejects.toMatchObject({ code: 'TIMEOUT' });
    sender.close();
  });
});
