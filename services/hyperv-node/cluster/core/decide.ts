/**
 * The failover-cluster service of one node, as a pure core (docs/domain.md §Heartbeats, §Quorum, §Cluster Shared Volumes, §Resources and groups):
 * heartbeats and failure detection, a leader-driven regroup that agrees on membership, quorum
 * with witness arbitration, fencing before takeover, the replicated cluster configuration
 * (roles, owners, CSV coordinators) and the reconciliation of the roles this node must run.
 *
 * Everything emerges from messages: a peer that stops answering heartbeats is removed after
 * SameSubnetThreshold misses, a partition without quorum stops its roles (Event 1177), the
 * survivors log Event 1135, fence the lost node's keys and restart its roles. The adapter
 * (service.ts) carries out the effects: NATS requests, witness calls, reservations, VMs.
 *
 * Regroup (UNVERIFIED in docs/domain.md §Heartbeats) is modelled as "membership view change, then a quorum
 * check, then arbitration for the witness": the lowest-id member leads and decides membership;
 * the others adopt what it pushes.
 *
 * This file is the entry of core/: `decideCluster` only dispatches each message to its handler.
 * core/ holds only pure modules (the adapters sit in the folder above):
 * - state.ts: the state types, the initial state and small helpers on it.
 * - protocol.ts: commands, messages and effects — the core's protocol.
 * - membership.ts: heartbeats, failure detection, peers' views, the periodic tick.
 * - heartbeat-view.ts: the view each heartbeat carries (a late one is dropped), and a leader's
 *   out-of-cadence heartbeats.
 * - regroup.ts: a new membership set by the leader; forming a cluster.
 * - connectivity.ts: who hears whom, and the largest fully connected set with quorum.
 * - lease.ts: quorum of the current membership and the roles' lease.
 * - quorum.ts: vote counting for each quorum model.
 * - witness.ts: witness arbitration and defence, and what its answers do to quorum.
 * - fencing.ts: fencing removed nodes, then taking over their CSVs and roles.
 * - csv-coordination.ts: which node coordinates each Cluster Shared Volume.
 * - leave.ts: leaving the cluster (quorum lost, removed, fenced).
 * - roles.ts: the roles on this node and the reconciliation of its VMs.
 * - role-policies.ts, policy.ts: failover, failback, retry of failed roles.
 * - replication.ts: the replicated configuration, its pushes and their adoption.
 * - commands.ts: the commands the leader carries out.
 * - admin.ts, admin-events.ts: the administrator's verbs on a node (drain, stop and start the
 *   cluster service, force quorum) and their events.
 * - moves.ts: a role's move, step by step, on the node that owns it.
 * - held-vms.ts: a VM held paused after a migration whose end is unknown, until it may boot cold.
 * - event-catalog.ts: every event logged, with its Windows event ID and message.
 * - views.ts: the gRPC views of the state (dcbox.cluster.v1), pure.
 * - service.ts (adapter): runs the core in an actor and carries out its effects, with
 *   admin-handlers.ts (the gRPC handlers of pause, resume, stop and start),
 *   witness-client.ts (witness calls), reservations.ts (keys, reservations, fencing I/O),
 *   config-push.ts (configuration pushes), event-log.ts (the event log), node-protocol.ts (what
 *   nodes ask each other over NATS), node-link.ts (heartbeats and those requests over NATS),
 *   saved-config.ts (the configuration on disk) and ports.ts (what main.ts wires in).
 * - The deterministic simulation (sim/node.ts; sim/cluster-harness.ts for the cluster tests) runs
 *   this core on simulated blades, as service.ts does on real ones.
 */
import type { Ctx } from '../../../actor/actor.js';
import { drainStep, noteDrainFailures, onServiceControl } from './admin.js';
import { onCommand } from './commands.js';
import { onFenceDone, onPeerPoweredOff, takeOver } from './fencing.js';
import { staleView } from './heartbeat-view.js';
import { onVmFault } from './leave.js';
import { onHbResult, onTick, onView, probeJoining, probeLeader } from './membership.js';
import { onLeaderAnswer, onMigrated, onMoveRequest } from './moves.js';
import type { ClusterDecision, ClusterEffectOrTimer, ClusterMsg } from './protocol.js';
import { onConfigPush } from './replication.js';
import { onRegistered, onVmOpDone, onVmStartFailed, onVmState } from './roles.js';
import type { ClusterState } from './state.js';
import { onWitnessResult, onWitnessTick } from './witness.js';

