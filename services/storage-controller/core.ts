/**
 * The storage controller's pure core: the LUN table, mappings and SCSI-3 persistent
 * reservations, and the rules every block command is checked against. It never touches a file:
 * it asks for `writeBlocks`, `readBlocks`, `persistMeta`… as effects, and hears back through
 * `writeDone` / `readDone` messages. Every request carries a reqId and ends in exactly one
 * `reply` effect, which may be deferred (a preempt waits for the writes accepted before it).
 */
import type { Ctx, Decision } from '../actor/actor.js';
import type { ErrorCode } from '../actor/errors.js';

/** The only reservation type dcbox grants: what Windows failover clusters use (DOMAIN.md §2). */
export const RESERVATION_TYPE = 'WRITE_EXCLUSIVE_REGISTRANTS_ONLY';

/** Largest single read or write, so one command never outgrows a gRPC message (64 MiB). */
export const IO_BYTES_MAX = 16 * 1024 * 1024;

/** Writes accepted but not yet durable, across all LUNs; more is OVERLOADED, not queued forever. */
export const INFLIGHT_WRITES_MAX = 4096;

/** An I_T nexus: the host and the port (RSSM) a command arrived on. */
export interface Initiator {
  host: string;
  port: string;
}

/** One registered I_T nexus and its 16-hex-digit key. */
export interface Registration {
  initiator: string;
  key: string;
}

/** The persistent-reservation state of one LUN (SPC-3 PR, as a plain record). */
export interface PrData {
  generation: number;
  registrations: Registration[];
  reservation: { holder: string; key: string } | null;
}

/** A LUN as the controller records it; exactly what the metadata file holds per LUN. */
export interface LunRecord {
  name: string;
  sizeBytes: number;
  mappedTo: string[];
  serial: string;
  pr: PrData;
}

/** The metadata file's content: written atomically before any change is acknowledged. */
export interface Meta {
  version: 1;
  nextSerial: number;
  luns: LunRecord[];
}

/** A write handed to the store and not yet durable. */
export interface InflightWrite {
  reqId: number;
  lun: string;
  bytes: number;
}

/** Effects held back until every write in `waitFor` has completed (the preempt barrier). */
export interface Barrier {
  waitFor: number[];
  effects: StorageEffect[];
}

/** The core's whole state: plain data. */
export interface StorageState {
  blockSize: number;
  internalInitiators: { host: string; lun: string }[];
  nextSerial: number;
  luns: Record<string, LunRecord>;
  inflight: InflightWrite[];
  barriers: Barrier[];
}

/** A LUN as the Storage API shows it (proto dcbox.storage.v1.Lun). */
export interface LunView {
  name: string;
  size_bytes: number;
  mapped_hosts: string[];
  block_size: number;
  serial: string;
}

/** Persistent-reservation state as the Storage API shows it (proto PrState). */
export interface PrView {
  generation: number;
  registrations: Registration[];
  reservation_holder: string;
  reservation_key: string;
  reservation_type: string;
}

/** What a successful request returns. */
export type ReplyValue =
  | LunView
  | { luns: LunView[] }
  | { data: Uint8Array }
  | { written: number }
  | PrView
  | Record<string, never>;

/** How a request ended: a value, or an error with a code that crosses gRPC. */
export type Outcome = { ok: true; value: ReplyValue } | { ok: false; code: ErrorCode; message: string };

/** A LUN to create (from the topology, or CreateLun). */
export interface LunSpec {
  name: string;
  sizeBytes: number;
  mappedTo: string[];
}

