/**
 * Every event the cluster service logs, in one place: the Windows event IDs dcbox borrows, named
 * for what dcbox logs them for, and one builder per event with its message text and data. The
 * kinds and data are the v1 event stream (services/observability/events.ts). Events without a
 * Windows counterpart carry id 0.
 */
import type { ClusterEventEffect } from './protocol.js';

/** Event 1135: a node was removed from the active membership (by the leader, or seen in a push). */
export const NODE_REMOVED_EVENT_ID = 1135;
/** Event 1177: this node's cluster service stops because its partition lost quorum. */
export const QUORUM_LOST_EVENT_ID = 1177;
/** Event 1153: a role fails over to another node. */
export const ROLE_FAILOVER_EVENT_ID = 1153;
/** Event 1205: a role failed and will not be brought online (threshold reached, or no node can host it). */
export const ROLE_FAILED_EVENT_ID = 1205;
/** Event 1201: this node started a role's VM. */
export const ROLE_STARTED_EVENT_ID = 1201;
/** Event 1069: a role's VM resource failed an operation on this node. */
export const RESOURCE_FAILED_EVENT_ID = 1069;
/** dcbox's own events, with no Windows event behind them. */
export const DCBOX_EVENT_ID = 0;

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
export function fenced(victims: string[]) {
  return event(
    DCBOX_EVENT_ID,
    'fenced',
    `Preempted the reservation keys of ${victims.join(', ')} on every shared disk before taking them over.`,
    { victims },
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

/** A role failed for good (1205); `why` says why. */
export function roleFailed(role: string, message: string) {
  return event(ROLE_FAILED_EVENT_ID, 'role-failed', message, { role });
}

/** A role fails over to another node (1153); `reason` when a failed resource caused it. */
export function roleFailover(role: string, from: string, to: string, reason?: string) {
  const why = reason === undefined ? '' : `: ${reason}`;
  return event(
    ROLE_FAILOVER_EVENT_ID,
    'failover',
    `Role '${role}' is failing over from ${from} to ${to}${why}.`,
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

/** This node started a role's VM (1201). */
export function roleStarted(role: string, node: string) {
  return event(ROLE_STARTED_EVENT_ID, 'role-online', `Role '${role}' is coming online on ${node}.`, {
    role,
    node,
  });
}

/** A VM operation of a role failed on this node (1069). */
export function resourceFailed(role: string, op: string, error: string | undefined) {
  return event(
    RESOURCE_FAILED_EVENT_ID,
    'resource-failed',
    `Cluster resource 'Virtual Machine ${role}' failed (${op}): ${error}.`,
    { role, op },
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
