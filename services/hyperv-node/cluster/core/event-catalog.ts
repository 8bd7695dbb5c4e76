/**
 * Every event the cluster service logs, in one place: the Windows event IDs dcbox borrows, named
 * for what dcbox logs them for, and one builder per event with its message text and data. The
 * kinds and data are the v1 event stream (services/observability/events.ts). Messages follow the
 * Windows Server 2008 R2 texts ("clustered service or application", where later versions say
 * "clustered role"), with dcbox's detail after them; docs/domain.md §Event IDs gives each ID's
 * source and how sure it is. Events without a Windows counterpart carry id 0.
 */
import type { ClusterEventEffect } from './protocol.js';

/** Event 1135 (EVENT_NODE_DOWN): a node was removed from the active membership. */
export const NODE_REMOVED_EVENT_ID = 1135;
/** Event 1177 (MM_EVENT_ARBITRATION_FAILED): this node's cluster service stops because its partition lost quorum. */
export const QUORUM_LOST_EVENT_ID = 1177;
/** Event 1153: the cluster service is attempting to fail a group over to another node. */
export const ROLE_FAILOVER_EVENT_ID = 1153;
/** Event 1205 (RCM_EVENT_GROUP_FAILED_ONLINE_OFFLINE): a group did not come completely online or offline. */
export const GROUP_FAILED_EVENT_ID = 1205;
/** Event 1254 (RCM_GROUP_TERMINAL_FAILURE): a group exceeded its failover threshold and is left Failed. */
export const FAILOVER_THRESHOLD_EVENT_ID = 1254;
/** Event 1201: a group was brought online successfully on this node. */
export const ROLE_STARTED_EVENT_ID = 1201;
/** Event 1069 (RCM_RESOURCE_FAILURE): a resource of a group failed on this node. */
export const RESOURCE_FAILED_EVENT_ID = 1069;
/** Event 1561 (SERVICE_NONSTORAGE_WITNESS_BETTER_TAG): partition in time, this node's configuration is not the latest. */
export const PARTITION_IN_TIME_EVENT_ID = 1561;
/** Event 1126 (NM/TM_EVENT_CLUSTER_NETINTERFACE_UNREACHABLE): a node's interface is unreachable from this node. */
export const NETINTERFACE_UNREACHABLE_EVENT_ID = 1126;
/** Event 5120 (DCM_VOLUME_AUTO_PAUSE_AFTER_FAILURE): a CSV is no longer available here; I/O is queued. */
export const CSV_PAUSED_EVENT_ID = 5120;
/** Event 5121 (DCM_VOLUME_NO_DIRECT_IO_DUE_TO_FAILURE): a CSV's I/O is redirected over the network. */
export const CSV_REDIRECTED_EVENT_ID = 5121;
/** Event 5142 (DCM_VOLUME_NO_ACCESS): a CSV is no longer accessible from this node. */
export const CSV_NO_ACCESS_EVENT_ID = 5142;
/** dcbox's own events, with no Windows event behind them. */
export const DCBOX_EVENT_ID = 0;

/** The one cluster network dcbox models: every heartbeat goes over it (docs/domain.md §Heartbeats). */
export const CLUSTER_NETWORK = 'Cluster Network 1';

/** One event effect: the Windows id, the stream's kind, the message and the kind's data. */
export function event(
  eventId: number,
  kind: string,
  message: string,
  data: Record<string, unknown> = {},
): ClusterEventEffect {
  return { type: 'event', eventId, kind, message, data };
}

/** The leader removed a node that missed SameSubnetThreshold heartbeats. */
export function nodeRemovedByHeartbeats(node: string, missed: number, threshold: number, delayMs: number) {
  return event(
    NODE_REMOVED_EVENT_ID,
    'node-removed',
    `Cluster node '${node}' was removed from the active failover cluster membership: ${missed} heartbeats missed (threshold ${threshold}, every ${delayMs} ms).`,
    { node, missedHeartbeats: missed, sameSubnetThreshold: threshold, sameSubnetDelayMs: delayMs },
  );
}