/** Messages the core decides on. */
export type StorageMsg =
  | { type: 'provision'; luns: LunSpec[] }
  | ({ type: 'createLun'; reqId: number } & LunSpec)
  | { type: 'deleteLun'; reqId: number; name: string }
  | { type: 'mapLun'; reqId: number; name: string; hosts: string[] }
  | { type: 'listLuns'; reqId: number; host: string }
  | { type: 'read'; reqId: number; lun: string; initiator: Initiator | null; offset: number; length: number }
  | { type: 'readDone'; reqId: number; data: Uint8Array }
  | { type: 'readFailed'; reqId: number; message: string }
  | {
      type: 'write';
      reqId: number;
      lun: string;
      initiator: Initiator | null;
      offset: number;
      data: Uint8Array;
    }
  | { type: 'writeDone'; reqIds: number[]; error?: string }
  | { type: 'prRegister'; reqId: number; lun: string; initiator: Initiator | null; key: string }
  | { type: 'prReserve'; reqId: number; lun: string; initiator: Initiator | null; key: string }
  | { type: 'prRelease'; reqId: number; lun: string; initiator: Initiator | null; key: string }
  | {
      type: 'prPreempt';
      reqId: number;
      lun: string;
      initiator: Initiator | null;
      key: string;
      victimKey: string;
    }
  | { type: 'prReadKeys'; reqId: number; lun: string; initiator: Initiator | null };

/** Effects the store and the gRPC adapter carry out, in order. */
export type StorageEffect =
  | { type: 'createLunFile'; name: string; sizeBytes: number }
  | { type: 'removeLunFile'; name: string }
  | { type: 'persistMeta'; meta: Meta }
  | { type: 'writeBlocks'; reqId: number; lun: string; offset: number; data: Uint8Array }
  | { type: 'readBlocks'; reqId: number; lun: string; offset: number; length: number }
  | { type: 'reply'; reqId: number; outcome: Outcome };

type Out = Decision<StorageState, StorageEffect>;

/** Fails a request with a definite error. Thrown inside decide and turned into a reply. */
class Refusal {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
  ) {}
}

function refuse(code: ErrorCode, message: string): never {
  throw new Refusal(code, message);
}

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
  };
}

/** Rebuilds the state after a restart from the metadata file; nothing is in flight any more. */
export function stateFromMeta(
  meta: Meta,
  settings: { blockSize: number; internalInitiators: { host: string; lun: string }[] },
): StorageState {
  const luns: Record<string, LunRecord> = {};
  for (const l of meta.luns) luns[l.name] = l;
  return { ...initialState(settings), nextSerial: meta.nextSerial, luns };
}

/** What the metadata file must hold for this state. */
export function metaOf(state: StorageState): Meta {
  return { version: 1, nextSerial: state.nextSerial, luns: Object.values(state.luns) };
}

/** The I_T nexus id a registration is recorded under: `${host}/${port}` (DOMAIN.md §2). */
export function nexusId(initiator: Initiator): string {
  return `${initiator.host}/${initiator.port}`;
}

/** The API view of a LUN. */
export function lunView(lun: LunRecord, blockSize: number): LunView {
  return {
    name: lun.name,
    size_bytes: lun.sizeBytes,
    mapped_hosts: [...lun.mappedTo],
    block_size: blockSize,
    serial: lun.serial,
  };
}

/** The API view of a LUN's reservations. */
export function prView(pr: PrData): PrView {
  return {
    generation: pr.generation,
    registrations: pr.registrations.map((r) => ({ ...r })),
    reservation_holder: pr.reservation?.holder ?? '',
    reservation_key: pr.reservation?.key ?? '',
    reservation_type: pr.reservation ? RESERVATION_TYPE : '',
  };
}

/** Decides one message: the storage controller's whole behaviour. */
export function decide(state: StorageState, msg: StorageMsg, _ctx: Ctx): Out {
  switch (msg.type) {
    case 'provision':
      return provision(state, msg.luns);
    case 'writeDone':
      return writeDone(state, msg.reqIds, msg.error);
    case 'readDone':
      return reply(state, msg.reqId, { data: msg.data });
    case 'readFailed':
      return fail(state, msg.reqId, 'IO_ERROR', `read failed on the controller: ${msg.message}`);
    default:
      try {
        return request(state, msg);
      } catch (err) {
        if (err instanceof Refusal) return fail(state, msg.reqId, err.code, err.message);
        throw err;
      }
  }
}

type Request = Exclude<StorageMsg, { type: 'provision' | 'writeDone' | 'readDone' | 'readFailed' }>;

