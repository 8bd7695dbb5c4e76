/**
 * The shared shapes of the host runtimes (netns.ts, local.ts, docker.ts): where a host is reached,
 * what a runtime can do to it, and the error of a request that a runtime cannot carry out.
 */

/** Where hosts live: network namespaces, 127.0.0.1 ports, or Docker containers. */
export type RuntimeKind = 'netns' | 'local' | 'docker';

/** Where one host is reached. */
export interface HostAddress {
  name: string;
  address: string;
  grpcPort: number;
  natsPort: number;
  clusterPort: number;
  /** The network namespace, or null in the local runtime. */
  namespace: string | null;
}

/** How a host's link is degraded: delay with jitter, random loss and a rate limit (0: none). */
export interface NetemSpec {
  delayMs: number;
  jitterMs: number;
  lossPercent: number;
  rateKbit: number;
}

/** A partition or netem request that this runtime cannot carry out. */
export class UnsupportedByRuntimeError extends Error {
  constructor(what: string, why: string) {
    super(`${what} is not possible in the local runtime: ${why}`);
    this.name = 'UnsupportedByRuntimeError';
  }
}

/** The pids of a host's processes, as the Docker host sees them (null when not running). */
export interface HostPids {
  nats: number | null;
  service: number | null;
}

/**
 * A runtime that starts and kills a host's processes itself (docker: one container holds the
 * host's NATS server and service). Without one, the daemon spawns both with `wrap()`.
 */
export interface HostProcessOwner {
  /** Starts the host (both processes); `dir` is the host's folder on the machine. */
  start(host: HostAddress, dir: string): Promise<void>;
  /** Kills every process of the host at once and resolves when they are gone. */
  kill(host: HostAddress): Promise<void>;
  /** Whether the host is running (its processes may still be starting). */
  running(host: HostAddress): boolean;
  pids(host: HostAddress): HostPids;
}

/** A host runtime: it places hosts, runs their commands and cuts or degrades their network. */
export interface Runtime {
  readonly kind: RuntimeKind;
  /**
   * The daemon's TCP addresses, where the hosts reach its backplane (the management module uses
   * the last). The CLI uses the run's control socket instead (run/paths.ts controlSocketPath).
   */
  readonly controlAddresses: string[];
  assign(names: string[], subnetPrefix: string): HostAddress[];
  /** Creates the hosts' network (bridge, namespaces, links; docker: the image). */
  setup(hosts: HostAddress[]): void | Promise<void>;
  /** Wraps a command so that it runs inside the host. */
  wrap(host: HostAddress, argv: string[]): string[];
  /** Present when the runtime starts and kills hosts itself instead of the daemon spawning them. */
  readonly owner?: HostProcessOwner;
  /** The host's folder as its processes see it (the same path, except inside a container). */
  filesDir(host: HostAddress, dir: string): string;
  /** Cuts traffic between groups of hosts, its rules tagged; returns what it cut. */
  partition(hosts: HostAddress[], groups: string[][], oneWay: boolean, tag?: string): string[];
  /** Removes the rules of one tagged partition. */
  unpartition(hosts: HostAddress[], tag: string): void;
  heal(hosts: HostAddress[]): void;
  /** Degrades a host's link with netem, for all traffic or only towards some peers. */
  netem(host: HostAddress, spec: NetemSpec, peers: HostAddress[]): string;
  clearNetem(host: HostAddress): void;
  /** Removes everything setup made. */
  teardown(hosts: HostAddress[]): void | Promise<void>;
}
