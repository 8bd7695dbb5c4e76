/**
 * The events of the administrator's verbs: pause, resume and drain a node, stop and start its
 * cluster service, force quorum. None has a Windows Server 2008 R2 event ID that a source gives,
 * so they carry 0 (docs/domain.md §Event IDs); the catalog of Windows IDs is event-catalog.ts.
 */
import { DCBOX_EVENT_ID, event } from './event-catalog.js';

/** The leader paused a node (Failover Cluster Manager "Pause"; with drain, its roles move off). */
export function nodePaused(node: string, drain: boolean) {
  const then = drain ? ': its roles move to other nodes by live migration' : '';
  return event(
    DCBOX_EVENT_ID,
    'node-paused',
    `Cluster node '${node}' was paused: no clustered service or application moves to it${then}.`,
    { node, drain },
  );
}

/** The leader resumed a paused node. */
export function nodeResumed(node: string) {
  return event(DCBOX_EVENT_ID, 'node-resumed', `Cluster node '${node}' was resumed.`, { node });
}

/** A drain found no node to take a role (every other member is paused, stopping or down). */
export function drainBlocked(role: string, node: string) {
  return event(
    DCBOX_EVENT_ID,
    'drain-blocked',
    `No node can take clustered service or application '${role}' off '${node}': it stays there.`,
    { role, node },
  );
}

/** The administrator asked this node to stop its cluster service: its roles move off first. */
export function serviceStopping(node: string) {
  return event(
    DCBOX_EVENT_ID,
    'service-stopping',
    `The Cluster service on '${node}' is stopping: its clustered services and applications move to other nodes first.`,
    { node },
  );
}

/** A member stopped its cluster service and left the membership cleanly (no fencing needed). */
export function nodeLeftCleanly(node: string, leader: string, fenced: boolean) {
  const why = fenced
    ? 'it still owned roles, so it is fenced before they start elsewhere'
    : 'it owned no roles, so it is not fenced';
  return event(
    DCBOX_EVENT_ID,
    'node-left',
    `Cluster node '${node}' left the cluster: its Cluster service was stopped (${why}).`,
    { node, leader, fenced },
  );
}

/** The administrator started this node's cluster service again. */
export function serviceStarted(node: string, forceQuorum: boolean) {
  const how = forceQuorum ? ' with /forcequorum' : '';
  return event(DCBOX_EVENT_ID, 'service-started', `The Cluster service on '${node}' was started${how}.`, {
    node,
    forceQuorum,
  });
}

/**
 * This node formed the cluster without quorum, forced by the administrator: its configuration
 * is the authoritative one, above the file share witness's marker (docs/domain.md §Forcing quorum).
 */
export function quorumForced(members: string[], configVersion: number, witnessVersion: number) {
  return event(
    DCBOX_EVENT_ID,
    'quorum-forced',
    `The Cluster service was started with /forcequorum: formed the cluster with ${members.join(', ')} without quorum. This node's configuration (version ${configVersion}) is now the authoritative one (the witness recorded version ${witnessVersion}) and is replicated to every node that joins.`,
    { members, configVersion, witnessVersion },
  );
}
