/**
 * Multipath I/O as SDDDSM on top of Microsoft MPIO does it on a BladeCenter S blade: each LUN is
 * reached through one SAS path per RSSM (I/O bays 3 and 4). A pure core: it chooses the path of
 * every I/O, retries the same I/O on the next path when a path fails, probes paths periodically
 * and reclaims them, and registers the node's reservation key through every path.
 *
 * Choices where the real product is not documented (docs/domain.md §RSSM marks the RSSM's behaviour unverified):
 * - Path state is kept per LUN, as `datapath query device` shows it per device.
 * - When no healthy path is left, an I/O still tries each failed path once, in I/O-bay order,
 *   before it reports ALL_PATHS_DOWN (as MSDSM keeps retrying a disk whose paths are all gone
 *   during PDORemovePeriod); a success reclaims that path at once, so I/O resumes as soon as
 *   the storage returns rather than at the next verification.
 * - A write answered with RESERVATION_CONFLICT means this node was fenced (its key preempted):
 *   the LUN is then no longer re-registered automatically when a path is reclaimed, so MPIO
 *   never undoes the cluster's fencing. An explicit register command re-arms it.
 * - A registration stays at the storage through a path's failure (the device keeps its
 *   registrations; only a preempt removes them), so a reclaimed path registers only if it never
 *   registered or was down when the node last registered (a preempt may have removed it), and
 *   only after a READ KEYS through it shows the node's key still registered through another
 *   path; until then it carries no I/O while a registered path is up. A seeded campaign found the old rule (register on every reclaim) undoing
 *   a fence: a node whose paths flapped under packet loss put its preempted key back before its
 *   next write could find out it was fenced.
 *
 * The file is a little over the ~500 lines a file should hold: it is one decide function whose
 * path choice, failover, verification and registration all read and write the same in-flight
 * table and path states; split, each part would need the others' private steps.
 */
import type { Ctx, Decision, TimerEffect } from '../actor/actor.js';
import { ERROR_CODES, type ErrorCode } from '../actor/errors.js';

/** The multipath policy of a disk; "none" when MPIO is not installed (one disk per path). */
export type MpioPolicy = 'failover-only' | 'round-robin' | 'none';

/** A storage command as it goes down one path. Keys are 16 hex digits. */
export type StorageOp =
  | { kind: 'read'; offset: number; length: number }
  | { kind: 'write'; offset: number; data: Uint8Array }
  | { kind: 'register'; key: string }
  | { kind: 'reserve'; key: string }
  | { kind: 'release'; key: string }
  | { kind: 'preempt'; key: string; victimKey: string }
  | { kind: 'readKeys' };

/** The outcome of one command on one path, or of one I/O through MPIO (with the path that answered). */
export type IoResult =
  | { ok: true; data?: Uint8Array; prState?: unknown; path?: string }
  | { ok: false; code: ErrorCode; message: string; path?: string };

/** One path of one LUN. Whether it is Active or Standby follows from the policy (pathStateName). */
export interface PathState {
  /** The RSSM the path goes through. */
  host: string;
  ioBay: number;
  failed: boolean;
  ioCount: number;
  errors: number;
  lastError: string;
  /** Whether the node's key was registered through this path (kept by the storage until preempted). */
  registered: boolean;
}

/** The paths of one LUN, in I/O-bay order (the first is the preferred path). */
export interface LunPaths {
  lun: string;
  paths: PathState[];
  /** Where round-robin looks first next time. */
  rrNext: number;
  /** Whether MPIO keeps the node's key registered on this LUN (see the file comment). */
  registration: 'wanted' | 'fenced';
}

/** Why an I/O is in flight: a caller's I/O (fails over), or MPIO's own pinned commands. */
export type IoPurpose = 'client' | 'register' | 'probe' | 'recheck';

/** An I/O on its way down a path. */
export interface InFlight {
  lun: string;
  op: StorageOp;
  purpose: IoPurpose;
  /** Path hosts already tried for this I/O, the current one last. */
  tried: string[];
  /** A write's abandoned tasks its command carried on this path (cleared once it is acknowledged). */
  carried?: readonly string[];
}

