/**
 * Configuration replication: the leader bumps the configuration's version and pushes it to the
 * members (a change commits on a majority of copies); the others adopt a newer leader's push.
 */

import { injected } from '../../../process/injected-bugs.js';
import { csvCoordinatorChanged, joinedCluster, nodeRemovedByLeader } from './event-catalog.js';
import { refreshQuorum } from './lease.js';
import { leaveCluster } from './leave.js';
import type { ClusterDecision, ClusterEffect, ClusterEffectOrTimer, ClusterMsg } from './protocol.js';
import { reconcile } from './roles.js';
import type { ClusterConfig, ClusterState, RoleConfig, View } from './state.js';

/** Copies a configuration change needs to commit: (N/2 rounded down) + 1. */
export function commitNeeded(s: ClusterState): number {
  return Math.floor(s.nodes.length / 2) + 1;
}

/**
 * Why a push did not commit, or null when it did: too few copies, or its leader no longer leads.
 * A push waits up to delay × threshold for each member; a leader that meanwhile lost quorum and
 * joined another leader's cluster must not answer its callers that their change committed: the
 * configuration they now run under was formed without it (four-node seed 32: a live migration
 * went on under a mark the new leader's configuration did not have, and its VM ran nowhere).
 * Both worlds' adapters ask it when a push's copies are counted.
 */
export function commitError(
  push: { config: { version: number }; needed: number },
  copies: number,
  leads: boolean,
): { code: 'UNAVAILABLE'; message: string } | null {
  const v = push.config.version;
  if (copies < push.needed)
    return {
      code: 'UNAVAILABLE',
      message: `configuration version ${v} reached only ${copies} of the ${push.needed} copies it needs to commit`,
    };
  if (!leads)
    return {
      code: 'UNAVAILABLE',
      message: `this node stopped leading the cluster before configuration version ${v} committed`,
    };
  return null;
}

/** The leader's effects for a new configuration: CSV coordinators, persist, push to the members. */
export function push(s: ClusterState, replyTo: string[] = []): ClusterEffectOrTimer[] {
  return [
    ...Object.values(s.config.csv).map(
      (v): ClusterEffect => ({ type: 'csv', volume: v.volume, coordinator: v.coordinator }),
    ),
    { type: 'persist', config: s.config },
    {
      type: 'push',
      to: s.members.filter((m) => m !== s.self),
      config: s.config,
      epoch: s.epoch,
      members: s.members,
      leader: s.self,
      needed: commitNeeded(s),
      replyTo,
    },
  ];
}

/** Changes the configuration and gives it the next version. */
export function bump(s: ClusterState, mutate: (c: ClusterConfig) => ClusterConfig): ClusterState {
  return { ...s, config: { ...mutate(s.config), version: s.config.version + 1 } };
}

/** The configuration with one role replaced (or added). */
export function withRole(c: ClusterConfig, role: RoleConfig): ClusterConfig {
  return { ...c, roles: { ...c.roles, [role.name]: role } };
}

/**
 * injected bug stale-config-on-rejoin: a node that rejoins with a configuration of its own keeps
 * it, stamped with the leader's version, through this and every later push. Undefined without
 * the bug, or on a first join.
 */
function keptOnRejoin(s0: ClusterState): ClusterConfig | undefined {
  if (!injected(s0.bugs, 'stale-config-on-rejoin')) return undefined;
  if (s0.service === 'Running') return s0.keptConfig;
  return s0.config.version > 0 ? s0.config : undefined;
}

/** A leader's push: adopt its configuration and membership unless it is stale. */
export function onConfigPush(
  s0: ClusterState,
  msg: Extract<ClusterMsg, { type: 'configPush' }>,
  now: number,
): ClusterDecision {
  // The leader of the newest membership is authoritative: a push from an older epoch is stale,
  // and within one epoch only a newer configuration replaces ours. Never keep a configuration of
  // our own against a newer leader's, even with a higher version: that is how two nodes come to
  // believe they both coordinate a CSV (found by a seeded campaign).
  if (msg.epoch < s0.epoch || (msg.epoch === s0.epoch && msg.config.version < s0.config.version))
    return { state: s0, effects: [] };
  // A cluster service the administrator stopped takes no part until it is started.
  if (s0.adminStop?.phase === 'stopped') return { state: s0, effects: [] };
  const effects: ClusterEffectOrTimer[] = [];
  const removed = s0.members.filter((m) => !msg.members.includes(m) && m !== s0.self);
  for (const r of removed) effects.push(nodeRemovedByLeader(r, msg.from));
  const oldCsv = s0.config.csv;
  // A role that leaves the Failed state (retried or brought online) starts with a clean slate here.
  const restarts = { ...s0.restarts };
  const roleErrors = { ...s0.roleErrors };
  for (const r of Object.values(msg.config.roles)) {
    if (s0.config.roles[r.name]?.failed && !r.failed) {
      delete restarts[r.name];
      delete roleErrors[r.name];
    }
  }
  const kept = keptOnRejoin(s0);
  let s: ClusterState = {
    ...s0,
    config: kept ? { ...kept, version: msg.config.version } : msg.config,
    keptConfig: kept,
    restarts,
    roleErrors,
    epoch: msg.epoch,
    members: msg.members,
    leader: msg.leader,
  };
  if (!msg.members.includes(s.self))
    return leaveCluster(s, now, 'Joining', `removed from the cluster membership by ${msg.from}`);
  if (s0.service !== 'Running') {
    s = { ...s, service: 'Running', needsRegister: true };
    effects.push(joinedCluster(msg.leader, msg.epoch, msg.members));
  }
  for (const v of Object.values(s.config.csv)) {
    effects.push({ type: 'csv', volume: v.volume, coordinator: v.coordinator });
    if (oldCsv[v.volume]?.coordinator !== v.coordinator && v.coordinator)
      effects.push(
        csvCoordinatorChanged(v, v.coordinator, oldCsv[v.volume]?.coordinator ?? null, 'observed'),
      );
  }
  effects.push({ type: 'persist', config: s.config });
  s = refreshQuorum(s, now);
  const r = reconcile(s, now);
  return { state: r.state, effects: [...effects, ...r.effects] };
}

/**
 * The leader sends its configuration again to a member whose heartbeat answer shows an older
 * membership or configuration though the leader asked it at least a heartbeat interval after its
 * last push: that member lost the push. A push commits on a majority of copies (docs/domain.md
 * §Vote arithmetic) and nothing sent it again, so a member that missed one stayed on the older
 * membership until the next change — 15 s on simulation seed 11 of four-node.yaml (fast timing,
 * 3 minutes), claiming quorum over a membership without the node the others had admitted. The
 * Global Update Manager delivers every update to every member, which this does.
 */
export function resendToLagging(
  s: ClusterState,
  peer: string,
  v: View,
  askedAt: number,
): ClusterEffectOrTimer[] {
  if (s.service !== 'Running' || s.leader !== s.self || !s.quorum.has || s.witness.arbitrating) return [];
  if (!s.members.includes(peer) || v.service !== 'Running' || v.leader !== s.self) return [];
  const behind = v.epoch < s.epoch || (v.epoch === s.epoch && v.configVersion < s.config.version);
  if (!behind || s.pushedAt === undefined || askedAt < s.pushedAt + s.delayMs) return [];
  return push(s).flatMap((e) => (e.type === 'push' ? [{ ...e, to: [peer] }] : []));
}
