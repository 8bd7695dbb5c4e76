/**
 * The pure core of the BladeCenter S Advanced Management Module: the chassis inventory, module
 * health from heartbeats, power control through the backplane and the event log. It decides
 * only; the backplane calls, NATS subscription and gRPC replies are effects carried out by
 * adapters (docs/domain.md §BladeCenter S). Longer than 500 lines because every power path
 * (on, off, cycle and the soft power off's wait for the OS) shares one busy slot per bay and one
 * event log, which stay private to this file.
 */
import type { Ctx, Decision, TimerEffect } from '../actor/actor.js';
import type { ErrorCode } from '../actor/errors.js';
import type { MmSettings } from '../process/config.js';

/** Bay counts of the BladeCenter S (docs/domain.md §Chassis: widely published, unverified there). */
export const BAY_COUNTS = { blade: 6, io: 4, storage: 2 } as const;

/** Event-log entries kept; the oldest fall off first, as in the AMM's bounded log. */
export const LOG_ENTRIES_MAX = 1000;

/** How long to wait before asking the backplane again for a host's power state. */
export const POWER_READ_RETRY_MS = 1000;

/**
 * How long a soft power off waits for the blade's operating system to shut down before it gives
 * up and leaves the bay on (docs/domain.md §AMM CLI: the AMM's own wait is not known).
 */
export const SOFT_OFF_TIMEOUT_MS = 120_000;

/** The kinds of bay a PowerRequest may name. */
export type BayKind = 'blade' | 'io' | 'storage';

/** A module's power as the AMM prints it; Unknown until the backplane has told us. */
export type PowerState = 'On' | 'Off' | 'Unknown';

/** Module health as GetChassis shows it. */
export type Health = 'ok' | 'no communication' | 'off' | 'unknown';

/** One step of a power operation that is waiting for the backplane. */
export interface PowerOp {
  reqId: string;
  action: PowerAction;
  /** What is being waited for: the backplane to power on or off, or the blade's OS to shut down. */
  step: 'on' | 'off' | 'os';
}

/** What a power request asks: softoff asks the blade's OS to shut down before the power goes. */
export type PowerAction = 'on' | 'off' | 'cycle' | 'softoff';

/** A blade or I/O bay that holds an emulated host. Empty bays are not stored. */
export interface ModuleBay {
  kind: 'blade' | 'io';
  number: number;
  host: string;
  name: string;
  power: PowerState;
  /** ctx.now when the module's last heartbeat arrived, or null when none arrived. */
  heardAt: number | null;
  /** Start of the current silence clock: the MM's start or the module's last power-on. */
  watchSince: number;
  /** True once a silence was logged, until the module is heard again or powered off. */
  silent: boolean;
  /** The power operation in flight on this bay, if any: one at a time per bay. */
  busy: PowerOp | null;
}

/** One AMM event-log entry. Severity is "I", "W" or "E", as the AMM prints it. */
export interface LogEntry {
  index: number;
  timeMs: number;
  severity: 'I' | 'W' | 'E';
  source: string;
  text: string;
}

/** The MM's whole state. */
export interface ChassisState {
  chassisName: string;
  model: string;
  modules: ModuleBay[];
  storageModules: { bay: number; present: boolean; drives: number }[];
  log: LogEntry[];
  nextIndex: number;
  logMax: number;
  silenceMs: number;
  tickMs: number;
  /** Failed remote logins (telnet, Redfish or the gRPC API) since start. */
  loginFailures: number;
  /** How long a soft power off waits for the OS (SOFT_OFF_TIMEOUT_MS unless set). */
  softOffTimeoutMs: number;
}

/** Messages the core decides on. */
export type ChassisMsg =
  | { type: 'start' }
  | { type: 'heartbeat'; host: string }
  | { type: 'healthTick' }
  | { type: 'readPower'; host: string }
  | { type: 'powerRead'; host: string; on: boolean }
  | { type: 'powerReadFailed'; host: string; error: string }
  | { type: 'power'; reqId: string; kind: string; bay: number; action: string }
  | { type: 'powerSet'; reqId: string; host: string; on: boolean }
  | { type: 'powerSetFailed'; reqId: string; host: string; code: ErrorCode; error: string }
  | { type: 'osShutdownDone'; reqId: string; host: string }
  | { type: 'osShutdownFailed'; reqId: string; host: string; code: ErrorCode; error: string }
  | { type: 'softOffTimeout'; reqId: string; host: string }
  | { type: 'remoteLogin'; user: string; via: 'telnet' | 'redfish' | 'grpc'; ok: boolean };