/** The whole MPIO state of a node. */
export interface MpioState {
  policy: MpioPolicy;
  /** The node's persistent-reservation key. */
  nodeKey: string;
  luns: Record<string, LunPaths>;
  /** Copied on change (a Map: copying a record of I/O ids cost ~30 µs per I/O). */
  inflight: ReadonlyMap<string, InFlight>;
  /** Numbers MPIO's own I/Os (registrations, probes). */
  nextInternalId: number;
  verifyPeriodMs: number;
  /**
   * Write attempts that timed out (their outcome unknown) and were given up on: every write
   * carries them to the controller until one that did is acknowledged, so that an attempt still
   * on its way is refused when it arrives (storage-controller block-io.ts `abort`).
   */
  abandoned: readonly string[];
}

/** A write attempt's task as the controller reads it (storage-controller core/model.ts WriteTask). */
export interface WriteTask {
  id: string;
  abandoned: readonly string[];
}

/** How many abandoned write attempts MPIO carries at most (the oldest are dropped). */
export const ABANDONED_MAX = 128;

/** A write attempt's task id: the I/O's id and the attempt's number (1 for the first path). */
export function taskId(ioId: string, attempt: number): string {
  return `${ioId}#${attempt}`;
}

/** Messages the MPIO core decides. */
export type MpioMsg =
  | { type: 'start' }
  | { type: 'submit'; ioId: string; lun: string; op: StorageOp }
  | { type: 'pathDone'; ioId: string; path: string; result: IoResult }
  | { type: 'verify' };

/** Effects the adapter carries out: send a command down one path, answer a caller, log. */
export type MpioEffect =
  /** One command down one path; a caller's write carries its task (MpioState `abandoned`). */
  | { type: 'pathIo'; ioId: string; lun: string; path: string; op: StorageOp; task?: WriteTask }
  | { type: 'complete'; ioId: string; result: IoResult }
  | { type: 'log'; level: 'info' | 'warn'; msg: string; fields: Record<string, unknown> };

/** What decideMpio returns: the next state and the effects to carry out. */
export type MpioDecision = Decision<MpioState, MpioEffect | TimerEffect<MpioMsg>>;

/** Errors that make the path suspect; every other code is storage's definite answer. */
const SUSPECT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'UNAVAILABLE',
  'TIMEOUT',
  'IO_ERROR',
  'PATH_DOWN',
]);

/** True when an error code says the path, not the command, is at fault. */
export function isPathSuspect(code: ErrorCode): boolean {
  return SUSPECT.has(code);
}

/**
 * The node's reservation key: nodeId as 8 hex digits, then 4d534654 ("MSFT" in ASCII). Real
 * failover clusters put a Microsoft mask in the low 32 bits of every node's 8-byte key
 * (docs/domain.md §Persistent reservations); the real mask's value is not documented, so this is our stand-in.
 */
export function reservationKey(nodeId: number): string {
  if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId > 0xffffffff) {
    throw new Error(`nodeId ${nodeId} must be an integer in 0..4294967295 to form a reservation key`);
  }
  return nodeId.toString(16).padStart(8, '0') + '4d534654';
}

/** The initial state: every LUN with one healthy path per RSSM, sorted by I/O bay. */
export function initialMpio(opts: {
  policy: MpioPolicy;
  nodeKey: string;
  luns: string[];
  paths: { host: string; ioBay: number }[];
  verifyPeriodMs: number;
}): MpioState {
  if (opts.paths.length === 0) throw new Error('a node needs at least one storage path');
  const ordered = [...opts.paths].sort((a, b) => a.ioBay - b.ioBay);
  const luns: Record<string, LunPaths> = {};
  for (const lun of opts.luns) {
    luns[lun] = {
      lun,
      paths: ordered.map((p) => ({
        host: p.host,
        ioBay: p.ioBay,
        failed: false,
        ioCount: 0,
        errors: 0,
        lastError: '',
        registered: false,
      })),
      rrNext: 0,
      registration: 'wanted',
    };
  }
  return {
    policy: opts.policy,
    nodeKey: opts.nodeKey,
    luns,
    inflight: new Map(),
    nextInternalId: 1,
    verifyPeriodMs: opts.verifyPeriodMs,
    abandoned: [],
  };
}

