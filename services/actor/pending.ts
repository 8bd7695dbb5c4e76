/**
 * Requests waiting for the core's answer: a gRPC handler opens one, sends a message carrying its
 * id to the actor, and the interpreter settles it when the core emits a reply or fail effect.
 */
import { DcboxError } from './errors.js';

/** How many requests may wait at once before new ones are refused (a limit on everything). */
export const PENDING_MAX = 1000;

/** A table of promises keyed by request id. */
export class PendingReplies<T> {
  private nextId = 1;
  private readonly waiting = new Map<string, { resolve: (v: T) => void; reject: (e: unknown) => void }>();

  constructor(private readonly limit = PENDING_MAX) {}

  /** Registers a request; throws OVERLOADED when too many are already waiting. */
  open(): { reqId: string; answer: Promise<T> } {
    if (this.waiting.size >= this.limit) {
      throw new DcboxError('OVERLOADED', `${this.limit} requests are already waiting; try again shortly`);
    }
    const reqId = String(this.nextId++);
    const answer = new Promise<T>((resolve, reject) => this.waiting.set(reqId, { resolve, reject }));
    return { reqId, answer };
  }

  /** Settles a request with its answer; an unknown id (already settled) is ignored. */
  resolve(reqId: string, value: T): void {
    this.waiting.get(reqId)?.resolve(value);
    this.waiting.delete(reqId);
  }

  /** Settles a request with an error. */
  reject(reqId: string, err: unknown): void {
    this.waiting.get(reqId)?.reject(err);
    this.waiting.delete(reqId);
  }

  /** Fails every waiting request, e.g. when the service stops. */
  rejectAll(err: unknown): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}

/**
 * Settles like `p`, or fails with TIMEOUT once `ms` pass without it settling: for streams that
 * must make progress (a migration's pages, its acks) rather than finish by a deadline.
 */
export function within<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DcboxError('TIMEOUT', message)), ms);
  });
  return Promise.race([p, stalled]).finally(() => clearTimeout(timer));
}
