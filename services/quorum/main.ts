/**
 * quorum: the cluster witness (docs/design.md §Components, docs/domain.md §Quorum). It holds one vote, arbitrated by
 * challenge and defense with increasing epochs, and the configuration marker; a disk witness
 * keeps its state on the Quorum LUN through the storage controller, a file share witness in its
 * own file. Served as dcbox.witness.v1.Witness. This file only wires the core to its adapters.
 *
 * Files: the pure core (challenge, defense, epochs and the configuration marker) lives in
 * services/witness-protocol/core.ts, shared with the cluster simulation; witness-doc.ts
 * (the witness document and its on-LUN slots over services/disk-format, pure), stores.ts (the
 * LUN and file share stores, adapter), interpreter.ts (the core's effects on the store,
 * adapter), grpc-api.ts (the Witness gRPC API, adapter), this file (process wiring).
 */
import { Actor } from '../actor/actor.js';
import { DcboxError } from '../actor/errors.js';
import { PendingReplies } from '../actor/pending.js';
import { endpoint, type QuorumSettings } from '../process/config.js';
import { serviceMain } from '../process/service.js';
import { protos } from '../transport/grpc.js';
import {
  decideWitness,
  initialState,
  type ReplyBody,
  type WitnessEffect,
  type WitnessMsg,
  type WitnessState,
} from '../witness-protocol/core.js';
import { witnessHandlers } from './grpc-api.js';
import { makeInterpreter } from './interpreter.js';
import { FileStore, LunStore, storageClient, storageLun, type WitnessStore } from './stores.js';
import { CONFIG_JSON_BYTES_MAX } from './witness-doc.js';

serviceMain<QuorumSettings>({
  packages: ['storage', 'witness'],
  async setup({ cfg, log, clock, onStop }) {
    const { kind, cluster } = cfg.settings;
    let store: WitnessStore;
    let closeStore = () => {};
    if (kind === 'disk') {
      if (!cfg.settings.lun)
        throw new Error(`quorum ${cfg.host}: a disk witness needs settings.lun (the Quorum LUN)`);
      const storage = endpoint(cfg, cfg.settings.storageHost);
      const client = storageClient(`${storage.address}:${storage.grpcPort}`);
      const device = storageLun(
        client,
        { lun: cfg.settings.lun, storageHost: cfg.settings.storageHost },
        cfg.host,
        cfg.timing.ioTimeoutMs,
      );
      store = new LunStore(device, { cluster, kind, lun: cfg.settings.lun });
      closeStore = () => client.close();
    } else {
      store = new FileStore(cfg.dataDir, { cluster, kind });
    }
    const pending = new PendingReplies<ReplyBody>();
    const actor = new Actor<WitnessState, WitnessMsg, WitnessEffect>({
      self: cfg.host,
      initial: initialState({
        kind,
        cluster,
        challengeWaitMs: cfg.timing.witnessChallengeWaitMs,
        probeIntervalMs: cfg.timing.witnessDefendIntervalMs,
        configJsonBytesMax: CONFIG_JSON_BYTES_MAX,
      }),
      decide: decideWitness,
      interpret: makeInterpreter(store, pending, log),
      clock,
      seed: cfg.seed,
      onError: (err, msg) => log('error', 'decide failed', { msg: msg.type, error: String(err) }),
    });
    actor.send({ type: 'start' });
    log('info', 'witness', { kind, cluster, lun: cfg.settings.lun, storage: cfg.settings.storageHost });
    onStop(() => {
      actor.stop();
      pending.rejectAll(new DcboxError('UNAVAILABLE', 'the witness is stopping'));
      closeStore();
    });
    return [
      {
        definition: protos().dcbox.witness.v1.Witness.service,
        name: 'dcbox.witness.v1.Witness',
        impl: witnessHandlers(actor, pending, clock),
      },
    ];
  },
});
