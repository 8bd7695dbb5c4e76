/**
 * The state of one node's cluster service: the replicated configuration (roles, CSVs), the
 * membership this node believes in, its peers, the witness, quorum, the lease, fencing in
 * progress and the node's own VMs — with the initial state and small pure helpers on it.
 */
import type { ErrorCode } from '../../../actor/errors.js';
import type { VmSpec } from '../../../process/config.js';
import type { InjectedBugs } from '../../../process/injected-bugs.js';
import { countVotes, type QuorumModel, type Votes } from './quorum.js';

/** The state of the cluster service on a node. */
export type ServiceState = 'Joining' | 'Running' | 'Stopped' | 'Fenced';
/** CLUSTER_GROUP_STATE names (docs/domain.md §Resources and groups). */
export type GroupState = 'Online' | 'Offline' | 'Failed' | 'PartialOnline' | 'Pending';
/** CLUSTER_RESOURCE_STATE names (docs/domain.md §Resources and groups). */
export type ResourceState = 'Online' | 'Offline' | 'Failed' | 'OnlinePending' | 'OfflinePending';
/**
 * What the VM manager reports of a VM on this node ('Absent' when not defined here). 'Held': paused
 * after a migration whose end is unknown (its resume order went out, its answer never came), so
 * the target may be running it; nothing may resume or start it here until the target is known not
 * to run it (held-vms.ts).
 */
export type VmState = 'Off' | 'Starting' | 'Running' | 'Held' | 'Saving' | 'Saved' | 'Absent';

/** A clustered role (a highly available VM) in the replicated configuration. */
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
  /** Failed: the failover threshold was reached (docs/domain.md §Resources and groups); retried after RetryPeriodOnFailure. */
  failed: boolean;
  /** When it failed, for the retry (null while not failed). */
  failedAt?: number | null;
}

/** A Cluster Shared Volume in the replicated configuration. */
export interface CsvConfig {
  volume: string;
  lun: string;
  path: string;
  /**
   * The coordinator node; null while coordination moves (nodes pause the volume's I/O). A
   * configuration saved before this field was named `coordinator` calls it `owner`: the loader of a
   * persisted configuration maps it (see upgradeConfig).
   */
  coordinator: string | null;
}

/** The replicated cluster configuration (the "cluster database"). */
export interface ClusterConfig {
  version: number;
  roles: Record<string, RoleConfig>;
  csv: Record<string, CsvConfig>;
  /**
   * The paused nodes (docs/domain.md §Pause and drain): they keep the roles they own, nothing moves
   * to them; `drain` asks the node to move its roles off. Absent in configurations of older versions.
   */
  paused?: Record<string, { drain: boolean }>;
}

/**
 * A cluster configuration as persisted (config.json, the disk witness): one saved by an earlier
 * version may name a CSV's coordinator `owner`.
 */
export interface SavedClusterConfig extends Omit<ClusterConfig, 'csv'> {
  csv: Record<
    string,
    Omit<CsvConfig, 'coordinator'> & { coordinator?: string | null; owner?: string | null }
  >;
}

/**
 * Brings a persisted configuration to this version's shape, so a data folder or a disk witness
 * written by an earlier version still loads: a CSV's legacy `owner` becomes its coordinator.
 */
export function upgradeConfig(saved: SavedClusterConfig): ClusterConfig {
  const csv: Record<string, CsvConfig> = {};
  for (const [volume, v] of Object.entries(saved.csv ?? {})) {
    const { owner, coordinator, ...rest } = v;
    csv[volume] = { ...rest, coordinator: coordinator !== undefined ? coordinator : (owner ?? null) };
  }
  return { ...saved, csv };
}

/** Who holds the witness, as a node last learned it. */
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
  /**
   * The clustered VMs the sender has running, starting, saving or held, whoever owns their roles
   * (a migration's target runs a VM before it owns the role): the owner of a VM held after a
   * migration whose end is unknown releases it once the target's view leaves it out (held-vms.ts).
   * Absent in views of older versions.
   */
  runs?: string[];
  /**
   * The roles the sender has a move of under way (from before it asks the leader to mark the role
   * as moving until the leader answered its end): the leader clears a mark its owner no longer
   * pursues (stale-moves.ts). Absent in views of older versions.
   */
  moves?: string[];
  /**
   * How long the sender's lease still held when it made this view (0: it holds none). A member
   * may follow its leader's lease (lease.ts followLeader); absent in views of older versions.
   */
  leaseRemainingMs?: number;
  /**
   * The peers the sender hears (answered, and not SameSubnetThreshold misses since), for the
   * leader's regroup (docs/design.md §Regroup); absent in views of older versions: hears everyone.
   */
  hears?: string[];
  /** The administrator stopped the sender's cluster service (docs/domain.md §Stopping the cluster service). */
  adminStop?: 'stopping' | 'stopped';
  /**
   * The sender's clock when it made this view (heartbeat-view.ts staleView); absent in views of
   * older versions.
   */
  madeAt?: number;
}

