/**
 * Carries out the witness core's effects: loads, saves and probes of its store, and the answers
 * to waiting gRPC requests.
 */
import type { Actor } from '../actor/actor.js';
import { DcboxError } from '../actor/errors.js';
import type { PendingReplies } from '../actor/pending.js';
import type { Logger } from '../process/log.js';
import type { ReplyBody, WitnessEffect, WitnessMsg, WitnessState } from '../witness-protocol/core.js';
import type { WitnessStore } from './stores.js';

/** Builds the interpreter of witness effects for the actor runtime. */
export function makeInterpreter(store: WitnessStore, pending: PendingReplies<ReplyBody>, log: Logger) {
  let lastError = '';
  const failed = (actor: Actor<WitnessState, WitnessMsg, WitnessEffect>, seq: number, err: unknown) => {
    const error = String((err as Error)?.message ?? err);
    // Log a failure once, not at every probe while the storage stays away.
    if (error !== lastError) log('warn', 'witness store failed', { error });
    lastError = error;
    actor.send({ type: 'storeFailed', seq, error });
  };
  const recovered = () => {
    if (lastError) log('info', 'witness store reachable again');
    lastError = '';
  };
  return (effect: WitnessEffect, actor: Actor<WitnessState, WitnessMsg, WitnessEffect>): void => {
    switch (effect.type) {
      case 'load':
        store.load().then(
          (doc) => {
            recovered();
            actor.send({ type: 'loaded', seq: effect.seq, doc });
          },
          (err) => failed(actor, effect.seq, err),
        );
        return;
      case 'save':
        store.save(effect.doc).then(
          () => actor.send({ type: 'stored', seq: effect.seq }),
          (err) => failed(actor, effect.seq, err),
        );
        return;
      case 'probe':
        store.probe().then(
          () => actor.send({ type: 'stored', seq: effect.seq }),
          (err) => failed(actor, effect.seq, err),
        );
        return;
      case 'reply':
        pending.resolve(effect.reqId, effect.body);
        return;
      case 'fail':
        pending.reject(effect.reqId, new DcboxError(effect.code, effect.message));
        return;
    }
  };
}
