/**
 * The storage controller's pure core: the LUN table, mappings and SCSI-3 persistent
 * reservations, and the rules every block command is checked against. It never touches a file:
 * it asks for `writeBlocks`, `readBlocks`, `persistMeta`… as effects, and hears back through
 * `writeDone` / `readDone` messages. Every request carries a reqId and ends in exactly one
 * `reply` effect, which may be deferred (a preempt waits for the writes accepted before it).
 * Chaos faults (slow I/O, media errors) are part of the state too, so whether a command fails
 * is drawn from ctx.random and a fault's lease ends on ctx.now, reproducibly from the seed.
 */
import type { Ctx, Decision, TimerEffect } from '../actor/actor.js';
import type { ErrorCode } from '../actor/errors.js';

/** The only reservation type dcbox grants: what Windows failover clusters use (DOMAIN.md §2). */
export const RESERVATION_TYPE = 'WRITE_EXCLUSIVE_REGISTRANTS_ONLY';

/** Largest single read or write, so one command never outgrows a gRPC message (64 MiB). */
export const IO_BYTES_MAX = 16 * 1024 * 1024;

/** Writes accepted but not yet durable, across all LUNs; more is OVERLOADED, not queued forever. */
export const INFLIGHT_WRITES_MAX = 4096;

/** Longest delay a slow-I/O fault may add: beyond a minute every command would time out anyway. */
export const FAULT_DELAY_MAX_MS = 60_000;

/** How long a fault lasts when the request names no duration. */
export const FAULT_DURATION_DEFAULT_MS = 60_000;

/** The longest lease a fault may hold; a longer request is cut to this. */
export const FAULT_DURATION_MAX_MS = 10 * 60_000;

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

/**
 * A chaos fault on one LUN: a lease that ends at expiresAtMs. Kept in memory only (never in
 * the metadata file), so a controller restart clears it.
 */
export interface LunFault {
  kind: 'slow' | 'errors';
  /** slow: added to every data read and write. */
  delayMs: number;
  /** errors: the chance that one data read or write fails. */
  errorRate: number;
  expiresAtMs: number;
  /** Data commands delayed or failed by this fault so far. */
  affectedIos: number;
}

/** The core's whole state: plain data. */
export interface StorageState {
  blockSize: number;
  internalInitiators: { host: string; lun: string }[];
  nextSerial: number;
  luns: Record<string, LunRecord>;
  inflight: InflightWrite[];
  barriers: Barrier[];
  faults: Record<string, LunFault>;
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

/** A LUN's fault as the Storage API shows it (proto LunFaultState). */
export interface LunFaultView {
  lun: string;
  kind: 'slow' | 'errors' | 'none';
  delay_ms: number;
  error_rate: number;
  expires_at_ms: number;
  affected_ios: number;
}

/** What a successful request returns. */
export type ReplyValue =
  | LunView
  | { luns: LunView[] }
  | { data: Uint8Array }
  | { written: number }
  | PrView
  | LunFaultView
  | { faults: LunFaultView[] }
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
  | { type: 'prReadKeys'; reqId: number; lun: string; initiator: Initiator | null }
  | {
      type: 'injectFault';
      reqId: number;
      lun: string;
      kind: string;
      delayMs: number;
      errorRate: number;
      durationMs: number;
    }
  | { type: 'listFaults'; reqId: number }
  /** A fault's lease ran out (its timer); ignored if the LUN's fault was replaced since. */
  | { type: 'faultExpired'; lun: string; expiresAtMs: number };

/**
 * Effects the store and the gRPC adapter carry out, in order. A `delayMs` on a read or write
 * (a slow-I/O fault) means: start it that much later; a write is still acknowledged only once
 * it is durable.
 */
export type StorageEffect =
  | { type: 'createLunFile'; name: string; sizeBytes: number }
  | { type: 'removeLunFile'; name: string }
  | { type: 'persistMeta'; meta: Meta }
  | { type: 'writeBlocks'; reqId: number; lun: string; offset: number; data: Uint8Array; delayMs?: number }
  | { type: 'readBlocks'; reqId: number; lun: string; offset: number; length: number; delayMs?: number }
  | { type: 'reply'; reqId: number; outcome: Outcome };

/** What decideStorage returns: the next state and the effects (timers included) to carry out. */
export type StorageDecision = Decision<StorageState, StorageEffect | TimerEffect<StorageMsg>>;

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
    faults: {},
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

/** The API view of a LUN's fault; `null` shows a healthy LUN as kind "none". */
export function faultView(lun: string, fault: LunFault | null): LunFaultView {
  if (!fault) return { lun, kind: 'none', delay_ms: 0, error_rate: 0, expires_at_ms: 0, affected_ios: 0 };
  return {
    lun,
    kind: fault.kind,
    delay_ms: fault.delayMs,
    error_rate: fault.errorRate,
    expires_at_ms: fault.expiresAtMs,
    affected_ios: fault.affectedIos,
  };
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
    case 'read': {
      const lun = accessibleLun(state, msg.lun, msg.initiator);
      checkRange(state, lun, msg.offset, msg.length);
      // Reads are always allowed under Write Exclusive – Registrants Only (DOMAIN.md §2).
      const hit = underFault(state, lun.name, ctx);
      if (hit.failed) {
        return fail(
          hit.state,
          msg.reqId,
          'MEDIUM_ERROR',
          `injected media error reading LUN ${lun.name} at byte ${msg.offset}; nothing was read`,
        );
      }
      const effect: StorageEffect = {
        type: 'readBlocks',
        reqId: msg.reqId,
        lun: lun.name,
        offset: msg.offset,
        length: msg.length,
        ...(hit.delayMs > 0 ? { delayMs: hit.delayMs } : {}),
      };
      return { state: hit.state, effects: [effect] };
    }
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
    case 'prReadKeys': {
      const lun = accessibleLun(state, msg.lun, msg.initiator);
      return reply(state, msg.reqId, prView(lun.pr));
    }
    case 'injectFault':
      return injectFault(state, msg, ctx);
    case 'listFaults': {
      const faults = Object.keys(state.faults)
        .sort()
        .flatMap((name) => {
          const f = activeFault(state, name, ctx.now);
          return f ? [faultView(name, f)] : [];
        });
      return reply(state, msg.reqId, { faults });
    }
  }
}

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

