/**
 * The failover-cluster service of one node, as a pure core (DOMAIN.md §1–§4):
 * heartbeats and failure detection, a leader-driven regroup that agrees on membership, quorum
 * with witness arbitration, fencing before takeover, the replicated cluster configuration
 * (roles, owners, CSV coordinators) and the reconciliation of the roles this node must run.
 *
 * Everything emerges from messages: a peer that stops answering heartbeats is removed after
 * SameSubnetThreshold misses, a partition without quorum stops its roles (Event 1177), the
 * survivors log Event 1135, fence the lost node's keys and restart its roles. The adapter
 * (service.ts) carries out the effects: NATS requests, witness calls, reservations, VMs.
 *
 * Regroup (UNVERIFIED in DOMAIN.md §1) is modelled as "membership view change, then a quorum
 * check, then arbitration for the witness": the lowest-id member leads and decides membership;
 * the others adopt what it pushes.
 */
import type { Ctx, Decision, TimerEffect } from '../../actor/actor.js';
import type { ErrorCode } from '../../actor/errors.js';
import type { VmSpec } from '../../process/config.js';
import { afterResourceFailure, chooseTarget, failbackTarget, mayFailOver } from './policy.js';
import { countVotes, type QuorumModel, usesWitness, type Votes } from './quorum.js';

export type ServiceState = 'Joining' | 'Running' | 'Stopped' | 'Fenced';
/** CLUSTER_GROUP_STATE names (DOMAIN.md §4). */
export type GroupState = 'Online' | 'Offline' | 'Failed' | 'PartialOnline' | 'Pending';
/** CLUSTER_RESOURCE_STATE names (DOMAIN.md §4). */
export type ResourceState = 'Online' | 'Offline' | 'Failed' | 'OnlinePending' | 'OfflinePending';
/** What the VM manager reports of a VM on this node ('Absent' when not defined here). */
export type VmState = 'Off' | 'Starting' | 'Running' | 'Saving' | 'Saved' | 'Absent';

export interface RoleConfig {
  name: string;
  vm: VmSpec;
  owner: string;
  preferredOwners: string[];
  allowFailback: boolean;
  desired: 'Online' | 'Offline';
  /** A move under way: the owner is migrating the VM; nobody else touches it meanwhile. */
  moving: { to: string; kind: 'live' | 'quick' } | null;
  failovers: number[];
  /** Failed: the failover threshold was reached (DOMAIN.md §4); retried after RetryPeriodOnFailure. */
  failed: boolean;
  /** When it failed, for the retry (null while not failed). */
  failedAt?: number | null;
}

export interface CsvConfig {
  volume: string;
  lun: string;
  path: string;
  /** The coordinator; null while ownership moves (nodes pause the volume's I/O). */
  owner: string | null;
}

/** The replicated cluster configuration (the "cluster database"). */
export interface ClusterConfig {
  version: number;
  roles: Record<string, RoleConfig>;
  csv: Record<string, CsvConfig>;
}

export interface WitnessView {
  owner: string | null;
  epoch: number;
  status: 'online' | 'offline' | 'unknown';
}

/** What a node tells its peers in every heartbeat request and response. */
export interface View {
  node: string;
  service: ServiceState;
  epoch: number;
  members: string[];
  leader: string | null;
  configVersion: number;
  witness: WitnessView;
  /** Whether the sender holds the witness and defended it recently. */
  witnessHeld: boolean;
  /** Resource state of the roles the sender runs. */
  roles: Record<string, ResourceState>;
}

export interface Peer {
  lastOkAt: number | null;
  missed: number;
  down: boolean;
  view: View | null;
  /** When this node, outside a running cluster, last asked the peer out of turn (probeJoining). */
  probedAt?: number;
}

export interface NodeRef {
  name: string;
  id: number;
}

export interface ClusterCore {
  cluster: string;
  self: string;
  nodes: NodeRef[];
  model: QuorumModel;
  delayMs: number;
  threshold: number;
  defendMs: number;
  /** RetryPeriodOnFailure: a Failed group is tried again after this long (DOMAIN.md §4, 1 h). */
  retryPeriodMs: number;
  /** Whether the disk witness keeps a full copy of the configuration. */
  witnessKeepsConfig: boolean;
  startedAt: number;
  service: ServiceState;
  epoch: number;
  members: string[];
  leader: string | null;
  peers: Record<string, Peer>;
  witness: WitnessView & {
    held: boolean;
    lastDefendOkAt: number | null;
    busy: boolean;
    arbitrating: boolean;
  };
  quorum: Votes;
  /** Roles may act (VMs answer, run) only until then: renewed while quorum is freshly confirmed. */
  leaseUntil: number;
  config: ClusterConfig;
  /** The leader's fencing of removed nodes, before it takes over their disks and roles. */
  fencing: {
    victims: string[];
    safeAt: number;
    fenced: boolean;
    busy: boolean;
    csvPrevious: Record<string, string>;
  } | null;
  vms: Record<string, VmState>;
  vmBusy: Record<string, string>;
  restarts: Record<string, number[]>;
  roleErrors: Record<string, string>;
  /** Set when this node must re-register its reservation keys before it runs roles. */
  needsRegister: boolean;
  /** Nodes removed while quorum is still being arbitrated: fenced only once it is won. */
  pendingRemoved: string[];
}

/** Requests to the cluster, carried out by the leader (other nodes forward them). */
export type Command =
  | {
      op: 'makeHa';
      vm: VmSpec;
      owner: string;
      vmState: VmState;
      preferredOwners: string[];
      allowFailback: boolean;
    }
  | { op: 'online'; role: string }
  | { op: 'offline'; role: string }
  | { op: 'beginMove'; role: string; to: string; kind: 'live' | 'quick' }
  | { op: 'endMove'; role: string; ok: boolean }
  | { op: 'moveCsv'; volume: string; to: string }
  | { op: 'failRole'; role: string; from: string; reason: string };

export type ClusterMsg =
  | { type: 'tick' }
  | { type: 'witnessTick' }
  | { type: 'hbResult'; peer: string; ok: boolean; view?: View }
  | { type: 'hbRequest'; view: View }
  | {
      type: 'witnessResult';
      op: 'arbitrate' | 'defend' | 'get';
      ok: boolean;
      outcome?: 'granted' | 'challenged' | 'denied';
      owner?: string;
      epoch?: number;
      status?: 'online' | 'offline';
      retryAfterMs?: number;
      configVersion?: number;
      config?: ClusterConfig | null;
      error?: string;
    }
  | {
      type: 'configPush';
      from: string;
      config: ClusterConfig;
      epoch: number;
      members: string[];
      leader: string;
    }
  | { type: 'command'; replyTo: string; cmd: Command }
  | { type: 'fenceDone'; ok: boolean; victims: string[]; error?: string }
  | { type: 'fenceSafe' }
  | { type: 'registered'; ok: boolean; error?: string }
  | { type: 'vmState'; name: string; state: VmState }
  | { type: 'vmOpDone'; name: string; op: string; ok: boolean; error?: string }
  | { type: 'vmFault'; name: string; reason: string };

