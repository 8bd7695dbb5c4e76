/**
 * The frames of the SAS data channel (sas-channel.ts): block reads and writes, and their
 * replies, as one TCP byte stream per hop (blade → RSSM, RSSM → storage controller) beside the
 * dcbox.storage.v1.Storage gRPC service that keeps the control commands.
 *
 * Pure: no sockets, so the framing is unit-tested byte by byte.
 *
 * A frame is a 32-byte header, a text part and a payload. Little-endian:
 *
 *   0  u32 magic "DCSD"           16 u32 offset, low 32 bits
 *   4  u32 command id             20 u32 offset, high bits (offsets stay below 2^53)
 *   8  u8  kind (FrameKind)       24 u32 payload bytes
 *   9  u8  flags: 1 = DMA         28 u32 0
 *  10  u16 text bytes
 *  12  u32 value: a read's length, a write reply's bytes written
 *
 * The text is UTF-8 fields joined by NUL: `lun, host, port` on a command (the initiator), then
 * on a write that names its task the task's id and the ids of the write tasks its initiator has
 * abandoned (storage-controller core/block-io.ts `abort`),
 * `code, message` on an error reply, and the run's token on the hello a client opens a connection
 * with (a server of a run with a token serves nothing before it: docs/security.md). The payload is a write's data or a read reply's data, sent
 * as the caller's own buffer (no protobuf copy) and handed over as a view of what the socket
 * read when it arrived in one piece. A write flagged DMA carries, instead of its data, a
 * descriptor of the shared memory that holds it (dma.ts); its value is still the data's length.
 */
import { DcboxError } from '../actor/errors.js';
import { framePool, POOLED_MIN_BYTES } from './frame-buffers.js';
import { feedInPieces } from './read-into.js';

/** "DCSD": the first word of every frame, so a stray byte stream is refused, not applied. */
export const SAS_MAGIC = 0x44435344;
export const HEADER_BYTES = 32;
/** The largest payload a frame may carry: the gRPC message limit of the same commands. */
export const PAYLOAD_MAX = 64 * 1024 * 1024;
/** The largest text part (names and an error message). */
export const TEXT_MAX = 16 * 1024;

export const FrameKind = { write: 1, read: 2, ok: 3, error: 4, hello: 5 } as const;

/** An I_T nexus as the commands carry it. */
export interface FrameInitiator {
  host: string;
  port: string;
}

/** The task a write belongs to and the initiator's abandoned write tasks (hyperv-node mpio.ts). */
export interface FrameTask {
  id: string;
  abandoned: readonly string[];
}

export type SasFrame =
  | {
      kind: 'write';
      id: number;
      lun: string;
      initiator: FrameInitiator;
      offset: number;
      data: Buffer;
      task?: FrameTask;
      /** `data` is a descriptor of shared memory holding the data (dma.ts). */
      dma?: boolean;
    }
  | { kind: 'read'; id: number; lun: string; initiator: FrameInitiator; offset: number; length: number }
  /** A command's success: `written` for a write, `data` for a read (empty for a write). */
  | { kind: 'ok'; id: number; written: number; data: Buffer }
  | { kind: 'error'; id: number; code: string; message: string }
  /** The first frame a client sends: the run's token. */
  | { kind: 'hello'; id: number; token: string };

const EMPTY: Buffer = Buffer.alloc(0);
const TWO_32 = 2 ** 32;
const FLAG_DMA = 1;

/** The data length a DMA descriptor names (dma.ts encodeDescriptor: bytes 8-11). */
function dmaLength(descriptor: Buffer): number {
  if (descriptor.length < 16)
    throw new DcboxError('INVALID_ARGUMENT', 'a DMA descriptor is 16 bytes at least');
  return descriptor.readUInt32LE(8);
}

/**
 * The header and text of a frame, in one buffer; the payload (if any) is written after it as it
 * is. Throws DcboxError INVALID_ARGUMENT when the frame is above the limits.
 */
