/**
 * The storage controller's pure core: the LUN table, mappings and SCSI-3 persistent
 * reservations, and the rules every block command is checked against. It never touches a file:
 * it asks for `writeBlocks`, `readBlocks`, `persistMeta`… as effects, and hears back through
 * `writeDone` / `readDone` messages. Every request carries a reqId and ends in exactly one
 * `reply` effect, which may be deferred (a preempt waits for the writes accepted before it).
 * Chaos faults (slow I/O, media errors) are part of the state too, so whether a command fails
 * is drawn from ctx.random and a fault's lease ends on ctx.now, reproducibly from the seed.
 */
import type { Ctx } from '../../actor/actor.js';
import { read, write, writeDone } from './block-io.js';
import { faultExpired, faultTimerId, injectFault, listFaults } from './faults.js';
import {
  afterInflight,
  canAccess,
  fail,
  findLun,
  type LunRecord,
  type LunSpec,
  lunView,
  type Meta,
  metaOf,
  persisted,
  Refusal,
  refuse,
  reply,
  type StorageDecision,
  type StorageEffect,
  type StorageMsg,
  type StorageState,
  unique,
  withLun,
} from './model.js';
import { prPreempt, prReadKeys, prRegister, prRelease, prReserve } from './reservations.js';

export { INFLIGHT_WRITES_MAX, IO_BYTES_MAX } from './block-io.js';
export { FAULT_DELAY_MAX_MS, FAULT_DURATION_DEFAULT_MS, FAULT_DURATION_MAX_MS, faultView } from './faults.js';
export type {
  Barrier,
  InflightWrite,
  Initiator,
  LunFault,
  LunFaultView,
  LunRecord,
  LunSpec,
  LunView,
  Meta,
  Outcome,
  PrData,
  PrView,
  Registration,
  ReplyValue,
  StorageDecision,
  StorageEffect,
  StorageMsg,
  StorageState,
} from './model.js';
export { lunView, metaOf, nexusId } from './model.js';
export { prView, RESERVATION_TYPE } from './reservations.js';

/** The empty state the settings describe, before any LUN exists (first start). */
export function initialState(settings: {
  blockSize: number;
  internalInitiators: { host: string; lun: string }[];
}): StorageState {
  return {
    blockSize: settings.blockSize,
    internalInitiators: settings.internalInitiators,
    nextSerial: 1,
    luns: {},
    inflight: [],
    barriers: [],
    faults: {},
    aborted: {},
    abortedOrder: [],
  };
}

/**
 * Rebuilds the state after a restart from the metadata file; nothing is in flight any more,
 * and no chaos fault survives a restart.
 */
export function stateFromMeta(
  meta: Meta,
  settings: { blockSize: number; internalInitiators: { host: string; lun: string }[] },
): StorageState {
  const luns: Record<string, LunRecord> = {};
  for (const l of meta.luns) luns[l.name] = l;
  return { ...initialState(settings), nextSerial: meta.nextSerial, luns };
}

/** Decides one message: the storage controller's whole behaviour. */
export function decideStorage(state: StorageState, msg: StorageMsg, ctx: Ctx): StorageDecision {
  switch (msg.type) {
    case 'provision':
      return provision(state, msg.luns);
    case 'writeDone':
      return writeDone(state, msg.reqIds, msg.error);
    case 'readDone':
      return reply(state, msg.reqId, { data: msg.data });
    case 'readFailed':
      return fail(state, msg.reqId, 'IO_ERROR', `read failed on the controller: ${msg.message}`);
    case 'faultExpired':
      return faultExpired(state, msg.lun, msg.expiresAtMs);
    default:
      try {
        return request(state, msg, ctx);
      } catch (err) {
        if (err instanceof Refusal) return fail(state, msg.reqId, err.code, err.message);
        throw err;
      }
  }
}

type Request = Exclude<
  StorageMsg,
  { type: 'provision' | 'writeDone' | 'readDone' | 'readFailed' | 'faultExpired' }
>;

