/**
 * services/witness-protocol/ holds the witness's arbitration rules, shared by the quorum service
 * (services/quorum/, which carries them out over gRPC and a store) and the deterministic
 * simulation (sim/witness.ts), so that neither reaches into the other's
 * internals. core.ts is pure; core.test.ts beside it.
 *
 * The pure core of the cluster witness: one vote, arbitrated by challenge and defense with
 * epochs that only increase (docs/domain.md §Witness arbitration), plus the configuration marker
 * that stops a partition in time (docs/domain.md §Partition in time). Every answer that changes or depends on the
 * witness's durable state waits for a store operation that started after it was decided: a save
 * when the state changed, a probe otherwise. So a disk witness whose LUN cannot be reached
 * answers nothing but UNAVAILABLE, and the vote is lost with the storage, as it is for real.
 */
import type { Ctx, Decision, TimerEffect } from '../actor/actor.js';
import type { ErrorCode } from '../actor/errors.js';

/** The two kinds of witness (QuorumSettings.kind). */
export type WitnessKind = 'disk' | 'file-share';

/** What the witness keeps durable; owner '' means nobody holds the witness. */
export interface WitnessDoc {
  cluster: string;
  kind: WitnessKind;
  owner: string;
  epoch: number;
  configVersion: number;
  /** The cluster database copy: kept by a disk witness only (docs/domain.md §Disk witness). */
  configJson: string;
}

/** A challenge posted against the owner (docs/domain.md §Witness arbitration: the challenger waits, then checks). */
export interface Challenge {
  challenger: string;
  postedAt: number;
  /** True once the owner defended after the challenge was posted. */
  defended: boolean;
}

/** One answer held back until the store operation `needSeq` has succeeded. */
export interface Waiter {
  needSeq: number;
  reqId: string;
  body: ReplyBody;
}

/** Timing and limits of the witness. */
export interface WitnessOptions {
  kind: WitnessKind;
  cluster: string;
  /** How long a challenger waits for the owner to defend (Timing.witnessChallengeWaitMs). */
  challengeWaitMs: number;
  /** How often the store is probed (and reloaded while offline): Timing.witnessDefendIntervalMs. */
  probeIntervalMs: number;
  /** The largest configuration a disk witness can hold in one slot of its LUN area. */
  configJsonBytesMax: number;
}

/** The witness's whole state. */
export interface WitnessState {
  opts: WitnessOptions;
  status: 'online' | 'offline';
  statusDetail: string;
  /** The current state; it equals `durable` except while a save is in flight. */
  doc: WitnessDoc;
  /** The last state the store acknowledged (or loaded). */
  durable: WitnessDoc;
  /** The highest epoch ever handed to a save, durable or not: epochs never repeat. */
  epochHighWater: number;
  lastDefendAt: number;
  challenge: Challenge | null;
  /** The store operation in flight: its sequence number and the doc a save writes. */
  inFlight: { seq: number; doc: WitnessDoc | null } | null;
  nextSeq: number;
  waiters: Waiter[];
}

/** The ArbitrateResponse of the proto. */
export interface ArbitrateBody {
  outcome: 'granted' | 'challenged' | 'denied';
  owner: string;
  epoch: number;
  retry_after_ms: number;
  config_version: number;
  reason: string;
}

/** The DefendResponse of the proto. */
export interface DefendBody {
  ok: boolean;
  owner: string;
  epoch: number;
  challenged: boolean;
}

/** The WitnessState message of the proto. */
export interface StateBody {
  kind: WitnessKind;
  owner: string;
  epoch: number;
  config_version: number;
  config_json: string;
  lease_remaining_ms: number;
  challenge_pending: boolean;
  challenger: string;
  status: 'online' | 'offline';
  status_detail: string;
}

/** Any answer the core sends back. */
export type ReplyBody = ArbitrateBody | DefendBody | StateBody;