export function encodeHead(frame: SasFrame): { head: Buffer; payload: Buffer } {
  let text: string;
  let value = 0;
  let offset = 0;
  let payload: Buffer = EMPTY;
  let flags = 0;
  switch (frame.kind) {
    case 'write':
      text = `${frame.lun}\0${frame.initiator.host}\0${frame.initiator.port}`;
      if (frame.task) text += ['', frame.task.id, ...frame.task.abandoned].join('\0');
      offset = frame.offset;
      payload = frame.data;
      value = frame.dma ? dmaLength(frame.data) : frame.data.length;
      flags = frame.dma ? FLAG_DMA : 0;
      break;
    case 'read':
      text = `${frame.lun}\0${frame.initiator.host}\0${frame.initiator.port}`;
      offset = frame.offset;
      value = frame.length;
      break;
    case 'ok':
      text = '';
      value = frame.written;
      payload = frame.data;
      break;
    case 'error':
      text = `${frame.code}\0${frame.message.slice(0, 4000)}`;
      break;
    case 'hello':
      text = frame.token;
      break;
  }
  if (payload.length > PAYLOAD_MAX) throw oversized(payload.length);
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new DcboxError('INVALID_ARGUMENT', `offset ${offset} is not a byte offset a frame can carry`);
  const textBytes = Buffer.byteLength(text);
  if (textBytes > TEXT_MAX)
    throw new DcboxError(
      'INVALID_ARGUMENT',
      `a SAS frame's names take ${textBytes} bytes (at most ${TEXT_MAX})`,
    );
  const head = Buffer.allocUnsafe(HEADER_BYTES + textBytes);
  head.writeUInt32LE(SAS_MAGIC, 0);
  head.writeUInt32LE(frame.id >>> 0, 4);
  head.writeUInt8(FrameKind[frame.kind], 8);
  head.writeUInt8(flags, 9);
  head.writeUInt16LE(textBytes, 10);
  head.writeUInt32LE(value >>> 0, 12);
  head.writeUInt32LE(offset % TWO_32, 16);
  head.writeUInt32LE(Math.floor(offset / TWO_32), 20);
  head.writeUInt32LE(payload.length, 24);
  head.writeUInt32LE(0, 28);
  if (textBytes > 0) head.write(text, HEADER_BYTES, 'utf8');
  return { head, payload };
}

/** One frame as a single buffer (tests, and small frames). */
export function encodeFrame(frame: SasFrame): Buffer {
  const { head, payload } = encodeHead(frame);
  return payload.length > 0 ? Buffer.concat([head, payload]) : head;
}

function oversized(bytes: number): DcboxError {
  return new DcboxError(
    'INVALID_ARGUMENT',
    `a SAS frame carries a ${bytes}-byte payload, above the ${PAYLOAD_MAX}-byte limit`,
  );
}

/** Bytes the decoder reads into at once while frames are small. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Cuts a byte stream into frames, whatever the pieces it arrives in: a frame split over many
 * reads, or many frames in one read. The socket reads straight into the decoder's buffers
 * (net's `onread`): `buffer()` says where the next bytes go and `took(n)` that n bytes landed
 * there, returning the frames they completed. Small frames land side by side in a 64 KiB chunk
 * and come out as views of it (a chunk is never written over, a new one replaces it when full);
 * a frame larger than what is left of the chunk gets a buffer of its own, which the kernel
 * fills directly, so a 1 MiB payload is neither copied nor gathered from 64 KiB pieces; a large
 * one comes from frame-buffers.ts, to be handed back once its bytes are written.
 * `took` throws DcboxError INVALID_ARGUMENT on a stream that is not SAS frames (the connection
 * is then dropped). `push` takes bytes as a plain stream delivers them (tests).
 */
export class FrameDecoder {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  /** Unparsed bytes of `chunk` are [start, end). */
  private start = 0;
  private end = 0;
  /** A frame that did not fit in the chunk, and how much of it arrived. */
  private big: Buffer | null = null;
  private bigHave = 0;

  /** Where the next bytes of the stream belong. */
  buffer(): Buffer {
    if (this.big) return this.big.subarray(this.bigHave);
    if (this.end === this.chunk.length) this.renew(this.start);
    return this.chunk.subarray(this.end);
  }

  /** `n` bytes were written at the start of the last `buffer()`; the frames they completed. */
  took(n: number): SasFrame[] {
    if (this.big) {
      this.bigHave += n;
      if (this.bigHave < this.big.length) return [];
      const frame = this.big;
      this.big = null;
      return [parseWhole(frame)];
    }
    this.end += n;
    const out: SasFrame[] = [];
    for (;;) {
      const have = this.end - this.start;
      if (have < HEADER_BYTES) break;
      const total = frameBytes(this.chunk, this.start);
      if (have >= total) {
        out.push(parseWhole(this.chunk.subarray(this.start, this.start + total)));
        this.start += total;
        continue;
      }
      if (total > this.chunk.length - this.start) {
        // It will not fit in this chunk: a buffer of its own (large), or a fresh chunk (small).
        if (total > CHUNK_BYTES) {
          this.big = total >= POOLED_MIN_BYTES ? framePool.take(total) : Buffer.allocUnsafe(total);
          this.chunk.copy(this.big, 0, this.start, this.end);
          this.bigHave = have;
          this.renew(this.end);
        } else this.renew(this.start);
      }
      break;
    }
    return out;
  }

