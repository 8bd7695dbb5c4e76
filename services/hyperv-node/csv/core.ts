/**
 * The I/O core of one CSV on one node, pure: where each block I/O goes (this node's MPIO, or the
 * coordinator over the network), the volume's state as the node sees it, and the I/O held while
 * coordination moves.
 *
 * Real behaviour it follows (docs/domain.md §Cluster Shared Volumes):
 * - Direct Access: every node reads and writes the LUN through its own paths.
 * - A node that loses its own storage paths switches to Redirected Access for that CSV: its I/O
 *   goes to the coordinator, which performs it through its own paths.
 * - Coordinator failure: I/O is paused while another node takes over as coordinator, then resumed (the 2008 R2
 *   timings are UNVERIFIED; this is the model docs/domain.md §Cluster Shared Volumes describes).
 * Choices of ours:
 * - While Redirected, the node probes its paths (a reservation-key read through MPIO) every
 *   probePeriodMs, and any I/O of its own that succeeds through MPIO also proves a path is back;
 *   either returns the volume to Direct.
 * - The coordinator has no one to redirect to: its I/O still goes to its MPIO, which tries every
 *   failed path once and answers ALL_PATHS_DOWN (indefinite) until one returns.
 * - Persistent-reservation commands always go to this node's own MPIO: a reservation belongs to
 *   the initiator that sends it, so redirecting one would register the coordinator's key.
 * - A redirected I/O that the network lost (no coordinator answered) is sent again, up to
 *   REDIRECT_ATTEMPTS_MAX times, after any pause: block writes are idempotent, and this is what
 *   lets a VM's I/O ride through a coordinator takeover with no error.
 */
import type { Ctx, Decision, TimerEffect } from '../../actor/actor.js';
import type { IoResult, StorageOp } from '../mpio.js';

/** The CSV states of docs/domain.md §Cluster Shared Volumes as one node sees the volume (Maintenance is not modelled). */
export type CsvMode = 'Direct' | 'Redirected' | 'Paused' | 'Offline';

/** How many times a redirected I/O lost by the network is sent (the first time included). */
export const REDIRECT_ATTEMPTS_MAX = 5;
/** How many I/Os may wait while the volume is paused before new ones are refused. */
export const PAUSED_IOS_MAX = 1024;

/** An I/O the core knows about: where it is now, and how many redirects it has used. */
export interface PendingIo {
  op: StorageOp;
  route: 'queued' | 'direct' | 'redirect';
  redirects: number;
  /** Issued before the volume last went offline: it ends with its answer, never sent again. */
  orphaned?: boolean;
}

/** The core's state. */
export interface CsvState {
  volume: string;
  lun: string;
  /** This node. */
  self: string;
  /** The coordinator node, or null while coordination moves. */
  coordinator: string | null;
  /** Whether this node's own paths serve the volume. */
  access: 'Direct' | 'Redirected';
  paused: boolean;
  online: boolean;
  probePeriodMs: number;
  /** A path probe in flight. */
  probing: boolean;
  /** Copied on change (a Map: copying a record of I/O ids cost ~30 µs per I/O). */
  ios: ReadonlyMap<string, PendingIo>;
  /** I/Os waiting for resume, oldest first. */
  queue: string[];
}

/** Why the mode changed, kept in the mode-change event. */
export interface CsvModeChange {
  volume: string;
  node: string;
  from: CsvMode;
  to: CsvMode;
  reason: string;
  atMs: number;
}

/** Messages the core decides. */
export type CsvMsg =
  | { type: 'io'; ioId: string; lun: string; op: StorageOp }
  /** `lost` is true when a redirected I/O never reached a coordinator (no responder): it surely did not happen. */
  | { type: 'ioDone'; ioId: string; result: IoResult; lost?: boolean }
  | { type: 'setCoordinator'; node: string | null }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'setOnline'; online: boolean }
  | { type: 'probe' }
  | { type: 'probeDone'; ok: boolean; detail: string };

/** Effects the adapter carries out. */
export type CsvEffect =
  /** Send the I/O down this node's MPIO; answer with ioDone. */
  | { type: 'direct'; ioId: string; lun: string; op: StorageOp }
  /** Send the I/O to the coordinator; answer with ioDone (lost when no coordinator answered). */
  | { type: 'redirect'; ioId: string; lun: string; op: StorageOp }
  /** Answer the caller of io(). */
  | { type: 'complete'; ioId: string; result: IoResult }
  /** Probe this node's paths; answer with probeDone. */
  | { type: 'probe'; lun: string }
  /** This node became the coordinator: load the table from the LUN, then serve. */
  | { type: 'serve' }
  /** This node is no longer the coordinator: stop serving. */
  | { type: 'unserve' }
  | { type: 'modeChanged'; change: CsvModeChange };