export type ClusterEffect =
  | { type: 'heartbeat'; peer: string; view: View; timeoutMs: number }
  | { type: 'witness'; op: 'arbitrate' | 'defend' | 'get'; epoch: number; configVersion: number }
  | {
      type: 'push';
      to: string[];
      config: ClusterConfig;
      epoch: number;
      members: string[];
      leader: string;
      /** Copies needed to commit: (N/2 rounded down) + 1, the leader's own and a disk witness's count (DOMAIN.md §2). */
      needed: number;
      replyTo: string[];
    }
  | { type: 'fence'; victims: string[] }
  | { type: 'register' }
  /** A command for the leader, from this node (e.g. a role that exhausted its restarts). */
  | { type: 'forward'; cmd: Command }
  | { type: 'vm'; op: 'define' | 'start' | 'turnOff' | 'save' | 'remove'; name: string; spec?: VmSpec }
  | { type: 'csv'; volume: string; owner: string | null }
  | { type: 'persist'; config: ClusterConfig }
  | { type: 'reply'; replyTo: string; ok: boolean; code?: ErrorCode; message?: string }
  | { type: 'event'; eventId: number; kind: string; message: string; data: Record<string, unknown> };

type Eff = ClusterEffect | TimerEffect<ClusterMsg>;
type Out = Decision<ClusterCore, Eff>;

export interface ClusterInit {
  cluster: string;
  self: string;
  nodes: NodeRef[];
  model: QuorumModel;
  delayMs: number;
  threshold: number;
  defendMs: number;
  /** RetryPeriodOnFailure in ms; 1 h when not given (DOMAIN.md §4). */
  retryPeriodMs?: number;
  witnessKeepsConfig: boolean;
  csv: { volume: string; lun: string; path: string }[];
  /** The configuration this node persisted before, if any. */
  saved: ClusterConfig | null;
  now: number;
}

export function initialCluster(init: ClusterInit): ClusterCore {
  const csv: Record<string, CsvConfig> = {};
  for (const v of init.csv) csv[v.volume] = { ...v, owner: null };
  const peers: Record<string, Peer> = {};
  for (const n of init.nodes)
    if (n.name !== init.self) peers[n.name] = { lastOkAt: null, missed: 0, down: true, view: null };
  return {
    cluster: init.cluster,
    self: init.self,
    nodes: [...init.nodes].sort((a, b) => a.id - b.id),
    model: init.model,
    delayMs: init.delayMs,
    threshold: init.threshold,
    defendMs: init.defendMs,
    retryPeriodMs: init.retryPeriodMs ?? 3_600_000,
    witnessKeepsConfig: init.witnessKeepsConfig,
    startedAt: init.now,
    service: 'Joining',
    epoch: 0,
    members: [],
    leader: null,
    peers,
    witness: {
      owner: null,
      epoch: 0,
      status: 'unknown',
      held: false,
      lastDefendOkAt: null,
      busy: false,
      arbitrating: false,
    },
    quorum: countVotes(init.model, init.nodes.length, 0, false),
    leaseUntil: 0,
    config: init.saved ?? { version: 0, roles: {}, csv },
    fencing: null,
    vms: {},
    vmBusy: {},
    restarts: {},
    roleErrors: {},
    needsRegister: false,
    pendingRemoved: [],
  };
}

