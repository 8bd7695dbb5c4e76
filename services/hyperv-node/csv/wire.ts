/**
 * The messages a CSV's nodes exchange over NATS (the stand-in for SMB2 between CSV nodes,
 * docs/domain.md §Cluster Shared Volumes): metadata requests to the coordinator and redirected block I/O. JSON, with block
 * data as base64. docs/protocol.md lists the subjects (subjects.csvMetadata, subjects.csvRedirected).
 */
import type { ErrorCode } from '../../actor/errors.js';
import { ERROR_CODES } from '../../actor/errors.js';
import type { IoResult, StorageOp } from '../mpio.js';
import type { FileEntry } from './file-table.js';

/** A metadata request to the coordinator. */
export type MetaRequest =
  | { op: 'create'; path: string; sizeBytes: number }
  | { op: 'extend'; path: string; sizeBytes: number }
  | { op: 'delete'; path: string }
  | { op: 'lookup'; path: string }
  | { op: 'list' };

/**
 * The coordinator's answer. `notCoordinator` says the receiver does not (or no longer, or not yet)
 * serve the volume: the request surely did not happen, and the sender asks again.
 */
export type MetaReply =
  | { ok: true; entry?: FileEntry; files?: FileEntry[] }
  | { ok: false; code: ErrorCode; message: string; notCoordinator?: boolean };

/** A storage command as JSON: write data in base64. */
export type WireOp = Exclude<StorageOp, { kind: 'write' }> | { kind: 'write'; offset: number; data: string };

/** A redirected I/O. */
export interface RedirectRequest {
  lun: string;
  /** The node that lost its paths, for the coordinator's log. */
  from: string;
  /** The sender's membership epoch when it sent it (csv/core.ts admitRedirect); absent, unstamped. */
  epoch?: number;
  op: WireOp;
}

/** An I/O result as JSON: read data in base64. */
export type WireResult =
  | { ok: true; data?: string; prState?: unknown; path?: string }
  | {
      ok: false;
      code: ErrorCode;
      message: string;
      path?: string;
      notCoordinator?: boolean;
      /** Sent on an older connection (csv/core.ts admitRedirect): ask again stamped with the view now. */
      reconnect?: boolean;
    };

/** Encodes a command for the wire. */
export function toWireOp(op: StorageOp): WireOp {
  return op.kind === 'write'
    ? { kind: 'write', offset: op.offset, data: Buffer.from(op.data).toString('base64') }
    : op;
}

/** Decodes a command from the wire, checking its shape (it came from another process). */
export function fromWireOp(w: WireOp): StorageOp {
  switch (w.kind) {
    case 'write':
      if (typeof w.data !== 'string' || !Number.isSafeInteger(w.offset))
        throw new Error('a write needs offset and data');
      return { kind: 'write', offset: w.offset, data: new Uint8Array(Buffer.from(w.data, 'base64')) };
    case 'read':
      if (!Number.isSafeInteger(w.offset) || !Number.isSafeInteger(w.length))
        throw new Error('a read needs offset and length');
      return w;
    case 'register':
    case 'reserve':
    case 'release':
    case 'preempt':
    case 'readKeys':
      return w;
    default:
      throw new Error(`unknown storage command ${JSON.stringify((w as { kind?: unknown }).kind)}`);
  }
}

/** Encodes a result for the wire. */
export function toWireResult(r: IoResult): WireResult {
  if (!r.ok) return r;
  const { data, ...rest } = r;
  return data ? { ...rest, data: Buffer.from(data).toString('base64') } : rest;
}

/** Decodes a result from the wire; an unknown error code becomes IO_ERROR (indefinite). */
export function fromWireResult(w: WireResult): IoResult {
  if (!w.ok) {
    const code: ErrorCode = w.code in ERROR_CODES ? w.code : 'IO_ERROR';
    return { ok: false, code, message: w.message, ...(w.path ? { path: w.path } : {}) };
  }
  const { data, ...rest } = w;
  return data !== undefined ? { ...rest, data: new Uint8Array(Buffer.from(data, 'base64')) } : rest;
}