/** A bay as GetChassis and Power show it (the proto's Bay). */
export interface BayView {
  kind: BayKind;
  number: number;
  present: boolean;
  host: string;
  name: string;
  power: string;
  health: string;
  last_heartbeat_ms_ago: number;
  module_type: string;
  drives: number;
}

/** Effects for the adapters: backplane calls and the answers to gRPC requests. */
export type ChassisEffect =
  | { type: 'getPower'; host: string }
  | { type: 'setPower'; reqId: string; host: string; on: boolean }
  /** Asks the blade's operating system to shut down (a soft power off); answered by osShutdown*. */
  | { type: 'osShutdown'; reqId: string; host: string; timeoutMs: number }
  | { type: 'reply'; reqId: string; bay: BayView; message: string }
  | { type: 'fail'; reqId: string; code: ErrorCode; message: string }
  /**
   * A module's power changed through this MM, once the backplane has done it: announced to the
   * chassis (NATS) so that a cluster node learns that a lost peer's blade is off, its processes
   * gone (docs/design.md §Fencing before takeover).
   */
  | { type: 'powerChanged'; host: string; on: boolean };

/** Every effect the core may emit: the adapters' effects and the actor's timers. */
export type ChassisEffectOrTimer = ChassisEffect | TimerEffect<ChassisMsg>;

/** What decideChassis returns: the next state and the effects to carry out. */
export type ChassisDecision = Decision<ChassisState, ChassisEffectOrTimer>;

/** Options that tests and the service may set. */
export interface ChassisOptions {
  silenceMs: number;
  tickMs: number;
  logMax?: number;
  softOffTimeoutMs?: number;
  now: number;
}

/** Builds the initial state from the MM settings; a bay out of range is a topology bug. */
export function initialState(settings: MmSettings, opts: ChassisOptions): ChassisState {
  const modules: ModuleBay[] = [];
  const add = (kind: 'blade' | 'io', bays: MmSettings['blades']) => {
    for (const b of bays) {
      if (b.bay < 1 || b.bay > BAY_COUNTS[kind]) {
        throw new Error(`${kind} bay ${b.bay} is outside 1..${BAY_COUNTS[kind]} of a BladeCenter S`);
      }
      if (b.host === null) continue;
      modules.push({
        kind,
        number: b.bay,
        host: b.host,
        name: b.name,
        power: 'Unknown',
        heardAt: null,
        watchSince: opts.now,
        silent: false,
        busy: null,
      });
    }
  };
  add('blade', settings.blades);
  add('io', settings.ioModules);
  return {
    chassisName: settings.chassisName,
    model: settings.model,
    modules,
    storageModules: settings.storageModules.map((s) => ({ ...s })),
    log: [],
    nextIndex: 1,
    logMax: opts.logMax ?? LOG_ENTRIES_MAX,
    silenceMs: opts.silenceMs,
    tickMs: opts.tickMs,
    loginFailures: 0,
    softOffTimeoutMs: opts.softOffTimeoutMs ?? SOFT_OFF_TIMEOUT_MS,
  };
}

/** Health of a module at `now`: "no communication" once a powered module is silent too long. */
export function healthOf(m: ModuleBay, now: number, silenceMs: number): Health {
  if (m.power === 'Off') return 'off';
  const since = Math.max(m.heardAt ?? Number.NEGATIVE_INFINITY, m.watchSince);
  const silent = now - since > silenceMs;
  if (m.power === 'Unknown') return m.heardAt !== null && !silent ? 'ok' : 'unknown';
  return silent ? 'no communication' : 'ok';
}

