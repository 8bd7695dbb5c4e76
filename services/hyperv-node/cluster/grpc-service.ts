/**
 * dcbox.cluster.v1.Cluster on a node: each call asks the node's cluster adapter (service.ts)
 * through ClusterApi — commands go to the leader wherever it is, a move to the role's owner —
 * and answers with this node's view once the change took effect. The administrator's verbs are
 * in admin-handlers.ts.
 */
import type * as grpc from '@grpc/grpc-js';
import { DcboxError } from '../../actor/errors.js';
import { protos, unary } from '../../transport/grpc.js';
import { type AdminPort, adminHandlers } from './admin-handlers.js';
import type { MigrationResult } from './core/decide.js';
import type { roleView, stateView } from './core/views.js';
import type { ClusterEventLog, ClusterEventRecord } from './event-log.js';

/** A role as this node sees it (dcbox.cluster.v1.RoleView). */
type RoleView = ReturnType<typeof roleView>;

/** What the Cluster service asks of the node's cluster adapter. */
export interface ClusterApi extends Omit<AdminPort, 'nodeView'> {
  /** The node's view of the cluster (dcbox.cluster.v1.ClusterState). */
  stateView(): ReturnType<typeof stateView>;
  roleView(name: string): RoleView;
  /** The role's view once this node has heard `owner` report it (at most a few seconds on). */
  settledRoleView(name: string, owner: string): Promise<RoleView>;
  /** Makes a VM defined on this node highly available; answers with its role. */
  makeHa(vm: string, preferred: string[], allowFailback: boolean): Promise<RoleView>;
  /** The node that owns a role in this node's configuration, or undefined for an unknown role. */
  ownerOf(role: string): string | undefined;
  /** Moves a role this node owns (its core carries the move out step by step). */
  moveOwnedRole(role: string, to: string, live: boolean): Promise<MigrationResult>;
  /** The volume a MoveCsv without one means: the first of the cluster's. */
  defaultVolume: string;
  eventLog: ClusterEventLog;
}

/** A move asked of any node: carried out by the role's owner, here or over NATS. */
async function move(api: ClusterApi, req: { role: string; to: string; live: boolean }) {
  const owner = api.ownerOf(req.role);
  if (!owner) throw new DcboxError('NOT_FOUND', `no clustered role named ${req.role}`);
  const to = api.nodeNames.find((n) => n.toLowerCase() === req.to.toLowerCase());
  if (!to) throw new DcboxError('INVALID_ARGUMENT', `no cluster node named ${req.to}`);
  const stats =
    owner === api.host
      ? await api.moveOwnedRole(req.role, to, req.live)
      : ((await api.request(
          owner,
          { kind: 'move', role: req.role, to, live: req.live },
          120_000,
        )) as MigrationResult);
  return { role: await api.settledRoleView(req.role, to), migration: stats };
}

/** The Cluster service's definition and handlers, for a gRPC server. */
export function clusterGrpcService(api: ClusterApi): {
  definition: grpc.ServiceDefinition;
  name: string;
  impl: grpc.UntypedServiceImplementation;
} {
  const impl = {
    GetState: unary(() => api.stateView()),
    MakeHighlyAvailable: unary((req: { vm: string; preferred_owners: string[]; allow_failback: boolean }) =>
      api.makeHa(req.vm, req.preferred_owners, req.allow_failback),
    ),
    Online: unary(async (req: { name: string }) => {
      await api.toLeader({ op: 'online', role: req.name });
      return api.roleView(req.name);
    }),
    Offline: unary(async (req: { name: string }) => {
      await api.toLeader({ op: 'offline', role: req.name });
      return api.roleView(req.name);
    }),
    Move: unary((req: { role: string; to: string; live: boolean }) => move(api, req)),
    MoveCsv: unary(async (req: { volume: string; to: string }) => {
      const volume = req.volume || api.defaultVolume;
      await api.toLeader({ op: 'moveCsv', volume, to: req.to });
      return api.stateView().csv.find((v) => v.volume === volume);
    }),
    ...adminHandlers({ ...api, nodeView: (node) => api.stateView().nodes.find((n) => n.name === node) }),
    Events: unary((req: { since_index: number }) => ({
      events: api.eventLog.since(Number(req.since_index)),
    })),
    WatchEvents: (call: grpc.ServerWritableStream<{ since_index: number }, ClusterEventRecord>) => {
      for (const e of api.eventLog.since(Number(call.request.since_index))) call.write(e);
      const unwatch = api.eventLog.watch((e) => call.write(e));
      call.on('cancelled', unwatch);
      call.on('close', unwatch);
    },
  };
  const p = protos();
  return { definition: p.dcbox.cluster.v1.Cluster.service, name: 'dcbox.cluster.v1.Cluster', impl };
}