/**
 * A view, and until when its lease and its hold on the witness hold (the node's clock): what the
 * node's heartbeat thread answers with while its service is busy (netft/standing.ts).
 */
export interface StandingView {
  view: View;
  /** The end of the node's lease; before `view.madeAt` when it held none. */
  leaseUntil: number;
  /** Until when the node's hold on the witness is fresh; null when it held none. */
  witnessFreshUntil: number | null;
}

/** What this node knows of a peer: its heartbeats and its last view. */
export interface PeerState {
  lastOkAt: number | null;
  /** When the request of the last answer taken was sent (absent: none yet). */
  lastAskedAt?: number;
  /**
   * When this node last took a heartbeat request from the peer (absent: none yet). The peer's
   * lease rests on an answer to that request at the latest: fencing.ts victimsLeaseEnd.
   */
  lastHeardAt?: number;
  missed: number;
  down: boolean;
  view: View | null;
  /** When this node, outside a running cluster, last asked the peer out of turn (probeJoining). */
  probedAt?: number;
  /**
   * When the chassis's management module announced this peer's blade powered off (this node's
   * clock, at receipt): with no answer from the peer since, nothing of it runs (fencing.ts
   * poweredOff).
   */
  poweredOffAt?: number;
}

/** What a migration reports: its figures, as dcbox.cluster.v1.MigrationStats. */
export interface MigrationResult {
  vm: string;
  from: string;
  to: string;
  kind: string;
  passes: number;
  bytes_copied: number;
  duration_ms: number;
  blackout_ms: number;
  pass_bytes: number[];
  paused_at_ms: number;
  resumed_at_ms: number;
}

/**
 * A move of a role this node owns, asked of this node: `begin` waits for the leader to mark the
 * role as moving, `migrate` for the VM manager's migration, `end` for the leader to hand the role
 * over, `abort` for the leader to clear a failed move.
 */
export interface MoveState {
  replyTo: string;
  role: string;
  to: string;
  kind: 'live' | 'quick';
  /** The VM was not running: the move only changes the owner. */
  offline: boolean;
  step: 'begin' | 'migrate' | 'end' | 'abort';
  result: MigrationResult | null;
  /** Why the migration failed, once it did (the caller gets this, not the abort's outcome). */
  error: { code: ErrorCode; message: string } | null;
}

/** A cluster node and its node id (the lowest id leads). */
export interface NodeRef {
  name: string;
  id: number;
}

