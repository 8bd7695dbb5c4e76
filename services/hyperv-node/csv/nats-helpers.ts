/**
 * NATS helpers shared by the two sides of a CSV's requests: the pause between attempts while no
 * coordinator answers, telling "nobody serves this subject" from a timeout, and replying without
 * letting a refused reply end the node's process.
 */
import { NoRespondersError, RequestError } from '@nats-io/transport-node';
import { encodeJson } from '../../transport/nats.js';

/** The pause between two attempts to reach a coordinator while coordination moves. */
export const RETRY_MS = 50;

/**
 * Answers a request; a reply NATS refuses (over max_payload, a closed connection) becomes an
 * error reply, or nothing, rather than an exception that would end the node's process.
 */
export function respondSafely(msg: { respond(data: Uint8Array): boolean }, reply: unknown): void {
  try {
    msg.respond(encodeJson(reply));
  } catch (err) {
    try {
      msg.respond(encodeJson({ ok: false, code: 'IO_ERROR', message: `reply not sent: ${String(err)}` }));
    } catch {
      // The connection is gone: the requester times out.
    }
  }
}

/** Whether a request failed because nobody subscribes to its subject (it surely did not happen). */
export function noResponders(err: unknown): boolean {
  return err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders());
}

/** Resolves after ms of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