/** The AMM target prefix of a kind of bay (system:blade[N], system:switch[N], system:storage[N]). */
function moduleType(kind: BayKind): string {
  return kind === 'io' ? 'switch' : kind;
}

/** Shows one hosted bay at `now`. */
export function viewModule(m: ModuleBay, now: number, silenceMs: number): BayView {
  return {
    kind: m.kind,
    number: m.number,
    present: true,
    host: m.host,
    name: m.name,
    power: m.power,
    health: healthOf(m, now, silenceMs),
    last_heartbeat_ms_ago: m.heardAt === null ? 0 : Math.max(0, now - m.heardAt),
    module_type: moduleType(m.kind),
    drives: 0,
  };
}

function emptyBay(kind: BayKind, number: number): BayView {
  return {
    kind,
    number,
    present: false,
    host: '',
    name: '',
    power: '',
    health: '',
    last_heartbeat_ms_ago: 0,
    module_type: moduleType(kind),
    drives: 0,
  };
}

/** The whole chassis at `now`, every bay listed (empty ones with present=false). */
export function viewChassis(s: ChassisState, now: number) {
  const bays = (kind: 'blade' | 'io') =>
    Array.from({ length: BAY_COUNTS[kind] }, (_, i) => {
      const m = s.modules.find((x) => x.kind === kind && x.number === i + 1);
      return m ? viewModule(m, now, s.silenceMs) : emptyBay(kind, i + 1);
    });
  const storage = Array.from({ length: BAY_COUNTS.storage }, (_, i) => {
    const dsm = s.storageModules.find((x) => x.bay === i + 1 && x.present);
    // A DSM has no processor of its own and no separate power control: it is powered with the
    // chassis, so the MM shows it On and ok when present (an assumption; docs/domain.md §Chassis).
    return dsm
      ? {
          ...emptyBay('storage', i + 1),
          present: true,
          name: 'Disk Storage Module',
          power: 'On',
          health: 'ok',
          drives: dsm.drives,
        }
      : emptyBay('storage', i + 1);
  });
  return {
    name: s.chassisName,
    model: s.model,
    blades: bays('blade'),
    io_modules: bays('io'),
    storage_modules: storage,
  };
}

/** The AMM names a module's log source like BLADE_02 or SWITCH_03. */
function sourceOf(m: ModuleBay): string {
  return `${m.kind === 'blade' ? 'BLADE' : 'SWITCH'}_${String(m.number).padStart(2, '0')}`;
}

/** How a person names the bay in a message: "blade 2 (HVR2NODO2)". */
function label(m: ModuleBay): string {
  return `${m.kind === 'blade' ? 'blade' : 'I/O module'} ${m.number} (${m.name || m.host})`;
}

function appendLog(
  s: ChassisState,
  now: number,
  severity: LogEntry['severity'],
  source: string,
  text: string,
): ChassisState {
  const entry: LogEntry = { index: s.nextIndex, timeMs: now, severity, source, text };
  const log = [...s.log, entry];
  return {
    ...s,
    log: log.length > s.logMax ? log.slice(log.length - s.logMax) : log,
    nextIndex: s.nextIndex + 1,
  };
}

function withModule(s: ChassisState, host: string, f: (m: ModuleBay) => ModuleBay): ChassisState {
  return { ...s, modules: s.modules.map((m) => (m.host === host ? f(m) : m)) };
}

const TICK_ID = 'health-tick';

/** The MM's decide function: one handler per message. */
export function decideChassis(s: ChassisState, msg: ChassisMsg, ctx: Ctx): ChassisDecision {
  switch (msg.type) {
    case 'start':
      return start(s, ctx);
    case 'heartbeat':
      return heartbeat(s, msg.host, ctx);
    case 'healthTick':
      return healthTick(s, ctx);
    case 'readPower':
      return { state: s, effects: [{ type: 'getPower', host: msg.host }] };
    case 'powerRead':
      return powerRead(s, msg.host, msg.on);
    case 'powerReadFailed':
      return {
        state: s,
        effects: [
          {
            type: 'startTimer',
            id: `read-power:${msg.host}`,
            ms: POWER_READ_RETRY_MS,
            msg: { type: 'readPower', host: msg.host },
          },
        ],
      };
    case 'power':
      return startPower(s, msg, ctx);
    case 'remoteLogin':
      return remoteLogin(s, msg, ctx);
    case 'powerSet':
      return powerSet(s, msg, ctx);
    case 'powerSetFailed':
      return powerSetFailed(s, msg, ctx);
    case 'osShutdownDone':
      return osShutdownDone(s, msg, ctx);
    case 'osShutdownFailed':
    case 'softOffTimeout':
      return softOffFailed(s, msg, ctx);
  }
}