function request(state: StorageState, msg: Request): Out {
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
    case 'read': {
      const lun = accessibleLun(state, msg.lun, msg.initiator);
      checkRange(state, lun, msg.offset, msg.length);
      // Reads are always allowed under Write Exclusive – Registrants Only (DOMAIN.md §2).
      const effect: StorageEffect = {
        type: 'readBlocks',
        reqId: msg.reqId,
        lun: lun.name,
        offset: msg.offset,
        length: msg.length,
      };
      return { state, effects: [effect] };
    }
    case 'write':
      return write(state, msg);
    case 'prRegister':
      return prRegister(state, msg);
    case 'prReserve':
      return prReserve(state, msg);
    case 'prRelease':
      return prRelease(state, msg);
    case 'prPreempt':
      return prPreempt(state, msg);
    case 'prReadKeys': {
      const lun = accessibleLun(state, msg.lun, msg.initiator);
      return reply(state, msg.reqId, prView(lun.pr));
    }
  }
}

function provision(state: StorageState, specs: LunSpec[]): Out {
  let next = state;
  const effects: StorageEffect[] = [];
  for (const spec of specs) {
    if (next.luns[spec.name]) continue;
    const made = addLun(next, spec);
    next = made.state;
    effects.push(...made.effects);
  }
  if (effects.length > 0) effects.push({ type: 'persistMeta', meta: metaOf(next) });
  return { state: next, effects };
}