/** Messages the core decides on. */
export type WitnessMsg =
  | { type: 'start' }
  | { type: 'tick' }
  | { type: 'arbitrate'; reqId: string; node: string; configVersion: number }
  | { type: 'defend'; reqId: string; node: string; epoch: number }
  | { type: 'release'; reqId: string; node: string; epoch: number }
  | {
      type: 'putConfig';
      reqId: string;
      node: string;
      epoch: number;
      configVersion: number;
      configJson: string;
    }
  | { type: 'loaded'; seq: number; doc: WitnessDoc | null }
  | { type: 'stored'; seq: number }
  | { type: 'storeFailed'; seq: number; error: string };

/** Effects for the store adapter and the waiting gRPC requests. */
export type WitnessEffect =
  | { type: 'load'; seq: number }
  | { type: 'save'; seq: number; doc: WitnessDoc }
  | { type: 'probe'; seq: number }
  | { type: 'reply'; reqId: string; body: ReplyBody }
  | { type: 'fail'; reqId: string; code: ErrorCode; message: string };

/** Every effect the core may emit: the adapters' effects and the actor's timers. */
export type WitnessEffectOrTimer = WitnessEffect | TimerEffect<WitnessMsg>;

/** What decideWitness returns: the next state and the effects to carry out. */
export type WitnessDecision = Decision<WitnessState, WitnessEffectOrTimer>;

const TICK_ID = 'store-tick';

/** An empty witness: nobody owns it, epoch 0, no configuration seen. */
export function freshDoc(opts: Pick<WitnessOptions, 'cluster' | 'kind'>): WitnessDoc {
  return { cluster: opts.cluster, kind: opts.kind, owner: '', epoch: 0, configVersion: 0, configJson: '' };
}

/** The state before the store was read: offline until the first load succeeds. */
export function initialState(opts: WitnessOptions): WitnessState {
  const doc = freshDoc(opts);
  return {
    opts,
    status: 'offline',
    statusDetail: 'loading the witness state',
    doc,
    durable: doc,
    epochHighWater: 0,
    lastDefendAt: 0,
    challenge: null,
    inFlight: null,
    nextSeq: 1,
    waiters: [],
  };
}

/** The witness as Get shows it at `now`: only what is durable. */
export function viewState(s: WitnessState, now: number, doc: WitnessDoc = s.durable): StateBody {
  const owned = doc.owner !== '';
  return {
    kind: s.opts.kind,
    owner: doc.owner,
    epoch: doc.epoch,
    config_version: doc.configVersion,
    config_json: doc.configJson,
    // How long the owner's last defense keeps a challenger out.
    lease_remaining_ms: owned ? Math.max(0, s.lastDefendAt + s.opts.challengeWaitMs - now) : 0,
    challenge_pending: s.challenge !== null,
    challenger: s.challenge?.challenger ?? '',
    status: s.status,
    status_detail: s.statusDetail,
  };
}

/** The witness's decide function: one handler per message. */
export function decideWitness(s: WitnessState, msg: WitnessMsg, ctx: Ctx): WitnessDecision {
  switch (msg.type) {
    case 'start': {
      const next = { ...s, inFlight: { seq: s.nextSeq, doc: null }, nextSeq: s.nextSeq + 1 };
      return { state: next, effects: [{ type: 'load', seq: s.nextSeq }, tick(s)] };
    }
    case 'tick':
      return onTick(s);
    case 'loaded':
      return loaded(s, msg, ctx);
    case 'stored': {
      if (s.inFlight?.seq !== msg.seq) return { state: s, effects: [] };
      const durable = s.inFlight.doc ?? s.durable;
      return settle({ ...s, durable, inFlight: null }, msg.seq);
    }
    case 'storeFailed':
      return storeFailed(s, msg);
    case 'arbitrate':
    case 'defend':
    case 'release':
    case 'putConfig':
      return request(s, msg, ctx);
  }
}

