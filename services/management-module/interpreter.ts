/**
 * Carries out the MM core's effects: calls to the orchestrator's backplane
 * (dcbox.orchestrator.v1.Backplane) and the answers to waiting gRPC requests.
 */
import type { Actor } from '../actor/actor.js';
import { DcboxError } from '../actor/errors.js';
import type { PendingReplies } from '../actor/pending.js';
import type { BackplaneClient } from '../generated/dcbox/orchestrator/v1/Backplane.js';
import type { HostPower__Output } from '../generated/dcbox/orchestrator/v1/HostPower.js';
import type { Logger } from '../process/log.js';
import { CLIENT_OPTIONS, deadline, insecure, protos, rpc } from '../transport/grpc.js';
import { fromServiceError } from '../transport/grpc-errors.js';
import type { BayView, ChassisEffect, ChassisMsg, ChassisState } from './core.js';

/** A power-on waits until the host's processes are started and healthy, which takes seconds. */
export const SET_POWER_TIMEOUT_MS = 60_000;
/** Reading the power state is a lookup in the orchestrator. */
export const GET_POWER_TIMEOUT_MS = 2_000;

/** What a Power request answers. */
export interface PowerAnswer {
  bay: BayView;
  message: string;
}

/** A client of the orchestrator's backplane at "host:port". */
export function backplaneClient(target: string): BackplaneClient {
  return new (protos().dcbox.orchestrator.v1.Backplane)(target, insecure(), CLIENT_OPTIONS);
}

/** Builds the interpreter of MM effects for the actor runtime. */
export function makeInterpreter(
  backplane: BackplaneClient,
  pending: PendingReplies<PowerAnswer>,
  log: Logger,
) {
  return (effect: ChassisEffect, actor: Actor<ChassisState, ChassisMsg, ChassisEffect>): void => {
    switch (effect.type) {
      case 'getPower':
        rpc<HostPower__Output>((cb) =>
          backplane.GetPower({ host: effect.host, on: false }, deadline(GET_POWER_TIMEOUT_MS), cb),
        ).then(
          (res) => actor.send({ type: 'powerRead', host: effect.host, on: res.on }),
          (err) => {
            const e = fromServiceError(err);
            log('warn', 'cannot read power from the backplane', { host: effect.host, error: e.message });
            actor.send({ type: 'powerReadFailed', host: effect.host, error: e.message });
          },
        );
        return;
      case 'setPower':
        log('info', 'backplane power', { host: effect.host, on: effect.on });
        rpc<HostPower__Output>((cb) =>
          backplane.SetPower({ host: effect.host, on: effect.on }, deadline(SET_POWER_TIMEOUT_MS), cb),
        ).then(
          (res) => actor.send({ type: 'powerSet', reqId: effect.reqId, host: effect.host, on: res.on }),
          (err) => {
            const e = fromServiceError(err);
            actor.send({
              type: 'powerSetFailed',
              reqId: effect.reqId,
              host: effect.host,
              code: e.code,
              error: e.message,
            });
          },
        );
        return;
      case 'reply':
        pending.resolve(effect.reqId, { bay: effect.bay, message: effect.message });
        return;
      case 'fail':
        pending.reject(effect.reqId, new DcboxError(effect.code, effect.message));
        return;
    }
  };
}
