/**
 * The daemon's gRPC services: the Backplane the management module drives to cut or restore a
 * bay's power, and the Orchestrator control API the CLI uses (status, partitions, faults, the
 * event stream, shutdown). One server answers on the run's control socket (the CLI's, owner-only)
 * and on the runtime's TCP addresses (the bridge gateway, for the management module), and every
 * call but a health check must carry the run's token (docs/security.md). The handlers only
 * translate; the daemon acts.
 */
import { chmodSync, rmSync } from 'node:fs';
import { ServerCredentials, type ServerWritableStream } from '@grpc/grpc-js';
import { DcboxError } from '../../services/actor/errors.js';
import { healthClient, protos, startGrpcServer, unary } from '../../services/transport/grpc.js';
import type { EventHub } from '../dashboard/model.js';
import type { FaultLeases, FaultRequest } from '../faults/faults.js';
import { type HostState, rssBytes } from '../run/state.js';

/** What the gRPC services ask of the daemon. */
export interface DaemonApi {
  /** Cuts or restores a host's power; resolves with its state once done. */
  setPower(name: string, on: boolean): Promise<HostState>;
  /** A host's state now (throws NOT_FOUND for an unknown host). */
  powerState(name: string): HostState;
  /** Cuts traffic between groups of hosts; returns the rules it made. */
  partition(groups: string[][], oneWay: boolean): string[];
  /** Removes every partition; returns the rules it removed. */
  heal(): string[];
  /** Injects a fault lease and counts it. */
  injectFault(req: FaultRequest): ReturnType<FaultLeases['inject']>;
  readonly faults: FaultLeases;
  /** The event hub of the observer, when there is one. */
  eventHub(): EventHub | undefined;
  status(): Promise<unknown>;
  shutdown(code: number): Promise<never>;
}

/** The reply of SetPower and GetPower: the pids the host runs now. */
function powerReply(s: HostState) {
  return {
    host: s.name,
    on: s.powered,
    pids: [s.pids.nats, s.pids.service].filter((x): x is number => !!x),
  };
}

/** dcbox.orchestrator.v1.Backplane. */
export function backplaneHandlers(api: DaemonApi) {
  return {
    SetPower: unary(async (req: { host: string; on: boolean }) =>
      powerReply(await api.setPower(req.host, req.on)),
    ),
    GetPower: unary((req: { host: string }) => powerReply(api.powerState(req.host))),
  };
}

/** dcbox.orchestrator.v1.Orchestrator. */
export function orchestratorHandlers(api: DaemonApi) {
  return {
    Status: unary(() => api.status()),
    Partition: unary((req: { groups: { hosts: string[] }[]; one_way: boolean }) => {
      if (req.groups.length < 2)
        throw new DcboxError('INVALID_ARGUMENT', 'a partition needs at least two groups of hosts');
      try {
        return {
          rules: api.partition(
            req.groups.map((g) => g.hosts),
            req.one_way,
          ),
        };
      } catch (err) {
        throw new DcboxError('REFUSED', (err as Error).message, { cause: err });
      }
    }),
    Heal: unary(() => ({ rules: api.heal() })),
    InjectFault: unary((req: FaultRequest) => api.injectFault(req)),
    LiftFault: unary((req: { id: string }) => api.faults.lift(req.id)),
    ListFaults: unary(() => ({ faults: api.faults.list() })),
    LiftAll: unary(async () => ({ faults: await api.faults.liftAll() })),
    Events: (call: ServerWritableStream<{ after_seq: number | string; follow: boolean }, unknown>) =>
      streamEvents(api.eventHub(), call),
    Shutdown: unary(() => {
      setTimeout(() => void api.shutdown(0), 10);
      return {};
    }),
  };
}

/** Sends the events after a sequence number, then (with `follow`) every new one until cancelled. */
function streamEvents(
  hub: EventHub | undefined,
  call: ServerWritableStream<{ after_seq: number | string; follow: boolean }, unknown>,
): void {
  if (!hub) {
    call.end();
    return;
  }
  const send = (p: { seq: number; event: unknown }) =>
    call.write({ seq: p.seq, json: JSON.stringify(p.event) });
  for (const p of hub.after(Number(call.request.after_seq))) send(p);
  if (!call.request.follow) {
    call.end();
    return;
  }
  const stop = hub.follow(send);
  call.on('cancelled', stop);
  call.on('close', stop);
}

/**
 * Serves both services on the control socket (a stale one removed first, the new one made
 * owner-only) and binds the TCP addresses to the same server; every call needs `runToken`.
 */
export async function serveControl(
  socketPath: string,
  addresses: string[],
  api: DaemonApi,
  runToken: string,
) {
  const p = protos();
  rmSync(socketPath, { force: true });
  const server = await startGrpcServer(
    `unix://${socketPath}`,
    0,
    [
      {
        definition: p.dcbox.orchestrator.v1.Backplane.service,
        name: 'dcbox.orchestrator.v1.Backplane',
        impl: backplaneHandlers(api),
      },
      {
        definition: p.dcbox.orchestrator.v1.Orchestrator.service,
        name: 'dcbox.orchestrator.v1.Orchestrator',
        impl: orchestratorHandlers(api),
      },
    ],
    { runToken },
  );
  chmodSync(socketPath, 0o600);
  for (const extra of addresses) {
    await new Promise<void>((resolve, reject) =>
      server.server.bindAsync(extra, ServerCredentials.createInsecure(), (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }
  server.setServing(true);
  return server;
}

/** One host as Status reports it. */
export interface HostStatusInput {
  name: string;
  component: string;
  address: string;
  grpcPort: number;
  natsPort: number;
  namespace: string | null;
  powered: boolean;
  state: HostState;
}

/** A host's line in Status: its health (asked over grpc.health.v1 when its service runs) and processes. */
export async function hostStatus(h: HostStatusInput) {
  const s = h.state;
  let health = 'off';
  if (s.pids.service) {
    const c = healthClient(`${h.address}:${h.grpcPort}`);
    health = (await c.check(500)) ? 'SERVING' : 'NOT_SERVING';
    c.close();
  } else if (h.powered) health = 'exited';
  return {
    name: h.name,
    component: h.component,
    address: h.address,
    grpc_port: h.grpcPort,
    nats_port: h.natsPort,
    powered: h.powered,
    health,
    namespace: h.namespace ?? '',
    processes: [
      {
        name: 'nats-server',
        pid: s.pids.nats ?? 0,
        running: !!s.pids.nats,
        rss_bytes: rssBytes(s.pids.nats),
      },
      {
        name: h.component,
        pid: s.pids.service ?? 0,
        running: !!s.pids.service,
        rss_bytes: rssBytes(s.pids.service),
      },
    ],
  };
}