function createLun(state: StorageState, msg: Extract<StorageMsg, { type: 'createLun' }>): Out {
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
function addLun(state: StorageState, spec: LunSpec): Out {
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

function deleteLun(state: StorageState, reqId: number, name: string): Out {
  findLun(state, name);
  const { [name]: _gone, ...luns } = state.luns;
  const next: StorageState = { ...state, luns };
  // The LUN leaves the table at once, so no new command reaches it; its file goes only after
  // the writes already accepted on it have finished.
  const later: StorageEffect[] = [
    { type: 'removeLunFile', name },
    { type: 'reply', reqId, outcome: { ok: true, value: {} } },
  ];
  return afterInflight(next, name, [{ type: 'persistMeta', meta: metaOf(next) }], later);
}

function write(state: StorageState, msg: Extract<StorageMsg, { type: 'write' }>): Out {
  const lun = accessibleLun(state, msg.lun, msg.initiator);
  checkRange(state, lun, msg.offset, msg.data.length);
  const id = nexusId(msg.initiator!);
  // Write Exclusive – Registrants Only: once reserved, only registered I_T nexuses may write.
  if (lun.pr.reservation && !lun.pr.registrations.some((r) => r.initiator === id)) {
    refuse('RESERVATION_CONFLICT', `${id} is not registered on LUN ${lun.name}, which is reserved`);
  }
  if (state.inflight.length >= INFLIGHT_WRITES_MAX) {
    refuse('OVERLOADED', `${INFLIGHT_WRITES_MAX} writes are already in flight on the controller; retry`);
  }
  return {
    state: {
      ...state,
      inflight: [...state.inflight, { reqId: msg.reqId, lun: lun.name, bytes: msg.data.length }],
    },
    effects: [{ type: 'writeBlocks', reqId: msg.reqId, lun: lun.name, offset: msg.offset, data: msg.data }],
  };
}

function writeDone(state: StorageState, reqIds: number[], error: string | undefined): Out {
  const done = new Set(reqIds);
  const effects: StorageEffect[] = [];
  for (const w of state.inflight) {
    if (!done.has(w.reqId)) continue;
    const outcome: Outcome = error
      ? { ok: false, code: 'IO_ERROR', message: `write failed on the controller: ${error}` }
      : { ok: true, value: { written: w.bytes } };
    effects.push({ type: 'reply', reqId: w.reqId, outcome });
  }
  const barriers: Barrier[] = [];
  for (const b of state.barriers) {
    const waitFor = b.waitFor.filter((id) => !done.has(id));
    if (waitFor.length === 0) effects.push(...b.effects);
    else barriers.push({ ...b, waitFor });
  }
  return {
    state: { ...state, inflight: state.inflight.filter((w) => !done.has(w.reqId)), barriers },
    effects,
  };
}

function prRegister(state: StorageState, msg: Extract<StorageMsg, { type: 'prRegister' }>): Out {
  const lun = accessibleLun(state, msg.lun, msg.initiator);
  const id = nexusId(msg.initiator!);
  const key = msg.key === '' ? '' : checkKey(msg.key, 'key');
  const others = lun.pr.registrations.filter((r) => r.initiator !== id);
  const registrations = key ? [...others, { initiator: id, key }] : others;
  let reservation = lun.pr.reservation;
  if (reservation?.holder === id) {
    // Unregistering the holder releases the reservation; a new key moves the reservation key
    // with it, since the holder's reservation key is its registration key (SPC-3).
    reservation = key ? { holder: id, key } : null;
  }
  const pr: PrData = { generation: lun.pr.generation + 1, registrations, reservation };
  return persisted(withLun(state, { ...lun, pr }), msg.reqId, prView(pr));
}

function prReserve(state: StorageState, msg: Extract<StorageMsg, { type: 'prReserve' }>): Out {
  const lun = accessibleLun(state, msg.lun, msg.initiator);
  const id = nexusId(msg.initiator!);
  const key = checkKey(msg.key, 'key');
  requireRegistered(lun, id, key);
  const held = lun.pr.reservation;
  if (held && held.key !== key) {
    refuse('RESERVATION_CONFLICT', `LUN ${lun.name} is reserved by ${held.holder} with key ${held.key}`);
  }
  // Same key: with MPIO every path of the owner registers that key, so any of them may
  // repeat the reserve (DOMAIN.md §2).
  if (held) return reply(state, msg.reqId, prView(lun.pr));
  const pr: PrData = { ...lun.pr, reservation: { holder: id, key } };
  return persisted(withLun(state, { ...lun, pr }), msg.reqId, prView(pr));
}

function prRelease(state: StorageState, msg: Extract<StorageMsg, { type: 'prRelease' }>): Out {
  const lun = accessibleLun(state, msg.lun, msg.initiator);
  const id = nexusId(msg.initiator!);
  const key = checkKey(msg.key, 'key');
  requireRegistered(lun, id, key);
  // Releasing what one does not hold is a no-op, as in SPC-3. The holder is identified by key
  // so that the owner can release over a surviving path when the reserving path died.
  if (lun.pr.reservation?.key !== key) return reply(state, msg.reqId, prView(lun.pr));
  const pr: PrData = { ...lun.pr, reservation: null };
  return persisted(withLun(state, { ...lun, pr }), msg.reqId, prView(pr));
}

function prPreempt(state: StorageState, msg: Extract<StorageMsg, { type: 'prPreempt' }>): Out {
  const lun = accessibleLun(state, msg.lun, msg.initiator);
  const id = nexusId(msg.initiator!);
  const key = checkKey(msg.key, 'key');
  const victim = checkKey(msg.victimKey, 'victim_key');
  requireRegistered(lun, id, key);
  const registrations = lun.pr.registrations.filter((r) => r.key !== victim || r.initiator === id);
  const reservation = lun.pr.reservation?.key === victim ? { holder: id, key } : lun.pr.reservation;
  const pr: PrData = { generation: lun.pr.generation + 1, registrations, reservation };
  const next = withLun(state, { ...lun, pr });
  // PREEMPT AND ABORT: the victim is fenced from this moment (new writes conflict), but the
  // preempt is acknowledged only after every write accepted before it on this LUN has landed,
  // so nothing from the victim can reach the disk after the preemptor hears "done".
  const replyNow: StorageEffect = {
    type: 'reply',
    reqId: msg.reqId,
    outcome: { ok: true, value: prView(pr) },
  };
  return afterInflight(next, lun.name, [{ type: 'persistMeta', meta: metaOf(next) }], [replyNow]);
}

/** Emits `now`, then `later` once the writes in flight on `lun` have completed (at once if none). */
function afterInflight(state: StorageState, lun: string, now: StorageEffect[], later: StorageEffect[]): Out {
  const waitFor = state.inflight.filter((w) => w.lun === lun).map((w) => w.reqId);
  if (waitFor.length === 0) return { state, effects: [...now, ...later] };
  return { state: { ...state, barriers: [...state.barriers, { waitFor, effects: later }] }, effects: now };
}

/** Persists the new metadata, then replies: a change is acknowledged only once it is on disk. */
function persisted(state: StorageState, reqId: number, value: ReplyValue): Out {
  return {
    state,
    effects: [
      { type: 'persistMeta', meta: metaOf(state) },
      { type: 'reply', reqId, outcome: { ok: true, value } },
    ],
  };
}

function reply(state: StorageState, reqId: number, value: ReplyValue): Out {
  return { state, effects: [{ type: 'reply', reqId, outcome: { ok: true, value } }] };
}

function fail(state: StorageState, reqId: number, code: ErrorCode, message: string): Out {
  return { state, effects: [{ type: 'reply', reqId, outcome: { ok: false, code, message } }] };
}

function withLun(state: StorageState, lun: LunRecord): StorageState {
  return { ...state, luns: { ...state.luns, [lun.name]: lun } };
}

function findLun(state: StorageState, name: string): LunRecord {
  return state.luns[name] ?? refuse('NOT_FOUND', `no LUN named "${name}" on the controller`);
}

/** True when the host is mapped to the LUN, or reaches it internally (the disk witness). */
function canAccess(state: StorageState, lun: LunRecord, host: string): boolean {
  return (
    lun.mappedTo.includes(host) || state.internalInitiators.some((i) => i.host === host && i.lun === lun.name)
  );
}

function accessibleLun(state: StorageState, name: string, initiator: Initiator | null): LunRecord {
  const lun = findLun(state, name);
  if (!initiator?.host || !initiator.port) {
    refuse('INVALID_ARGUMENT', `a command on LUN ${name} needs an initiator with a host and a port`);
  }
  if (!canAccess(state, lun, initiator.host)) {
    refuse('NOT_MAPPED', `LUN ${name} is not mapped to host ${initiator.host}`);
  }
  return lun;
}

function checkRange(state: StorageState, lun: LunRecord, offset: number, length: number): void {
  const bs = state.blockSize;
  if (!Number.isSafeInteger(offset) || offset % bs !== 0 || length <= 0 || length % bs !== 0) {
    refuse(
      'INVALID_ARGUMENT',
      `offset ${offset} and length ${length} must be whole ${bs}-byte blocks, at least one block`,
    );
  }
  if (length > IO_BYTES_MAX)
    refuse('INVALID_ARGUMENT', `length ${length} exceeds ${IO_BYTES_MAX} bytes a command`);
  if (offset + length > lun.sizeBytes) {
    refuse(
      'OUT_OF_RANGE',
      `bytes ${offset}..${offset + length} lie beyond LUN ${lun.name} (${lun.sizeBytes} bytes)`,
    );
  }
}

/** Keys are 8 bytes written as 16 hex digits (DOMAIN.md §2); dcbox keeps them upper-case. */
function checkKey(key: string, field: string): string {
  if (!/^[0-9A-Fa-f]{16}$/.test(key)) refuse('INVALID_ARGUMENT', `${field} "${key}" must be 16 hex digits`);
  return key.toUpperCase();
}

function requireRegistered(lun: LunRecord, id: string, key: string): void {
  const reg = lun.pr.registrations.find((r) => r.initiator === id);
  if (!reg) refuse('RESERVATION_CONFLICT', `${id} is not registered on LUN ${lun.name}`);
  if (reg.key !== key) {
    refuse('RESERVATION_CONFLICT', `${id} is registered on LUN ${lun.name} with key ${reg.key}, not ${key}`);
  }
}

function unique(hosts: string[]): string[] {
  return [...new Set(hosts)];
}
