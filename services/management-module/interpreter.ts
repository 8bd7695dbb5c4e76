/**
 * Carries out the MM core's effects: calls to the orchestrator's backplane
 * (dcbox.orchestrator.v1.Backplane), the OS shutdown request of a soft power off (the blade's
 * dcbox.node.v1.HyperVNode.Shutdown, standing in for the ACPI power button) and the answers to
 * waiting gRPC requests.
 */
import type { Actor } from '../actor/actor.js';
import { DcboxError, type ErrorCode } from '../actor/errors.js';
import type { PendingReplies } from '../actor/pending.js';
import type { ShutdownReply__Output } from '../generated/dcbox/node/v1/ShutdownReply.js';
import type { BackplaneClient } from '../generated/dcbox/orchestrator/v1/Backplane.js';
import type { HostPower__Output } from '../generated/dcbox/orchestrator/v1/HostPower.js';
import type { HostEndpoint } from '../process/config.js';
import type { Logger } from '../process/log.js';
import { CLIENT_OPTIONS, deadline, insecure, protos, rpc } from '../transport/grpc.js';
import { fromServiceError } from '../transport/grpc-errors.js';
import { encodeJson } from '../transport/nats.js';
import { subjects } from '../transport/subjects.js';
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

/**
 * Asks a blade's OS to shut down and tells the core how that ended. A call that outlives the
 * core's own wait is dropped: the core's timer has already reported it.
 */
function askOsShutdown(
  effect: Extract<ChassisEffect, { type: 'osShutdown' }>,
  hosts: HostEndpoint[],
  actor: Actor<ChassisState, ChassisMsg, ChassisEffect>,
  log: Logger,
): void {
  const failed = (code: ErrorCode, error: string) =>
    actor.send({ type: 'osShutdownFailed', reqId: effect.reqId, host: effect.host, code, error });
  const h = hosts.find((x) => x.name === effect.host && x.component === 'hyperv-node');
  if (!h) {
    failed('NOT_FOUND', `${effect.host} runs no operating system the MM can ask to shut down`);
    return;
  }
  const node = new (protos().dcbox.node.v1.HyperVNode)(
    `${h.address}:${h.grpcPort}`,
    insecure(),
    CLIENT_OPTIONS,
  );
  log('info', 'asking the blade OS to shut down', { host: effect.host, timeoutMs: effect.timeoutMs });
  rpc<ShutdownReply__Output>((cb) =>
    node.Shutdown({ reason: 'management module soft power off' }, deadline(effect.timeoutMs), cb),
  )
    .then(
      (res) => {
        log('info', 'the blade OS shut down', { host: effect.host, moves: res.moves });
        actor.send({ type: 'osShutdownDone', reqId: effect.reqId, host: effect.host });
      },
      (err) => {
        const e = fromServiceError(err);
        if (e.code !== 'TIMEOUT') failed(e.code, e.message);
      },
    )
    .finally(() => node.close());
}

/** Builds the interpreter of MM effects for the actor runtime. */
export function makeInterpreter(
  backplane: BackplaneClient,
  pending: PendingReplies<PowerAnswer>,
  log: Logger,
  hosts: HostEndpoint[],
  publish: (subject: string, data: Uint8Array) => void,
) {
  return (effect: ChassisEffect, actor: Actor<ChassisState, ChassisMsg, ChassisEffect>): void => {
    switch (effect.type) {
      case 'powerChanged':
        publish(subjects.chassisPower(effect.host), encodeJson({ host: effect.host, on: effect.on }));
        return;
      case 'osShutdown':
        askOsShutdown(effect, hosts, actor, log);
        return;
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