function onTick(s: WitnessState): WitnessDecision {
  if (s.inFlight) return { state: s, effects: [tick(s)] };
  // Idle: probe the store so Get shows "offline" soon after the storage goes away, and keep
  // reloading while offline so the witness comes back with the storage.
  const seq = s.nextSeq;
  const next = { ...s, inFlight: { seq, doc: null }, nextSeq: seq + 1 };
  const op: WitnessEffectOrTimer = s.status === 'online' ? { type: 'probe', seq } : { type: 'load', seq };
  return { state: next, effects: [op, tick(s)] };
}

function loaded(s: WitnessState, msg: Extract<WitnessMsg, { type: 'loaded' }>, ctx: Ctx): WitnessDecision {
  if (s.inFlight?.seq !== msg.seq) return { state: s, effects: [] };
  const doc = msg.doc ?? freshDoc(s.opts);
  const next: WitnessState = {
    ...s,
    status: 'online',
    statusDetail: '',
    doc,
    durable: doc,
    epochHighWater: Math.max(s.epochHighWater, doc.epoch),
    // A restarted witness cannot know when the owner last defended: it gives the owner a
    // full challenge wait from now, and challenges start afresh.
    lastDefendAt: ctx.now,
    challenge: null,
    inFlight: null,
  };
  return settle(next, msg.seq);
}

function storeFailed(s: WitnessState, msg: Extract<WitnessMsg, { type: 'storeFailed' }>): WitnessDecision {
  if (s.inFlight?.seq !== msg.seq) return { state: s, effects: [] };
  // The write may or may not have landed, so nothing decided since the last durable state
  // stands; the high-water mark keeps an epoch that might be on disk from being handed out
  // again. The next load (at the next tick) reads back whatever really is there.
  const detail = `the witness store failed: ${msg.error}`;
  const effects: WitnessEffectOrTimer[] = s.waiters.map((w) => ({
    type: 'fail',
    reqId: w.reqId,
    code: 'UNAVAILABLE',
    message: `${detail}; the witness vote is unavailable`,
  }));
  const next: WitnessState = {
    ...s,
    status: 'offline',
    statusDetail: detail,
    doc: s.durable,
    challenge: null,
    inFlight: null,
    waiters: [],
  };
  return { state: next, effects };
}

/** A node's request: refused without a node or while offline, else decided by its kind. */
function request(
  s: WitnessState,
  msg: Extract<WitnessMsg, { type: 'arbitrate' | 'defend' | 'release' | 'putConfig' }>,
  ctx: Ctx,
): WitnessDecision {
  if (!msg.node)
    return reject(s, msg.reqId, 'INVALID_ARGUMENT', 'node is required: the name of the asking cluster node');
  if (s.status === 'offline') {
    return reject(
      s,
      msg.reqId,
      'UNAVAILABLE',
      `the witness is offline (${s.statusDetail}); its vote is unavailable`,
    );
  }
  if (msg.type === 'arbitrate') return arbitrate(s, msg, ctx);
  if (msg.type === 'defend') return defend(s, msg, ctx);
  if (msg.type === 'release') return release(s, msg, ctx);
  return putConfig(s, msg, ctx);
}

function tick(s: WitnessState): WitnessEffectOrTimer {
  return { type: 'startTimer', id: TICK_ID, ms: s.opts.probeIntervalMs, msg: { type: 'tick' } };
}

function reject(s: WitnessState, reqId: string, code: ErrorCode, message: string): WitnessDecision {
  return { state: s, effects: [{ type: 'fail', reqId, code, message }] };
}

/**
 * Holds an answer back until a store operation that starts after this decision succeeds, and
 * starts that operation now when none is in flight (later answers share the next one).
 */
function answerAfterStore(s: WitnessState, reqId: string, body: ReplyBody): WitnessDecision {
  if (s.inFlight) {
    return {
      state: { ...s, waiters: [...s.waiters, { needSeq: s.inFlight.seq + 1, reqId, body }] },
      effects: [],
    };
  }
  const seq = s.nextSeq;
  const waiting = { ...s, waiters: [...s.waiters, { needSeq: seq, reqId, body }] };
  return startOp(waiting);
}