/** The state of one node's cluster service: everything the core decides on. */
export interface ClusterState {
  cluster: string;
  self: string;
  nodes: NodeRef[];
  model: QuorumModel;
  delayMs: number;
  threshold: number;
  defendMs: number;
  /** How long a challenger waits for the witness owner to defend (Timing.witnessChallengeWaitMs). */
  challengeWaitMs: number;
  /** RetryPeriodOnFailure: a Failed group is tried again after this long (docs/domain.md §Resources and groups, 1 h). */
  retryPeriodMs: number;
  /** Whether the disk witness keeps a full copy of the configuration. */
  witnessKeepsConfig: boolean;
  startedAt: number;
  service: ServiceState;
  epoch: number;
  members: string[];
  leader: string | null;
  peers: Record<string, PeerState>;
  witness: WitnessView & {
    held: boolean;
    lastDefendOkAt: number | null;
    busy: boolean;
    /**
     * When the call in flight was sent. A granted defence or arbitration counts from then, not from
     * its answer: the witness may hand the vote on a challenge wait after it answered, and an answer
     * that took long to arrive must not stretch this node's belief past that (a lease counts from
     * its request, as in Gray and Cheriton's leases).
     */
    askedAt: number | null;
    /** Calls to the witness in flight (absent: none). */
    calls?: number;
    arbitrating: boolean;
    /**
     * While this node arbitrates as a challenger whose lease still held: the latest its lease may
     * run to before the witness decides (docs/design.md §Leases during arbitration). Null otherwise.
     */
    arbitrationDeadline: number | null;
    /**
     * When this holder's defences first showed the challenge now pending against it (null: the
     * last defence showed none), and when the clean defence before it answered: the challenge
     * was posted between the two.
     */
    challengeSeenAt: number | null;
    challengeAfter: number | null;
    /**
     * The last time a file share witness refused this node's arbitration because its marker is
     * newer than this node's configuration (partition in time, Event 1561), or null: forming
     * waits a defence interval before asking again, and the event is logged once per versions.
     */
    partitionInTime: { configVersion: number; witnessVersion: number; at: number } | null;
    /**
     * Before when a node out of the cluster does not arbitrate again, or null: a defence interval
     * after a denial, and the time the witness named (retry_after_ms) after a challenge it posted.
     * Without the wait a stopped node partitioned from the holder asked about 450 times a second,
     * each answer setting off the next (found by the deterministic simulation, seed 3 of the seed
     * topology).
     */
    askAgainAt: number | null;
  };
  quorum: Votes;
  /** Roles may act (VMs answer, run) only until then: renewed while quorum is freshly confirmed. */
  leaseUntil: number;
  /**
   * The latest deadline an arbitration ever extended this node's lease to (0: never). Members that
   * followed this node's lease may hold theirs until then, so a takeover from them waits for it
   * (fencing.ts victimsLeaseEnd).
   */
  leaseExtendedUntil: number;
  config: ClusterConfig;
  /** The leader's fencing of removed nodes, before it takes over their disks and roles. */
  fencing: {
    victims: string[];
    /** When the victims' ordinary leases surely ended (without an arbitration's extension). */
    leasesEndAt: number;
    /** When their roles may restart here: leasesEndAt, or a seen challenge's deadline. */
    safeAt: number;
    fenced: boolean;
    busy: boolean;
    csvPrevious: Record<string, string>;
  } | null;
  vms: Record<string, VmState>;
  /**
   * The VMs held here (VmState 'Held', held-vms.ts): since when, and the peers that answered a
   * heartbeat asked since then with a view that leaves the VM out of those they run. Absent: none.
   */
  held?: Record<string, { since: number; clear: string[] }>;
  vmBusy: Record<string, string>;
  restarts: Record<string, number[]>;
  roleErrors: Record<string, string>;
  /** Set when this node must re-register its reservation keys before it runs roles. */
  needsRegister: boolean;
  /** Nodes removed while quorum is still being arbitrated: fenced only once it is won. */
  pendingRemoved: string[];
  /** The bug the process runs with (services/process/injected-bugs.ts); none when absent. */
  bugs?: InjectedBugs;
  /** Only with the injected bug stale-config-on-rejoin: the configuration it kept when it rejoined. */
  keptConfig?: ClusterConfig;
  /** Moves of this node's roles under way, by the id of the request that asked for them. */
  moves: Record<string, MoveState>;
  /**
   * The administrator stopped this node's cluster service: its roles move off ('stopping'),
   * then it leaves and stays out ('stopped') until started (docs/domain.md §Stopping the cluster service); `replyTo` is the caller waiting for the stop. Absent (or null) while not stopped.
   */
  adminStop?: { phase: 'stopping' | 'stopped'; replyTo: string | null } | null;
  /** Roles whose drain move failed: the drain under way does not try them again. */
  drainFailed?: string[];
  /** Started with /forcequorum (docs/domain.md §Forcing quorum): runs without quorum until it has it. */
  forceQuorum?: boolean;
  /**
   * When this node last told the leader that a role's restarts ran out here (failRole), by role:
   * the report is sent again until the leader has acted on it (role-policies.ts reportFailures).
   */
  failReportedAt?: Record<string, number>;
  /**
   * When this node last pushed its configuration to the members (absent: never): a member whose
   * heartbeat, asked a heartbeat interval after it, still shows an older membership or
   * configuration lost that push, and is sent it again (replication.ts resendToLagging).
   */
  pushedAt?: number;
}

/** What a node's cluster service starts from: its configuration and timing. */
export interface ClusterInit {
  cluster: string;
  self: string;
  nodes: NodeRef[];
  model: QuorumModel;
  delayMs: number;
  threshold: number;
  defendMs: number;
  /** Timing.witnessChallengeWaitMs; three defence intervals when not given (the profiles' ratio). */
  challengeWaitMs?: number;
  /** RetryPeriodOnFailure in ms; 1 h when not given (docs/domain.md §Resources and groups). */
  retryPeriodMs?: number;
  witnessKeepsConfig: boolean;
  csv: { volume: string; lun: string; path: string }[];
  /** The configuration this node persisted before, if any. */
  saved: ClusterConfig | null;
  now: number;
  /** The bug the process runs with (services/process/injected-bugs.ts); none when absent. */
  bugs?: InjectedBugs;
}

