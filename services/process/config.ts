/**
 * What the orchestrator hands each service process: who it is, where everyone is, the timing
 * profile and its component's own settings. Written as JSON by the orchestrator, read once at start
 * by load-config.ts. This module holds only types and pure functions, so cores may import it.
 */
import type { InjectedBugs } from './injected-bugs.js';

export type Component =
  | 'management-module'
  | 'rssm'
  | 'storage-controller'
  | 'quorum'
  | 'hyperv-node'
  | 'workstation';

/** The timing profile: the real defaults (docs/domain.md) or a fast one for tests. */
export interface Timing {
  name: string;
  /** WSFC SameSubnetDelay: one heartbeat every this many ms (docs/domain.md §Heartbeats, default 1000). */
  sameSubnetDelayMs: number;
  /** WSFC SameSubnetThreshold: missed heartbeats before removal (docs/domain.md §Heartbeats, default 5). */
  sameSubnetThreshold: number;
  /** MPIO path verification (SDDDSM probes failed paths every 60 s: docs/domain.md §SDDDSM). */
  pathVerificationPeriodMs: number;
  /** How long one block I/O may take on one path before the path is counted as failed. */
  ioTimeoutMs: number;
  /** Module heartbeats to the management module. */
  moduleHeartbeatMs: number;
  /** Silence after which the MM shows a module as "no communication". */
  moduleSilenceMs: number;
  /** How often the witness owner defends its reservation. */
  witnessDefendIntervalMs: number;
  /** How long a challenger waits for the owner to defend before taking the witness. */
  witnessChallengeWaitMs: number;
  /** How long a VM takes to boot (cold start) before it answers. */
  vmBootMs: number;
  /** Interval of each VM's disk workload (one record per tick). */
  vmWriteIntervalMs: number;
  /** RetryPeriodOnFailure: how long a Failed group waits before it is tried again (docs/domain.md §Resources and groups, 1 h). */
  retryPeriodOnFailureMs?: number;
}

export interface HostEndpoint {
  name: string;
  component: Component;
  address: string;
  grpcPort: number;
  natsPort: number;
}

export interface ServiceConfig<S = unknown> {
  runId: string;
  /** The topology's name (seed, …), shown in dcbox_info; absent in hand-written configs. */
  topology?: string;
  host: string;
  component: Component;
  address: string;
  grpcPort: number;
  natsUrl: string;
  dataDir: string;
  timing: Timing;
  hosts: HostEndpoint[];
  /** host:port of the orchestrator's backplane (used by the management module). */
  backplane: string;
  /**
   * The run's secret: every gRPC call to or from this process but a health check carries it
   * (services/transport/call-auth.ts, docs/security.md). Absent: this host checks nothing.
   */
  runToken?: string;
  seed: number;
  settings: S;
  /**
   * The bug this process runs with (services/process/injected-bugs.ts): set by load-config.ts
   * from DCBOX_INJECT_BUG at start, never from the file; absent in hand-built configs.
   */
  bugs?: InjectedBugs;
}

/** Finds a host of the directory by name, or fails loudly (a programmer error in the topology). */
export function endpoint(cfg: ServiceConfig, name: string): HostEndpoint {
  const h = cfg.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`host ${name} is not in the directory of ${cfg.host}`);
  return h;
}

/** A VM as the topology defines it, with its virtual disk's extent on the LUN resolved. */
export interface VmSpec {
  name: string;
  memoryMiB: number;
  /** The path the operator sees, e.g. C:\ClusterStorage\Volume1\VM1\VM1.vhd. */
  diskPath: string;
  lun: string;
  diskOffsetBytes: number;
  diskSizeBytes: number;
  switchName: string;
  node: string;
  /** How many 4 KiB pages of its memory the running guest dirties per second (default 256). */
  dirtyPagesPerSec?: number;
}

/** storage-controller: the LUNs to create on first start (kept across restarts). */
export interface StorageSettings {
  blockSize: number;
  luns: { name: string; sizeBytes: number; mappedTo: string[] }[];
  /** Hosts that reach a LUN without a mapping: the disk witness lives on its LUN. */
  internalInitiators: { host: string; lun: string }[];
}

/** rssm: one SAS switch in an I/O bay, forwarding to the controller. */
export interface RssmSettings {
  bay: number;
  controller: string;
  zonedHosts: string[];
}

export interface BayConfig {
  bay: number;
  /** The emulated host in the bay, or null when the bay is empty. */
  host: string | null;
  /** The name the AMM shows, e.g. the blade's host name or "SAS RAID Controller Module". */
  name: string;
}

/** management-module: the chassis it manages. */
export interface MmSettings {
  chassisName: string;
  model: string;
  blades: BayConfig[];
  ioModules: BayConfig[];
  storageModules: { bay: number; present: boolean; drives: number }[];
  credentials: { username: string; password: string };
  /** AMM CLI over telnet; when unset, see protocolEndpoints() in management-module/endpoints.ts. */
  telnetPort?: number;
  /** Redfish over HTTP(S); when unset, see protocolEndpoints(). */
  redfishPort?: number;
  /**
   * Redfish over HTTPS with a self-signed certificate made at start (the default), or plain HTTP
   * when false.
   */
  redfishTls?: boolean;
  /** How long a failed login waits before it is answered (default 1000 ms). */
  loginFailDelayMs?: number;
  /** Redfish SessionTimeout: an idle session expires after this many seconds (default 1800). */
  sessionTimeoutS?: number;
  /** How long a soft power off waits for the OS to shut down (default 120 s). */
  softOffTimeoutS?: number;
}

/** quorum: the witness. */
export interface QuorumSettings {
  kind: 'disk' | 'file-share';
  cluster: string;
  /** For kind disk: the LUN that holds the witness state, reached through the controller. */
  lun: string | null;
  storageHost: string;
}

/** hyperv-node: one blade. */
export interface NodeSettings {
  bay: number;
  /** 1-based node id within the cluster; the high half of its reservation key. */
  nodeId: number;
  features: string[];
  mpio: { enabled: boolean; policy: 'failover-only' | 'round-robin' };
  /** One SAS path per RSSM, in I/O bay order. */
  paths: { host: string; ioBay: number }[];
  /** LUNs mapped to this blade. */
  luns: string[];
  virtualSwitches: string[];
  /** VMs defined on this node at start (they start Off). */
  vms: VmSpec[];
  storageHost: string;
  cluster: string;
  /** Every node of the cluster with its id, so a node can compute a peer's reservation key. */
  clusterNodes: { name: string; nodeId: number }[];
  /** The cluster's quorum model (docs/domain.md §Quorum models). */
  quorumModel: 'node-majority' | 'node-and-disk-majority' | 'node-and-file-share-majority' | 'disk-only';
  /** The witness host, or null in Node Majority without a witness. */
  witnessHost: string | null;
  /** The disk witness's LUN, fenced like the CSV; null for a file-share witness. */
  witnessLun: string | null;
  /** Cluster Shared Volumes: volume name (Volume1), its LUN and its path. */
  sharedVolumes: { volume: string; lun: string; path: string }[];
  /** Every VM disk the topology places on a CSV, on any node: the coordinator's table starts with them. */
  csvFiles: { lun: string; path: string; offset: number; sizeBytes: number }[];
}

/** workstation: the operator's machine. */
export type WorkstationSettings = Record<string, never>;