/** What decideCsv returns: the next state and the effects to carry out. */
export type CsvDecision = Decision<CsvState, CsvEffect | TimerEffect<CsvMsg>>;

const PROBE_TIMER = 'csv-probe';

/** The initial state: online, Direct, no coordinator known yet. */
export function initialCsv(opts: {
  volume: string;
  lun: string;
  self: string;
  probePeriodMs: number;
}): CsvState {
  return {
    volume: opts.volume,
    lun: opts.lun,
    self: opts.self,
    coordinator: null,
    access: 'Direct',
    paused: false,
    online: true,
    probePeriodMs: opts.probePeriodMs,
    probing: false,
    ios: new Map(),
    queue: [],
  };
}

/** The mode the node shows for the volume. */
export function modeOf(state: CsvState): CsvMode {
  if (!state.online) return 'Offline';
  if (state.paused) return 'Paused';
  return state.access;
}

/** The CSV core: decides one message, and reports a mode change as an effect. */
export function decideCsv(state: CsvState, msg: CsvMsg, ctx: Ctx): CsvDecision {
  const before = modeOf(state);
  const out = step(state, msg);
  const after = modeOf(out.state);
  if (after !== before) {
    out.effects.push({
      type: 'modeChanged',
      change: {
        volume: state.volume,
        node: state.self,
        from: before,
        to: after,
        reason: reasonOf(msg, out.state),
        atMs: ctx.now,
      },
    });
  }
  return out;
}

function reasonOf(msg: CsvMsg, state: CsvState): string {
  switch (msg.type) {
    case 'ioDone':
      return state.access === 'Redirected'
        ? `all paths to ${state.lun} failed: ${msg.result.ok ? '' : msg.result.message}`
        : `an I/O through this node's paths to ${state.lun} succeeded`;
    case 'probeDone':
      return `path probe of ${state.lun} succeeded: ${msg.detail}`;
    case 'pause':
      return 'paused for a coordinator change';
    case 'resume':
      return 'resumed';
    case 'setOnline':
      return msg.online ? 'brought online' : 'taken offline';
    default:
      return msg.type;
  }
}

function step(state: CsvState, msg: CsvMsg): CsvDecision {
  switch (msg.type) {
    case 'io':
      return submit(state, msg.ioId, msg.lun, msg.op);
    case 'ioDone':
      return ioDone(state, msg.ioId, msg.result, msg.lost ?? false);
    case 'setCoordinator':
      return setCoordinator(state, msg.node);
    case 'pause':
      return { state: { ...state, paused: true }, effects: [] };
    case 'resume':
      return resume(state);
    case 'setOnline':
      return setOnline(state, msg.online);
    case 'probe':
      if (state.access !== 'Redirected' || state.probing || !state.online) return { state, effects: [] };
      return { state: { ...state, probing: true }, effects: [{ type: 'probe', lun: state.lun }] };
    case 'probeDone': {
      const s = { ...state, probing: false };
      if (s.access !== 'Redirected') return { state: s, effects: [] };
      if (msg.ok) return toDirect(s);
      return { state: s, effects: [probeTimer(s)] };
    }
  }
}

function probeTimer(state: CsvState): TimerEffect<CsvMsg> {
  return { type: 'startTimer', id: PROBE_TIMER, ms: state.probePeriodMs, msg: { type: 'probe' } };
}

function isReservationOp(op: StorageOp): boolean {
  return op.kind !== 'read' && op.kind !== 'write';
}

function submit(state: CsvState, ioId: string, lun: string, op: StorageOp): CsvDecision {
  if (state.ios.has(ioId)) throw new Error(`CSV I/O id ${ioId} is already pending`);
  if (lun !== state.lun) {
    const result: IoResult = {
      ok: false,
      code: 'NOT_MAPPED',
      message: `CSV ${state.volume} is on LUN ${state.lun}, not ${lun}`,
    };
    return { state, effects: [{ type: 'complete', ioId, result }] };
  }
  return route(state, ioId, { op, route: 'queued', redirects: 0 });
}

