/**
 * The gRPC face of the witness: dcbox.witness.v1.Witness. Every call but Get goes through the
 * actor and answers once the store has made (or confirmed) the state it answers from.
 */
import type { Actor } from '../actor/actor.js';
import type { Clock } from '../actor/clock.js';
import type { PendingReplies } from '../actor/pending.js';
import type { ArbitrateRequest__Output } from '../generated/dcbox/witness/v1/ArbitrateRequest.js';
import type { DefendRequest__Output } from '../generated/dcbox/witness/v1/DefendRequest.js';
import type { PutConfigRequest__Output } from '../generated/dcbox/witness/v1/PutConfigRequest.js';
import type { ReleaseRequest__Output } from '../generated/dcbox/witness/v1/ReleaseRequest.js';
import { unary } from '../transport/grpc.js';
import {
  type ReplyBody,
  viewState,
  type WitnessEffect,
  type WitnessMsg,
  type WitnessState,
} from '../witness-protocol/core.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The handlers of dcbox.witness.v1.Witness. */
export function witnessHandlers(
  actor: Actor<WitnessState, WitnessMsg, WitnessEffect>,
  pending: PendingReplies<ReplyBody>,
  clock: Clock,
) {
  const ask = (
    msg: DistributiveOmit<Extract<WitnessMsg, { reqId: string }>, 'reqId'>,
  ): Promise<ReplyBody> => {
    const { reqId, answer } = pending.open();
    actor.send({ ...msg, reqId } as WitnessMsg);
    return answer;
  };
  return {
    Arbitrate: unary((req: ArbitrateRequest__Output) =>
      ask({ type: 'arbitrate', node: req.node, configVersion: req.config_version }),
    ),
    Defend: unary((req: DefendRequest__Output) => ask({ type: 'defend', node: req.node, epoch: req.epoch })),
    Release: unary((req: ReleaseRequest__Output) =>
      ask({ type: 'release', node: req.node, epoch: req.epoch }),
    ),
    PutConfig: unary((req: PutConfigRequest__Output) =>
      ask({
        type: 'putConfig',
        node: req.node,
        epoch: req.epoch,
        configVersion: req.config_version,
        configJson: req.config_json,
      }),
    ),
    Get: unary(() => viewState(actor.state, clock.now())),
  };
}