function write(state: StorageState, msg: Extract<StorageMsg, { type: 'write' }>, ctx: Ctx): StorageDecision {
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
  const hit = underFault(state, lun.name, ctx);
  if (hit.failed) {
    // A media error is a definite failure: the data never reaches the LUN file.
    return fail(
      hit.state,
      msg.reqId,
      'MEDIUM_ERROR',
      `injected media error writing LUN ${lun.name} at byte ${msg.offset}; nothing was written`,
    );
  }
  // A delayed write is in flight from now on, so a preempt's barrier waits for it too.
  return {
    state: {
      ...hit.state,
      inflight: [...state.inflight, { reqId: msg.reqId, lun: lun.name, bytes: msg.data.length }],
    },
    effects: [
      {
        type: 'writeBlocks',
        reqId: msg.reqId,
        lun: lun.name,
        offset: msg.offset,
        data: msg.data,
        ...(hit.delayMs > 0 ? { delayMs: hit.delayMs } : {}),
      },
    ],
  };
}

function injectFault(
  state: StorageState,
  msg: Extract<StorageMsg, { type: 'injectFault' }>,
  ctx: Ctx,
): StorageDecision {
  const lun = findLun(state, msg.lun);
  const timerId = faultTimerId(lun.name);
  if (msg.kind === 'none') {
    const { [lun.name]: _lifted, ...faults } = state.faults;
    return {
      state: { ...state, faults },
      effects: [
        { type: 'cancelTimer', id: timerId },
        { type: 'reply', reqId: msg.reqId, outcome: { ok: true, value: faultView(lun.name, null) } },
      ],
    };
  }
  if (msg.kind !== 'slow' && msg.kind !== 'errors') {
    refuse('INVALID_ARGUMENT', `fault kind "${msg.kind}" must be "slow", "errors" or "none"`);
  }
  if (
    msg.kind === 'slow' &&
    !(Number.isInteger(msg.delayMs) && msg.delayMs >= 1 && msg.delayMs <= FAULT_DELAY_MAX_MS)
  ) {
    refuse(
      'INVALID_ARGUMENT',
      `a slow fault needs delay_ms from 1 to ${FAULT_DELAY_MAX_MS}, not ${msg.delayMs}`,
    );
  }
  if (msg.kind === 'errors' && !(msg.errorRate > 0 && msg.errorRate <= 1)) {
    refuse('INVALID_ARGUMENT', `an errors fault needs error_rate in (0, 1], not ${msg.errorRate}`);
  }
  if (!Number.isInteger(msg.durationMs) || msg.durationMs < 0) {
    refuse('INVALID_ARGUMENT', `duration_ms must be a whole number of milliseconds, not ${msg.durationMs}`);
  }
  // Every fault is a lease: it ends by itself even if whoever injected it is gone.
  const durationMs =
    msg.durationMs === 0 ? FAULT_DURATION_DEFAULT_MS : Math.min(msg.durationMs, FAULT_DURATION_MAX_MS);
  const fault: LunFault = {
    kind: msg.kind,
    delayMs: msg.kind === 'slow' ? msg.delayMs : 0,
    errorRate: msg.kind === 'errors' ? msg.errorRate : 0,
    expiresAtMs: ctx.now + durationMs,
    affectedIos: 0,
  };
  // A new fault on a LUN replaces the one it had; starting its timer replaces the old timer.
  return {
    state: { ...state, faults: { ...state.faults, [lun.name]: fault } },
    effects: [
      {
        type: 'startTimer',
        id: timerId,
        ms: durationMs,
        msg: { type: 'faultExpired', lun: lun.name, expiresAtMs: fault.expiresAtMs },
      },
      { type: 'reply', reqId: msg.reqId, outcome: { ok: true, value: faultView(lun.name, fault) } },
    ],
  };
}