function start(s: ChassisState, ctx: Ctx): ChassisDecision {
  const started = appendLog(s, ctx.now, 'I', 'SERVPROC', 'Management module started');
  const effects: ChassisEffectOrTimer[] = s.modules.map((m) => ({ type: 'getPower', host: m.host }));
  effects.push({ type: 'startTimer', id: TICK_ID, ms: s.tickMs, msg: { type: 'healthTick' } });
  return { state: started, effects };
}

function heartbeat(s: ChassisState, host: string, ctx: Ctx): ChassisDecision {
  const m = s.modules.find((x) => x.host === host);
  // Hosts outside the bays (storage, witness, workstation) heartbeat too; the AMM has no bay
  // to show them in.
  if (!m) return { state: s, effects: [] };
  let next = withModule(s, m.host, (x) => ({ ...x, heardAt: ctx.now, silent: false }));
  if (m.silent) next = appendLog(next, ctx.now, 'I', sourceOf(m), `${label(m)}: communication restored`);
  return { state: next, effects: [] };
}

function healthTick(s: ChassisState, ctx: Ctx): ChassisDecision {
  let next = s;
  for (const m of s.modules) {
    if (m.silent || healthOf(m, ctx.now, s.silenceMs) !== 'no communication') continue;
    next = withModule(next, m.host, (x) => ({ ...x, silent: true }));
    next = appendLog(
      next,
      ctx.now,
      'W',
      sourceOf(m),
      `${label(m)}: no communication for more than ${s.silenceMs} ms`,
    );
  }
  return {
    state: next,
    effects: [{ type: 'startTimer', id: TICK_ID, ms: s.tickMs, msg: { type: 'healthTick' } }],
  };
}

function powerRead(s: ChassisState, host: string, on: boolean): ChassisDecision {
  const m = s.modules.find((x) => x.host === host);
  // A power operation in flight will report the truth itself when the backplane answers.
  if (!m || m.busy) return { state: s, effects: [] };
  const power: PowerState = on ? 'On' : 'Off';
  return { state: withModule(s, m.host, (x) => ({ ...x, power })), effects: [] };
}

function remoteLogin(
  s: ChassisState,
  msg: Extract<ChassisMsg, { type: 'remoteLogin' }>,
  ctx: Ctx,
): ChassisDecision {
  // The AMM's event log records remote logins and refused ones (source "SERVPROC").
  const outcome = msg.ok ? 'successful' : 'failed';
  const text = `Remote login ${outcome} for user '${msg.user}' from ${msg.via}`;
  const next = msg.ok ? s : { ...s, loginFailures: s.loginFailures + 1 };
  return { state: appendLog(next, ctx.now, msg.ok ? 'I' : 'W', 'SERVPROC', text), effects: [] };
}

function powerSetFailed(
  s: ChassisState,
  msg: Extract<ChassisMsg, { type: 'powerSetFailed' }>,
  ctx: Ctx,
): ChassisDecision {
  const m = s.modules.find((x) => x.host === msg.host && x.busy?.reqId === msg.reqId);
  if (!m?.busy) return { state: s, effects: [] };
  const step = m.busy.step;
  let next = withModule(s, m.host, (x) => ({ ...x, busy: null }));
  next = appendLog(next, ctx.now, 'E', sourceOf(m), `Power ${step} of ${label(m)} failed: ${msg.error}`);
  return {
    state: next,
    effects: [
      fail(msg.reqId, msg.code, `power ${step} of ${label(m)} failed: ${msg.error}`),
      // The backplane may or may not have acted: ask it what the power really is now.
      { type: 'getPower', host: m.host },
    ],
  };
}

