/**
 * management-module: the BladeCenter S Advanced Management Module (DOMAIN.md §6). It keeps the
 * chassis inventory, shows module health from the heartbeats every service publishes, powers
 * blades and I/O modules through the orchestrator's backplane and keeps an event log, all
 * served as dcbox.chassis.v1.ManagementModule. This file only wires the core to its adapters.
 */
import { Actor } from '../actor/actor.js';
import { systemClock } from '../actor/clock.js';
import type { MmSettings } from '../actor/config.js';
import { DcboxError } from '../actor/errors.js';
import { protos } from '../actor/grpc.js';
import { decodeJson } from '../actor/nats.js';
import { runService } from '../actor/service.js';
import { subjects } from '../actor/subjects.js';
import { decide, initialState, type MmEffect, type MmMsg, type MmState } from './core.js';
import { managementModuleHandlers } from './grpc-api.js';
import { backplaneClient, makeInterpreter, type PowerAnswer } from './interpreter.js';
import { PendingReplies } from './pending.js';

await runService<MmSettings>({
  async setup({ cfg, nc, log, onStop }) {
    const backplane = backplaneClient(cfg.backplane);
    const pending = new PendingReplies<PowerAnswer>();
    const actor = new Actor<MmState, MmMsg, MmEffect>({
      self: cfg.host,
      initial: initialState(cfg.settings, {
        silenceMs: cfg.timing.moduleSilenceMs,
        tickMs: cfg.timing.moduleHeartbeatMs,
        now: systemClock.now(),
      }),
      decide,
      interpret: makeInterpreter(backplane, pending, log),
      clock: systemClock,
      seed: cfg.seed,
      onError: (err, msg) => log('error', 'decide failed', { msg: msg.type, error: String(err) }),
    });
    const sub = nc.subscribe(subjects.chassisHeartbeatAll, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const hb = decodeJson<{ host?: unknown }>(msg.data);
          if (typeof hb.host === 'string') actor.send({ type: 'heartbeat', host: hb.host });
        } catch (e) {
          log('debug', 'dropped a heartbeat', { subject: msg.subject, error: String(e) });
        }
      },
    });
    actor.send({ type: 'start' });
    onStop(() => {
      sub.unsubscribe();
      actor.stop();
      pending.rejectAll(new DcboxError('UNAVAILABLE', 'the management module is stopping'));
      backplane.close();
    });
    return [
      {
        definition: protos().dcbox.chassis.v1.ManagementModule.service,
        name: 'dcbox.chassis.v1.ManagementModule',
        impl: managementModuleHandlers(actor, pending, systemClock),
      },
    ];
  },
});
