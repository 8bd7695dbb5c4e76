/**
 * The Ping adapter: one actor per streaming call runs the ping core; echo requests go over NATS
 * to the VM's address, lines go back on the gRPC stream, and a cancelled call stops the actor.
 */
import type * as grpc from '@grpc/grpc-js';
import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { Actor } from '../actor/actor.js';
import type { Clock } from '../actor/clock.js';
import { DcboxError } from '../actor/errors.js';
import type { PingReply } from '../generated/dcbox/workstation/v1/PingReply.js';
import type { PingRequest__Output } from '../generated/dcbox/workstation/v1/PingRequest.js';
import { toServiceError } from '../transport/grpc-errors.js';
import { decodeJson, encodeJson, type NatsConnection } from '../transport/nats.js';
import { subjects } from '../transport/subjects.js';
import {
  decidePing,
  type EchoResult,
  initialPing,
  type PingEffect,
  type PingMsg,
  type PingState,
  planOf,
} from './core.js';

/**
 * What the ping window says for a failed echo: no host holds the VM's address ("no
 * responders") shows as "Destination host unreachable", as the tutorial's window did while the
 * VM was down; no answer in time as "Request timed out".
 */
export function pingError(err: unknown): string {
  if (err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders())) {
    return 'Destination host unreachable';
  }
  if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError)) {
    return 'Request timed out';
  }
  return `General failure: ${(err as Error)?.message ?? String(err)}`;
}

/**
 * The answer a VM's host sent: who answered and, when the host said, its clock when it answered
 * (`answeredAt`, ms since the epoch; a host of an older build does not say).
 */
export function echoAnswer(reply: { host: string; answeredAt?: unknown }, rttUs: number): EchoResult {
  const at = reply.answeredAt;
  return typeof at === 'number' && Number.isFinite(at)
    ? { ok: true, host: reply.host, rttUs, answeredAtMs: at }
    : { ok: true, host: reply.host, rttUs };
}

/** Sends one echo request to a VM and measures the round trip. */
async function echo(
  nc: NatsConnection,
  clock: Clock,
  vm: string,
  seq: number,
  timeoutMs: number,
): Promise<EchoResult> {
  const started = process.hrtime.bigint();
  try {
    const msg = await nc.request(subjects.vmEcho(vm), encodeJson({ seq, at: clock.now() }), {
      timeout: timeoutMs,
    });
    return echoAnswer(decodeJson(msg.data), Number((process.hrtime.bigint() - started) / 1000n));
  } catch (err) {
    return { ok: false, error: pingError(err) };
  }
}

/** The streaming Ping handler; `clock` drives the ping's timers and stamps its echo requests. */
export function pingHandler(
  nc: NatsConnection,
  clock: Clock,
): grpc.handleServerStreamingCall<PingRequest__Output, PingReply> {
  return (call) => {
    const req = call.request;
    const bad = checkPingRequest(req);
    if (bad) {
      call.emit('error', toServiceError(bad));
      return;
    }
    const plan = planOf(req);
    const actor: Actor<PingState, PingMsg, PingEffect> = new Actor<PingState, PingMsg, PingEffect>({
      self: `ping:${req.vm}`,
      initial: initialPing(plan),
      decide: decidePing,
      interpret: (effect) => {
        switch (effect.type) {
          case 'echo':
            void echo(nc, clock, effect.vm, effect.seq, effect.timeoutMs).then((result) =>
              actor.send({ type: 'answered', seq: effect.seq, result }),
            );
            return;
          case 'emit':
            call.write(effect.line);
            return;
          case 'end':
            call.end();
            actor.stop();
            return;
        }
      },
      clock,
    });
    call.on('cancelled', () => {
      actor.send({ type: 'cancel' });
      actor.stop();
    });
    actor.send({ type: 'start' });
  };
}

/** Checks a request before it is streamed (kept apart so the error text is testable). */
export function checkPingRequest(req: { vm: string }): DcboxError | null {
  return req.vm ? null : new DcboxError('INVALID_ARGUMENT', 'vm is required: the name of the VM to ping');
}