/** The state of a node's cluster service as it starts: joining, with no members. */
export function initialCluster(init: ClusterInit): ClusterState {
  const csv: Record<string, CsvConfig> = {};
  for (const v of init.csv) csv[v.volume] = { ...v, coordinator: null };
  const peers: Record<string, PeerState> = {};
  for (const n of init.nodes)
    if (n.name !== init.self) peers[n.name] = { lastOkAt: null, missed: 0, down: true, view: null };
  return {
    ...(init.bugs ? { bugs: init.bugs } : {}),
    cluster: init.cluster,
    self: init.self,
    nodes: [...init.nodes].sort((a, b) => a.id - b.id),
    model: init.model,
    delayMs: init.delayMs,
    threshold: init.threshold,
    defendMs: init.defendMs,
    challengeWaitMs: init.challengeWaitMs ?? 3 * init.defendMs,
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
      askedAt: null,
      arbitrating: false,
      arbitrationDeadline: null,
      challengeSeenAt: null,
      challengeAfter: null,
      partitionInTime: null,
      askAgainAt: null,
    },
    quorum: countVotes(init.model, init.nodes.length, 0, false),
    leaseUntil: 0,
    leaseExtendedUntil: 0,
    config: init.saved ?? { version: 0, roles: {}, csv },
    fencing: null,
    vms: {},
    vmBusy: {},
    restarts: {},
    roleErrors: {},
    // A node registers its reservation keys once it runs in the cluster, never before (mpio.ts start).
    needsRegister: true,
    pendingRemoved: [],
    moves: {},
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Whether a node is paused (docs/domain.md §Pause and drain). */
export const isPaused = (s: ClusterState, node: string) => !!s.config.paused?.[node];

/** Whether a node's cluster service is being stopped by the administrator, as this node knows it. */
export const isStopping = (s: ClusterState, node: string) =>
  node === s.self ? !!s.adminStop : !!s.peers[node]?.view?.adminStop;

/**
 * The members a role may move, fail over or fail back to: not paused, and not stopping their
 * cluster service (docs/domain.md §Pause and drain).
 */
export function hostsFor(s: ClusterState): string[] {
  return s.members.filter((m) => !isPaused(s, m) && !isStopping(s, m));
}

/** A node's id (unknown names sort last). */
export const idOf = (s: ClusterState, name: string) =>
  s.nodes.find((n) => n.name === name)?.id ?? Number.MAX_SAFE_INTEGER;
/** Orders node names by node id. */
export const byId = (s: ClusterState) => (a: string, b: string) => idOf(s, a) - idOf(s, b);

/** A peer's vote counts toward a fresh quorum while it answered within two heartbeat intervals. */
export const freshWindow = (s: ClusterState) => 2 * s.delayMs;
/**
 * How long a freshly confirmed quorum lets roles act: the rest of the detection window (a silent
 * peer is removed about threshold + 1 intervals after its last answer, and a quorum is fresh for
 * two of them), and half an interval more, so that a node whose peer went silent still holds its
 * lease when it detects the silence and starts arbitrating.
 * See docs/design.md §Leases during arbitration.
 */
export const leaseMs = (s: ClusterState) => Math.max(1, s.threshold - 1) * s.delayMs + s.delayMs / 2;
/**
 * The latest moment, by this node's clock, of an answer from this node that `peer` may have
 * renewed its lease on: the peer's own last answer here (lastOkAt), or this node's answer to the
 * peer's last request taken here (lastHeardAt), which the peer counts from its arrival when it
 * came within a heartbeat interval of the request, else from the request (membership.ts
 * onHbResult) — so at most delayMs after it. `none` when neither happened. Its lease ends at
 * most freshWindow + leaseMs after (fencing.ts victimsLeaseEnd, held-vms.ts goneFor).
 */
export function lastRenewalBasis(s: ClusterState, peer: string, none: number): number {
  const p = s.peers[peer];
  return Math.max(p?.lastOkAt ?? none, (p?.lastHeardAt ?? Number.NEGATIVE_INFINITY) + s.delayMs);
}
/**
 * How long a challenger's arbitration may keep its lease alive: the challenge wait, then the
 * retry that reads the outcome, with two defence intervals of margin for the witness calls
 * (docs/design.md §Leases during arbitration).
 */
export const arbitrationMs = (s: ClusterState) => s.challengeWaitMs + 2 * s.defendMs;

/**
 * This node sends a call to the witness now. A challenge may go out while another call is still
 * answering (regroup.ts): askedAt keeps the earliest send of the calls in flight, so an answer
 * never counts from later than its own request.
 */
export function askingWitness(s: ClusterState, now: number): ClusterState {
  const calls = (s.witness.calls ?? 0) + 1;
  const askedAt = calls > 1 && s.witness.askedAt !== null ? s.witness.askedAt : now;
  return { ...s, witness: { ...s.witness, busy: true, askedAt, calls } };
}
