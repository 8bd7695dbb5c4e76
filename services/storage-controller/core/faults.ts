/**
 * Chaos faults on a LUN (slow I/O, media errors): injected as leases that end by themselves,
 * drawn from the seeded random and timed on ctx.now, so a run replays from its seed. Pure.
 */
import type { Ctx } from '../../actor/actor.js';
import {
  findLun,
  type LunFault,
  type LunFaultView,
  refuse,
  reply,
  type StorageDecision,
  type StorageMsg,
  type StorageState,
} from './model.js';

/** Longest delay a slow-I/O fault may add: beyond a minute every command would time out anyway. */
export const FAULT_DELAY_MAX_MS = 60_000;

/** How long a fault lasts when the request names no duration. */
export const FAULT_DURATION_DEFAULT_MS = 60_000;

/** The longest lease a fault may hold; a longer request is cut to this. */
export const FAULT_DURATION_MAX_MS = 10 * 60_000;

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

/** The faults in force now, by LUN name. */
export function listFaults(state: StorageState, reqId: number, now: number): StorageDecision {
  const faults = Object.keys(state.faults)
    .sort()
    .flatMap((name) => {
      const f = activeFault(state, name, now);
      return f ? [faultView(name, f)] : [];
    });
  return reply(state, reqId, { faults });
}

/** Injects, replaces or lifts the chaos fault of a LUN; every fault is a lease with a timer. */
export function injectFault(
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

/** A fault lease ran out: lift it unless a newer fault replaced it since. */
export function faultExpired(state: StorageState, lun: string, expiresAtMs: number): StorageDecision {
  if (state.faults[lun]?.expiresAtMs !== expiresAtMs) return { state, effects: [] };
  const { [lun]: _lifted, ...faults } = state.faults;
  return { state: { ...state, faults }, effects: [] };
}

/** The fault in force on a LUN now; a lease past its end counts as lifted even before its timer. */
export function activeFault(state: StorageState, lun: string, now: number): LunFault | undefined {
  const f = state.faults[lun];
  return f && now < f.expiresAtMs ? f : undefined;
}

/**
 * What the LUN's fault does to one data read or write: for an errors fault, one draw from the
 * seeded random decides whether it fails; a slow fault delays it. Counts the commands it hit.
 */
export function underFault(
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

/** The id of the timer that ends the fault lease on a LUN. */
export function faultTimerId(lun: string): string {
  return `fault:${lun}`;
}