/** Timers the adapter starts once: the heartbeat tick and the witness tick. */
export function startTimers(s: ClusterCore): Eff[] {
  return [
    { type: 'startTimer', id: 'tick', ms: s.delayMs, msg: { type: 'tick' } },
    { type: 'startTimer', id: 'witness', ms: s.defendMs, msg: { type: 'witnessTick' } },
  ];
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const idOf = (s: ClusterCore, name: string) =>
  s.nodes.find((n) => n.name === name)?.id ?? Number.MAX_SAFE_INTEGER;
const byId = (s: ClusterCore) => (a: string, b: string) => idOf(s, a) - idOf(s, b);

/** A peer's vote counts toward a fresh quorum while it answered within two heartbeat intervals. */
const freshWindow = (s: ClusterCore) => 2 * s.delayMs;
/** How long a freshly confirmed quorum lets roles act: the rest of the detection window. */
const leaseMs = (s: ClusterCore) => Math.max(1, s.threshold - 2) * s.delayMs;

function event(
  eventId: number,
  kind: string,
  message: string,
  data: Record<string, unknown> = {},
): ClusterEffect {
  return { type: 'event', eventId, kind, message, data };
}

/** This node's view, sent with every heartbeat. */
export function viewOf(s: ClusterCore, now: number): View {
  const roles: Record<string, ResourceState> = {};
  for (const r of Object.values(s.config.roles))
    if (r.owner === s.self) roles[r.name] = localResourceState(s, r);
  return {
    node: s.self,
    service: s.service,
    epoch: s.epoch,
    members: s.members,
    leader: s.leader,
    configVersion: s.config.version,
    witness: { owner: s.witness.owner, epoch: s.witness.epoch, status: s.witness.status },
    witnessHeld: witnessFresh(s, now),
    roles,
  };
}

function witnessFresh(s: ClusterCore, now: number): boolean {
  return (
    s.witness.held && s.witness.lastDefendOkAt !== null && now - s.witness.lastDefendOkAt <= freshWindow(s)
  );
}

/** Whether this node's partition holds the witness: held by a member that confirmed it lately. */
function partitionHoldsWitness(s: ClusterCore, now: number, members: string[]): boolean {
  if (!usesWitness(s.model)) return false;
  if (members.includes(s.self) && witnessFresh(s, now)) return true;
  return members.some((m) => {
    const p = s.peers[m];
    return (
      !!p &&
      !p.down &&
      p.view?.witnessHeld === true &&
      p.lastOkAt !== null &&
      now - p.lastOkAt <= freshWindow(s)
    );
  });
}

/** Recomputes quorum for the current membership, and renews the lease when it is fresh. */
function refreshQuorum(s: ClusterCore, now: number): ClusterCore {
  const members = s.service === 'Running' ? s.members : [s.self];
  const quorum = countVotes(s.model, s.nodes.length, members.length, partitionHoldsWitness(s, now, members));
  // A fresh quorum counts only peers heard lately: a node frozen past the threshold, or cut
  // off, cannot renew its lease, so it stops answering for its VMs before the survivors
  // restart them elsewhere.
  const freshPeers = members.filter(
    (m) => m !== s.self && (s.peers[m]?.lastOkAt ?? -Infinity) >= now - freshWindow(s),
  );
  const fresh = countVotes(
    s.model,
    s.nodes.length,
    1 + freshPeers.length,
    partitionHoldsWitness(s, now, members),
  );
  const leaseUntil = s.service === 'Running' && fresh.has ? now + leaseMs(s) : s.leaseUntil;
  return { ...s, quorum, leaseUntil };
}

/** Whether this node's roles may act now (the adapter gates VM echo replies on it). */
export function leaseValid(s: ClusterCore, now: number): boolean {
  return s.service === 'Running' && now <= s.leaseUntil;
}

function commitNeeded(s: ClusterCore): number {
  return Math.floor(s.nodes.length / 2) + 1;
}

function push(s: ClusterCore, replyTo: string[] = []): Eff[] {
  return [
    ...Object.values(s.config.csv).map(
      (v): ClusterEffect => ({ type: 'csv', volume: v.volume, owner: v.owner }),
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

function bump(s: ClusterCore, mutate: (c: ClusterConfig) => ClusterConfig): ClusterCore {
  return { ...s, config: { ...mutate(s.config), version: s.config.version + 1 } };
}

function withRole(c: ClusterConfig, role: RoleConfig): ClusterConfig {
  return { ...c, roles: { ...c.roles, [role.name]: role } };
}

// ---------------------------------------------------------------------------------------------
// The decide function

export function decideCluster(s: ClusterCore, msg: ClusterMsg, ctx: Ctx): Out {
  switch (msg.type) {
    case 'tick':
      return onTick(s, ctx.now);
    case 'witnessTick':
      return onWitnessTick(s, ctx.now);
    case 'hbResult':
      return onHbResult(s, msg, ctx.now);
    case 'hbRequest':
      return probeJoining(onView(s, msg.view, ctx.now), msg.view.node, ctx.now);
    case 'witnessResult':
      return onWitnessResult(s, msg, ctx.now);
    case 'configPush':
      return onConfigPush(s, msg, ctx.now);
    case 'command':
      return onCommand(s, msg.replyTo, msg.cmd, ctx.now);
    case 'fenceDone':
      return onFenceDone(s, msg, ctx.now);
    case 'fenceSafe':
      return takeOver(s, ctx.now);
    case 'registered': {
      const vmBusy = { ...s.vmBusy };
      delete vmBusy.__register;
      const next = { ...s, vmBusy, needsRegister: msg.ok ? false : s.needsRegister };
      return reconcile(
        next,
        ctx.now,
        msg.ok
          ? []
          : [event(0, 'register-failed', `Re-registering the reservation keys failed: ${msg.error}.`)],
      );
    }
    case 'vmState': {
      const vms = { ...s.vms, [msg.name]: msg.state };
      return reconcile({ ...s, vms }, ctx.now);
    }
    case 'vmOpDone':
      return onVmOpDone(s, msg, ctx.now);
    case 'vmFault':
      return onVmFault(s, msg, ctx.now);
  }
}

function onTick(s0: ClusterCore, now: number): Out {
  let s = refreshQuorum(s0, now);
  const effects: Eff[] = [{ type: 'startTimer', id: 'tick', ms: s.delayMs, msg: { type: 'tick' } }];
  const view = viewOf(s, now);
  for (const peer of Object.keys(s.peers))
    effects.push({ type: 'heartbeat', peer, view, timeoutMs: s.delayMs });
  if (s.service !== 'Running') {
    const formed = tryForm(s, now);
    s = formed.state;
    effects.push(...formed.effects);
  } else if (s.leader === s.self && !s.fencing) {
    const fb = failback(s);
    s = fb.state;
    effects.push(...fb.effects);
    const rt = retryFailed(s, now);
    s = rt.state;
    effects.push(...rt.effects);
  }
  const f = s.fencing;
  if (f && !f.fenced && !f.busy && s.leader === s.self) {
    // Retry fencing that failed (storage unreachable): takeover waits until it succeeds.
    s = { ...s, fencing: { ...f, busy: true } };
    effects.push({ type: 'fence', victims: f.victims });
  }
  const r = reconcile(s, now);
  return { state: r.state, effects: [...effects, ...r.effects] };
}

function onHbResult(s0: ClusterCore, msg: Extract<ClusterMsg, { type: 'hbResult' }>, now: number): Out {
  const prev = s0.peers[msg.peer];
  if (!prev) return { state: s0, effects: [] };
  if (msg.ok && msg.view) {
    const peers = {
      ...s0.peers,
      [msg.peer]: { ...prev, lastOkAt: now, missed: 0, down: false, view: msg.view },
    };
    const r = onView({ ...s0, peers }, msg.view, now);
    if (r.state.service === 'Running') return r;
    // Outside a running cluster, an answer may be what forming waited for: form now rather
    // than at the next tick.
    const f = tryForm(r.state, now);
    if (f.state.service !== 'Running') return { state: f.state, effects: [...r.effects, ...f.effects] };
    return reconcile(f.state, now, [...r.effects, ...f.effects]);
  }
  const missed = prev.missed + 1;
  const becameDown = !prev.down && missed >= s0.threshold;
  const s: ClusterCore = {
    ...s0,
    peers: { ...s0.peers, [msg.peer]: { ...prev, missed, down: prev.down || becameDown } },
  };
  if (!becameDown) return { state: s, effects: [] };
  return onPeerDown(s, msg.peer, missed, now);
}

/**
 * A node outside a running cluster that hears a heartbeat from a peer it has no fresh answer
 * from asks that peer at once instead of at its next tick, as a joining node's join request
 * does: nodes that start together form (or one joins) as soon as they see each other, not a
 * heartbeat interval later. At most once per peer per heartbeat interval; a running member's
 * heartbeats keep their cadence (DOMAIN.md §1).
 */
function probeJoining(out: Out, peer: string, now: number): Out {
  const s = out.state;
  const p = s.peers[peer];
  if (s.service === 'Running' || !p) return out;
  if (p.lastOkAt !== null && now - p.lastOkAt <= freshWindow(s)) return out;
  if (p.probedAt !== undefined && now - p.probedAt < s.delayMs) return out;
  return {
    state: { ...s, peers: { ...s.peers, [peer]: { ...p, probedAt: now } } },
    effects: [...out.effects, { type: 'heartbeat', peer, view: viewOf(s, now), timeoutMs: s.delayMs }],
  };
}

/** A peer missed SameSubnetThreshold heartbeats in a row (DOMAIN.md §1). */
function onPeerDown(s: ClusterCore, peer: string, missed: number, now: number): Out {
  if (s.service !== 'Running' || !s.members.includes(peer)) return { state: s, effects: [] };
  const alive = s.members.filter((m) => m === s.self || !s.peers[m]?.down);
  const acting = [...alive].sort(byId(s))[0];
  if (acting !== s.self) return { state: s, effects: [] }; // The leader regroups; we adopt its push.
  const removed = s.members.filter((m) => !alive.includes(m));
  const detail = {
    node: peer,
    missedHeartbeats: missed,
    sameSubnetThreshold: s.threshold,
    sameSubnetDelayMs: s.delayMs,
  };
  return changeMembership(s, alive, removed, now, [
    event(
      1135,
      'node-removed',
      `Cluster node '${peer}' was removed from the active failover cluster membership: ${missed} heartbeats missed (threshold ${s.threshold}, every ${s.delayMs} ms).`,
      detail,
    ),
  ]);
}

/** Learns from a peer's view: who runs, who leads, and whether this node was removed. */
function onView(s0: ClusterCore, v: View, now: number): Out {
  let s = s0;
  const peer = s.peers[v.node];
  if (!peer) return { state: s, effects: [] };
  if (peer.view !== v) s = { ...s, peers: { ...s.peers, [v.node]: { ...peer, view: v } } };
  // A running cluster whose newer membership leaves this node out: it was removed while it was
  // frozen or cut off. Stop the roles it still believes it owns, then rejoin.
  if (
    s.service === 'Running' &&
    v.service === 'Running' &&
    v.epoch > s.epoch &&
    !v.members.includes(s.self) &&
    v.members.includes(v.node)
  ) {
    return leaveCluster(
      s,
      now,
      'Joining',
      `removed from the cluster membership (epoch ${v.epoch}) while unreachable`,
    );
  }
  // The leader admits a node that wants to join, or re-admits one that fell out.
  if (
    s.service === 'Running' &&
    s.leader === s.self &&
    s.quorum.has &&
    !s.fencing &&
    v.service !== 'Running' &&
    !s.peers[v.node]?.down
  ) {
    const members = [...new Set([...s.members, v.node])].sort(byId(s));
    return changeMembership(s, members, [], now, [
      event(0, 'node-joined', `Cluster node '${v.node}' joined the cluster.`, { node: v.node }),
    ]);
  }
  return { state: s, effects: [] };
}

/**
 * The leader sets a new membership: bumps the epoch, checks quorum (arbitrating for the witness
 * when it decides), fences removed nodes before anything of theirs is taken over, and pushes.
 */
function changeMembership(
  s0: ClusterCore,
  members: string[],
  removed: string[],
  now: number,
  pre: Eff[],
): Out {
  const seen = Math.max(s0.epoch, ...Object.values(s0.peers).map((p) => p.view?.epoch ?? 0));
  // The new membership's configuration outranks every version any peer has shown us.
  const version =
    Math.max(s0.config.version, ...Object.values(s0.peers).map((p) => p.view?.configVersion ?? 0)) + 1;
  let s = refreshQuorum(
    {
      ...s0,
      config: { ...s0.config, version },
      members,
      epoch: seen + 1,
      leader: s0.self,
      service: 'Running',
    },
    now,
  );
  const effects: Eff[] = [...pre];
  if (!s.quorum.has) {
    if (usesWitness(s.model) && countVotes(s.model, s.nodes.length, members.length, true).has) {
      // Only the witness can decide: arbitrate before giving up (DOMAIN.md §1, regroup).
      s = { ...s, witness: { ...s.witness, arbitrating: true } };
      if (!s.witness.busy) {
        s = { ...s, witness: { ...s.witness, busy: true } };
        effects.push({
          type: 'witness',
          op: s.witness.held ? 'defend' : 'arbitrate',
          epoch: s.witness.epoch,
          configVersion: s.config.version,
        });
      }
      // Fencing waits for quorum: a partition that may lose must never preempt the winners.
      s = { ...s, pendingRemoved: [...new Set([...s.pendingRemoved, ...removed])] };
      return { state: s, effects };
    }
    return loseQuorum(s, now, effects);
  }
  if (removed.length) {
    s = startFencing(s, removed, now);
    effects.push({ type: 'fence', victims: s.fencing?.victims ?? removed });
  }
  s = assignCsvOwners(s);
  const r = reconcile(s, now);
  return { state: r.state, effects: [...effects, ...push(r.state), ...r.effects] };
}

/** Marks the CSVs whose coordinator was removed as moving (owner null: nodes pause I/O). */
function startFencing(s: ClusterCore, removed: string[], now: number): ClusterCore {
  const victims = [...new Set([...(s.fencing?.victims ?? []), ...removed])];
  // Roles of a removed node restart elsewhere only after its lease surely expired: it last
  // answered at lastOkAt and could renew at most freshWindow later, for leaseMs more.
  const safeAt = Math.max(
    now,
    ...victims.map((v) => (s.peers[v]?.lastOkAt ?? now) + freshWindow(s) + leaseMs(s)),
  );
  let config = s.config;
  const csvPrevious: Record<string, string> = { ...(s.fencing?.csvPrevious ?? {}) };
  for (const v of Object.values(config.csv)) {
    if (v.owner && victims.includes(v.owner)) {
      csvPrevious[v.volume] = v.owner;
      config = { ...config, csv: { ...config.csv, [v.volume]: { ...v, owner: null } } };
    }
  }
  if (config !== s.config) config = { ...config, version: config.version + 1 };
  return { ...s, config, fencing: { victims, safeAt, fenced: false, busy: true, csvPrevious } };
}

/** Gives every CSV without a coordinator to the leader, once no fencing is pending. */
function assignCsvOwners(s: ClusterCore): ClusterCore {
  if (s.fencing) return s;
  let config = s.config;
  for (const v of Object.values(config.csv)) {
    if (!v.owner || !s.members.includes(v.owner))
      config = { ...config, csv: { ...config.csv, [v.volume]: { ...v, owner: s.self } } };
  }
  return config === s.config ? s : { ...s, config: { ...config, version: config.version + 1 } };
}

function onFenceDone(s0: ClusterCore, msg: Extract<ClusterMsg, { type: 'fenceDone' }>, now: number): Out {
  if (!s0.fencing) return { state: s0, effects: [] };
  if (!msg.ok) {
    return {
      state: { ...s0, fencing: { ...s0.fencing, busy: false } },
      effects: [
        event(0, 'fence-failed', `Fencing ${msg.victims.join(', ')} failed: ${msg.error}; retrying.`, {
          victims: msg.victims,
        }),
      ],
    };
  }
  const victims = s0.fencing.victims;
  const s: ClusterCore = { ...s0, fencing: { ...s0.fencing, fenced: true, busy: false } };
  const done = event(
    0,
    'fenced',
    `Preempted the reservation keys of ${victims.join(', ')} on every shared disk before taking them over.`,
    { victims },
  );
  if (now < s.fencing!.safeAt)
    return {
      state: s,
      effects: [
        done,
        { type: 'startTimer', id: 'fenceSafe', ms: s.fencing!.safeAt - now, msg: { type: 'fenceSafe' } },
      ],
    };
  const t = takeOver(s, now);
  return { state: t.state, effects: [done, ...t.effects] };
}

/** After fencing, and once the removed nodes' leases surely expired: take their disks and roles. */
function takeOver(s0: ClusterCore, now: number): Out {
  if (!s0.fencing?.fenced || s0.leader !== s0.self || s0.service !== 'Running' || !s0.quorum.has)
    return { state: s0, effects: [] };
  const victims = s0.fencing.victims;
  const previous = s0.fencing.csvPrevious;
  let s: ClusterCore = { ...s0, fencing: null };
  const effects: Eff[] = [];
  const before = s.config.csv;
  s = assignCsvOwners(s);
  for (const v of Object.values(s.config.csv)) {
    if (before[v.volume]?.owner !== v.owner)
      effects.push(
        event(
          0,
          'csv-owner',
          `Cluster Shared Volume ${v.volume} (${v.lun}) is now coordinated by ${v.owner}.`,
          {
            volume: v.volume,
            owner: v.owner,
            previous: previous[v.volume] ?? before[v.volume]?.owner ?? null,
            reason: 'takeover',
          },
        ),
      );
  }
  const fo = failOver(s, victims, now);
  s = fo.state;
  effects.push(...fo.effects);
  const r = reconcile(s, now);
  return { state: r.state, effects: [...effects, ...push(r.state), ...r.effects] };
}

/** Restarts (cold) on a survivor the roles whose owner left the membership (DOMAIN.md §4). */
function failOver(s0: ClusterCore, from: string[], now: number): Out {
  let s = s0;
  const effects: Eff[] = [];
  const load: Record<string, number> = {};
  for (const r of Object.values(s.config.roles)) load[r.owner] = (load[r.owner] ?? 0) + 1;
  for (const role of Object.values(s.config.roles)) {
    if (s.members.includes(role.owner) && !(role.moving && !s.members.includes(role.moving.to))) continue;
    if (!from.includes(role.owner) && s.members.includes(role.owner)) continue;
    const allowed = mayFailOver(role.failovers, now, s.nodes.length);
    const target = chooseTarget({
      from: role.owner,
      up: s.members,
      preferredOwners: role.preferredOwners,
      groupsPerNode: load,
    });
    if (!allowed.allowed || !target) {
      s = {
        ...s,
        config: withRole(s.config, {
          ...role,
          failed: true,
          failedAt: now,
          moving: null,
          failovers: allowed.recent,
        }),
      };
      effects.push(
        event(
          1205,
          'role-failed',
          `The cluster failed to bring role '${role.name}' online: ${!target ? 'no node can host it' : `failover threshold (${s.nodes.length - 1} in 6 h) reached`}.`,
          { role: role.name },
        ),
      );
      continue;
    }
    load[target] = (load[target] ?? 0) + 1;
    s = {
      ...s,
      config: withRole(s.config, {
        ...role,
        owner: target,
        moving: null,
        failovers: [...allowed.recent, now],
        failed: false,
      }),
    };
    effects.push(
      event(1153, 'failover', `Role '${role.name}' is failing over from ${role.owner} to ${target}.`, {
        role: role.name,
        from: role.owner,
        to: target,
      }),
    );
  }
  if (s !== s0) s = { ...s, config: { ...s.config, version: s.config.version + 1 } };
  return { state: s, effects };
}

/** AutoFailbackType Allow with no window: a role goes back to its preferred owner when it returns. */
function failback(s0: ClusterCore): Out {
  let s = s0;
  const effects: Eff[] = [];
  for (const role of Object.values(s.config.roles)) {
    if (role.moving || role.failed || role.desired !== 'Online') continue;
    const to = failbackTarget({
      owner: role.owner,
      up: s.members,
      preferredOwners: role.preferredOwners,
      allowFailback: role.allowFailback,
    });
    const toPeer = to ? s.peers[to] : undefined;
    if (!to || !toPeer || toPeer.view?.service !== 'Running') continue;
    // Cold move: the owner stops it, the preferred owner starts it (a quick move without saved state).
    s = bump(s, (c) => withRole(c, { ...role, owner: to }));
    effects.push(
      event(0, 'failback', `Role '${role.name}' fails back to its preferred owner ${to}.`, {
        role: role.name,
        from: role.owner,
        to,
      }),
    );
  }
  if (s === s0) return { state: s, effects: [] };
  return { state: s, effects: [...effects, ...push(s)] };
}

/** RetryPeriodOnFailure: a Failed group is brought online again once the period has passed. */
function retryFailed(s0: ClusterCore, now: number): Out {
  let s = s0;
  const effects: Eff[] = [];
  for (const role of Object.values(s.config.roles)) {
    if (!role.failed || now - (role.failedAt ?? now) < s.retryPeriodMs) continue;
    const owner = s.members.includes(role.owner)
      ? role.owner
      : (chooseTarget({
          from: null,
          up: s.members,
          preferredOwners: role.preferredOwners,
          groupsPerNode: {},
        }) ?? role.owner);
    s = bump(s, (c) => withRole(c, { ...role, failed: false, failedAt: null, owner }));
    const restarts = { ...s.restarts };
    delete restarts[role.name];
    const roleErrors = { ...s.roleErrors };
    delete roleErrors[role.name];
    s = { ...s, restarts, roleErrors };
    effects.push(
      event(
        0,
        'role-retry',
        `Role '${role.name}' failed ${Math.round((now - (role.failedAt ?? now)) / 1000)} s ago: trying it again on ${owner} (RetryPeriodOnFailure).`,
        { role: role.name, owner },
      ),
    );
  }
  if (s === s0) return { state: s, effects: [] };
  return { state: s, effects: [...effects, ...push(s)] };
}

function loseQuorum(s0: ClusterCore, now: number, pre: Eff[] = []): Out {
  const q = s0.quorum;
  return leaveCluster(
    s0,
    now,
    'Stopped',
    `The Cluster service is shutting down because quorum was lost: ${q.votes} of ${q.total} votes, ${q.needed} needed.`,
    1177,
    pre,
  );
}

/** Stops the cluster service on this node: every role it runs is terminated, then it tries to rejoin. */
function leaveCluster(
  s0: ClusterCore,
  now: number,
  service: ServiceState,
  why: string,
  eventId = 0,
  pre: Eff[] = [],
): Out {
  const s: ClusterCore = {
    ...s0,
    service,
    members: [],
    leader: null,
    leaseUntil: 0,
    fencing: null,
    pendingRemoved: [],
    witness: { ...s0.witness, arbitrating: false },
    needsRegister: true,
  };
  const kind = eventId === 1177 ? 'quorum-lost' : service === 'Fenced' ? 'fenced-self' : 'left-cluster';
  const votes = { votes: s0.quorum.votes, needed: s0.quorum.needed, total: s0.quorum.total };
  const r = reconcile(s, now);
  return { state: r.state, effects: [...pre, event(eventId, kind, why, votes), ...r.effects] };
}

/**
 * A node outside a running cluster: if no running member answers, the lowest-id node among
 * those that answer forms the cluster once it has quorum (with the witness if it must), and
 * not before every node had a chance to appear unless the detection window has passed.
 */
function tryForm(s: ClusterCore, now: number): Out {
  const fresh = Object.entries(s.peers).filter(
    ([, p]) => !p.down && p.lastOkAt !== null && now - p.lastOkAt <= freshWindow(s),
  );
  if (fresh.some(([, p]) => p.view?.service === 'Running')) return { state: s, effects: [] }; // Its leader admits us.
  const candidates = [s.self, ...fresh.map(([n]) => n)].sort(byId(s));
  if (candidates[0] !== s.self) return { state: s, effects: [] };
  const everyone = candidates.length === s.nodes.length;
  if (!everyone && now - s.startedAt < s.threshold * s.delayMs) return { state: s, effects: [] };
  // A peer with a newer configuration: wait for its push (it leads once it forms) — never form
  // with an older configuration than a node we can see.
  const newest = Math.max(...fresh.map(([, p]) => p.view?.configVersion ?? 0));
  if (newest > s.config.version) return { state: s, effects: [] };
  // Every node that is not here may still hold keys, disks or roles: fence it before taking over.
  const absent = s.nodes.map((n) => n.name).filter((n) => !candidates.includes(n));
  const withoutWitness = countVotes(s.model, s.nodes.length, candidates.length, false);
  if (withoutWitness.has)
    return changeMembership(s, candidates, absent, now, [
      event(0, 'cluster-formed', `Formed the cluster with ${candidates.join(', ')}.`, {
        members: candidates,
      }),
    ]);
  if (!usesWitness(s.model) || !countVotes(s.model, s.nodes.length, candidates.length, true).has)
    return { state: s, effects: [] };
  if (witnessFresh(s, now))
    return changeMembership(s, candidates, absent, now, [
      event(0, 'cluster-formed', `Formed the cluster with ${candidates.join(', ')} and the witness.`, {
        members: candidates,
      }),
    ]);
  if (s.witness.busy) return { state: s, effects: [] };
  return {
    state: { ...s, witness: { ...s.witness, busy: true } },
    effects: [
      {
        type: 'witness',
        op: s.witness.held ? 'defend' : 'arbitrate',
        epoch: s.witness.epoch,
        configVersion: s.config.version,
      },
    ],
  };
}

function onWitnessTick(s0: ClusterCore, now: number): Out {
  const s = refreshQuorum(s0, now);
  const effects: Eff[] = [
    { type: 'startTimer', id: 'witness', ms: s.defendMs, msg: { type: 'witnessTick' } },
  ];
  if (!usesWitness(s.model) || s.witness.busy) return { state: s, effects };
  const lead = s.service === 'Running' && s.leader === s.self;
  // The leader holds and defends the witness; the others only watch who holds it.
  const op = s.witness.held ? 'defend' : lead ? 'arbitrate' : 'get';
  if (
    op === 'arbitrate' &&
    !s.witness.arbitrating &&
    s.witness.owner &&
    s.members.includes(s.witness.owner) &&
    s.witness.owner !== s.self
  ) {
    // Another member holds it: nothing to arbitrate, just watch.
    return {
      state: { ...s, witness: { ...s.witness, busy: true } },
      effects: [
        ...effects,
        { type: 'witness', op: 'get', epoch: s.witness.epoch, configVersion: s.config.version },
      ],
    };
  }
  return {
    state: { ...s, witness: { ...s.witness, busy: true } },
    effects: [...effects, { type: 'witness', op, epoch: s.witness.epoch, configVersion: s.config.version }],
  };
}

function onWitnessResult(
  s0: ClusterCore,
  msg: Extract<ClusterMsg, { type: 'witnessResult' }>,
  now: number,
): Out {
  let s: ClusterCore = { ...s0, witness: { ...s0.witness, busy: false } };
  const effects: Eff[] = [];
  if (!msg.ok) {
    const lost = s.witness.held;
    s = { ...s, witness: { ...s.witness, status: 'offline', held: false } };
    if (lost) effects.push(event(0, 'witness-offline', `The witness is unreachable: ${msg.error}.`, {}));
    return settleQuorum(s, now, effects);
  }
  if (msg.config && msg.config.version > s.config.version && s.service !== 'Running') {
    // A disk witness keeps the newest cluster database: take it (partition in time, DOMAIN.md §2).
    s = { ...s, config: msg.config };
    effects.push(
      { type: 'persist', config: msg.config },
      event(
        0,
        'config-from-witness',
        `Took configuration version ${msg.config.version} from the disk witness.`,
        { version: msg.config.version },
      ),
    );
  }
  const owner = msg.owner ?? null;
  const epoch = msg.epoch ?? s.witness.epoch;
  switch (msg.op) {
    case 'get':
      s = {
        ...s,
        witness: {
          ...s.witness,
          owner,
          epoch,
          status: msg.status ?? 'online',
          held: owner === s.self && s.witness.held,
        },
      };
      break;
    case 'defend':
      if (msg.outcome === 'granted')
        s = {
          ...s,
          witness: { ...s.witness, owner: s.self, epoch, status: 'online', held: true, lastDefendOkAt: now },
        };
      else {
        s = { ...s, witness: { ...s.witness, owner, epoch, status: 'online', held: false } };
        effects.push(
          event(0, 'witness-lost', `Lost the witness to ${owner} (epoch ${epoch}).`, { owner, epoch }),
        );
      }
      break;
    case 'arbitrate':
      if (msg.outcome === 'granted') {
        s = {
          ...s,
          witness: {
            ...s.witness,
            owner: s.self,
            epoch,
            status: 'online',
            held: true,
            lastDefendOkAt: now,
            arbitrating: false,
          },
        };
        effects.push(event(0, 'witness-arbitrated', `Won the witness (epoch ${epoch}).`, { epoch }));
      } else if (msg.outcome === 'challenged') {
        s = { ...s, witness: { ...s.witness, owner, epoch, status: 'online', held: false } };
        effects.push({
          type: 'startTimer',
          id: 'witness',
          ms: msg.retryAfterMs ?? s.defendMs,
          msg: { type: 'witnessTick' },
        });
      } else {
        s = {
          ...s,
          witness: { ...s.witness, owner, epoch, status: 'online', held: false, arbitrating: false },
        };
        effects.push(
          event(0, 'witness-denied', `The witness was denied: held by ${owner} (epoch ${epoch}).`, {
            owner,
            epoch,
          }),
        );
      }
      break;
  }
  return settleQuorum(s, now, effects);
}

/** After the witness answered: a running partition keeps, wins or loses quorum; a joining one may form. */
function settleQuorum(s0: ClusterCore, now: number, pre: Eff[]): Out {
  const s = refreshQuorum(s0, now);
  if (s.service !== 'Running') {
    const f = tryForm(s, now);
    return { state: f.state, effects: [...pre, ...f.effects] };
  }
  if (s.quorum.has) {
    if (!s.witness.arbitrating) {
      const r = reconcile(s, now);
      return { state: r.state, effects: [...pre, ...r.effects] };
    }
    // Arbitration won: now fence and take over what the removed nodes held.
    let won: ClusterCore = { ...s, witness: { ...s.witness, arbitrating: false }, pendingRemoved: [] };
    const effects = [...pre];
    if (s.pendingRemoved.length) {
      won = startFencing(won, s.pendingRemoved, now);
      effects.push({ type: 'fence', victims: won.fencing?.victims ?? s.pendingRemoved });
    }
    const r = reconcile(assignCsvOwners(won), now);
    return { state: r.state, effects: [...effects, ...push(r.state), ...r.effects] };
  }
  // Without quorum: keep arbitrating while the challenge is open, give up once it is denied.
  if (s.witness.arbitrating && s.witness.status === 'online') {
    const r = reconcile(s, now);
    return { state: r.state, effects: [...pre, ...r.effects] };
  }
  return loseQuorum(s, now, pre);
}

function onConfigPush(s0: ClusterCore, msg: Extract<ClusterMsg, { type: 'configPush' }>, now: number): Out {
  // The leader of the newest membership is authoritative: a push from an older epoch is stale,
  // and within one epoch only a newer configuration replaces ours. Never keep a configuration of
  // our own against a newer leader's, even with a higher version: that is how two nodes come to
  // believe they both coordinate a CSV (found by a seeded campaign).
  if (msg.epoch < s0.epoch || (msg.epoch === s0.epoch && msg.config.version < s0.config.version))
    return { state: s0, effects: [] };
  const effects: Eff[] = [];
  const removed = s0.members.filter((m) => !msg.members.includes(m) && m !== s0.self);
  for (const r of removed)
    effects.push(
      event(
        1135,
        'node-removed',
        `Cluster node '${r}' was removed from the active failover cluster membership.`,
        { node: r, leader: msg.from },
      ),
    );
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
  let s: ClusterCore = {
    ...s0,
    config: msg.config,
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
    effects.push(
      event(0, 'joined', `Joined the cluster led by ${msg.leader} (epoch ${msg.epoch}).`, {
        leader: msg.leader,
        members: msg.members,
      }),
    );
  }
  for (const v of Object.values(s.config.csv)) {
    effects.push({ type: 'csv', volume: v.volume, owner: v.owner });
    if (oldCsv[v.volume]?.owner !== v.owner && v.owner)
      effects.push(
        event(
          0,
          'csv-owner',
          `Cluster Shared Volume ${v.volume} (${v.lun}) is now coordinated by ${v.owner}.`,
          { volume: v.volume, owner: v.owner, previous: oldCsv[v.volume]?.owner ?? null, reason: 'observed' },
        ),
      );
  }
  effects.push({ type: 'persist', config: s.config });
  s = refreshQuorum(s, now);
  const r = reconcile(s, now);
  return { state: r.state, effects: [...effects, ...r.effects] };
}

// ---------------------------------------------------------------------------------------------
// Commands (on the leader)

function refuse(replyTo: string, code: ErrorCode, message: string): Eff {
  return { type: 'reply', replyTo, ok: false, code, message };
}

function onCommand(s0: ClusterCore, replyTo: string, cmd: Command, now: number): Out {
  const s = s0;
  if (s.service !== 'Running' || s.leader !== s.self)
    return {
      state: s,
      effects: [
        refuse(
          replyTo,
          'UNAVAILABLE',
          `${s.self} is not the cluster leader (service ${s.service}, leader ${s.leader ?? 'none'})`,
        ),
      ],
    };
  if (!s.quorum.has)
    return { state: s, effects: [refuse(replyTo, 'UNAVAILABLE', 'the cluster has no quorum')] };
  const role = 'role' in cmd ? s.config.roles[cmd.role] : undefined;
  const needRole = (): Eff[] | null =>
    role ? null : [refuse(replyTo, 'NOT_FOUND', `no clustered role named ${'role' in cmd ? cmd.role : ''}`)];
  let next: ClusterCore;
  const extra: Eff[] = [];
  switch (cmd.op) {
    case 'makeHa': {
      if (s.config.roles[cmd.vm.name])
        return {
          state: s,
          effects: [refuse(replyTo, 'ALREADY_EXISTS', `${cmd.vm.name} is already a clustered role`)],
        };
      // Making a VM highly available needs it off (or saved): DOMAIN.md §4, the wizard fails otherwise.
      if (cmd.vmState !== 'Off' && cmd.vmState !== 'Saved')
        return {
          state: s,
          effects: [
            refuse(
              replyTo,
              'BAD_STATE',
              `${cmd.vm.name} is ${cmd.vmState}: a virtual machine must be turned off or saved before it can be made highly available`,
            ),
          ],
        };
      if (!s.members.includes(cmd.owner))
        return { state: s, effects: [refuse(replyTo, 'BAD_STATE', `${cmd.owner} is not a cluster member`)] };
      next = bump(s, (c) =>
        withRole(c, {
          name: cmd.vm.name,
          vm: cmd.vm,
          owner: cmd.owner,
          preferredOwners: cmd.preferredOwners,
          allowFailback: cmd.allowFailback,
          desired: 'Offline',
          moving: null,
          failovers: [],
          failed: false,
        }),
      );
      extra.push(
        event(
          0,
          'role-created',
          `Virtual machine ${cmd.vm.name} is now a highly available role owned by ${cmd.owner}.`,
          { role: cmd.vm.name, owner: cmd.owner },
        ),
      );
      break;
    }
    case 'online':
    case 'offline': {
      const bad = needRole();
      if (bad || !role) return { state: s, effects: bad ?? [] };
      const desired = cmd.op === 'online' ? 'Online' : 'Offline';
      let owner = role.owner;
      if (!s.members.includes(owner))
        owner =
          chooseTarget({
            from: null,
            up: s.members,
            preferredOwners: role.preferredOwners,
            groupsPerNode: {},
          }) ?? owner;
      next = bump(s, (c) => withRole(c, { ...role, desired, owner, failed: false }));
      const restarts = { ...s.restarts };
      delete restarts[role.name];
      const errors = { ...s.roleErrors };
      delete errors[role.name];
      next = { ...next, restarts, roleErrors: errors };
      break;
    }
    case 'beginMove': {
      const bad = needRole();
      if (bad || !role) return { state: s, effects: bad ?? [] };
      if (role.moving)
        return {
          state: s,
          effects: [refuse(replyTo, 'BAD_STATE', `${role.name} is already moving to ${role.moving.to}`)],
        };
      if (!s.members.includes(cmd.to))
        return {
          state: s,
          effects: [refuse(replyTo, 'BAD_STATE', `${cmd.to} is not an active cluster member`)],
        };
      if (cmd.to === role.owner)
        return {
          state: s,
          effects: [refuse(replyTo, 'BAD_STATE', `${role.name} already runs on ${cmd.to}`)],
        };
      next = bump(s, (c) => withRole(c, { ...role, moving: { to: cmd.to, kind: cmd.kind } }));
      extra.push(
        event(
          0,
          'move-started',
          `${cmd.kind === 'live' ? 'Live' : 'Quick'} migration of '${role.name}' from ${role.owner} to ${cmd.to} started.`,
          { role: role.name, from: role.owner, to: cmd.to, kind: cmd.kind },
        ),
      );
      break;
    }
    case 'endMove': {
      const bad = needRole();
      if (bad || !role) return { state: s, effects: bad ?? [] };
      if (!role.moving) return { state: s, effects: [{ type: 'reply', replyTo, ok: true }] };
      const to = role.moving.to;
      next = bump(s, (c) =>
        withRole(
          c,
          cmd.ok ? { ...role, owner: to, moving: null, desired: 'Online' } : { ...role, moving: null },
        ),
      );
      extra.push(
        event(
          0,
          cmd.ok ? 'move-completed' : 'move-failed',
          cmd.ok
            ? `'${role.name}' now runs on ${to}.`
            : `Moving '${role.name}' to ${to} failed; it stays on ${role.owner}.`,
          { role: role.name, from: role.owner, to },
        ),
      );
      break;
    }
    case 'moveCsv': {
      const v = s.config.csv[cmd.volume];
      if (!v)
        return {
          state: s,
          effects: [refuse(replyTo, 'NOT_FOUND', `no Cluster Shared Volume named ${cmd.volume}`)],
        };
      if (!s.members.includes(cmd.to))
        return {
          state: s,
          effects: [refuse(replyTo, 'BAD_STATE', `${cmd.to} is not an active cluster member`)],
        };
      next = bump(s, (c) => ({ ...c, csv: { ...c.csv, [v.volume]: { ...v, owner: cmd.to } } }));
      extra.push(
        event(
          0,
          'csv-owner',
          `Cluster Shared Volume ${v.volume} (${v.lun}) is now coordinated by ${cmd.to}.`,
          { volume: v.volume, owner: cmd.to, previous: v.owner, reason: 'move' },
        ),
      );
      break;
    }
    case 'failRole': {
      const bad = needRole();
      if (bad || !role) return { state: s, effects: bad ?? [] };
      if (role.owner !== cmd.from) return { state: s, effects: [{ type: 'reply', replyTo, ok: true }] };
      const allowed = mayFailOver(role.failovers, now, s.nodes.length);
      const target = chooseTarget({
        from: role.owner,
        up: s.members,
        preferredOwners: role.preferredOwners,
        groupsPerNode: {},
      });
      if (!allowed.allowed || !target) {
        next = bump(s, (c) =>
          withRole(c, { ...role, failed: true, failedAt: now, failovers: allowed.recent }),
        );
        extra.push(
          event(
            1205,
            'role-failed',
            `Role '${role.name}' failed and will not fail over again: ${cmd.reason}.`,
            { role: role.name },
          ),
        );
      } else {
        next = bump(s, (c) =>
          withRole(c, { ...role, owner: target, failovers: [...allowed.recent, now], failed: false }),
        );
        extra.push(
          event(
            1153,
            'failover',
            `Role '${role.name}' is failing over from ${role.owner} to ${target}: ${cmd.reason}.`,
            { role: role.name, from: role.owner, to: target },
          ),
        );
      }
      break;
    }
  }
  const r = reconcile(next, now);
  return { state: r.state, effects: [...extra, ...push(r.state, [replyTo]), ...r.effects] };
}

// ---------------------------------------------------------------------------------------------
// Roles on this node

/** The resource state of a role this node owns, from its VM (DOMAIN.md §4 names). */
export function localResourceState(s: ClusterCore, role: RoleConfig): ResourceState {
  if (role.failed || s.roleErrors[role.name]) return 'Failed';
  const vm = s.vms[role.name] ?? 'Absent';
  switch (vm) {
    case 'Running':
      return role.desired === 'Online' ? 'Online' : 'OfflinePending';
    case 'Starting':
      return 'OnlinePending';
    case 'Saving':
      return 'OfflinePending';
    default:
      return role.desired === 'Online' ? 'OnlinePending' : 'Offline';
  }
}

/** A role's group state as this node sees the cluster. */
export function groupState(s: ClusterCore, role: RoleConfig): GroupState {
  if (role.failed) return 'Failed';
  if (role.moving) return 'Pending';
  if (s.service === 'Running' && !s.members.includes(role.owner)) return 'Pending';
  const res =
    role.owner === s.self ? localResourceState(s, role) : s.peers[role.owner]?.view?.roles[role.name];
  if (!res) return role.desired === 'Online' ? 'Pending' : 'Offline';
  switch (res) {
    case 'Online':
      return 'Online';
    case 'Offline':
      return 'Offline';
    case 'Failed':
      return 'Failed';
    default:
      return 'Pending';
  }
}

/**
 * Brings this node's VMs in line with the configuration: run what it owns and should be
 * online, save what should be offline, and terminate anything clustered it must not run —
 * everything when the cluster service is not running here (DOMAIN.md §2, loss of quorum).
 */
function reconcile(s0: ClusterCore, now: number, pre: Eff[] = []): Out {
  let s = s0;
  const effects: Eff[] = [...pre];
  const active = leaseValid(s, now) && s.quorum.has && !s.needsRegister;
  if (s.service === 'Running' && s.needsRegister && !s.vmBusy.__register) {
    s = { ...s, vmBusy: { ...s.vmBusy, __register: 'register' } };
    effects.push({ type: 'register' });
  }
  for (const role of Object.values(s.config.roles)) {
    const name = role.name;
    if (s.vmBusy[name]) continue;
    const vm = s.vms[name] ?? 'Absent';
    const mine = role.owner === s.self;
    let op: Extract<ClusterEffect, { type: 'vm' }>['op'] | null = null;
    if (role.moving && (mine || role.moving.to === s.self)) continue; // The migration owns the VM now.
    if (!active || !mine || role.failed) {
      if (vm === 'Running' || vm === 'Starting') op = 'turnOff';
      else if (!mine && (vm === 'Off' || vm === 'Saved') && s.service === 'Running') op = 'remove';
    } else if (role.desired === 'Online') {
      if (vm === 'Absent') op = 'define';
      else if (vm === 'Off' || vm === 'Saved') op = s.roleErrors[name] ? null : 'start';
    } else if (vm === 'Running') op = 'save';
    if (op) {
      s = { ...s, vmBusy: { ...s.vmBusy, [name]: op } };
      effects.push({ type: 'vm', op, name, spec: op === 'define' ? role.vm : undefined });
    }
  }
  return { state: s, effects };
}

function onVmOpDone(s0: ClusterCore, msg: Extract<ClusterMsg, { type: 'vmOpDone' }>, now: number): Out {
  const vmBusy = { ...s0.vmBusy };
  delete vmBusy[msg.name];
  let s: ClusterCore = { ...s0, vmBusy };
  const effects: Eff[] = [];
  const role = s.config.roles[msg.name];
  if (msg.ok || !role || role.owner !== s.self) {
    if (msg.ok && msg.op === 'start' && role)
      effects.push(
        event(1201, 'role-online', `Role '${role.name}' is coming online on ${s.self}.`, {
          role: role.name,
          node: s.self,
        }),
      );
    return reconcile(s, now, effects);
  }
  // A resource that failed to come online: restart in place, then fail over (DOMAIN.md §4).
  const policy = afterResourceFailure(s.restarts[msg.name] ?? [], now);
  effects.push(
    event(
      1069,
      'resource-failed',
      `Cluster resource 'Virtual Machine ${msg.name}' failed (${msg.op}): ${msg.error}.`,
      { role: msg.name, op: msg.op },
    ),
  );
  if (policy.action === 'restart') {
    s = { ...s, restarts: { ...s.restarts, [msg.name]: [...policy.recent, now] } };
    return reconcile(s, now, effects);
  }
  s = {
    ...s,
    roleErrors: { ...s.roleErrors, [msg.name]: msg.error ?? 'failed' },
    restarts: { ...s.restarts, [msg.name]: [] },
  };
  return {
    state: s,
    effects: [
      ...effects,
      {
        type: 'forward',
        cmd: { op: 'failRole', role: msg.name, from: s.self, reason: msg.error ?? 'failed' },
      },
    ],
  };
}

/**
 * The node's own writes were refused with RESERVATION CONFLICT: it has been fenced. While it is
 * still arbitrating for the witness, the conflict is the other partition's win arriving first
 * (it preempted our keys once it held the witness): that is the lost arbitration, Event 1177.
 */
function onVmFault(s: ClusterCore, msg: Extract<ClusterMsg, { type: 'vmFault' }>, now: number): Out {
  if (s.service === 'Fenced' || s.service === 'Stopped') return { state: s, effects: [] };
  if (s.witness.arbitrating) return loseQuorum(s, now);
  return leaveCluster(
    s,
    now,
    'Fenced',
    `This node was fenced (${msg.reason} on ${msg.name}): stopping its roles and rejoining.`,
  );
}
