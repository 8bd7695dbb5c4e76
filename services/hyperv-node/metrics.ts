/**
 * Prometheus metrics of a blade (docs/design.md §Interfaces): the failover cluster as this node sees it
 * (heartbeats per peer, membership, quorum votes, witness, role states), its Cluster Shared
 * Volumes (coordinator, I/O mode), live migrations and their blackout, and MPIO path states.
 * Counters count what the adapters did; gauges read the cores' state at scrape time, so the
 * pure cores stay free of instrumentation.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { setStateSet } from '../observability/metrics.js';
import { type ClusterState, type GroupState, groupState, type ServiceState } from './cluster/core/decide.js';
import type { CsvMode } from './csv/core.js';
import { type MpioState, pathStateName } from './mpio.js';

const SERVICE_STATES: readonly ServiceState[] = ['Joining', 'Running', 'Stopped', 'Fenced'];
const GROUP_STATES: readonly GroupState[] = ['Online', 'Offline', 'Failed', 'PartialOnline', 'Pending'];
const CSV_MODES: readonly CsvMode[] = ['Direct', 'Redirected', 'Paused', 'Offline'];
const PATH_STATES = ['Active', 'Standby', 'Failed'] as const;

/** What the node's metrics read at scrape time. */
export interface NodeSources {
  cluster(): ClusterState;
  csv(): { volume: string; coordinator: string | null; mode: CsvMode }[];
  mpio(): MpioState;
}

/** The counters the adapters feed. */
export interface NodeMetrics {
  heartbeatsSent: Counter<'peer'>;
  heartbeatsMissed: Counter<'peer'>;
  migrations: Counter<'kind' | 'result'>;
  blackoutSeconds: Histogram<'kind'>;
}

/** Registers every metric of a hyperv-node process. */
export function nodeMetrics(registry: Registry, src: NodeSources): NodeMetrics {
  // Registration order is exposition order: heartbeats, cluster, CSV, migrations, MPIO.
  const registers = [registry];
  const heartbeats = heartbeatCounters(registers);
  membershipGauges(registers, src);
  witnessAndRoleGauges(registers, src);
  csvGauges(registers, src);
  const migrations = migrationMetrics(registers);
  mpioGauges(registers, src);
  return { ...heartbeats, ...migrations };
}

type Registers = Registry[];

function heartbeatCounters(registers: Registers) {
  const heartbeatsSent = new Counter({
    name: 'dcbox_cluster_heartbeats_sent_total',
    help: 'Cluster heartbeats sent to a peer (one every SameSubnetDelay, docs/domain.md §Heartbeats).',
    labelNames: ['peer'],
    registers,
  });
  const heartbeatsMissed = new Counter({
    name: 'dcbox_cluster_heartbeats_missed_total',
    help: 'Cluster heartbeats to a peer that got no answer within SameSubnetDelay.',
    labelNames: ['peer'],
    registers,
  });
  return { heartbeatsSent, heartbeatsMissed };
}

/** The cluster service state, membership and quorum, read from the cluster core. */
function membershipGauges(registers: Registers, src: NodeSources): void {
  new Gauge({
    name: 'dcbox_cluster_members',
    help: 'Nodes in the active cluster membership as this node sees it (0 while it is not a member).',
    registers,
    collect() {
      this.set(src.cluster().members.length);
    },
  });
  new Gauge({
    name: 'dcbox_cluster_service_state',
    help: "This node's cluster service state (1 for the current one).",
    labelNames: ['state'],
    registers,
    collect() {
      setStateSet(this, {}, 'state', SERVICE_STATES, src.cluster().service);
    },
  });
  new Gauge({
    name: 'dcbox_cluster_quorum_votes',
    help: 'Quorum votes this node counts for its partition (nodes plus the witness, docs/domain.md §Vote arithmetic).',
    registers,
    collect() {
      this.set(src.cluster().quorum.votes);
    },
  });
  new Gauge({
    name: 'dcbox_cluster_quorum_votes_needed',
    help: 'Votes the quorum model needs (more than half of all votes).',
    registers,
    collect() {
      this.set(src.cluster().quorum.needed);
    },
  });
  new Gauge({
    name: 'dcbox_cluster_quorum',
    help: 'Whether this node has quorum (1) or not (0).',
    registers,
    collect() {
      const s = src.cluster();
      this.set(s.service === 'Running' && s.quorum.has ? 1 : 0);
    },
  });
}

