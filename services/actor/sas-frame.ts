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
 *   9  u8  0                      28 u32 0
 *  10  u16 text bytes
 *  12  u32 value: a read's length, a write reply's bytes written
 *
 * The text is UTF-8 fields joined by NUL: `lun, host, port` on a command (the initiator), and
 * `code, message` on an error reply. The payload is a write's data or a read reply's data, sent
 * as the caller's own buffer (no protobuf copy) and handed over as a view of what the socket
 * read when it arrived in one piece.
 */
import { DcboxError } from './errors.js';

/** "DCSD": the first word of every frame, so a stray byte stream is refused, not applied. */
export const SAS_MAGIC = 0x44435344;
export const HEADER_BYTES = 32;
/** The largest payload a frame may carry: the gRPC message limit of the same commands. */
export const PAYLOAD_MAX = 64 * 1024 * 1024;
/** The largest text part (names and an error message). */
export const TEXT_MAX = 16 * 1024;

export const FrameKind = { write: 1, read: 2, ok: 3, error: 4 } as const;

/** An I_T nexus as the commands carry it. */
export interface FrameInitiator {
  host: string;
  port: string;
}

export type SasFrame =
  | { kind: 'write'; id: number; lun: string; initiator: FrameInitiator; offset: number; data: Buffer }
  | { kind: 'read'; id: number; lun: string; initiator: FrameInitiator; offset: number; length: number }
  /** A command's success: `written` for a write, `data` for a read (empty for a write). */
  | { kind: 'ok'; id: number; written: number; data: Buffer }
  | { kind: 'error'; id: number; code: string; message: string };

const EMPTY: Buffer = Buffer.alloc(0);
const TWO_32 = 2 ** 32;

/**
 * The header and text of a frame, in one buffer; the payload (if any) is written after it as it
 * is. Throws DcboxError INVALID_ARGUMENT when the frame is above the limits.
 */
export function encodeHead(frame: SasFrame): { head: Buffer; payload: Buffer } {
  let text: string;
  let value = 0;
  let offset = 0;
  let payload: Buffer = EMPTY;
  switch (frame.kind) {
    case 'write':
      text = `${frame.lun}\0${frame.initiator.host}\0${frame.initiator.port}`;
      offset = frame.offset;
      payload = frame.data;
      value = frame.data.length;
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
  head.writeUInt8(0, 9);
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

/**
 * Cuts a byte stream into frames, whatever the pieces it arrives in: a frame split over many
 * chunks, or many frames in one chunk. `push` returns the frames completed by a chunk and throws
 * DcboxError INVALID_ARGUMENT on a stream that is not SAS frames (the connection is then dropped).
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): SasFrame[] {
    const out: SasFrame[] = [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.buffered < HEADER_BYTES) return out;
      const head = this.peekHeader();
      if (head.readUInt32LE(0) !== SAS_MAGIC)
        throw new DcboxError(
          'INVALID_ARGUMENT',
          'the SAS data channel received a frame without the DCSD magic',
        );
      const textBytes = head.readUInt16LE(10);
      const payloadBytes = head.readUInt32LE(24);
      if (payloadBytes > PAYLOAD_MAX) throw oversized(payloadBytes);
      if (textBytes > TEXT_MAX)
        throw new DcboxError(
          'INVALID_ARGUMENT',
          `a SAS frame's names take ${textBytes} bytes (at most ${TEXT_MAX})`,
        );
      const total = HEADER_BYTES + textBytes + payloadBytes;
      if (this.buffered < total) return out;
      out.push(parse(this.take(total), textBytes, payloadBytes));
    }
  }

  /** Bytes of a frame not yet complete: a stream that ends with none lost nothing. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** The first HEADER_BYTES bytes, contiguous (joins the first chunks when they are smaller). */
  private peekHeader(): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length >= HEADER_BYTES) return first;
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }

  /** The next `n` buffered bytes: a view when they sit in one chunk, else one copy. */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0] as Buffer;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0] as Buffer;
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }
}

function parse(frame: Buffer, textBytes: number, payloadBytes: number): SasFrame {
  const id = frame.readUInt32LE(4);
  const kind = frame.readUInt8(8);
  const value = frame.readUInt32LE(12);
  const offset = frame.readUInt32LE(16) + frame.readUInt32LE(20) * TWO_32;
  const text =
    textBytes > 0 ? frame.toString('utf8', HEADER_BYTES, HEADER_BYTES + textBytes).split('\0') : [];
  const payload = frame.subarray(HEADER_BYTES + textBytes, HEADER_BYTES + textBytes + payloadBytes);
  const initiator = (): FrameInitiator => ({ host: text[1] ?? '', port: text[2] ?? '' });
  switch (kind) {
    case FrameKind.write:
      if (value !== payloadBytes)
        throw new DcboxError(
          'INVALID_ARGUMENT',
          `a SAS write frame says ${value} bytes but carries ${payloadBytes}`,
        );
      return { kind: 'write', id, lun: text[0] ?? '', initiator: initiator(), offset, data: payload };
    case FrameKind.read:
      return { kind: 'read', id, lun: text[0] ?? '', initiator: initiator(), offset, length: value };
    case FrameKind.ok:
      return { kind: 'ok', id, written: value, data: payload };
    case FrameKind.error:
      return { kind: 'error', id, code: text[0] ?? 'IO_ERROR', message: text[1] ?? '' };
    default:
      throw new DcboxError(
        'INVALID_ARGUMENT',
        `the SAS data channel received a frame of unknown kind ${kind}`,
      );
  }
}
