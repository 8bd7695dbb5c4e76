import { describe, expect, it } from 'vitest';
import { DcboxError } from '../actor/errors.js';
import { encodeFrame, FrameDecoder, HEADER_BYTES, PAYLOAD_MAX, SAS_MAGIC, type SasFrame } from './frame.js';

const initiator = { host: 'HVR2NODO1', port: 'rssm3' };

function patterned(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** Frames as plain objects (payload Buffers as arrays would make diffs unreadable: compare hex). */
function plain(f: SasFrame) {
  if (f.kind === 'write' || f.kind === 'ok') return { ...f, data: f.data.toString('hex') };
  return f;
}

const sample: SasFrame[] = [
  { kind: 'write', id: 1, lun: 'CSV1', initiator, offset: 60 * 2 ** 30 + 4096, data: patterned(4096) },
  {
    kind: 'write',
    id: 4,
    lun: 'CSV1',
    initiator,
    offset: 0,
    data: patterned(512),
    task: {
      id: 'HVR2NODO1/9f3a11c0/io-7#2',
      abandoned: ['HVR2NODO1/9f3a11c0/io-7#1', 'HVR2NODO1/9f3a11c0/io-5#1'],
    },
  },
  {
    kind: 'write',
    id: 5,
    lun: 'CSV1',
    initiator,
    offset: 512,
    data: patterned(512),
    task: { id: 'io-8#1', abandoned: [] },
  },
  { kind: 'read', id: 2, lun: 'Quorum', initiator, offset: 2 ** 40 + 512, length: 8192 },
  { kind: 'ok', id: 1, written: 4096, data: Buffer.alloc(0) },
  { kind: 'ok', id: 2, written: 0, data: patterned(8192, 7) },
  { kind: 'error', id: 3, code: 'RESERVATION_CONFLICT', message: 'HVR2NODO1/rssm3 is not registered — é' },
];

describe('SAS data channel frames', () => {
  it('decode what they encode, each kind', () => {
    for (const f of sample) {
      const got = new FrameDecoder().push(encodeFrame(f));
      expect(got.map(plain)).toEqual([plain(f)]);
    }
  });

  it('come out whole when the stream is cut into pieces of any size', () => {
    const stream = Buffer.concat(sample.map(encodeFrame));
    for (const piece of [1, 3, 31, 32, 33, 4095, 70_000]) {
      const d = new FrameDecoder();
      const got: SasFrame[] = [];
      for (let at = 0; at < stream.length; at += piece) got.push(...d.push(stream.subarray(at, at + piece)));
      expect(got.map(plain)).toEqual(sample.map(plain));
      expect(d.pendingBytes).toBe(0);
    }
  });

  it('yield every frame of a chunk that holds many', () => {
    const many: SasFrame[] = Array.from({ length: 200 }, (_, i) => ({
      kind: 'write',
      id: i + 1,
      lun: 'CSV1',
      initiator,
      offset: i * 4096,
      data: patterned(512, i),
    }));
    const got = new FrameDecoder().push(Buffer.concat(many.map(encodeFrame)));
    expect(got.map(plain)).toEqual(many.map(plain));
  });

  it('carry a payload larger than the read chunk (1 MiB) intact, with small frames around it', () => {
    const frames: SasFrame[] = [
      sample[1] as SasFrame,
      { kind: 'write', id: 9, lun: 'CSV1', initiator, offset: 2 ** 20, data: patterned(2 ** 20, 3) },
      sample[4] as SasFrame,
    ];
    const stream = Buffer.concat(frames.map(encodeFrame));
    const d = new FrameDecoder();
    const got: SasFrame[] = [];
    // As a socket reads: into the decoder's own buffer, at most 64 KiB at a time.
    for (let at = 0; at < stream.length; ) {
      const into = d.buffer();
      const n = Math.min(into.length, 65_536, stream.length - at);
      stream.copy(into, 0, at, at + n);
      at += n;
      got.push(...d.took(n));
    }
    expect(got.map(plain)).toEqual(frames.map(plain));
  });

  it('keep the frames already handed out when later bytes arrive', () => {
    const d = new FrameDecoder();
    const first = d.push(encodeFrame(sample[0] as SasFrame));
    d.push(Buffer.concat(Array.from({ length: 40 }, () => encodeFrame(sample[3] as SasFrame))));
    expect(plain(first[0] as SasFrame)).toEqual(plain(sample[0] as SasFrame));
  });

  it('hold back a frame until its last byte arrived', () => {
    const bytes = encodeFrame(sample[0] as SasFrame);
    const d = new FrameDecoder();
    expect(d.push(bytes.subarray(0, bytes.length - 1))).toEqual([]);
    expect(d.pendingBytes).toBe(bytes.length - 1);
    expect(d.push(bytes.subarray(bytes.length - 1))).toHaveLength(1);
  });

  it('refuse a payload above the limit, with the sizes in the error, on both ends', () => {
    const head = encodeFrame(sample[1] as SasFrame);
    head.writeUInt32LE(PAYLOAD_MAX + 1, 24);
    let err: unknown;
    try {
      new FrameDecoder().push(head.subarray(0, HEADER_BYTES));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DcboxError);
    expect((err as DcboxError).code).toBe('INVALID_ARGUMENT');
    expect((err as DcboxError).message).toBe(
      `a SAS frame carries a ${PAYLOAD_MAX + 1}-byte payload, above the ${PAYLOAD_MAX}-byte limit`,
    );
    const big = {
      ...(sample[0] as Extract<SasFrame, { kind: 'write' }>),
      data: Buffer.alloc(PAYLOAD_MAX + 1),
    };
    expect(() => encodeFrame(big)).toThrow(/above the 67108864-byte limit/);
  });

  it('refuse a stream that does not start with the magic', () => {
    const bytes = encodeFrame(sample[2] as SasFrame);
    bytes.writeUInt32LE(SAS_MAGIC ^ 1, 0);
    expect(() => new FrameDecoder().push(bytes)).toThrow(/without the DCSD magic/);
  });

  it('refuse a write whose length field disagrees with its payload', () => {
    const bytes = encodeFrame(sample[0] as SasFrame);
    bytes.writeUInt32LE(512, 12);
    expect(() => new FrameDecoder().push(bytes)).toThrow(/says 512 bytes but carries 4096/);
  });
});
