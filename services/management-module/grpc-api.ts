/**
 * The gRPC face of the MM: dcbox.chassis.v1.ManagementModule. Reads are views of the actor's
 * state at the current time; Power goes through the actor and answers once the backplane did.
 * Every call carries the chassis account, as a telnet or Redfish login does: a call without it
 * or with a wrong one is refused (UNAUTHENTICATED) after the failed-login delay, and counted
 * and logged as a failed login is.
 */
import * as grpc from '@grpc/grpc-js';
import type { Actor } from '../actor/actor.js';
import type { Clock } from '../actor/clock.js';
import { DcboxError } from '../actor/errors.js';
import type { PendingReplies } from '../actor/pending.js';
import type { PowerRequest__Output } from '../generated/dcbox/chassis/v1/PowerRequest.js';
import { AUTHORIZATION_KEY } from '../transport/call-auth.js';
import { unary } from '../transport/grpc.js';
import { type ChassisEffect, type ChassisMsg, type ChassisState, viewChassis } from './core.js';
import { grpcLoginRefusal } from './endpoints.js';
import type { PowerAnswer } from './interpreter.js';

/** The chassis account the API asks for, and what a refused call does besides being refused. */
export interface GrpcLogin {
  credentials: { username: string; password: string };
  /** Counts and logs a refused call (the core records it as a failed remote login). */
  refused(user: string, peer: string, method: string): void;
  /** How long a refused call waits before it is answered, as a failed telnet login does. */
  failDelayMs: number;
}

/** A unary handler that runs only for a caller with the chassis account. */
function withLogin<Req, Res>(
  login: GrpcLogin,
  method: string,
  handler: grpc.handleUnaryCall<Req, Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const refusal = grpcLoginRefusal(login.credentials, call.metadata.get(AUTHORIZATION_KEY));
    if (!refusal) {
      handler(call, callback);
      return;
    }
    login.refused(refusal.user, call.getPeer(), method);
    setTimeout(
      () => callback({ code: grpc.status.UNAUTHENTICATED, details: refusal.details }),
      login.failDelayMs,
    );
  };
}

/** The handlers of dcbox.chassis.v1.ManagementModule. */
export function managementModuleHandlers(
  actor: Actor<ChassisState, ChassisMsg, ChassisEffect>,
  pending: PendingReplies<PowerAnswer>,
  clock: Clock,
  login: GrpcLogin,
) {
  return {
    GetChassis: withLogin(
      login,
      'GetChassis',
      unary(() => viewChassis(actor.state, clock.now())),
    ),
    GetEventLog: withLogin(
      login,
      'GetEventLog',
      unary(() => ({
        entries: actor.state.log.map((e) => ({
          index: e.index,
          time_ms: e.timeMs,
          severity: e.severity,
          source: e.source,
          text: e.text,
        })),
      })),
    ),
    Power: withLogin(
      login,
      'Power',
      unary(async (req: PowerRequest__Output) => {
        if (!req.action)
          throw new DcboxError('INVALID_ARGUMENT', 'action is required: on, off, cycle or softoff');
        const { reqId, answer } = pending.open();
        actor.send({ type: 'power', reqId, kind: req.kind, bay: req.bay, action: req.action });
        return answer;
      }),
    ),
  };
}