/** A member learned from the leader's push that a node was removed. */
export function nodeRemovedByLeader(node: string, leader: string) {
  return event(
    NODE_REMOVED_EVENT_ID,
    'node-removed',
    `Cluster node '${node}' was removed from the active failover cluster membership.`,
    { node, leader },
  );
}

/** The leader admitted a node into the membership. */
export function nodeJoined(node: string) {
  return event(DCBOX_EVENT_ID, 'node-joined', `Cluster node '${node}' joined the cluster.`, { node });
}

/** This node formed the cluster, with the witness's vote when it needed it. */
export function clusterFormed(members: string[], withWitness: boolean) {
  const message = withWitness
    ? `Formed the cluster with ${members.join(', ')} and the witness.`
    : `Formed the cluster with ${members.join(', ')}.`;
  return event(DCBOX_EVENT_ID, 'cluster-formed', message, { members });
}

/** This node joined a running cluster. */
export function joinedCluster(leader: string, epoch: number, members: string[]) {
  return event(DCBOX_EVENT_ID, 'joined', `Joined the cluster led by ${leader} (epoch ${epoch}).`, {
    leader,
    members,
  });
}

/** This node's cluster service stopped: quorum lost (1177), fenced, or removed from the membership. */
export function leftCluster(
  why: string,
  reason: 'quorum-lost' | 'fenced-self' | 'left-cluster',
  votes: { votes: number; needed: number; total: number },
) {
  return event(reason === 'quorum-lost' ? QUORUM_LOST_EVENT_ID : DCBOX_EVENT_ID, reason, why, votes);
}

/** Re-registering this node's reservation keys failed; roles wait. */
export function registerFailed(error: string | undefined) {
  return event(DCBOX_EVENT_ID, 'register-failed', `Re-registering the reservation keys failed: ${error}.`);
}

/** Fencing the removed nodes failed; the leader retries. */
export function fenceFailed(victims: string[], error: string | undefined) {
  return event(DCBOX_EVENT_ID, 'fence-failed', `Fencing ${victims.join(', ')} failed: ${error}; retrying.`, {
    victims,
  });
}

/** The leader preempted the removed nodes' keys. */
export function fenced(victims: string[], takeOverWaitMs = 0) {
  return event(
    DCBOX_EVENT_ID,
    'fenced',
    `Preempted the reservation keys of ${victims.join(', ')} on every shared disk before taking them over.`,
    // How much longer the takeover waits for the removed nodes' leases (fencing.ts): where a
    // failover's time goes between Event 1135 and the role's start.
    { victims, takeOverWaitMs },
  );
}

/** A CSV has a new coordinator: taken over from a removed node, observed in a pushed configuration, or moved. */
export function csvCoordinatorChanged(
  volume: { volume: string; lun: string },
  coordinator: string | null,
  previous: string | null,
  reason: 'takeover' | 'observed' | 'move',
) {
  return event(
    DCBOX_EVENT_ID,
    'csv-coordinator',
    `Cluster Shared Volume ${volume.volume} (${volume.lun}) is now coordinated by ${coordinator}.`,
    { volume: volume.volume, coordinator, previous, reason },
  );
}

/** A VM was made highly available. */
export function roleCreated(role: string, owner: string) {
  return event(
    DCBOX_EVENT_ID,
    'role-created',
    `Virtual machine ${role} is now a highly available role owned by ${owner}.`,
    { role, owner },
  );
}

/** The leader marked a role as moving. */
export function moveStarted(role: string, from: string, to: string, kind: 'live' | 'quick') {
  return event(
    DCBOX_EVENT_ID,
    'move-started',
    `${kind === 'live' ? 'Live' : 'Quick'} migration of '${role}' from ${from} to ${to} started.`,
    { role, from, to, kind },
  );
}

/** A move ended: the role runs on its new owner, or stays where it was. */
export function moveEnded(role: string, from: string, to: string, ok: boolean) {
  return event(
    DCBOX_EVENT_ID,
    ok ? 'move-completed' : 'move-failed',
    ok ? `'${role}' now runs on ${to}.` : `Moving '${role}' to ${to} failed; it stays on ${from}.`,
    { role, from, to },
  );
}