/** The witness and the clustered roles, read from the cluster core. */
function witnessAndRoleGauges(registers: Registers, src: NodeSources): void {
  new Gauge({
    name: 'dcbox_cluster_witness_epoch',
    help: 'The epoch of the witness reservation as this node last saw it.',
    registers,
    collect() {
      this.set(src.cluster().witness.epoch);
    },
  });
  new Gauge({
    name: 'dcbox_cluster_witness_owner_info',
    help: 'The witness owner as this node last saw it (1; owner is "" when nobody holds it), and its status.',
    labelNames: ['owner', 'status'],
    registers,
    collect() {
      const w = src.cluster().witness;
      this.reset();
      this.set({ owner: w.owner ?? '', status: w.status }, 1);
    },
  });
  new Gauge({
    name: 'dcbox_cluster_role_state',
    help: 'Group state of each clustered role while this node is a member (1 for the current state, docs/domain.md §Resources and groups).',
    labelNames: ['role', 'state'],
    registers,
    collect() {
      const s = src.cluster();
      this.reset();
      if (s.service !== 'Running') return;
      for (const r of Object.values(s.config.roles))
        setStateSet(this, { role: r.name }, 'state', GROUP_STATES, groupState(s, r));
    },
  });
  new Gauge({
    name: 'dcbox_cluster_role_owned',
    help: 'Roles this node owns (1) according to the cluster configuration.',
    labelNames: ['role'],
    registers,
    collect() {
      const s = src.cluster();
      this.reset();
      for (const r of Object.values(s.config.roles)) this.set({ role: r.name }, r.owner === s.self ? 1 : 0);
    },
  });
}

/** Each CSV's coordinator and this node's I/O mode on it. */
function csvGauges(registers: Registers, src: NodeSources): void {
  new Gauge({
    name: 'dcbox_csv_coordinator',
    help: 'Whether this node coordinates (owns) the Cluster Shared Volume.',
    labelNames: ['volume'],
    registers,
    collect() {
      const self = src.cluster().self;
      for (const v of src.csv()) this.set({ volume: v.volume }, v.coordinator === self ? 1 : 0);
    },
  });
  new Gauge({
    name: 'dcbox_csv_io_mode',
    help: "This node's I/O mode on the Cluster Shared Volume (1 for the current mode, docs/domain.md §Cluster Shared Volumes).",
    labelNames: ['volume', 'mode'],
    registers,
    collect() {
      for (const v of src.csv()) setStateSet(this, { volume: v.volume }, 'mode', CSV_MODES, v.mode);
    },
  });
}

/** Migrations run as the source, by result, and their blackout. */
function migrationMetrics(registers: Registers) {
  const migrations = new Counter({
    name: 'dcbox_migrations_total',
    help: 'Live and quick migrations this node ran as the source, by result.',
    labelNames: ['kind', 'result'],
    registers,
  });
  for (const kind of ['live', 'quick'])
    for (const result of ['ok', 'failed']) migrations.inc({ kind, result }, 0);
  const blackoutSeconds = new Histogram({
    name: 'dcbox_migration_blackout_seconds',
    help: 'How long the VM was paused during a migration (the blackout), from pause to resume.',
    labelNames: ['kind'],
    // Milliseconds are the goal (docs/design.md §Quality bars); a quick migration's save/restore takes seconds.
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  return { migrations, blackoutSeconds };
}

/** The MPIO state of every path. */
function mpioGauges(registers: Registers, src: NodeSources): void {
  new Gauge({
    name: 'dcbox_mpio_path_state',
    help: 'MPIO state of each path to each LUN: Active, Standby or Failed (1 for the current one; docs/domain.md §SDDDSM).',
    labelNames: ['lun', 'path', 'state'],
    registers,
    collect() {
      const mpio = src.mpio();
      for (const l of Object.values(mpio.luns))
        for (const [i, p] of l.paths.entries())
          setStateSet(this, { lun: l.lun, path: p.host }, 'state', PATH_STATES, pathStateName(mpio, l, i));
    },
  });
}
