/**
 * Redirected I/O (docs/domain.md §Cluster Shared Volumes): a node that lost every path to the LUN
 * sends its block I/O over NATS to the coordinator, which performs it through its own paths.
 * Both sides are here: the sender (in pieces under NATS's max_payload, asking again while
 * coordination moves) and the coordinator's handler.
 */
import { systemClock } from '../../actor/clock.js';
import { decodeJson, encodeJson } from '../../transport/nats.js';
import { subjects } from '../../transport/subjects.js';
import type { IoResult, StorageOp } from '../mpio.js';
import { noResponders, RETRY_MS, sleep } from './nats-helpers.js';
import type { CsvVolumeOptions, ForwardContext } from './options.js';
import {
  fromWireOp,
  fromWireResult,
  type RedirectRequest,
  toWireOp,
  toWireResult,
  type WireResult,
} from './wire.js';

/** Redirected I/O goes in pieces this big, well under NATS's 1 MiB max_payload. */
export const REDIRECT_CHUNK_BYTES = 256 * 1024;

/** A redirected I/O's result, and whether it was lost: surely not done, so the core may retry it. */
export interface RedirectOutcome {
  result: IoResult;
  lost: boolean;
}

/**
 * Sends an I/O to the coordinator in pieces of at most REDIRECT_CHUNK_BYTES, one after the
 * other: a NATS message is at most 1 MiB (max_payload), and a VM's cold boot reads its whole
 * disk. A write split in pieces is lost (surely not done) only when its first piece was.
 */
export async function redirectInChunks(
  ctx: ForwardContext,
  lun: string,
  op: StorageOp,
): Promise<RedirectOutcome> {
  const size = op.kind === 'read' ? op.length : op.kind === 'write' ? op.data.length : 0;
  if (size <= REDIRECT_CHUNK_BYTES) return redirect(ctx, lun, op);
  const parts: Uint8Array[] = [];
  for (let at = 0; at < size; at += REDIRECT_CHUNK_BYTES) {
    const n = Math.min(REDIRECT_CHUNK_BYTES, size - at);
    const piece: StorageOp =
      op.kind === 'read'
        ? { kind: 'read', offset: op.offset + at, length: n }
        : {
            kind: 'write',
            offset: (op as { offset: number }).offset + at,
            data: (op as { data: Uint8Array }).data.subarray(at, at + n),
          };
    const r = await redirect(ctx, lun, piece);
    if (!r.result.ok) return { result: r.result, lost: r.lost && at === 0 };
    if (op.kind === 'read') parts.push(r.result.data ?? new Uint8Array(n));
  }
  return {
    result: op.kind === 'read' ? { ok: true, data: Buffer.concat(parts) } : { ok: true },
    lost: false,
  };
}

/**
 * Sends one I/O to the coordinator. No responder (coordination moving), or a coordinator that
 * asks this node to reconnect (csv/core.ts admitRedirect), is asked again until
 * coordinatorWaitMs, then reported lost (it surely did not happen), as is one whose volume went
 * offline meanwhile; a timeout is TIMEOUT (indefinite: the coordinator may have written it).
 */
async function redirect(ctx: ForwardContext, lun: string, op: StorageOp): Promise<RedirectOutcome> {
  const { opts, requestTimeoutMs, coordinatorWaitMs } = ctx;
  const clock = systemClock;
  const until = clock.now() + coordinatorWaitMs;
  const wireOp = toWireOp(op);
  for (;;) {
    if (ctx.stopped())
      return {
        result: { ok: false, code: 'UNAVAILABLE', message: `${opts.volume} went offline on ${opts.node}` },
        lost: true,
      };
    try {
      // Stamped anew each time: the volume stayed online since the I/O was issued (ctx.stopped),
      // so this node has not left the cluster meanwhile, and its view now is its connection's.
      const body = encodeJson({
        lun,
        from: opts.node,
        epoch: opts.epoch?.(),
        op: wireOp,
      } satisfies RedirectRequest);
      const msg = await opts.nc.request(subjects.csvRedirected(opts.cluster, opts.volume), body, {
        timeout: requestTimeoutMs,
      });
      const w = decodeJson<WireResult>(msg.data);
      if (w.ok || !(w.notCoordinator || w.reconnect)) return { result: fromWireResult(w), lost: false };
    } catch (err) {
      if (!noResponders(err))
        return {
          result: {
            ok: false,
            code: 'TIMEOUT',
            message: `redirected ${op.kind} on ${opts.volume}: the coordinator did not answer in ${requestTimeoutMs} ms`,
          },
          lost: false,
        };
    }
    if (ctx.stopped() || clock.now() >= until)
      return {
        result: {
          ok: false,
          code: 'UNAVAILABLE',
          message: `redirected ${op.kind} on ${opts.volume}: no coordinator answered within ${coordinatorWaitMs} ms`,
        },
        lost: true,
      };
    await sleep(RETRY_MS);
  }
}

/**
 * The coordinator's side: performs another node's I/O through this node's own paths (its MPIO),
 * reads and writes of the volume's LUN only. `coordinator` is who coordinates as this node knows.
 */
export async function serveRedirect(
  opts: CsvVolumeOptions,
  coordinator: string | null,
  data: Uint8Array,
): Promise<WireResult> {
  if (coordinator !== opts.node)
    return {
      ok: false,
      code: 'UNAVAILABLE',
      message: `${opts.node} no longer coordinates ${opts.volume}`,
      notCoordinator: true,
    };
  let req: RedirectRequest;
  let op: StorageOp;
  try {
    req = decodeJson<RedirectRequest>(data);
    op = fromWireOp(req.op);
  } catch (err) {
    return {
      ok: false,
      code: 'INVALID_ARGUMENT',
      message: `bad redirected I/O: ${(err as Error).message}`,
    };
  }
  // A node outside the cluster has no access to the volume: its I/O would land with this
  // node's registration, past the fence the storage keeps against it.
  const admission = opts.admitRedirect?.(req.from, req.epoch) ?? 'perform';
  if (admission !== 'perform')
    opts.log('warn', `redirected I/O not performed: ${admission}`, {
      volume: opts.volume,
      from: req.from,
      epoch: req.epoch,
      kind: op.kind,
    });
  if (admission === 'refuse')
    return {
      ok: false,
      code: 'RESERVATION_CONFLICT',
      message: `${req.from} is not a member of the cluster: ${opts.node} refuses its redirected ${op.kind} on ${opts.volume}`,
    };
  if (admission === 'reconnect')
    return {
      ok: false,
      code: 'UNAVAILABLE',
      message: `${req.from}'s redirected ${op.kind} on ${opts.volume} was sent in its view of epoch ${req.epoch}, before it last left the cluster: ${opts.node} asks it to reconnect`,
      reconnect: true,
    };
  if (req.lun !== opts.lun || (op.kind !== 'read' && op.kind !== 'write'))
    return {
      ok: false,
      code: 'INVALID_ARGUMENT',
      message: `${opts.volume} redirects reads and writes of ${opts.lun} only, not ${op.kind} on ${req.lun}`,
    };
  return toWireResult(await opts.device.io(opts.lun, op));
}