/** The source node's migration finished, with its figures. */
export function migrationDone(role: string, to: string, live: boolean, stats: MigrationFigures) {
  return event(
    DCBOX_EVENT_ID,
    'migration',
    `${live ? 'Live' : 'Quick'} migration of '${role}' to ${to}: ${stats.passes} passes, ${stats.bytes_copied} bytes in ${stats.duration_ms} ms, blackout ${stats.blackout_ms} ms.`,
    { ...stats },
  );
}

/** The figures of a migration that the message names. */
export interface MigrationFigures {
  passes: number;
  bytes_copied: number;
  duration_ms: number;
  blackout_ms: number;
}

/** The group of a role exhausted its failover threshold and is left Failed (1254). */
export function failoverThresholdExceeded(role: string, threshold: number) {
  return event(
    FAILOVER_THRESHOLD_EVENT_ID,
    'role-failed',
    `Clustered service or application '${role}' has exceeded its failover threshold. It has exhausted the configured number of failover attempts within the failover period of time allotted to it and will be left in a failed state. No additional attempts will be made to bring the service or application online or fail it over to another node in the cluster. (FailoverThreshold ${threshold} in FailoverPeriod 6 h.)`,
    { role, reason: 'failover-threshold' },
  );
}

/** No node can host a role's group: it is left Failed (1205). */
export function noNodeCanHost(role: string) {
  return event(
    GROUP_FAILED_EVENT_ID,
    'role-failed',
    `${groupFailedText(role)} No node of the cluster can host it; it stays Failed.`,
    { role, reason: 'no-node' },
  );
}

/** A role's VM ran out of restarts on this node: its group did not come online here (1205). */
export function groupFailedHere(role: string, node: string, op: string) {
  return event(
    GROUP_FAILED_EVENT_ID,
    'role-online-failed',
    `${groupFailedText(role)} Its virtual machine failed to ${op} on ${node} after RestartThreshold restarts.`,
    { role, node, op },
  );
}

function groupFailedText(role: string): string {
  return `The Cluster service failed to bring clustered service or application '${role}' completely online or offline. One or more resources may be in a failed state. This may impact the availability of the clustered service or application.`;
}

/** A role fails over to another node (1153); `reason` when a failed resource caused it. */
export function roleFailover(role: string, from: string, to: string, reason?: string) {
  const why = reason === undefined ? '' : ` Cause: ${reason}.`;
  return event(
    ROLE_FAILOVER_EVENT_ID,
    'failover',
    `The Cluster service is attempting to fail over the clustered service or application '${role}' from node '${from}' to node '${to}'.${why}`,
    { role, from, to },
  );
}

/** A role goes back to its preferred owner. */
export function roleFailback(role: string, from: string, to: string) {
  return event(DCBOX_EVENT_ID, 'failback', `Role '${role}' fails back to its preferred owner ${to}.`, {
    role,
    from,
    to,
  });
}

/** A failed role is tried again after RetryPeriodOnFailure. */
export function roleRetry(role: string, failedAgoMs: number, owner: string) {
  return event(
    DCBOX_EVENT_ID,
    'role-retry',
    `Role '${role}' failed ${Math.round(failedAgoMs / 1000)} s ago: trying it again on ${owner} (RetryPeriodOnFailure).`,
    { role, owner },
  );
}

/** This node started a role's VM: the group is online here (1201). */
export function roleStarted(role: string, node: string) {
  return event(
    ROLE_STARTED_EVENT_ID,
    'role-online',
    `The Cluster service successfully brought the clustered service or application '${role}' online.`,
    { role, node },
  );
}

/** A VM operation of a role failed on this node (1069); the resource is 'Virtual Machine <role>'. */
export function resourceFailed(role: string, op: string, error: string | undefined) {
  return event(
    RESOURCE_FAILED_EVENT_ID,
    'resource-failed',
    `Cluster resource 'Virtual Machine ${role}' in clustered service or application '${role}' failed. The ${op} operation returned: ${error}.`,
    { role, op },
  );
}

/**
 * Partition in time (1561): the file share witness's marker is newer than this node's
 * configuration, so the cluster service does not start here until a node with the latest
 * configuration forms the cluster (docs/domain.md §Partition in time).
 */