function startOp(s: WitnessState): WitnessDecision {
  const seq = s.nextSeq;
  const dirty = s.doc !== s.durable;
  const next = { ...s, inFlight: { seq, doc: dirty ? s.doc : null }, nextSeq: seq + 1 };
  return { state: next, effects: [dirty ? { type: 'save', seq, doc: s.doc } : { type: 'probe', seq }] };
}

/** Releases the answers that operation `seq` made durable, and starts the next operation if needed. */
function settle(s: WitnessState, seq: number): WitnessDecision {
  const done = s.waiters.filter((w) => w.needSeq <= seq);
  const rest = s.waiters.filter((w) => w.needSeq > seq);
  const replies: WitnessEffectOrTimer[] = done.map((w) => ({ type: 'reply', reqId: w.reqId, body: w.body }));
  const next = { ...s, waiters: rest };
  if (rest.length === 0 && next.doc === next.durable) return { state: next, effects: replies };
  const op = startOp(next);
  return { state: op.state, effects: [...replies, ...op.effects] };
}

function arbitrateBody(
  s: WitnessState,
  outcome: ArbitrateBody['outcome'],
  extra: Partial<ArbitrateBody> = {},
): ArbitrateBody {
  return {
    outcome,
    owner: s.doc.owner,
    epoch: s.doc.epoch,
    retry_after_ms: 0,
    config_version: s.doc.configVersion,
    reason: '',
    ...extra,
  };
}

/** Hands the witness to `node` with a new epoch, higher than any epoch ever written. */
function grant(s: WitnessState, node: string, now: number): WitnessState {
  const epoch = s.epochHighWater + 1;
  return {
    ...s,
    doc: { ...s.doc, owner: node, epoch },
    epochHighWater: epoch,
    lastDefendAt: now,
    challenge: null,
  };
}

function arbitrate(
  s: WitnessState,
  msg: Extract<WitnessMsg, { type: 'arbitrate' }>,
  ctx: Ctx,
): WitnessDecision {
  const node = msg.node;
  // Partition in time (docs/domain.md §Partition in time): a file share witness holds only the marker, so a node whose
  // configuration is older than the marker must not form the cluster. A disk witness holds the
  // database itself, so the node may take the newer configuration from it (Get) instead.
  if (s.opts.kind === 'file-share' && msg.configVersion < s.doc.configVersion) {
    return answerAfterStore(s, msg.reqId, arbitrateBody(s, 'denied', { reason: 'partition in time' }));
  }
  if (s.doc.owner === '') {
    const next = grant(s, node, ctx.now);
    return answerAfterStore(next, msg.reqId, arbitrateBody(next, 'granted'));
  }
  if (s.doc.owner === node) {
    // The owner asking again proves it is alive, as a defense does.
    const next = {
      ...s,
      lastDefendAt: ctx.now,
      challenge: s.challenge && { ...s.challenge, defended: true },
    };
    return answerAfterStore(next, msg.reqId, arbitrateBody(next, 'granted'));
  }
  const wait = s.opts.challengeWaitMs;
  const ch = s.challenge;
  // A challenge that its challenger never followed up (twice the wait) no longer blocks others.
  if (!ch || (ch.challenger !== node && ctx.now - ch.postedAt >= 2 * wait)) {
    const next = { ...s, challenge: { challenger: node, postedAt: ctx.now, defended: false } };
    return answerAfterStore(next, msg.reqId, arbitrateBody(next, 'challenged', { retry_after_ms: wait }));
  }
  if (ch.challenger !== node) {
    return answerAfterStore(
      s,
      msg.reqId,
      arbitrateBody(s, 'denied', { reason: `${ch.challenger} is already challenging ${s.doc.owner}` }),
    );
  }
  const elapsed = ctx.now - ch.postedAt;
  if (elapsed < wait) {
    return answerAfterStore(s, msg.reqId, arbitrateBody(s, 'challenged', { retry_after_ms: wait - elapsed }));
  }
  if (ch.defended) {
    const next = { ...s, challenge: null };
    return answerAfterStore(
      next,
      msg.reqId,
      arbitrateBody(next, 'denied', { reason: `${s.doc.owner} defended the witness: the owner is alive` }),
    );
  }
  // The owner did not defend during the whole wait: the challenger takes the witness.
  const next = grant(s, node, ctx.now);
  return answerAfterStore(next, msg.reqId, arbitrateBody(next, 'granted'));
}