function request(state: StorageState, msg: Request, ctx: Ctx): StorageDecision {
  switch (msg.type) {
    case 'createLun':
      return createLun(state, msg);
    case 'deleteLun':
      return deleteLun(state, msg.reqId, msg.name);
    case 'mapLun': {
      const lun = findLun(state, msg.name);
      const next = withLun(state, { ...lun, mappedTo: unique(msg.hosts) });
      return persisted(next, msg.reqId, lunView(next.luns[lun.name]!, state.blockSize));
    }
    case 'listLuns': {
      const luns = Object.values(state.luns)
        .filter((l) => !msg.host || canAccess(state, l, msg.host))
        .map((l) => lunView(l, state.blockSize));
      return reply(state, msg.reqId, { luns });
    }
    case 'read':
      return read(state, msg, ctx);
    case 'write':
      return write(state, msg, ctx);
    case 'prRegister':
      return prRegister(state, msg);
    case 'prReserve':
      return prReserve(state, msg);
    case 'prRelease':
      return prRelease(state, msg);
    case 'prPreempt':
      return prPreempt(state, msg);
    case 'prReadKeys':
      return prReadKeys(state, msg);
    case 'injectFault':
      return injectFault(state, msg, ctx);
    case 'listFaults':
      return listFaults(state, msg.reqId, ctx.now);
  }
}

/** Creates the LUNs the settings list that do not exist yet (first start). */
function provision(state: StorageState, specs: LunSpec[]): StorageDecision {
  let next = state;
  const effects: StorageDecision['effects'] = [];
  for (const spec of specs) {
    if (next.luns[spec.name]) continue;
    const made = addLun(next, spec);
    next = made.state;
    effects.push(...made.effects);
  }
  if (effects.length > 0) effects.push({ type: 'persistMeta', meta: metaOf(next) });
  return { state: next, effects };
}

/** CreateLun: adds a LUN, persists the table, then replies. */
function createLun(state: StorageState, msg: Extract<StorageMsg, { type: 'createLun' }>): StorageDecision {
  if (state.luns[msg.name]) refuse('ALREADY_EXISTS', `LUN ${msg.name} already exists`);
  if (state.barriers.some((b) => b.effects.some((e) => e.type === 'removeLunFile' && e.name === msg.name))) {
    refuse('BAD_STATE', `LUN ${msg.name} is still being deleted; retry once its writes have completed`);
  }
  const made = addLun(state, msg);
  const view = lunView(made.state.luns[msg.name]!, state.blockSize);
  return {
    state: made.state,
    effects: [
      ...made.effects,
      { type: 'persistMeta', meta: metaOf(made.state) },
      { type: 'reply', reqId: msg.reqId, outcome: { ok: true, value: view } },
    ],
  };
}

/** Adds a LUN with a fresh serial (an NAA-6 style identifier from a persisted counter). */
function addLun(state: StorageState, spec: LunSpec): StorageDecision {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(spec.name)) {
    refuse('INVALID_ARGUMENT', `LUN name "${spec.name}" must be 1-64 letters, digits, "_", "." or "-"`);
  }
  if (
    !Number.isSafeInteger(spec.sizeBytes) ||
    spec.sizeBytes <= 0 ||
    spec.sizeBytes % state.blockSize !== 0
  ) {
    refuse(
      'INVALID_ARGUMENT',
      `LUN ${spec.name}: size ${spec.sizeBytes} bytes must be a positive multiple of the ${state.blockSize}-byte block`,
    );
  }
  const lun: LunRecord = {
    name: spec.name,
    sizeBytes: spec.sizeBytes,
    mappedTo: unique(spec.mappedTo),
    serial: `60050768${state.nextSerial.toString(16).toUpperCase().padStart(24, '0')}`,
    pr: { generation: 0, registrations: [], reservation: null },
  };
  return {
    state: { ...state, nextSerial: state.nextSerial + 1, luns: { ...state.luns, [lun.name]: lun } },
    effects: [{ type: 'createLunFile', name: lun.name, sizeBytes: lun.sizeBytes }],
  };
}

/** DeleteLun: removes the LUN from the table at once and its file after its writes in flight. */
function deleteLun(state: StorageState, reqId: number, name: string): StorageDecision {
  findLun(state, name);
  const { [name]: _gone, ...luns } = state.luns;
  const next: StorageState = { ...state, luns };
  // The LUN leaves the table at once, so no new command reaches it; its file goes only after
  // the writes already accepted on it have finished.
  const later: StorageEffect[] = [
    { type: 'removeLunFile', name },
    { type: 'reply', reqId, outcome: { ok: true, value: {} } },
  ];
  const out = afterInflight(next, name, [{ type: 'persistMeta', meta: metaOf(next) }], later);
  if (!state.faults[name]) return out;
  // A fault goes with its LUN: a new LUN of the same name starts healthy.
  const { [name]: _lifted, ...faults } = out.state.faults;
  return {
    state: { ...out.state, faults },
    effects: [{ type: 'cancelTimer', id: faultTimerId(name) }, ...out.effects],
  };
}