export function partitionInTime(configVersion: number, witnessVersion: number) {
  return event(
    PARTITION_IN_TIME_EVENT_ID,
    'partition-in-time',
    `The cluster service has determined that this node does not have the latest copy of cluster configuration data. Therefore, the cluster service has prevented itself from starting on this node. (Configuration version ${configVersion}; the file share witness records version ${witnessVersion}.)`,
    { configVersion, witnessVersion },
  );
}

/** This node missed SameSubnetThreshold heartbeats from a peer on the cluster network (1126). */
export function netInterfaceUnreachable(node: string, missed: number) {
  return event(
    NETINTERFACE_UNREACHABLE_EVENT_ID,
    'netinterface-unreachable',
    `Cluster network interface '${node} - ${CLUSTER_NETWORK}' for cluster node '${node}' on network '${CLUSTER_NETWORK}' is unreachable by at least one other cluster node attached to the network. The failover cluster was not able to determine the location of the failure. (${missed} heartbeats missed from this node.)`,
    { node, network: CLUSTER_NETWORK, missedHeartbeats: missed },
  );
}

/** The witness stopped answering while this node held it. */
export function witnessOffline(error: string | undefined) {
  return event(DCBOX_EVENT_ID, 'witness-offline', `The witness is unreachable: ${error}.`, {});
}

/** A joining node took a newer configuration from the disk witness. */
export function configFromWitness(version: number) {
  return event(
    DCBOX_EVENT_ID,
    'config-from-witness',
    `Took configuration version ${version} from the disk witness.`,
    { version },
  );
}

/** Another node took the witness this node defended. */
export function witnessLost(owner: string | null, epoch: number) {
  return event(DCBOX_EVENT_ID, 'witness-lost', `Lost the witness to ${owner} (epoch ${epoch}).`, {
    owner,
    epoch,
  });
}

/** This node won the witness. */
export function witnessArbitrated(epoch: number) {
  return event(DCBOX_EVENT_ID, 'witness-arbitrated', `Won the witness (epoch ${epoch}).`, { epoch });
}

/** The witness was denied: another node holds it. */
export function witnessDenied(owner: string | null, epoch: number) {
  return event(
    DCBOX_EVENT_ID,
    'witness-denied',
    `The witness was denied: held by ${owner} (epoch ${epoch}).`,
    { owner, epoch },
  );
}

/** A change of a CSV's mode on this node, as the volume reports it (services/hyperv-node/csv/core.ts). */
export interface CsvModeChangeFacts {
  volume: string;
  from: string;
  to: string;
  reason: string;
}

/**
 * A CSV's mode on this node changed: Redirected is 5121, Paused 5120 and Offline 5142; back to
 * Direct has no Windows event dcbox could confirm, so it carries 0 (docs/domain.md §Event IDs).
 * `lun` stands for the CSV's disk resource, the second name in the Windows texts.
 */
export function csvModeChanged(c: CsvModeChangeFacts, lun: string) {
  const data = { volume: c.volume, mode: c.to, previous: c.from, reason: c.reason, lun };
  switch (c.to) {
    case 'Redirected':
      return event(
        CSV_REDIRECTED_EVENT_ID,
        'csv-mode',
        `Cluster Shared Volume '${c.volume}' ('${lun}') is no longer directly accessible from this cluster node. I/O access will be redirected to the storage device over the network through the node that owns the volume. (${c.reason}.)`,
        data,
      );
    case 'Paused':
      return event(
        CSV_PAUSED_EVENT_ID,
        'csv-mode',
        `Cluster Shared Volume '${c.volume}' is no longer available on this node because of '${c.reason}'. All I/O will temporarily be queued until a path to the volume is reestablished.`,
        data,
      );
    case 'Offline':
      return event(
        CSV_NO_ACCESS_EVENT_ID,
        'csv-mode',
        `Cluster Shared Volume '${c.volume}' ('${lun}') is no longer accessible from this cluster node because of error '${c.reason}'.`,
        data,
      );
    default:
      return event(
        DCBOX_EVENT_ID,
        'csv-mode',
        `Cluster Shared Volume '${c.volume}' ('${lun}') is accessible directly from this cluster node again (was ${c.from}: ${c.reason}).`,
        data,
      );
  }
}
