/**
 * Polling until a condition holds, for tests and tools that watch a running system from outside
 * (a cluster forming, a VM answering, a benchmark's migration finishing). Service code never polls:
 * it reacts to messages and timers; this is for code that can only ask again.
 */
import { inspect } from 'node:util';
import { systemClock } from '../actor/clock.js';

/** How long to poll, how often, and what the wait is for. */
export interface PollOptions {
  /** What is awaited, as it reads after "waiting for": `'HVR2NODO1 to rejoin'`. */
  what: string;
  /** Give up once this long has passed since the first probe (the probe runs once more at the end). */
  timeoutMs: number;
  /** The pause between two probes; 50 ms unless told. */
  intervalMs?: number;
}

/** A probe's result with the falsy values taken out: what pollUntil returns. */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Thrown when the condition did not hold in time; `cause` is the last error the probe threw. */
export class PollTimeoutError extends Error {
  constructor(
    message: string,
    /** What was awaited. */
    readonly what: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PollTimeoutError';
  }
}

const INTERVAL_DEFAULT_MS = 50;

/**
 * Calls `probe` until it returns a truthy value and returns that value. A probe that throws counts
 * as not yet (a peer that is still starting refuses connections); its error is kept for the
 * message. After `timeoutMs` the wait fails with a PollTimeoutError that names what was awaited
 * and the last value and error seen, so a failed test says how far the system got.
 */
export async function pollUntil<T>(probe: () => T | Promise<T>, options: PollOptions): Promise<Truthy<T>> {
  const { what, timeoutMs, intervalMs = INTERVAL_DEFAULT_MS } = options;
  const endMs = systemClock.now() + timeoutMs;
  const seen: PollSeen = { attempts: 0 };
  for (;;) {
    seen.attempts++;
    try {
      const value = await probe();
      if (value) return value as Truthy<T>;
      seen.value = { value };
    } catch (err) {
      seen.error = { error: err };
    }
    if (systemClock.now() > endMs)
      throw new PollTimeoutError(timeoutMessage(what, timeoutMs, seen), what, { cause: seen.error?.error });
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** What the probes returned and threw so far; boxed so that a falsy value or error still shows. */
export interface PollSeen {
  attempts: number;
  value?: { value: unknown };
  error?: { error: unknown };
}

/** The timeout's message: what was awaited, for how long, and the last value and error seen. */
export function timeoutMessage(what: string, timeoutMs: number, seen: PollSeen): string {
  const last: string[] = [];
  if (seen.value) last.push(`last value ${inspect(seen.value.value)}`);
  if (seen.error) last.push(`last error: ${errorText(seen.error.error)}`);
  const tries = `${seen.attempts} ${seen.attempts === 1 ? 'try' : 'tries'}`;
  return `timed out after ${timeoutMs} ms waiting for ${what} (${[tries, ...last].join('; ')})`;
}

const ERROR_MAX_CHARS = 300;

/** An error's message on one line, cut to a length a test report can show. */
function errorText(err: unknown): string {
  const s = err instanceof Error ? err.message : inspect(err, { depth: 2 });
  const line = s.replace(/\s*\n\s*/g, ' ');
  return line.length > ERROR_MAX_CHARS ? `${line.slice(0, ERROR_MAX_CHARS)}…` : line;
}