/** Sends an I/O where it must go now: held while paused, to MPIO, or to the coordinator. */
function route(state: CsvState, ioId: string, io: PendingIo): CsvDecision {
  const ios = new Map(state.ios);
  if (!state.online) {
    ios.delete(ioId);
    const result: IoResult = {
      ok: false,
      code: 'BAD_STATE',
      message: `CSV ${state.volume} is offline on ${state.self}`,
    };
    return { state: { ...state, ios }, effects: [{ type: 'complete', ioId, result }] };
  }
  if (state.paused) {
    if (state.queue.length >= PAUSED_IOS_MAX) {
      ios.delete(ioId);
      const result: IoResult = {
        ok: false,
        code: 'OVERLOADED',
        message: `CSV ${state.volume} is paused with ${PAUSED_IOS_MAX} I/Os already waiting on ${state.self}`,
      };
      return { state: { ...state, ios }, effects: [{ type: 'complete', ioId, result }] };
    }
    ios.set(ioId, { ...io, route: 'queued' });
    return { state: { ...state, ios, queue: [...state.queue, ioId] }, effects: [] };
  }
  if (redirectable(state, io.op)) {
    ios.set(ioId, { ...io, route: 'redirect', redirects: io.redirects + 1 });
    return { state: { ...state, ios }, effects: [{ type: 'redirect', ioId, lun: state.lun, op: io.op }] };
  }
  ios.set(ioId, { ...io, route: 'direct' });
  return { state: { ...state, ios }, effects: [{ type: 'direct', ioId, lun: state.lun, op: io.op }] };
}

function redirectable(state: CsvState, op: StorageOp): boolean {
  return (
    state.access === 'Redirected' &&
    !isReservationOp(op) &&
    state.coordinator !== null &&
    state.coordinator !== state.self
  );
}

function ioDone(state: CsvState, ioId: string, result: IoResult, lost: boolean): CsvDecision {
  const io = state.ios.get(ioId);
  if (!io) return { state, effects: [] };
  if (io.route === 'direct') {
    if (result.ok) {
      const done = finish(state, ioId, result);
      if (state.access !== 'Redirected') return done;
      const back = toDirect(done.state);
      return { state: back.state, effects: [...done.effects, ...back.effects] };
    }
    if (result.code === 'ALL_PATHS_DOWN') {
      let s = state;
      const effects: CsvDecision['effects'] = [];
      if (s.access === 'Direct') {
        s = { ...s, access: 'Redirected' };
        effects.push(probeTimer(s));
      }
      // The same I/O again, now through the coordinator when there is one to go to (or held
      // while paused, to be routed on resume by whoever is coordinator then) — unless the volume
      // went offline since it was issued (setOnline): through the coordinator, which writes with
      // its own key, a write of a VM turned off since would pass the fence that stopped it.
      if (!io.orphaned && (redirectable(s, io.op) || (s.paused && !isReservationOp(io.op)))) {
        const r = route(s, ioId, io);
        return { state: r.state, effects: [...effects, ...r.effects] };
      }
      const done = finish(s, ioId, result);
      return { state: done.state, effects: [...effects, ...done.effects] };
    }
    return finish(state, ioId, result);
  }
  // A redirected I/O: the coordinator's answer stands, indefinite failures included; one the
  // network lost before any coordinator took it is sent again (see the file comment).
  if (lost && !io.orphaned && io.redirects < REDIRECT_ATTEMPTS_MAX) return route(state, ioId, io);
  return finish(state, ioId, result);
}

function finish(state: CsvState, ioId: string, result: IoResult): CsvDecision {
  const ios = new Map(state.ios);
  ios.delete(ioId);
  return { state: { ...state, ios }, effects: [{ type: 'complete', ioId, result }] };
}

function toDirect(state: CsvState): CsvDecision {
  return {
    state: { ...state, access: 'Direct', probing: false },
    effects: [{ type: 'cancelTimer', id: PROBE_TIMER }],
  };
}

function setCoordinator(state: CsvState, node: string | null): CsvDecision {
  if (node === state.coordinator) return { state, effects: [] };
  const effects: CsvDecision['effects'] = [];
  if (state.coordinator === state.self) effects.push({ type: 'unserve' });
  if (node === state.self) effects.push({ type: 'serve' });
  return { state: { ...state, coordinator: node }, effects };
}

