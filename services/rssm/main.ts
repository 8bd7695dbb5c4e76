/**
 * rssm: a RAID SAS Switch Module in I/O bay 3 or 4. It serves dcbox.storage.v1.Storage by
 * forwarding each blade's commands to the storage controller, stamped with this switch as the
 * path, and dcbox.storage.v1.Rssm for status and zoning. Powering it off (killing the process)
 * takes its path down for every blade; nothing else is needed for that.
 *
 * Files: core.ts (zoning and counters, pure), forward.ts (the Storage and Rssm gRPC services and
 * the SAS data channel forwarding to the controller, adapter), this file (process wiring).
 */
import { Actor } from '../actor/actor.js';
import { endpoint, type RssmSettings } from '../process/config.js';
import { serviceMain } from '../process/service.js';
import { serveSasChannel } from '../sas/channel.js';
import { protos } from '../transport/grpc.js';
import { decideRssm, initialRssmState, type RssmMsg, type RssmState } from './core.js';
import { rssmServices } from './forward.js';

serviceMain<RssmSettings>({
  async setup({ cfg, log, clock, onStop }) {
    const controller = endpoint(cfg, cfg.settings.controller);
    const actor = new Actor<RssmState, RssmMsg, never>({
      self: cfg.host,
      initial: initialRssmState(cfg.settings.bay, cfg.settings.zonedHosts),
      decide: decideRssm,
      interpret: () => undefined,
      clock,
      seed: cfg.seed,
    });
    const services = rssmServices(
      {
        rssm: cfg.host,
        controller: controller.name,
        target: `${controller.address}:${controller.grpcPort}`,
        ioTimeoutMs: cfg.timing.ioTimeoutMs,
        runToken: cfg.runToken,
      },
      actor,
    );
    onStop(() => services.close());
    const channel = await serveSasChannel({
      address: cfg.address,
      runToken: cfg.runToken,
      handle: services.data,
      onBadStream: (err) =>
        log('warn', 'SAS data channel: a connection sent a bad stream', { error: err.message }),
    });
    services.setDataPort(channel.port);
    onStop(() => channel.close());
    log('info', 'forwarding to the storage controller', {
      bay: cfg.settings.bay,
      controller: controller.name,
      zoned: cfg.settings.zonedHosts,
    });
    const p = protos().dcbox.storage.v1;
    return [
      { definition: p.Storage.service, name: 'dcbox.storage.v1.Storage', impl: services.storage },
      { definition: p.Rssm.service, name: 'dcbox.storage.v1.Rssm', impl: services.rssm },
    ];
  },
});
