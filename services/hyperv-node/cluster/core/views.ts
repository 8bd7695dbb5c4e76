/**
 * What the cluster service shows of a node's cluster state over gRPC (dcbox.cluster.v1): pure
 * functions of the core's state, the time and each CSV's mode on this node.
 */
import { DcboxError } from '../../../actor/errors.js';
import { leaseValid } from './lease.js';
import { groupState, localResourceState } from './roles.js';
import { type ClusterState, isPaused } from './state.js';

/** A failover counts toward the failover threshold for six hours. */
const FAILOVER_PERIOD_MS = 6 * 3600_000;

/** A clustered role as dcbox.cluster.v1.Role; NOT_FOUND when there is none by that name. */
export function roleView(s: ClusterState, name: string, now: number) {
  const r = s.config.roles[name];
  if (!r) throw new DcboxError('NOT_FOUND', `no clustered role named ${name}`);
  // A node whose lease lapsed (a thawed node, a partition without quorum before it stops its
  // roles) cannot vouch for the roles it owns: its VMs answer nothing (the echo gate) and the
  // survivors may already run them. It shows them Pending until it stops or renews its lease.
  const unvouched = r.owner === s.self && !leaseValid(s, now);
  const group = groupState(s, r);
  const state = unvouched && group === 'Online' ? 'Pending' : group;
  const local = localResourceState(s, r);
  const res =
    r.owner === s.self
      ? unvouched && local === 'Online'
        ? 'OnlinePending'
        : local
      : (s.peers[r.owner]?.view?.roles[name] ?? (state === 'Online' ? 'Online' : 'Offline'));
  return {
    name: r.name,
    vm: r.vm.name,
    owner: r.owner,
    state,
    preferred_owners: r.preferredOwners,
    allow_failback: r.allowFailback,
    resources: [
      { name: `Virtual Machine ${r.vm.name}`, type: 'Virtual Machine', state: res },
      {
        name: `Virtual Machine Configuration ${r.vm.name}`,
        type: 'Virtual Machine Configuration',
        state: res === 'Failed' ? 'Failed' : state === 'Offline' ? 'Offline' : 'Online',
      },
    ],
    restarts_in_period: (s.restarts[name] ?? []).length,
    failovers_in_period: r.failovers.filter((t) => now - t < FAILOVER_PERIOD_MS).length,
    last_error: s.roleErrors[name] ?? '',
    memory_mib: r.vm.memoryMiB,
    disk_path: r.vm.diskPath,
  };
}

/** A cluster node as this node sees it (dcbox.cluster.v1.NodeView). */
function nodeView(s: ClusterState, n: { name: string; id: number }, now: number) {
  const p = s.peers[n.name];
  const self = n.name === s.self;
  const up = self ? s.service === 'Running' : s.members.includes(n.name) && !p?.down;
  const joining = self ? s.service === 'Joining' : p?.view?.service === 'Joining' && !p.down;
  return {
    name: n.name,
    node_id: n.id,
    // A paused member shows Paused, as Get-ClusterNode does (docs/domain.md §Pause and drain).
    state: up ? (isPaused(s, n.name) ? 'Paused' : 'Up') : joining ? 'Joining' : 'Down',
    missed_heartbeats: p?.missed ?? 0,
    last_heartbeat_ms_ago: self ? 0 : p?.lastOkAt ? now - p.lastOkAt : 0,
  };
}

/** The node's view of the cluster, as dcbox.cluster.v1.ClusterState. */
export function stateView(s: ClusterState, now: number, csvMode: (volume: string) => string | undefined) {
  return {
    cluster: s.cluster,
    node: s.self,
    service_state: s.service,
    membership_epoch: s.epoch,
    members: s.members,
    leader: s.leader ?? '',
    nodes: s.nodes.map((n) => nodeView(s, n, now)),
    quorum: {
      model: s.model,
      // Quorum is claimed only with a valid lease: a node that just woke from a freeze still
      // remembers quorum but may not act on it (found by a seeded campaign).
      has_quorum: s.service === 'Running' && s.quorum.has && leaseValid(s, now),
      votes: s.quorum.votes,
      needed: s.quorum.needed,
      total: s.quorum.total,
      witness_owner: s.witness.owner ?? '',
      witness_epoch: s.witness.epoch,
      witness_status: s.witness.status,
      arbitrating: s.witness.arbitrating,
    },
    csv: Object.values(s.config.csv).map((v) => ({
      volume: v.volume,
      path: v.path,
      lun: v.lun,
      coordinator: v.coordinator ?? '',
      modes: [{ node: s.self, mode: csvMode(v.volume) ?? 'Offline' }],
    })),
    roles: Object.keys(s.config.roles)
      .sort()
      .map((n) => roleView(s, n, now)),
    config_version: s.config.version,
    same_subnet_delay_ms: s.delayMs,
    same_subnet_threshold: s.threshold,
  };
}