function defend(s: WitnessState, msg: Extract<WitnessMsg, { type: 'defend' }>, ctx: Ctx): WitnessDecision {
  const pending = s.challenge !== null;
  if (s.doc.owner !== msg.node || s.doc.epoch !== msg.epoch) {
    // The node lost the witness (or never had it at this epoch): it must stop counting its vote.
    return answerAfterStore(s, msg.reqId, {
      ok: false,
      owner: s.doc.owner,
      epoch: s.doc.epoch,
      challenged: pending,
    });
  }
  const next = { ...s, lastDefendAt: ctx.now, challenge: s.challenge && { ...s.challenge, defended: true } };
  return answerAfterStore(next, msg.reqId, {
    ok: true,
    owner: s.doc.owner,
    epoch: s.doc.epoch,
    challenged: pending,
  });
}

function notOwner(
  s: WitnessState,
  msg: { reqId: string; node: string; epoch: number },
  what: string,
): WitnessDecision {
  const holder =
    s.doc.owner === '' ? 'nobody holds it' : `it is held by ${s.doc.owner} at epoch ${s.doc.epoch}`;
  return reject(s, msg.reqId, 'REFUSED', `${msg.node} at epoch ${msg.epoch} cannot ${what}: ${holder}`);
}

function release(s: WitnessState, msg: Extract<WitnessMsg, { type: 'release' }>, ctx: Ctx): WitnessDecision {
  if (s.doc.owner !== msg.node || s.doc.epoch !== msg.epoch) return notOwner(s, msg, 'release the witness');
  // The epoch stays: the next owner gets a higher one.
  const next = { ...s, doc: { ...s.doc, owner: '' }, challenge: null };
  return answerAfterStore(next, msg.reqId, viewState(next, ctx.now, next.doc));
}

function putConfig(
  s: WitnessState,
  msg: Extract<WitnessMsg, { type: 'putConfig' }>,
  ctx: Ctx,
): WitnessDecision {
  // Only the owner writes: it holds the witness, as the node owning the witness disk holds its
  // reservation (docs/domain.md §Witness arbitration).
  if (s.doc.owner !== msg.node || s.doc.epoch !== msg.epoch)
    return notOwner(s, msg, 'write the configuration');
  if (msg.configVersion < s.doc.configVersion) {
    return reject(
      s,
      msg.reqId,
      'BAD_STATE',
      `configuration version ${msg.configVersion} is older than the witness's ${s.doc.configVersion}`,
    );
  }
  if (msg.configVersion === s.doc.configVersion) {
    // Not newer, so nothing is stored; answering with the state makes a retried put harmless.
    return answerAfterStore(s, msg.reqId, viewState(s, ctx.now, s.doc));
  }
  const configJson = s.opts.kind === 'disk' ? msg.configJson : '';
  const bytes = new TextEncoder().encode(configJson).length;
  if (bytes > s.opts.configJsonBytesMax) {
    return reject(
      s,
      msg.reqId,
      'INVALID_ARGUMENT',
      `the configuration is ${bytes} bytes; a disk witness holds at most ${s.opts.configJsonBytesMax}`,
    );
  }
  const next = { ...s, doc: { ...s.doc, configVersion: msg.configVersion, configJson } };
  return answerAfterStore(next, msg.reqId, viewState(next, ctx.now, next.doc));
}
