/**
 * MPIO's storage operations as the block commands the storage controller's core decides, and
 * the controller's outcomes as MPIO reads a path's result: the SAS channel's framing, without the
 * bytes (services/sas/ carries the same commands between real processes).
 */
import type { IoResult, StorageOp, WriteTask } from '../services/hyperv-node/mpio.js';
import type { Outcome } from '../services/storage-controller/core/decide.js';
import type { StorageCommand } from './storage.js';

/** A StorageOp of MPIO as the block command the controller decides; a write carries its task. */
export function toCommand(lun: string, host: string, op: StorageOp, task?: WriteTask): StorageCommand {
  const initiator = { host, port: '' };
  switch (op.kind) {
    case 'read':
      return { type: 'read', reqId: 0, lun, initiator, offset: op.offset, length: op.length };
    case 'write':
      return {
        type: 'write',
        reqId: 0,
        lun,
        initiator,
        offset: op.offset,
        data: op.data,
        ...(task ? { task } : {}),
      };
    case 'register':
      return { type: 'prRegister', reqId: 0, lun, initiator, key: op.key };
    case 'reserve':
      return { type: 'prReserve', reqId: 0, lun, initiator, key: op.key };
    case 'release':
      return { type: 'prRelease', reqId: 0, lun, initiator, key: op.key };
    case 'preempt':
      return { type: 'prPreempt', reqId: 0, lun, initiator, key: op.key, victimKey: op.victimKey };
    case 'readKeys':
      return { type: 'prReadKeys', reqId: 0, lun, initiator };
  }
}

/** The controller's answer as MPIO sees a path's result. */
export function fromOutcome(o: Outcome): IoResult {
  if (!o.ok) return { ok: false, code: o.code, message: o.message };
  const v = o.value as Record<string, unknown>;
  if (v.data instanceof Uint8Array) return { ok: true, data: v.data };
  if ('generation' in v) return { ok: true, prState: v };
  return { ok: true };
}