/** What MPIO shows for a path: "Active", "Standby" or "Failed". */
export function pathStateName(
  state: MpioState,
  lun: LunPaths,
  index: number,
): 'Active' | 'Standby' | 'Failed' {
  const path = lun.paths[index];
  if (!path || path.failed) return 'Failed';
  if (state.policy === 'failover-only') {
    return lun.paths.findIndex((p) => !p.failed) === index ? 'Active' : 'Standby';
  }
  return 'Active';
}

/** The MPIO core: decide one message. */
export function decideMpio(state: MpioState, msg: MpioMsg, ctx: Ctx): MpioDecision {
  switch (msg.type) {
    case 'start':
      return start(state);
    case 'submit':
      return submit(state, msg.ioId, msg.lun, msg.op, ctx);
    case 'pathDone':
      return pathDone(state, msg.ioId, msg.path, msg.result);
    case 'verify':
      return verify(state);
  }
}

const VERIFY_TIMER = 'mpio-verify';

function verifyTimer(state: MpioState): TimerEffect<MpioMsg> {
  return { type: 'startTimer', id: VERIFY_TIMER, ms: state.verifyPeriodMs, msg: { type: 'verify' } };
}

/**
 * At start the DSM only arms path verification. It registers the node's key when the cluster asks
 * (an explicit register, through every path: docs/domain.md §Persistent reservations), which the
 * cluster does when the node forms or joins the cluster: a node that boots outside the cluster
 * must not put back a key that the cluster preempted to fence it (found by a seeded campaign: a
 * blade powered back on registered at boot, before it had rejoined).
 */
function start(state: MpioState): MpioDecision {
  return { state, effects: [verifyTimer(state)] };
}

function submit(state: MpioState, ioId: string, lunName: string, op: StorageOp, ctx: Ctx): MpioDecision {
  const lun = state.luns[lunName];
  if (!lun) {
    const result: IoResult = {
      ok: false,
      code: 'NOT_MAPPED',
      message: `LUN ${lunName} is not mapped to ${ctx.self}`,
    };
    return { state, effects: [{ type: 'complete', ioId, result }] };
  }
  if (state.inflight.has(ioId)) throw new Error(`I/O id ${ioId} is already in flight`);
  let s = state;
  const effects: MpioDecision['effects'] = [];
  if (op.kind === 'register') {
    // An explicit registration (by the cluster) re-arms automatic registration, and with MPIO
    // every path registers (docs/domain.md §Persistent reservations): the other paths register beside the caller's I/O.
    // A path that does not register now (it is down) may have lost its registration: the
    // cluster registers again after a preempt removed the key from every path. Marked
    // unregistered, it reads the keys and registers when it is reclaimed, before it carries I/O
    // (choosePath); otherwise its first write after the reclaim is refused and this node, back
    // in the cluster, takes itself for fenced (found on real processes: the leader of three
    // nodes, frozen then back, stopped its roles when its first path came back).
    s = withLun(s, lunName, (l) => ({
      ...l,
      registration: 'wanted',
      paths: l.paths.map((p) => (p.failed ? { ...p, registered: false } : p)),
    }));
    const chosen = choosePath(s, s.luns[lunName] as LunPaths, []);
    for (const p of lun.paths) {
      if (p.failed || p.host === chosen?.host) continue;
      const r = pinned(s, lunName, p.host, op, 'register');
      s = r.state;
      effects.push(...r.effects);
    }
  }
  const r = dispatch(s, ioId, { lun: lunName, op, purpose: 'client', tried: [] });
  return { state: r.state, effects: [...effects, ...r.effects] };
}