function faultExpired(state: StorageState, lun: string, expiresAtMs: number): StorageDecision {
  if (state.faults[lun]?.expiresAtMs !== expiresAtMs) return { state, effects: [] };
  const { [lun]: _lifted, ...faults } = state.faults;
  return { state: { ...state, faults }, effects: [] };
}

/** The fault in force on a LUN now; a lease past its end counts as lifted even before its timer. */
function activeFault(state: StorageState, lun: string, now: number): LunFault | undefined {
  const f = state.faults[lun];
  return f && now < f.expiresAtMs ? f : undefined;
}

/**
 * What the LUN's fault does to one data read or write: for an errors fault, one draw from the
 * seeded random decides whether it fails; a slow fault delays it. Counts the commands it hit.
 */
function underFault(
  state: StorageState,
  lun: string,
  ctx: Ctx,
): { state: StorageState; failed: boolean; delayMs: number } {
  const f = activeFault(state, lun, ctx.now);
  if (!f) return { state, failed: false, delayMs: 0 };
  const failed = f.kind === 'errors' && ctx.random.next() < f.errorRate;
  const delayMs = f.kind === 'slow' ? f.delayMs : 0;
  if (!failed && delayMs === 0) return { state, failed, delayMs };
  const hit: LunFault = { ...f, affectedIos: f.affectedIos + 1 };
  return { state: { ...state, faults: { ...state.faults, [lun]: hit } }, failed, delayMs };
}

function faultTimerId(lun: string): string {
  return `fault:${lun}`;
}

function writeDone(state: StorageState, reqIds: number[], error: string | undefined): StorageDecision {
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

function prRegister(state: StorageState, msg: Extract<StorageMsg, { type: 'prRegister' }>): StorageDecision {
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

function prReserve(state: StorageState, msg: Extract<StorageMsg, { type: 'prReserve' }>): StorageDecision {
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

function prRelease(state: StorageState, msg: Extract<StorageMsg, { type: 'prRelease' }>): StorageDecision {
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

function prPreempt(state: StorageState, msg: Extract<StorageMsg, { type: 'prPreempt' }>): StorageDecision {
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
function afterInflight(
  state: StorageState,
  lun: string,
  now: StorageEffect[],
  later: StorageEffect[],
): StorageDecision {
  const waitFor = state.inflight.filter((w) => w.lun === lun).map((w) => w.reqId);
  if (waitFor.length === 0) return { state, effects: [...now, ...later] };
  return { state: { ...state, barriers: [...state.barriers, { waitFor, effects: later }] }, effects: now };
}

/** Persists the new metadata, then replies: a change is acknowledged only once it is on disk. */
function persisted(state: StorageState, reqId: number, value: ReplyValue): StorageDecision {
  return {
    state,
    effects: [
      { type: 'persistMeta', meta: metaOf(state) },
      { type: 'reply', reqId, outcome: { ok: true, value } },
    ],
  };
}

function reply(state: StorageState, reqId: number, value: ReplyValue): StorageDecision {
  return { state, effects: [{ type: 'reply', reqId, outcome: { ok: true, value } }] };
}

function fail(state: StorageState, reqId: number, code: ErrorCode, message: string): StorageDecision {
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
