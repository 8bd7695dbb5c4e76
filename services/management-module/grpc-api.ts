/**
 * The gRPC face of the MM: dcbox.chassis.v1.ManagementModule. Reads are views of the actor's
 * state at the current time; Power goes through the actor and answers once the backplane did.
 */
import type { Actor } from '../actor/actor.js';
import type { Clock } from '../actor/clock.js';
import { DcboxError } from '../actor/errors.js';
import type { PendingReplies } from '../actor/pending.js';
import type { PowerRequest__Output } from '../generated/dcbox/chassis/v1/PowerRequest.js';
import { unary } from '../transport/grpc.js';
import { type ChassisEffect, type ChassisMsg, type ChassisState, viewChassis } from './core.js';
import type { PowerAnswer } from './interpreter.js';

/** The handlers of dcbox.chassis.v1.ManagementModule. */
export function managementModuleHandlers(
  actor: Actor<ChassisState, ChassisMsg, ChassisEffect>,
  pending: PendingReplies<PowerAnswer>,
  clock: Clock,
) {
  return {
    GetChassis: unary(() => viewChassis(actor.state, clock.now())),
    GetEventLog: unary(() => ({
      entries: actor.state.log.map((e) => ({
        index: e.index,
        time_ms: e.timeMs,
        severity: e.severity,
        source: e.source,
        text: e.text,
      })),
    })),
    Power: unary(async (req: PowerRequest__Output) => {
      if (!req.action) throw new DcboxError('INVALID_ARGUMENT', 'action is required: on, off or cycle');
      const { reqId, answer } = pending.open();
      actor.send({ type: 'power', reqId, kind: req.kind, bay: req.bay, action: req.action });
      return answer;
    }),
  };
}
