/** The shapes the testcontainers helper hands to a test suite (exported by `dcbox/testing`). */
import type { ManagementModuleClient } from '../../services/generated/dcbox/chassis/v1/ManagementModule.js';
import type { ClusterClient } from '../../services/generated/dcbox/cluster/v1/Cluster.js';
import type { HyperVNodeClient } from '../../services/generated/dcbox/node/v1/HyperVNode.js';
import type { WorkstationClient } from '../../services/generated/dcbox/workstation/v1/Workstation.js';
import type { Component } from '../../services/process/config.js';

/** How to start a data center. */
export interface DataCenterOptions {
  /** A topology file, or the name of one shipped in topologies/ (default: seed). */
  topology?: string;
  /** Timing profile: `fast` (default, for tests) or `default` (the real Windows defaults). */
  timing?: 'fast' | 'default';
  /** The dcbox image; built from `root` when missing or older than the sources (default dcbox:local). */
  image?: string;
  /** The dcbox project the image is built from (default: this package, built with `npm run build`). */
  root?: string;
  /** Serve the dashboard from the backplane container (default true). */
  dashboard?: boolean;
  /** How long one host may take to start (default 60 s). */
  startupTimeoutMs?: number;
}

/** host:port, with the string form gRPC clients take. */
export interface Endpoint {
  host: string;
  port: number;
  /** "host:port" */
  target: string;
}

/** One emulated host of the run. */
export interface HostEndpoints {
  name: string;
  component: Component;
  /** The container's address on the run's network. */
  address: string;
  grpc: Endpoint;
  nats: Endpoint;
  /** Prometheus metrics of the service. */
  metrics: string;
}

/** A running data center, its endpoints and its fault controls. */
export interface DataCenter extends AsyncDisposable {
  readonly runId: string;
  readonly network: { name: string; subnet: string };
  /**
   * The run's secret token: every gRPC call but a health check carries it in the metadata
   * `x-dcbox-run-token` (the typed clients below send it; docs/security.md).
   */
  readonly runToken: string;
  readonly hosts: Readonly<Record<string, HostEndpoints>>;
  /** The management module: gRPC, the AMM CLI over telnet and the Redfish service root. */
  readonly mm: {
    grpc: Endpoint;
    telnet: Endpoint;
    redfish: string;
    /**
     * The Redfish service's certificate (PEM) when it serves HTTPS (the default), to trust it
     * as the only CA: `https.request(url, { ca: dc.mm.redfishCa })`; null for plain HTTP.
     */
    redfishCa: string | null;
    credentials: { username: string; password: string };
  };
  /** Each Hyper-V node's gRPC endpoint (HyperVNode and Cluster services), by node name. */
  readonly nodes: Readonly<Record<string, Endpoint>>;
  /** The workstation's NATS server (every host has its own; see `hosts`). */
  readonly nats: Endpoint;
  /** Typed gRPC clients of the run's services (the contracts in proto/); `stop()` closes them. */
  readonly clients: {
    mm(): ManagementModuleClient;
    node(name: string): HyperVNodeClient;
    cluster(name: string): ClusterClient;
    workstation(): WorkstationClient;
  };
  /** The live dashboard (read-only), or null when not asked for. */
  readonly dashboard: string | null;
  /** SIGKILL of a host's container (its NATS server and service at once). */
  kill(host: string): Promise<void>;
  /** Starts a killed host again and resolves once its service answers grpc.health.v1. */
  start(host: string): Promise<void>;
  /** Freezes every process of a host (docker pause); `thaw` resumes them. */
  freeze(host: string): Promise<void>;
  thaw(host: string): Promise<void>;
  /** Cuts the emulated network between groups of hosts (symmetric unless `oneWay`); returns what it cut. */
  partition(groups: string[][], opts?: { oneWay?: boolean }): Promise<string[]>;
  /** Removes every partition. */
  heal(): Promise<void>;
  /** Removes every container and the network of the run. */
  stop(): Promise<void>;
}