/** Sends an I/O down the next path for it, or completes it with ALL_PATHS_DOWN. */
function dispatch(state: MpioState, ioId: string, io: InFlight): MpioDecision {
  const lun = state.luns[io.lun] as LunPaths;
  const path = choosePath(state, lun, io.tried);
  if (!path) {
    const inflight = without(state.inflight, ioId);
    const detail = lun.paths.map((p) => `${p.host}: ${p.lastError || 'failed'}`).join('; ');
    const result: IoResult = {
      ok: false,
      code: 'ALL_PATHS_DOWN',
      message: `every path to LUN ${io.lun} failed (${detail})`,
    };
    return { state: { ...state, inflight }, effects: [{ type: 'complete', ioId, result }] };
  }
  let s = withPath(state, io.lun, path.host, (p) => ({ ...p, ioCount: p.ioCount + 1 }));
  if (state.policy === 'round-robin') {
    const index = lun.paths.findIndex((p) => p.host === path.host);
    s = withLun(s, io.lun, (l) => ({ ...l, rrNext: (index + 1) % l.paths.length }));
  }
  const tried = [...io.tried, path.host];
  if (io.op.kind !== 'write') {
    s = { ...s, inflight: withEntry(s.inflight, ioId, { ...io, tried }) };
    return { state: s, effects: [{ type: 'pathIo', ioId, lun: io.lun, path: path.host, op: io.op }] };
  }
  const task: WriteTask = { id: taskId(ioId, tried.length), abandoned: s.abandoned };
  s = { ...s, inflight: withEntry(s.inflight, ioId, { ...io, tried, carried: s.abandoned }) };
  return { state: s, effects: [{ type: 'pathIo', ioId, lun: io.lun, path: path.host, op: io.op, task }] };
}

/**
 * The path for an I/O that has already tried `tried`: failover-only takes the first healthy path
 * in I/O-bay order (the preferred path while it works), round-robin the next healthy path after
 * the last one used; "none" only ever uses the first disk's path. With no healthy path left,
 * the failed ones are tried in bay order (see the file comment).
 */
export function choosePath(state: MpioState, lun: LunPaths, tried: readonly string[]): PathState | undefined {
  const untried = lun.paths.filter((p) => !tried.includes(p.host));
  if (state.policy === 'none') {
    const first = lun.paths[0];
    return first && !tried.includes(first.host) ? first : undefined;
  }
  // A healthy path that has not registered yet while the node wants its key registered is used
  // only when no registered one is left: a write down it would be refused as if fenced.
  const up = untried.filter((p) => !p.failed);
  const ready = up.filter((p) => p.registered || lun.registration !== 'wanted');
  const healthy = ready.length > 0 ? ready : up;
  if (healthy.length > 0 && state.policy === 'round-robin') {
    for (let i = 0; i < lun.paths.length; i++) {
      const p = lun.paths[(lun.rrNext + i) % lun.paths.length] as PathState;
      if (healthy.includes(p)) return p;
    }
  }
  return healthy[0] ?? untried[0];
}

/**
 * Storage answered with a refusal: the command failed, the path works, so there is no
 * failover. A write refused with RESERVATION CONFLICT while registered means this node is fenced.
 */
function refused(
  state: MpioState,
  ioId: string,
  io: InFlight,
  pathHost: string,
  result: Extract<IoResult, { ok: false }>,
  effects: MpioDecision['effects'],
): MpioDecision {
  let s = state;
  if (
    result.code === 'RESERVATION_CONFLICT' &&
    io.op.kind === 'write' &&
    s.luns[io.lun]?.registration === 'wanted'
  ) {
    s = withLun(s, io.lun, (l) => ({ ...l, registration: 'fenced' }));
    effects.push({
      type: 'log',
      level: 'warn',
      msg: 'write refused with RESERVATION CONFLICT: this node is fenced from the LUN',
      fields: { lun: io.lun, path: pathHost },
    });
  }
  if (io.purpose === 'client')
    effects.push({ type: 'complete', ioId, result: { ...result, path: pathHost } });
  else if (io.purpose === 'register') {
    effects.push({
      type: 'log',
      level: 'warn',
      msg: 'reservation key registration refused',
      fields: { lun: io.lun, path: pathHost, code: result.code, error: result.message },
    });
  }
  return { state: s, effects };
}

