/**
 * The storage controller core's model: its state, messages and effects (the protocol between
 * the core and its adapters, read these first), and the small pure helpers every part of the
 * core decides with (refusals, replies, LUN lookup and access checks).
 */
import type { Decision, TimerEffect } from '../../actor/actor.js';
import type { ErrorCode } from '../../actor/errors.js';

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

/**
 * The task a write belongs to, as the initiator names it: `id` is unique to one attempt of one
 * I/O of one run of the initiator; `abandoned` lists the initiator's earlier write attempts whose
 * outcome it never learnt (timed out) and has given up on (block-io.ts `abort`).
 */
export interface WriteTask {
  id: string;
  abandoned: readonly string[];
}

/** How many abandoned write tasks the controller remembers (a FIFO; block-io.ts `abort`). */
export const ABORTED_TASKS_MAX = 4096;

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
  /** Write tasks their initiator abandoned, by id: refused if they arrive (block-io.ts `abort`). */
  aborted: Record<string, true>;
  /** The ids in `aborted`, oldest first, at most ABORTED_TASKS_MAX. */
  abortedOrder: string[];
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
      task?: WriteTask;
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
export class Refusal {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
  ) {}
}

/** Refuses the request being decided: decideStorage turns this into a failed reply. */
export function refuse(code: ErrorCode, message: string): never {
  throw new Refusal(code, message);
}

/** What the metadata file must hold for this state. */
export function metaOf(state: StorageState): Meta {
  return { version: 1, nextSerial: state.nextSerial, luns: Object.values(state.luns) };
}

/** The I_T nexus id a registration is recorded under: `${host}/${port}` (docs/domain.md §Persistent reservations). */
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

/** Emits `now`, then `later` once the writes in flight on `lun` have completed (at once if none). */
export function afterInflight(
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
export function persisted(state: StorageState, reqId: number, value: ReplyValue): StorageDecision {
  return {
    state,
    effects: [
      { type: 'persistMeta', meta: metaOf(state) },
      { type: 'reply', reqId, outcome: { ok: true, value } },
    ],
  };
}

/** Answers a request with a value. */
export function reply(state: StorageState, reqId: number, value: ReplyValue): StorageDecision {
  return { state, effects: [{ type: 'reply', reqId, outcome: { ok: true, value } }] };
}

/** Answers a request with a definite error. */
export function fail(state: StorageState, reqId: number, code: ErrorCode, message: string): StorageDecision {
  return { state, effects: [{ type: 'reply', reqId, outcome: { ok: false, code, message } }] };
}

/** The state with this LUN record replaced. */
export function withLun(state: StorageState, lun: LunRecord): StorageState {
  return { ...state, luns: { ...state.luns, [lun.name]: lun } };
}

/** The LUN of this name, or NOT_FOUND. */
export function findLun(state: StorageState, name: string): LunRecord {
  return state.luns[name] ?? refuse('NOT_FOUND', `no LUN named "${name}" on the controller`);
}

/** True when the host is mapped to the LUN, or reaches it internally (the disk witness). */
export function canAccess(state: StorageState, lun: LunRecord, host: string): boolean {
  return (
    lun.mappedTo.includes(host) || state.internalInitiators.some((i) => i.host === host && i.lun === lun.name)
  );
}

/** The LUN of this name when the initiator's host may reach it, else NOT_FOUND, INVALID_ARGUMENT or NOT_MAPPED. */
export function accessibleLun(state: StorageState, name: string, initiator: Initiator | null): LunRecord {
  const lun = findLun(state, name);
  if (!initiator?.host || !initiator.port) {
    refuse('INVALID_ARGUMENT', `a command on LUN ${name} needs an initiator with a host and a port`);
  }
  if (!canAccess(state, lun, initiator.host)) {
    refuse('NOT_MAPPED', `LUN ${name} is not mapped to host ${initiator.host}`);
  }
  return lun;
}

/** The hosts without duplicates, in first-seen order. */
export function unique(hosts: string[]): string[] {
  return [...new Set(hosts)];
}
