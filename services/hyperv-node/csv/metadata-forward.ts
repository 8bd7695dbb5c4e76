/**
 * A node's metadata requests (create, extend, delete, lookup, list a file) go to the volume's
 * coordinator, which alone changes the file table (docs/domain.md §Cluster Shared Volumes): run
 * here when this node coordinates, else sent over NATS, and asked again while coordination moves.
 */
import { systemClock } from '../../actor/clock.js';
import { DcboxError } from '../../actor/errors.js';
import { decodeJson, encodeJson } from '../../transport/nats.js';
import { subjects } from '../../transport/subjects.js';
import { noResponders, RETRY_MS, sleep } from './nats-helpers.js';
import type { ForwardContext } from './options.js';
import type { MetaReply, MetaRequest } from './wire.js';

/** A successful metadata reply. */
export type MetaOk = Extract<MetaReply, { ok: true }>;

/**
 * Runs a metadata request on the coordinator: `serveLocally` when this node is it, else forwarded
 * over NATS. While there is no coordinator, or none answers, it asks again until
 * coordinatorWaitMs; a request that was sent and timed out is not repeated (it may have
 * happened: TIMEOUT).
 */
export async function forwardMeta(
  ctx: ForwardContext,
  req: MetaRequest,
  serveLocally: (req: MetaRequest) => Promise<MetaReply>,
): Promise<MetaOk> {
  const { opts, coordinatorWaitMs } = ctx;
  // Real time on purpose: these bounds pair with real sleeps between attempts.
  const clock = systemClock;
  const until = clock.now() + coordinatorWaitMs;
  let last = 'no coordinator is named';
  for (;;) {
    if (ctx.stopped()) throw new DcboxError('UNAVAILABLE', `${opts.node} is stopping`);
    const coordinator = ctx.coordinator();
    let reply: MetaReply | null = null;
    if (coordinator === opts.node) {
      reply = await serveLocally(req);
    } else if (coordinator !== null) {
      const sent = await sendMeta(ctx, req, coordinator);
      if (sent.kind === 'reply') reply = sent.reply;
      else last = sent.why;
    }
    if (reply?.ok) return reply;
    if (reply && !reply.notCoordinator) throw new DcboxError(reply.code, reply.message);
    if (reply) last = reply.message;
    if (clock.now() >= until)
      throw new DcboxError(
        'UNAVAILABLE',
        `metadata ${req.op} on ${opts.volume}: no coordinator answered within ${coordinatorWaitMs} ms (${last})`,
      );
    await sleep(RETRY_MS);
  }
}

/**
 * Sends one metadata request to the named coordinator: its reply, or why nobody answered (no
 * responder: it surely did not happen). A timeout throws TIMEOUT, since the request may have
 * happened.
 */
async function sendMeta(
  ctx: ForwardContext,
  req: MetaRequest,
  coordinator: string,
): Promise<{ kind: 'reply'; reply: MetaReply } | { kind: 'noResponders'; why: string }> {
  const { opts, requestTimeoutMs } = ctx;
  try {
    const msg = await opts.nc.request(subjects.csvMetadata(opts.cluster, opts.volume), encodeJson(req), {
      timeout: requestTimeoutMs,
    });
    return { kind: 'reply', reply: decodeJson<MetaReply>(msg.data) };
  } catch (err) {
    if (!noResponders(err))
      throw new DcboxError(
        'TIMEOUT',
        `metadata ${req.op} on ${opts.volume}: coordinator ${coordinator} did not answer in ${requestTimeoutMs} ms`,
        { cause: err },
      );
    return { kind: 'noResponders', why: `coordinator ${coordinator} is not serving ${opts.volume}` };
  }
}