function pathDone(state: MpioState, ioId: string, pathHost: string, result: IoResult): MpioDecision {
  const io = state.inflight.get(ioId);
  if (!io) return { state, effects: [] };
  let s: MpioState = { ...state, inflight: without(state.inflight, ioId) };
  const effects: MpioDecision['effects'] = [];
  const path = s.luns[io.lun]?.paths.find((p) => p.host === pathHost);
  if (!path) throw new Error(`I/O ${ioId} came back from unknown path ${pathHost} of LUN ${io.lun}`);

  if (result.ok) {
    if (io.carried?.length) s = { ...s, abandoned: s.abandoned.filter((id) => !io.carried?.includes(id)) };
    if (io.op.kind === 'register') s = withPath(s, io.lun, pathHost, (p) => ({ ...p, registered: true }));
    if (io.purpose === 'recheck') {
      const r = afterRecheck(s, io.lun, pathHost, result.prState);
      s = r.state;
      effects.push(...r.effects);
    }
    if (path.failed) {
      const r = reclaim(s, io.lun, pathHost);
      s = r.state;
      effects.push(...r.effects);
    }
    if (io.purpose === 'client')
      effects.push({ type: 'complete', ioId, result: { ...result, path: pathHost } });
    return { state: s, effects };
  }

  if (!isPathSuspect(result.code)) return refused(s, ioId, io, pathHost, result, effects);
  if (io.op.kind === 'write' && io.purpose === 'client' && !ERROR_CODES[result.code].definite) {
    const abandoned = [...s.abandoned, taskId(ioId, io.tried.length)].slice(-ABANDONED_MAX);
    s = { ...s, abandoned };
  }

  const wasHealthy = !path.failed;
  s = withPath(s, io.lun, pathHost, (p) => ({
    ...p,
    failed: true,
    errors: p.errors + 1,
    lastError: `${result.code}: ${result.message}`,
  }));
  if (wasHealthy) {
    effects.push({
      type: 'log',
      level: 'warn',
      msg: 'path failed',
      fields: { lun: io.lun, path: pathHost, code: result.code, error: result.message },
    });
  }
  if (io.purpose !== 'client') return { state: s, effects };
  if (s.policy === 'none') {
    // Without MPIO the disk is this one path: its failure is the I/O's failure.
    effects.push({ type: 'complete', ioId, result: { ...result, path: pathHost } });
    return { state: s, effects };
  }
  const r = dispatch(s, ioId, io);
  return { state: r.state, effects: [...effects, ...r.effects] };
}

/**
 * Path verification: SDDDSM probes paths every PathVerificationPeriod (60 s by default,
 * docs/domain.md §SDDDSM). Every path is probed with a read of the reservation keys, so a dead standby
 * path shows as Failed before I/O needs it, and a failed path that answers is reclaimed.
 */
function verify(state: MpioState): MpioDecision {
  let s = state;
  const effects: MpioDecision['effects'] = [];
  const probing = new Set(
    [...state.inflight.values()]
      .filter((io) => io.purpose === 'probe')
      .map((io) => `${io.lun}\u0000${io.tried[0]}`),
  );
  for (const lun of Object.values(state.luns)) {
    for (const path of lun.paths) {
      if (probing.has(`${lun.lun}\u0000${path.host}`)) continue;
      const r = pinned(s, lun.lun, path.host, { kind: 'readKeys' }, 'probe');
      s = r.state;
      effects.push(...r.effects);
    }
  }
  effects.push(verifyTimer(s));
  return { state: s, effects };
}

/**
 * A failed path answered: it is healthy again. On every LUN where it never registered, it reads
 * the keys first (afterRecheck registers it if the node's key is still there).
 */
function reclaim(state: MpioState, lunName: string, pathHost: string): MpioDecision {
  let s = withPath(state, lunName, pathHost, (p) => ({ ...p, failed: false }));
  const effects: MpioDecision['effects'] = [
    { type: 'log', level: 'info', msg: 'path reclaimed', fields: { lun: lunName, path: pathHost } },
  ];
  for (const lun of Object.values(s.luns)) {
    if (lun.registration !== 'wanted') continue;
    if (lun.paths.find((p) => p.host === pathHost)?.registered !== false) continue;
    const r = pinned(s, lun.lun, pathHost, { kind: 'readKeys' }, 'recheck');
    s = r.state;
    effects.push(...r.effects);
  }
  return { state: s, effects };
}

