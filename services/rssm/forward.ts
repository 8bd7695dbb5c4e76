/**
 * The RSSM's data path: every dcbox.storage.v1.Storage call is checked against the zoning,
 * stamped with this switch as the initiator's port, and forwarded to the storage controller with
 * the I/O deadline. Controller errors pass through with their codes; an unreachable controller
 * is UNAVAILABLE and a call without an answer in time is TIMEOUT (its outcome is unknown).
 *
 * Reads and writes that arrive on the SAS data channel (services/sas/channel.ts) get the same
 * zoning check and stamp and go on to the controller's data channel; gRPC Read/Write calls still
 * go on as gRPC calls.
 */
import * as grpc from '@grpc/grpc-js';
import type { Actor } from '../actor/actor.js';
import { DcboxError } from '../actor/errors.js';
import type { RssmHandlers } from '../generated/dcbox/storage/v1/Rssm.js';
import type { StorageClient, StorageHandlers } from '../generated/dcbox/storage/v1/Storage.js';
import { discoverThrough, type SasAnswer, SasClient, type SasCommand } from '../sas/channel.js';
import { releaseFrameBuffer } from '../sas/frame-buffers.js';
import { CLIENT_OPTIONS, checkHealth, deadline, protos, rpc, unary } from '../transport/grpc.js';
import { fromServiceError, toServiceError } from '../transport/grpc-errors.js';
import { admit, type Initiator, type RssmEffect, type RssmMsg, type RssmState } from './core.js';

/** Where this switch sends commands, and how long one may take. */
export interface ForwardOptions {
  rssm: string;
  controller: string;
  target: string;
  ioTimeoutMs: number;
  /** The run's token, sent on the data channel to the controller (docs/security.md). */
  runToken?: string;
}

type Callback<Res> = (err: grpc.ServiceError | null, res?: Res) => void;

/** The switch's actor, which counts what it forwards and refuses. */
type RssmActor = Actor<RssmState, RssmMsg, RssmEffect>;

/** One hop through the switch: the zoning check and stamp, and the counted call beyond it. */
interface Hop {
  /** Stamps the initiator, or counts the refusal and rethrows it. */
  stamp(initiator: Initiator | null): Initiator;
  /** Forwards one gRPC call to the controller with the I/O deadline, and counts it. */
  forward<Res>(invoke: (options: grpc.CallOptions, cb: Callback<Res>) => unknown): Promise<Res>;
  /** Runs one call on the controller's data channel and counts it. */
  counted<Res>(call: () => Promise<Res>): Promise<Res>;
}

/** The Storage (forwarding) and Rssm (status, zoning) implementations of one switch. */
export function rssmServices(opts: ForwardOptions, actor: RssmActor) {
  const StorageCtor = protos().dcbox.storage.v1.Storage;
  const client: StorageClient = new StorageCtor(
    opts.target,
    grpc.credentials.createInsecure(),
    CLIENT_OPTIONS,
  );
  const controllerAddress = opts.target.slice(0, opts.target.lastIndexOf(':'));
  const channel = new SasClient({
    peer: `storage controller ${opts.controller}`,
    address: controllerAddress,
    timeoutMs: opts.ioTimeoutMs,
    discover: discoverThrough(client),
    runToken: opts.runToken,
  });
  let dataPort = 0;
  const hop = hopThrough(opts, actor);

  /** One command from the SAS data channel: zoning, stamp, then the controller's data channel. */
  const data = async (cmd: SasCommand): Promise<SasAnswer> => {
    const initiator = hop.stamp(cmd.initiator);
    return hop.counted<SasAnswer>(async () => {
      if (cmd.kind === 'read')
        return { data: await channel.read(cmd.lun, initiator, cmd.offset, cmd.length) };
      const written = await channel.write(cmd.lun, initiator, cmd.offset, cmd.data, cmd.task, cmd.dma);
      // The controller answered, so every byte of the frame left this process: its buffer may
      // carry the next frame. (After a failure the bytes may still wait in the socket.)
      releaseFrameBuffer(cmd.data);
      return { written };
    });
  };

  return {
    storage: storageHandlers(hop, client, opts, () => dataPort),
    rssm: rssmHandlers(actor, opts),
    /** Serves a SAS data channel command (the blades' reads and writes). */
    data,
    /** Names the data channel's port in Storage.DataChannel once it listens. */
    setDataPort: (port: number) => {
      dataPort = port;
    },
    close: () => {
      channel.close();
      client.close();
    },
  };
}

