/**
 * Drains a node before a graceful shutdown: the MM asks the node's cluster (dcbox.cluster.v1
 * Cluster, served by every hyperv-node) which roles the node owns, and moves each one to another
 * member — live when it is online, as "Pause → Drain Roles" does in Failover Cluster Manager —
 * so the node leaves the cluster cleanly before its power is cut.
 */

import { DcboxError } from '../actor/errors.js';
import type { ClusterState__Output } from '../generated/dcbox/cluster/v1/ClusterState.js';
import type { HostEndpoint } from '../process/config.js';
import { CLIENT_OPTIONS, deadline, insecure, protos, rpc } from '../transport/grpc.js';

/** Reading the cluster state is a lookup on the node. */
export const GET_STATE_TIMEOUT_MS = 5_000;
/** One live migration copies the VM's memory; on loopback that is seconds at most. */
export const MOVE_TIMEOUT_MS = 60_000;

/** One move the drain will ask for. */
export interface DrainMove {
  role: string;
  to: string;
  live: boolean;
}

/**
 * Plans the moves of a node's roles from its cluster state: each role it owns goes to the first
 * other member that is Up, live when the role is Online. Throws when no other member is Up.
 */
export function planDrain(state: ClusterState__Output, node: string): DrainMove[] {
  const owned = state.roles.filter((r) => r.owner.toLowerCase() === node.toLowerCase());
  if (owned.length === 0) return [];
  const up = new Set(state.nodes.filter((n) => n.state === 'Up').map((n) => n.name));
  const others = state.members.filter(
    (m) => m.toLowerCase() !== node.toLowerCase() && (up.size === 0 || up.has(m)),
  );
  const to = others[0];
  if (!to)
    throw new DcboxError(
      'BAD_STATE',
      `${node} owns ${owned.map((r) => r.name).join(', ')} and no other cluster member is up to take them`,
    );
  return owned.map((r) => ({ role: r.name, to, live: r.state === 'Online' }));
}

/** Moves every role of `node` away through its own Cluster service; rejects on the first failure. */
export async function drainNode(hosts: HostEndpoint[], node: string): Promise<DrainMove[]> {
  const h = hosts.find((x) => x.name.toLowerCase() === node.toLowerCase());
  if (!h) throw new DcboxError('NOT_FOUND', `${node} is not in the MM's host directory`);
  if (h.component !== 'hyperv-node') return [];
  const client = new (protos().dcbox.cluster.v1.Cluster)(
    `${h.address}:${h.grpcPort}`,
    insecure(),
    CLIENT_OPTIONS,
  );
  try {
    const state = await rpc<ClusterState__Output>((cb) =>
      client.GetState({}, deadline(GET_STATE_TIMEOUT_MS), cb),
    );
    const moves = planDrain(state, node);
    for (const m of moves) await rpc((cb) => client.Move(m, deadline(MOVE_TIMEOUT_MS), cb));
    return moves;
  } finally {
    client.close();
  }
}
