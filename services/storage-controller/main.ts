/**
 * storage-controller: the RAID controllers and disks behind the RSSMs. It serves
 * dcbox.storage.v1.Storage: LUNs as sparse files, durable block writes with group commit,
 * SCSI-3 persistent reservations enforced on every write, and chaos faults on a LUN (slow I/O,
 * media errors) that lift themselves and do not survive a restart. Reads and writes also arrive
 * on the SAS data channel (services/sas/channel.ts), the path the RSSMs forward them on. Wiring
 * only: the controller is assembled in controller.ts from the pure core (core/) and the file
 * store (store.ts).
 *
 * Files: core/ holds the pure core — decide.ts (decideStorage and LUN management), model.ts
 * (state, messages, effects and shared helpers), block-io.ts (reads and writes),
 * reservations.ts (SCSI-3 persistent reservations), faults.ts (chaos fault leases) and
 * test-support.ts (helpers for the core's tests); beside it: store.ts (LUN files and
 * the metadata file, adapter), controller.ts (the core in its actor, effects carried out on the
 * store, adapter), controller-log.ts (the controller's own log of acknowledged writes and
 * reservation changes, followed over Storage.WatchLog; adapter around a pure draft), grpc-handlers.ts (the Storage gRPC API, adapter), metrics.ts (Prometheus
 * metrics, adapter), this file (process wiring).
 */
import type { StorageSettings } from '../process/config.js';
import { serviceMain } from '../process/service.js';
import { serveSasChannel } from '../sas/channel.js';
import { protos } from '../transport/grpc.js';
import { openController } from './controller.js';
import { storageMetrics } from './metrics.js';

serviceMain<StorageSettings>({
  async setup({ cfg, log, metrics, clock, onStop }) {
    const controller = openController({
      self: cfg.host,
      dataDir: cfg.dataDir,
      settings: cfg.settings,
      seed: cfg.seed,
      clock,
      log,
      observer: storageMetrics(metrics),
      bugs: cfg.bugs,
    });
    onStop(() => controller.close());
    // Reads and writes from the RSSMs, as frames on the SAS data channel (LUN management,
    // reservations and faults stay on gRPC).
    const channel = await serveSasChannel({
      address: cfg.address,
      runToken: cfg.runToken,
      handle: (cmd) =>
        cmd.kind === 'write'
          ? controller.data.write(cmd)
          : controller.data.read(cmd).then((r) => ({ data: r.data ?? Buffer.alloc(0) })),
      onBadStream: (err) =>
        log('warn', 'SAS data channel: a connection sent a bad stream', { error: err.message }),
    });
    controller.setDataPort(channel.port);
    onStop(() => channel.close());
    return [
      {
        definition: protos().dcbox.storage.v1.Storage.service,
        name: 'dcbox.storage.v1.Storage',
        impl: controller.handlers,
      },
    ];
  },
});