function fail(
  reqId: string,
  code: ErrorCode,
  message: string,
): { type: 'fail'; reqId: string; code: ErrorCode; message: string } {
  return { type: 'fail', reqId, code, message };
}

function startPower(s: ChassisState, msg: Extract<ChassisMsg, { type: 'power' }>, ctx: Ctx): ChassisDecision {
  const kind = msg.kind === '' ? 'blade' : msg.kind;
  const reject = (code: ErrorCode, message: string) => ({
    state: s,
    effects: [fail(msg.reqId, code, message)],
  });
  if (kind !== 'blade' && kind !== 'io' && kind !== 'storage') {
    return reject('INVALID_ARGUMENT', `unknown bay kind "${msg.kind}": expected blade, io or storage`);
  }
  if (!Number.isInteger(msg.bay) || msg.bay < 1 || msg.bay > BAY_COUNTS[kind]) {
    return reject(
      'INVALID_ARGUMENT',
      `${kind} bay ${msg.bay} does not exist: a BladeCenter S has ${kind} bays 1-${BAY_COUNTS[kind]}`,
    );
  }
  if (!['on', 'off', 'cycle', 'softoff'].includes(msg.action)) {
    return reject(
      'INVALID_ARGUMENT',
      `unknown power action "${msg.action}": expected on, off, cycle or softoff`,
    );
  }
  if (kind === 'storage') {
    return reject(
      'INVALID_ARGUMENT',
      `storage module ${msg.bay} has no power control of its own: it is powered with the chassis`,
    );
  }
  const m = s.modules.find((x) => x.kind === kind && x.number === msg.bay);
  if (!m) return reject('NOT_FOUND', `${kind} bay ${msg.bay} is empty`);
  if (m.busy) {
    return reject(
      'BAD_STATE',
      `a power ${m.busy.action} of ${label(m)} is already in progress; try again when it ends`,
    );
  }
  if (msg.action === 'softoff') return startSoftOff(s, m, msg.reqId, ctx);
  // JCS management-module CLI: "-cycle turns the target off if it is on, or on if it is off"
  // (docs/domain.md §AMM CLI), so a cycle of an Off module is a power-on.
  const step = msg.action === 'on' || (msg.action === 'cycle' && m.power === 'Off') ? 'on' : 'off';
  const next = withModule(s, m.host, (x) => ({
    ...x,
    busy: { reqId: msg.reqId, action: msg.action as PowerOp['action'], step },
  }));
  return { state: next, effects: [{ type: 'setPower', reqId: msg.reqId, host: m.host, on: step === 'on' }] };
}

function powerSet(
  s: ChassisState,
  msg: Extract<ChassisMsg, { type: 'powerSet' }>,
  ctx: Ctx,
): ChassisDecision {
  const m = s.modules.find((x) => x.host === msg.host && x.busy?.reqId === msg.reqId);
  if (!m?.busy) return { state: s, effects: [] };
  const op = m.busy;
  const power: PowerState = msg.on ? 'On' : 'Off';
  let next = withModule(s, m.host, (x) => ({
    ...x,
    power,
    silent: false,
    // A module just powered on gets a full silence period to start and send its first heartbeat.
    watchSince: msg.on ? ctx.now : x.watchSince,
  }));
  next = appendLog(next, ctx.now, 'I', sourceOf(m), `${label(m)} powered ${msg.on ? 'on' : 'off'}`);
  const announce: ChassisEffect = { type: 'powerChanged', host: m.host, on: msg.on };
  if (op.action === 'cycle' && op.step === 'off') {
    next = withModule(next, m.host, (x) => ({ ...x, busy: { ...op, step: 'on' } }));
    return {
      state: next,
      effects: [announce, { type: 'setPower', reqId: op.reqId, host: m.host, on: true }],
    };
  }
  next = withModule(next, m.host, (x) => ({ ...x, busy: null }));
  const done = next.modules.find((x) => x.host === m.host) as ModuleBay;
  return {
    state: next,
    effects: [
      {
        type: 'reply',
        reqId: op.reqId,
        bay: viewModule(done, ctx.now, s.silenceMs),
        message: `${label(m)} is ${power}`,
      },
      announce,
    ],
  };
}

