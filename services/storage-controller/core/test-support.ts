/**
 * Helpers shared by the storage controller core's tests (core, reservations, faults): a
 * provisioned controller in a Simulation, initiators, keys and request builders. Pure.
 */
import { Simulation } from '../../actor/actor.js';
import {
  decideStorage,
  type Initiator,
  initialState,
  type Outcome,
  type StorageEffect,
  type StorageMsg,
  type StorageState,
} from './decide.js';

/** Nexuses of two nodes through RSSM 3 and 4, and the witness's internal one. */
export const N1P3: Initiator = { host: 'HVR2NODO1', port: 'rssm3' };
export const N1P4: Initiator = { host: 'HVR2NODO1', port: 'rssm4' };
export const N2P3: Initiator = { host: 'HVR2NODO2', port: 'rssm3' };
export const WITNESS: Initiator = { host: 'quorum', port: 'controller' };
/** Two registration keys. */
export const K1 = '0000000100000001';
export const K2 = '0000000200000001';
/** `blocks` 512-byte blocks filled with `byte`. */
export const block = (byte: number, blocks = 1) => new Uint8Array(512 * blocks).fill(byte);

/** A controller with the seed's two LUNs, provisioned; effects of provisioning are cleared. */
export function controller() {
  const sim = new Simulation<StorageState, StorageMsg, StorageEffect>(
    decideStorage,
    initialState({ blockSize: 512, internalInitiators: [{ host: 'quorum', lun: 'Quorum' }] }),
  );
  sim.send({
    type: 'provision',
    luns: [
      { name: 'Quorum', sizeBytes: 1024 * 1024, mappedTo: ['HVR2NODO1', 'HVR2NODO2'] },
      { name: 'CSV1', sizeBytes: 4 * 1024 * 1024, mappedTo: ['HVR2NODO1', 'HVR2NODO2'] },
    ],
  });
  let reqId = 100;
  /** Sends a request and returns its reply's outcome, or undefined when the reply is deferred. */
  const ask = (build: (reqId: number) => StorageMsg): Outcome | undefined => {
    const id = ++reqId;
    const effects = sim.send(build(id));
    return replyOf(effects, id);
  };
  return { sim, ask };
}

/** The outcome of the reply to reqId among the effects, if there is one. */
export function replyOf(effects: StorageEffect[] | unknown[], reqId: number): Outcome | undefined {
  for (const e of effects as StorageEffect[]) if (e.type === 'reply' && e.reqId === reqId) return e.outcome;
  return undefined;
}

/** Request builders: each takes its arguments and returns a message for a reqId. */
export const register =
  (initiator: Initiator, key: string, lun = 'CSV1') =>
  (reqId: number) =>
    ({ type: 'prRegister', reqId, lun, initiator, key }) as StorageMsg;
export const reserve =
  (initiator: Initiator, key: string, lun = 'CSV1') =>
  (reqId: number) =>
    ({ type: 'prReserve', reqId, lun, initiator, key }) as StorageMsg;
export const release =
  (initiator: Initiator, key: string, lun = 'CSV1') =>
  (reqId: number) =>
    ({ type: 'prRelease', reqId, lun, initiator, key }) as StorageMsg;
export const preempt =
  (initiator: Initiator, key: string, victimKey: string, lun = 'CSV1') =>
  (reqId: number) =>
    ({ type: 'prPreempt', reqId, lun, initiator, key, victimKey }) as StorageMsg;
export const write =
  (initiator: Initiator, offset: number, data: Uint8Array, lun = 'CSV1') =>
  (reqId: number) =>
    ({ type: 'write', reqId, lun, initiator, offset, data }) as StorageMsg;
export const read =
  (initiator: Initiator, offset: number, length: number, lun = 'CSV1') =>
  (reqId: number) =>
    ({ type: 'read', reqId, lun, initiator, offset, length }) as StorageMsg;

/** The error code of a failed outcome. */
export function errorCode(o: Outcome | undefined): string | undefined {
  return o && !o.ok ? o.code : undefined;
}

/** Builds an InjectFault request. */
export const injectFault =
  (lun: string, kind: string, opts: { delayMs?: number; errorRate?: number; durationMs?: number } = {}) =>
  (reqId: number) =>
    ({
      type: 'injectFault',
      reqId,
      lun,
      kind,
      delayMs: opts.delayMs ?? 0,
      errorRate: opts.errorRate ?? 0,
      durationMs: opts.durationMs ?? 0,
    }) as StorageMsg;
/** Builds a ListFaults request. */
export const listFaults = (reqId: number) => ({ type: 'listFaults', reqId }) as StorageMsg;