/** Releases the held I/Os in the order they arrived. */
function resume(state: CsvState): CsvDecision {
  let s: CsvState = { ...state, paused: false, queue: [] };
  const effects: CsvDecision['effects'] = [];
  for (const ioId of state.queue) {
    const io = s.ios.get(ioId);
    if (!io) continue;
    const r = route(s, ioId, io);
    s = r.state;
    effects.push(...r.effects);
  }
  return { state: s, effects };
}

function setOnline(state: CsvState, online: boolean): CsvDecision {
  if (online === state.online) return { state, effects: [] };
  if (online) return { state: { ...state, online: true }, effects: [] };
  // Taking the volume offline fails what waits for it; I/O already on its way finishes, with
  // whatever answer it gets, and is never sent again (ioDone): a volume Offline on this node is
  // no longer accessible from it (Event 5142, docs/domain.md §Cluster Shared Volumes), so what it
  // had under way ends with it. Redirected once the volume was back, a VM's write issued before the node was
  // fenced reached the disk through the coordinator after another node had taken the VM over
  // (simulation seed 23 of four-node.yaml, fast timing, 3 minutes: no-split-brain).
  const ios = new Map([...state.ios].map(([id, io]) => [id, { ...io, orphaned: true }]));
  let s: CsvState = { ...state, ios, online: false, queue: [], probing: false };
  const effects: CsvDecision['effects'] = [{ type: 'cancelTimer', id: PROBE_TIMER }];
  for (const ioId of state.queue) {
    const r = route(s, ioId, s.ios.get(ioId) as PendingIo);
    s = r.state;
    effects.push(...r.effects);
  }
  return { state: s, effects };
}

/**
 * The members a coordinator serves redirected I/O for, and the epoch of the last view it saw
 * each node out of. A node removed while frozen or cut off does not know it yet: a write its VM
 * issues then goes out stamped with its old view's epoch, and may reach the coordinator only after
 * the node has rejoined — past the fence the storage keeps against it, after another node took the
 * VM over (simulation seed 81, default timing: a write sent the instant a 15 s freeze ended).
 * In the real cluster the removal ends the node's connections to the coordinator, so what it sent
 * on them is never performed (docs/domain.md §Cluster Shared Volumes: a node outside the cluster
 * has no access to the volume); the stamp stands for that connection here.
 *
 * The watch cannot tell the coordinator's own absence from its members': while its cluster
 * service does not run it sees no members, so it records every node as left then. A stamp at or
 * before a recorded departure therefore only means "from an older connection": the coordinator
 * answers it with `reconnect` (redirect.ts), and the sender asks again stamped with its view now
 * only if its volume stayed online since it issued the I/O — which a node that left never does
 * (service.ts syncCsvOnline). A member that never left thus loses nothing to the coordinator's
 * restart, and a removed node's stale write is never performed.
 */
export interface MemberWatch {
  members: readonly string[];
  leftAtEpoch: Readonly<Record<string, number>>;
}

/** A watch that has seen no view yet. */
export const NO_MEMBERS: MemberWatch = { members: [], leftAtEpoch: {} };

/** Records a view of the running cluster: whoever left since the last one left at `epoch`. */
export function watchMembers(watch: MemberWatch, members: readonly string[], epoch: number): MemberWatch {
  const gone = watch.members.filter((m) => !members.includes(m));
  if (gone.length === 0 && members.length === watch.members.length) return watch;
  const leftAtEpoch = { ...watch.leftAtEpoch };
  for (const m of gone) leftAtEpoch[m] = Math.max(leftAtEpoch[m] ?? 0, epoch);
  return { members: [...members], leftAtEpoch };
}

/** What a coordinator does with a redirected I/O (admitRedirect). */
export type RedirectAdmission = 'perform' | 'refuse' | 'reconnect';

/**
 * What a coordinator does with a redirected I/O from `from`, stamped with the epoch of the view
 * it was sent in (undefined: not stamped): a node outside the cluster is refused; a member's I/O
 * stamped at or before its last recorded departure must reconnect (see MemberWatch); any other
 * is performed.
 */
export function admitRedirect(
  watch: MemberWatch,
  from: string,
  epoch: number | undefined,
): RedirectAdmission {
  if (!watch.members.includes(from)) return 'refuse';
  const leftAt = watch.leftAtEpoch[from];
  return epoch === undefined || leftAt === undefined || epoch > leftAt ? 'perform' : 'reconnect';
}