export { standingView, viewOf } from './heartbeat-view.js';
export { leaseValid } from './lease.js';
export type { ClusterEffect, ClusterMsg, Command } from './protocol.js';
export { groupState, localResourceState } from './roles.js';
export type {
  ClusterConfig,
  ClusterInit,
  ClusterState,
  CsvConfig,
  GroupState,
  MigrationResult,
  MoveState,
  NodeRef,
  PeerState,
  ResourceState,
  RoleConfig,
  SavedClusterConfig,
  ServiceState,
  StandingView,
  View,
  VmState,
  WitnessView,
} from './state.js';
export { initialCluster, upgradeConfig } from './state.js';

/** Timers the adapter starts once: the heartbeat tick and the witness tick. */
export function startTimers(s: ClusterState): ClusterEffectOrTimer[] {
  return [
    { type: 'startTimer', id: 'tick', ms: s.delayMs, msg: { type: 'tick' } },
    { type: 'startTimer', id: 'witness', ms: s.defendMs, msg: { type: 'witnessTick' } },
  ];
}

/** The cluster core: one message in, the new state and the effects out. */
export function decideCluster(s: ClusterState, msg: ClusterMsg, ctx: Ctx): ClusterDecision {
  const d = dispatch(s, msg, ctx);
  // Whatever pushed the configuration, the leader notes when (replication.ts resendToLagging).
  if (!d.effects.some((e) => e.type === 'push')) return d;
  return { state: { ...d.state, pushedAt: ctx.now }, effects: d.effects };
}

/** Notes when a peer's heartbeat request was taken (fencing.ts victimsLeaseEnd). */
function heardFrom(s: ClusterState, peer: string, now: number): ClusterState {
  const p = s.peers[peer];
  return p ? { ...s, peers: { ...s.peers, [peer]: { ...p, lastHeardAt: now } } } : s;
}

/** Hands each message to its handler. */
function dispatch(s: ClusterState, msg: ClusterMsg, ctx: Ctx): ClusterDecision {
  switch (msg.type) {
    case 'tick':
      return thenDrain(onTick(s, ctx.now), ctx.now);
    case 'witnessTick':
      return onWitnessTick(s, ctx.now);
    case 'hbResult':
      return onHbResult(s, msg, ctx.now);
    case 'hbRequest': {
      // Answered whatever its view: the answer may renew the sender's lease (fencing.ts).
      const heard = heardFrom(s, msg.view.node, ctx.now);
      if (staleView(s.peers[msg.view.node]?.view, msg.view)) return { state: heard, effects: [] };
      return probeLeader(
        probeJoining(onView(heard, msg.view, ctx.now), msg.view.node, ctx.now),
        msg.view,
        ctx.now,
      );
    }
    case 'witnessResult':
      return onWitnessResult(s, msg, ctx.now);
    case 'configPush':
      return thenDrain(onConfigPush(s, msg, ctx.now), ctx.now);
    case 'command':
      return onCommand(s, msg.replyTo, msg.cmd, ctx.now);
    case 'fenceDone':
      return onFenceDone(s, msg, ctx.now);
    case 'fenceSafe':
      return takeOver(s, ctx.now);
    case 'peerPoweredOff':
      return onPeerPoweredOff(s, msg.node, ctx.now);
    case 'registered':
      return onRegistered(s, msg, ctx.now);
    case 'vmState':
      return onVmState(s, msg, ctx.now);
    case 'vmOpDone':
      return onVmOpDone(s, msg, ctx.now);
    case 'vmFault':
      return onVmFault(s, msg, ctx.now);
    case 'vmStartFailed':
      return onVmStartFailed(s, msg, ctx.now);
    case 'moveRequest':
      return onMoveRequest(s, msg);
    case 'leaderAnswer':
      return thenDrain(onLeaderAnswer(s, msg), ctx.now);
    case 'serviceControl':
      return onServiceControl(s, msg, ctx.now);
    case 'migrated':
      return onMigrated(s, msg);
  }
}

/** After a message that may let a drain go on (a tick, a push, a finished move): its next step. */
function thenDrain(d: ClusterDecision, now: number): ClusterDecision {
  const noted = noteDrainFailures(d);
  const next = drainStep(noted, now);
  if (next.state === d.state) return d;
  return { state: next.state, effects: [...d.effects, ...next.effects] };
}
