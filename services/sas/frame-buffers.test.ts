import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeFrame, FrameDecoder, type SasFrame } from './frame.js';
import { FrameBufferPool, POOLED_MIN_BYTES, releaseFrameBuffer } from './frame-buffers.js';

const MIB = 1024 * 1024;
const initiator = { host: 'HVR2NODO1', port: 'rssm3' };

function writeFrame(id: number, fill: number): Buffer {
  return encodeFrame({ kind: 'write', id, lun: 'CSV1', initiator, offset: 0, data: Buffer.alloc(MIB, fill) });
}

function decodeOne(decoder: FrameDecoder, bytes: Buffer): Extract<SasFrame, { kind: 'write' }> {
  const [f] = decoder.push(bytes);
  if (f?.kind !== 'write') throw new Error('expected one write frame');
  return f;
}

afterEach(() => vi.useRealTimers());

describe('frame buffers', () => {
  it('gives a released frame buffer to the next large frame, and never one still held', () => {
    const decoder = new FrameDecoder();
    const first = decodeOne(decoder, writeFrame(1, 0xaa));
    const held = decodeOne(decoder, writeFrame(2, 0xbb));
    expect(held.data.buffer).not.toBe(first.data.buffer);
    releaseFrameBuffer(first.data);
    const third = decodeOne(decoder, writeFrame(3, 0xcc));
    expect(third.data.buffer).toBe(first.data.buffer);
    // The frame still held keeps its own bytes.
    expect(held.data.every((b) => b === 0xbb)).toBe(true);
    expect(third.data.every((b) => b === 0xcc)).toBe(true);
  });

  it('keeps no buffer it did not hand out, and a buffer handed back twice only once', () => {
    const pool = new FrameBufferPool();
    pool.release(Buffer.alloc(POOLED_MIN_BYTES));
    expect(pool.freeNow).toBe(0);
    const b = pool.take(POOLED_MIN_BYTES + 1);
    pool.release(b);
    pool.release(b);
    expect(pool.freeNow).toBe(b.buffer.byteLength);
    const again = pool.take(POOLED_MIN_BYTES + 1);
    const other = pool.take(POOLED_MIN_BYTES + 1);
    expect(again.buffer).toBe(b.buffer);
    expect(other.buffer).not.toBe(b.buffer);
  });

  it('drops its free buffers once unused for a second', () => {
    vi.useFakeTimers();
    const pool = new FrameBufferPool();
    const b = pool.take(2 * MIB);
    pool.release(b);
    vi.advanceTimersByTime(1000);
    // Used within the last period: kept.
    expect(pool.freeNow).toBe(2 * MIB);
    vi.advanceTimersByTime(1000);
    expect(pool.freeNow).toBe(0);
  });
});