  /** Takes bytes as a plain stream delivers them, in pieces of any size. */
  push(bytes: Buffer): SasFrame[] {
    const out: SasFrame[] = [];
    feedInPieces(
      bytes,
      () => this.buffer(),
      (n) => {
        out.push(...this.took(n));
        return true;
      },
    );
    return out;
  }

  /** Bytes of a frame not yet complete: a stream that ends with none lost nothing. */
  get pendingBytes(): number {
    return this.big ? this.bigHave : this.end - this.start;
  }

  /** A fresh chunk that starts with the unparsed bytes from `from` (earlier views stay valid). */
  private renew(from: number): void {
    const next = Buffer.allocUnsafe(CHUNK_BYTES);
    const kept = this.chunk.copy(next, 0, from, this.end);
    this.chunk = next;
    this.start = 0;
    this.end = kept;
  }
}

/** A frame's whole size from its header at `at`; throws on a header that is not a SAS frame's. */
function frameBytes(buf: Buffer, at: number): number {
  if (buf.readUInt32LE(at) !== SAS_MAGIC)
    throw new DcboxError('INVALID_ARGUMENT', 'the SAS data channel received a frame without the DCSD magic');
  const textBytes = buf.readUInt16LE(at + 10);
  const payloadBytes = buf.readUInt32LE(at + 24);
  if (payloadBytes > PAYLOAD_MAX) throw oversized(payloadBytes);
  if (textBytes > TEXT_MAX)
    throw new DcboxError(
      'INVALID_ARGUMENT',
      `a SAS frame's names take ${textBytes} bytes (at most ${TEXT_MAX})`,
    );
  return HEADER_BYTES + textBytes + payloadBytes;
}

function parseWhole(frame: Buffer): SasFrame {
  return parse(frame, frame.readUInt16LE(10), frame.readUInt32LE(24));
}

function parse(frame: Buffer, textBytes: number, payloadBytes: number): SasFrame {
  const id = frame.readUInt32LE(4);
  const kind = frame.readUInt8(8);
  const dma = (frame.readUInt8(9) & FLAG_DMA) !== 0;
  const value = frame.readUInt32LE(12);
  const offset = frame.readUInt32LE(16) + frame.readUInt32LE(20) * TWO_32;
  const text =
    textBytes > 0 ? frame.toString('utf8', HEADER_BYTES, HEADER_BYTES + textBytes).split('\0') : [];
  const payload = frame.subarray(HEADER_BYTES + textBytes, HEADER_BYTES + textBytes + payloadBytes);
  const initiator = (): FrameInitiator => ({ host: text[1] ?? '', port: text[2] ?? '' });
  switch (kind) {
    case FrameKind.write:
      if (!dma && value !== payloadBytes)
        throw new DcboxError(
          'INVALID_ARGUMENT',
          `a SAS write frame says ${value} bytes but carries ${payloadBytes}`,
        );
      return {
        kind: 'write',
        id,
        lun: text[0] ?? '',
        initiator: initiator(),
        offset,
        data: payload,
        ...(text.length > 3 ? { task: { id: text[3] ?? '', abandoned: text.slice(4) } } : {}),
        ...(dma ? { dma } : {}),
      };
    case FrameKind.read:
      return { kind: 'read', id, lun: text[0] ?? '', initiator: initiator(), offset, length: value };
    case FrameKind.ok:
      return { kind: 'ok', id, written: value, data: payload };
    case FrameKind.error:
      return { kind: 'error', id, code: text[0] ?? 'IO_ERROR', message: text[1] ?? '' };
    case FrameKind.hello:
      return { kind: 'hello', id, token: text[0] ?? '' };
    default:
      throw new DcboxError(
        'INVALID_ARGUMENT',
        `the SAS data channel received a frame of unknown kind ${kind}`,
      );
  }
}