const softOffTimer = (host: string) => `soft-off:${host}`;

/**
 * A soft power off (`power -softoff`, Redfish GracefulShutdown): the MM asks the blade's
 * operating system to shut down and powers the bay off only once it has. The MM knows nothing of
 * the cluster: moving the roles away is the OS's own shutdown (docs/domain.md §AMM CLI).
 */
function startSoftOff(s: ChassisState, m: ModuleBay, reqId: string, ctx: Ctx): ChassisDecision {
  if (m.kind !== 'blade')
    return {
      state: s,
      effects: [fail(reqId, 'INVALID_ARGUMENT', `${label(m)} has no operating system to shut down: use off`)],
    };
  // An Off blade has no OS running: the request only confirms the power is off.
  const step = m.power === 'Off' ? 'off' : 'os';
  let next = withModule(s, m.host, (x) => ({ ...x, busy: { reqId, action: 'softoff', step } }));
  if (step === 'off') return { state: next, effects: [{ type: 'setPower', reqId, host: m.host, on: false }] };
  next = appendLog(
    next,
    ctx.now,
    'I',
    sourceOf(m),
    `Soft power off of ${label(m)}: operating system shutdown requested`,
  );
  return {
    state: next,
    effects: [
      { type: 'osShutdown', reqId, host: m.host, timeoutMs: s.softOffTimeoutMs },
      {
        type: 'startTimer',
        id: softOffTimer(m.host),
        ms: s.softOffTimeoutMs,
        msg: { type: 'softOffTimeout', reqId, host: m.host },
      },
    ],
  };
}

/** The blade's OS has shut down: now the power goes off. */
function osShutdownDone(
  s: ChassisState,
  msg: Extract<ChassisMsg, { type: 'osShutdownDone' }>,
  ctx: Ctx,
): ChassisDecision {
  const m = s.modules.find((x) => x.host === msg.host && x.busy?.reqId === msg.reqId);
  // An answer after the wait gave up finds the bay no longer busy with it, and is dropped.
  if (m?.busy?.step !== 'os') return { state: s, effects: [] };
  const op = m.busy;
  let next = withModule(s, m.host, (x) => ({ ...x, busy: { ...op, step: 'off' } }));
  next = appendLog(next, ctx.now, 'I', sourceOf(m), `${label(m)}: operating system shut down`);
  return {
    state: next,
    effects: [
      { type: 'cancelTimer', id: softOffTimer(m.host) },
      { type: 'setPower', reqId: op.reqId, host: m.host, on: false },
    ],
  };
}

/**
 * The OS did not shut down (it refused, could not be reached, or did not finish in time): the bay
 * stays on, as it does on an AMM whose soft power off is not honoured, and the request fails.
 */
function softOffFailed(
  s: ChassisState,
  msg: Extract<ChassisMsg, { type: 'osShutdownFailed' | 'softOffTimeout' }>,
  ctx: Ctx,
): ChassisDecision {
  const m = s.modules.find((x) => x.host === msg.host && x.busy?.reqId === msg.reqId);
  if (m?.busy?.step !== 'os') return { state: s, effects: [] };
  const why =
    msg.type === 'softOffTimeout'
      ? `the operating system did not shut down within ${Math.round(s.softOffTimeoutMs / 1000)} s`
      : `the operating system could not be asked to shut down: ${msg.error}`;
  const text = `Soft power off of ${label(m)} did not complete: ${why}; the blade stays on`;
  let next = withModule(s, m.host, (x) => ({ ...x, busy: null }));
  next = appendLog(next, ctx.now, 'E', sourceOf(m), text);
  const code: ErrorCode = msg.type === 'softOffTimeout' ? 'TIMEOUT' : msg.code;
  const effects: ChassisEffectOrTimer[] = [fail(msg.reqId, code, text)];
  if (msg.type === 'osShutdownFailed') effects.unshift({ type: 'cancelTimer', id: softOffTimer(m.host) });
  return { state: next, effects };
}
