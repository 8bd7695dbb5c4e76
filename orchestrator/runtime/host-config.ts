/**
 * What one emulated host is handed at start — its service config and its NATS server's config —
 * in one pure function, so that every way of running a host agrees: the daemon writes these
 * files for the netns, local and docker runtimes, and a container started by docker-compose.yml
 * or the testcontainers helper derives the same files from the topology by itself.
 */
import { join } from 'node:path';
import type { ServiceConfig } from '../../services/process/config.js';
import type { HostPlan, ResolvedTopology } from '../topology/topology.js';
import type { HostAddress } from './runtime.js';

/** The two files of one host, as text. */
export interface HostFiles {
  config: ServiceConfig;
  /** nats-server's configuration (its own listen address and a full mesh of explicit routes). */
  natsConf: string;
}

/** Everything the host files depend on. */
export interface HostFilesInput {
  runId: string;
  topo: ResolvedTopology;
  plan: HostPlan;
  /** Every host's address, by host name. */
  addresses: ReadonlyMap<string, HostAddress>;
  /** The host's folder as its processes see it; its data lives in `<dir>/data`. */
  dir: string;
  /** host:port of the backplane the management module drives. */
  backplane: string;
  /** The run's secret token (call-auth.ts); null: the hosts check nothing (docker-compose without one). */
  runToken: string | null;
}

/** Seconds a NATS client or route has to authenticate once connected (nats-server's default: 2). */
const AUTH_TIMEOUT_S = 10;

/** The service config and NATS config of one host. */
export function hostFiles(input: HostFilesInput): HostFiles {
  const { plan, topo, addresses } = input;
  const own = addresses.get(plan.name);
  if (!own) throw new Error(`no address for host ${plan.name}`);
  const others = topo.hosts
    .filter((h) => h.name !== plan.name)
    .map((h) => addresses.get(h.name) as HostAddress);
  // With a token, the NATS servers take only the run's clients and routes, as the gRPC servers
  // do (docs/security.md); the token is hex, safe in the quotes and the route URLs.
  const token = input.runToken;
  const routeAuth = token ? `dcbox:${token}@` : '';
  // A client has AUTH_TIMEOUT_S to authenticate, not the server's 2 s: a service busy on a
  // saturated machine (the 16-node session) took longer to reconnect, the server refused it with
  // 'Authentication Timeout', and the client gave up its connection for good.
  const nats = [
    `server_name: "${plan.name}"`,
    `listen: "${own.address}:${own.natsPort}"`,
    ...(token ? [`authorization { token: "${token}", timeout: ${AUTH_TIMEOUT_S} }`] : []),
    // Find dead routes and clients quickly: a partition should not leave stale connections.
    'ping_interval: "2s"',
    'ping_max: 2',
    'cluster {',
    '  name: "dcbox"',
    `  listen: "${own.address}:${own.clusterPort}"`,
    ...(token ? [`  authorization { user: "dcbox", password: "${token}", timeout: ${AUTH_TIMEOUT_S} }`] : []),
    // Full mesh of explicit routes only; NATS forwards one hop, so a cut link stays cut.
    '  no_advertise: true',
    '  routes: [',
    ...others.map((o) => `    "nats-route://${routeAuth}${o.address}:${o.clusterPort}"`),
    '  ]',
    '}',
  ];
  const config: ServiceConfig = {
    runId: input.runId,
    topology: topo.name,
    host: plan.name,
    component: plan.component,
    address: own.address,
    grpcPort: own.grpcPort,
    natsUrl: `nats://${own.address}:${own.natsPort}`,
    dataDir: join(input.dir, 'data'),
    timing: topo.timing,
    hosts: topo.hosts.map((h) => {
      const a = addresses.get(h.name) as HostAddress;
      return {
        name: h.name,
        component: h.component,
        address: a.address,
        grpcPort: a.grpcPort,
        natsPort: a.natsPort,
      };
    }),
    backplane: input.backplane,
    ...(input.runToken ? { runToken: input.runToken } : {}),
    seed: 1,
    settings: plan.settings,
  };
  return { config, natsConf: `${nats.join('\n')}\n` };
}
