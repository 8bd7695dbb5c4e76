/**
 * The operator's ping of a VM, as a pure core: one echo request every interval whether or not
 * earlier ones have been answered (ping does not wait for a slow reply before sending the
 * next), each reply streamed back as it comes, and the stream ended once the last ping is
 * answered or times out — or at once when the caller cancels.
 */
import type { Ctx, Decision, TimerEffect } from '../actor/actor.js';

/** Windows ping sends 4 echo requests unless told otherwise. */
export const DEFAULT_COUNT = 4;
export const DEFAULT_INTERVAL_MS = 1000;
export const DEFAULT_TIMEOUT_MS = 1000;

/** A ping run's settings; count 0 pings until cancelled (ping -t). */
export interface PingPlan {
  vm: string;
  count: number;
  intervalMs: number;
  timeoutMs: number;
}

/**
 * What became of one echo request; an answer carries, when its host said, the host's clock when
 * it answered (`answeredAtMs`).
 */
export type EchoResult =
  | { ok: true; host: string; rttUs: number; answeredAtMs?: number }
  | { ok: false; error: string };

/** One line of the ping window, as the stream carries it. */
export interface PingLine {
  seq: number;
  ok: boolean;
  host: string;
  rtt_us: number;
  error: string;
  sent_at_ms: number;
  /** When the host answered, on its own clock; absent when it did not say. */
  answered_at_ms?: number;
}

/** A ping run. */
export interface PingState {
  plan: PingPlan;
  /** How many requests were sent so far. */
  sent: number;
  /** Requests awaiting their answer: seq → when it was sent. */
  pending: Record<number, number>;
  phase: 'idle' | 'pinging' | 'done';
}

/** Messages the ping core decides. */
export type PingMsg =
  | { type: 'start' }
  | { type: 'tick' }
  | { type: 'answered'; seq: number; result: EchoResult }
  | { type: 'cancel' };

/** Effects: send one echo request, stream one line, end the stream. */
export type PingEffect =
  | { type: 'echo'; seq: number; vm: string; timeoutMs: number }
  | { type: 'emit'; line: PingLine }
  | { type: 'end' };

/** What decidePing returns: the next state and the effects (timers included) to carry out. */
export type PingDecision = Decision<PingState, PingEffect | TimerEffect<PingMsg>>;

const TICK = 'ping-tick';

/** Fills in the defaults of a request: count unset → 4, interval and timeout 0 → 1000 ms. */
export function planOf(req: {
  vm: string;
  count?: number;
  interval_ms: number;
  timeout_ms: number;
}): PingPlan {
  return {
    vm: req.vm,
    count: req.count ?? DEFAULT_COUNT,
    intervalMs: req.interval_ms || DEFAULT_INTERVAL_MS,
    timeoutMs: req.timeout_ms || DEFAULT_TIMEOUT_MS,
  };
}

/** A run that has not started. */
export function initialPing(plan: PingPlan): PingState {
  return { plan, sent: 0, pending: {}, phase: 'idle' };
}

/** The ping core: decide one message. */
export function decidePing(state: PingState, msg: PingMsg, ctx: Ctx): PingDecision {
  switch (msg.type) {
    case 'start':
      if (state.phase !== 'idle') return { state, effects: [] };
      return send({ ...state, phase: 'pinging' }, ctx);
    case 'tick':
      if (state.phase !== 'pinging') return { state, effects: [] };
      return send(state, ctx);
    case 'answered':
      return answered(state, msg.seq, msg.result);
    case 'cancel':
      if (state.phase === 'done') return { state, effects: [] };
      return {
        state: { ...state, phase: 'done', pending: {} },
        effects: [{ type: 'cancelTimer', id: TICK }],
      };
  }
}

function allSent(state: PingState): boolean {
  return state.plan.count > 0 && state.sent >= state.plan.count;
}

function send(state: PingState, ctx: Ctx): PingDecision {
  if (allSent(state)) return { state, effects: [] };
  const seq = state.sent + 1;
  const next: PingState = { ...state, sent: seq, pending: { ...state.pending, [seq]: ctx.now } };
  const effects: PingDecision['effects'] = [
    { type: 'echo', seq, vm: state.plan.vm, timeoutMs: state.plan.timeoutMs },
  ];
  if (!allSent(next))
    effects.push({ type: 'startTimer', id: TICK, ms: state.plan.intervalMs, msg: { type: 'tick' } });
  return { state: next, effects };
}

function answered(state: PingState, seq: number, result: EchoResult): PingDecision {
  const sentAt = state.pending[seq];
  if (state.phase !== 'pinging' || sentAt === undefined) return { state, effects: [] };
  const pending = { ...state.pending };
  delete pending[seq];
  const line: PingLine = result.ok
    ? { seq, ok: true, host: result.host, rtt_us: result.rttUs, error: '', sent_at_ms: sentAt }
    : { seq, ok: false, host: '', rtt_us: 0, error: result.error, sent_at_ms: sentAt };
  if (result.ok && result.answeredAtMs !== undefined) line.answered_at_ms = result.answeredAtMs;
  const next: PingState = { ...state, pending };
  const effects: PingDecision['effects'] = [{ type: 'emit', line }];
  if (allSent(next) && Object.keys(pending).length === 0) {
    effects.push({ type: 'end' });
    return { state: { ...next, phase: 'done' }, effects };
  }
  return { state: next, effects };
}