/**
 * The keys a reclaimed path read: register through it while the node's key is still registered
 * through another path; a key that is gone was preempted, so the LUN is fenced and stays so.
 */
function afterRecheck(state: MpioState, lun: string, pathHost: string, prState: unknown): MpioDecision {
  if (state.luns[lun]?.registration !== 'wanted') return { state, effects: [] };
  const regs = (prState as { registrations?: { key: string }[] } | undefined)?.registrations ?? [];
  if (regs.some((r) => r.key.toLowerCase() === state.nodeKey.toLowerCase()))
    return pinned(state, lun, pathHost, { kind: 'register', key: state.nodeKey }, 'register');
  return {
    state: withLun(state, lun, (l) => ({ ...l, registration: 'fenced' })),
    effects: [
      {
        type: 'log',
        level: 'warn',
        msg: "the node's key is no longer registered: this node is fenced from the LUN",
        fields: { lun, path: pathHost },
      },
    ],
  };
}

/** An I/O of MPIO's own that goes down one given path and never fails over. */
function pinned(
  state: MpioState,
  lun: string,
  pathHost: string,
  op: StorageOp,
  purpose: IoPurpose,
): MpioDecision {
  const ioId = `${purpose}-${state.nextInternalId}`;
  const s: MpioState = {
    ...state,
    nextInternalId: state.nextInternalId + 1,
    inflight: withEntry(state.inflight, ioId, { lun, op, purpose, tried: [pathHost] }),
  };
  return { state: s, effects: [{ type: 'pathIo', ioId, lun, path: pathHost, op }] };
}

/** A copy of the map with one entry set. */
export function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V): ReadonlyMap<string, V> {
  const next = new Map(map);
  next.set(key, value);
  return next;
}

/** A copy of the map without one entry. */
export function without<V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  const next = new Map(map);
  next.delete(key);
  return next;
}

function withLun(state: MpioState, lun: string, fn: (l: LunPaths) => LunPaths): MpioState {
  const current = state.luns[lun];
  if (!current) return state;
  return { ...state, luns: { ...state.luns, [lun]: fn(current) } };
}

function withPath(state: MpioState, lun: string, host: string, fn: (p: PathState) => PathState): MpioState {
  return withLun(state, lun, (l) => ({ ...l, paths: l.paths.map((p) => (p.host === host ? fn(p) : p)) }));
}

/** One disk as Disk Management and `datapath query device` show it. */
export interface DiskViewData {
  device: string;
  lun: string;
  size_bytes: number;
  policy: MpioPolicy;
  serial: string;
  paths: {
    name: string;
    io_bay: number;
    state: string;
    io_count: number;
    errors: number;
    last_error: string;
  }[];
}

/**
 * The disks the node sees. With MPIO each LUN is one disk with all its paths; without it every
 * path shows its own disk, so each LUN appears once per RSSM ("Disk 1", "Disk 2", ...), as the
 * tutorial saw before SDDDSM was installed.
 */
export function disksView(
  state: MpioState,
  info: Record<string, { sizeBytes: number; serial: string }>,
): DiskViewData[] {
  const disks: DiskViewData[] = [];
  for (const lun of Object.values(state.luns)) {
    const paths = lun.paths.map((p, i) => ({
      name: p.host,
      io_bay: p.ioBay,
      state: pathStateName(state, lun, i),
      io_count: p.ioCount,
      errors: p.errors,
      last_error: p.lastError,
    }));
    const groups = state.policy === 'none' ? paths.map((p) => [p]) : [paths];
    for (const group of groups) {
      disks.push({
        device: `Disk ${disks.length + 1}`,
        lun: lun.lun,
        size_bytes: info[lun.lun]?.sizeBytes ?? 0,
        policy: state.policy,
        serial: info[lun.lun]?.serial ?? '',
        paths: group,
      });
    }
  }
  return disks;
}