/** The hop's zoning check and counting, on the switch's actor. */
function hopThrough(opts: ForwardOptions, actor: RssmActor): Hop {
  const counted = async <Res>(call: () => Promise<Res>): Promise<Res> => {
    try {
      const res = await call();
      actor.send({ type: 'forwarded', ok: true });
      return res;
    } catch (err) {
      actor.send({ type: 'forwarded', ok: false });
      throw describe(fromServiceError(err), opts);
    }
  };
  return {
    stamp: (initiator) => {
      try {
        return admit(actor.state.zonedHosts, initiator, opts.rssm);
      } catch (err) {
        actor.send({ type: 'refused' });
        throw err;
      }
    },
    forward: (invoke) => counted(() => rpc((cb) => invoke(deadline(opts.ioTimeoutMs), cb))),
    counted,
  };
}

/** dcbox.storage.v1.Storage on the switch: every call checked, stamped and forwarded. */
function storageHandlers(
  hop: Hop,
  client: StorageClient,
  opts: ForwardOptions,
  dataPort: () => number,
): StorageHandlers {
  const { stamp, forward } = hop;
  return {
    DataChannel: unary(() => ({ port: dataPort() })),
    CreateLun: unary((req) => forward((o, cb) => client.CreateLun(req, o, cb))),
    DeleteLun: unary((req) => forward((o, cb) => client.DeleteLun(req, o, cb))),
    MapLun: unary((req) => forward((o, cb) => client.MapLun(req, o, cb))),
    ListLuns: unary((req) => {
      if (req.host) stamp({ host: req.host, port: opts.rssm });
      return forward((o, cb) => client.ListLuns(req, o, cb));
    }),
    Read: unary((req) => {
      const initiator = stamp(req.initiator);
      return forward((o, cb) => client.Read({ ...req, initiator }, o, cb));
    }),
    Write: unary((req) => {
      const initiator = stamp(req.initiator);
      return forward((o, cb) => client.Write({ ...req, initiator }, o, cb));
    }),
    PrRegister: unary((req) => {
      const initiator = stamp(req.initiator);
      return forward((o, cb) => client.PrRegister({ ...req, initiator }, o, cb));
    }),
    PrReserve: unary((req) => {
      const initiator = stamp(req.initiator);
      return forward((o, cb) => client.PrReserve({ ...req, initiator }, o, cb));
    }),
    PrRelease: unary((req) => {
      const initiator = stamp(req.initiator);
      return forward((o, cb) => client.PrRelease({ ...req, initiator }, o, cb));
    }),
    PrPreempt: unary((req) => {
      const initiator = stamp(req.initiator);
      return forward((o, cb) => client.PrPreempt({ ...req, initiator }, o, cb));
    }),
    PrReadKeys: unary((req) => {
      const initiator = stamp(req.initiator);
      return forward((o, cb) => client.PrReadKeys({ ...req, initiator }, o, cb));
    }),
    // Chaos faults are injected on the controller itself: a SAS switch cannot fail a disk.
    InjectFault: unary(() => {
      throw notHere(opts);
    }),
    ListFaults: unary(() => {
      throw notHere(opts);
    }),
    // The controller's log is read from the controller itself, out of band.
    WatchLog: (call) =>
      call.emit(
        'error',
        toServiceError(
          new DcboxError(
            'REFUSED',
            `${opts.rssm} is a SAS switch; follow the log of controller ${opts.target}`,
          ),
        ),
      ),
  };
}

/** dcbox.storage.v1.Rssm: the switch's status (with a live check of the controller) and zoning. */
function rssmHandlers(actor: RssmActor, opts: ForwardOptions): RssmHandlers {
  const status = async () => {
    const s = actor.state;
    return {
      name: opts.rssm,
      bay: s.bay,
      zoned_hosts: [...s.zonedHosts],
      forwarded_ios: s.forwardedIos,
      errors: s.errors,
      controller_reachable: await checkHealth(opts.target, Math.min(opts.ioTimeoutMs, 1000)),
    };
  };
  return {
    Status: unary(() => status()),
    SetZoning: unary((req) => {
      actor.send({ type: 'setZoning', hosts: req.hosts });
      return status();
    }),
  };
}

/** The answer to a chaos call sent to a switch instead of the controller. */
function notHere(opts: ForwardOptions): DcboxError {
  return new DcboxError(
    'REFUSED',
    `${opts.rssm} is a SAS switch; inject LUN faults on storage controller ${opts.controller} at ${opts.target}`,
  );
}

/** Names the controller in transport errors, so the blade's log says which hop failed. */
function describe(err: DcboxError, opts: ForwardOptions): DcboxError {
  if (err.code === 'UNAVAILABLE') {
    return new DcboxError(
      'UNAVAILABLE',
      `${opts.rssm} cannot reach storage controller ${opts.controller} at ${opts.target}: ${err.message}`,
      { cause: err },
    );
  }
  if (err.code === 'TIMEOUT') {
    return new DcboxError(
      'TIMEOUT',
      `storage controller ${opts.controller} did not answer ${opts.rssm} within ${opts.ioTimeoutMs} ms; the command may or may not have taken effect`,
      { cause: err },
    );
  }
  return err;
}
