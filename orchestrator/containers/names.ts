/**
 * The names, labels, ports and address plan every dcbox container, network and image carries.
 * The docker runtime, the compose and testcontainers backplane, `dcbox down` and the
 * testcontainers helper share them; this module loads nothing but a type, so a container's health
 * check can import it cheaply.
 */
import type { HostAddress } from '../runtime/types.js';

/** The image every container runs: the Dockerfile at the project root. */
export const APP_IMAGE = 'dcbox:local';
/** The base image scripts/docker-setup.sh makes from this machine's node and nats-server. */
export const BASE_IMAGE = 'dcbox-base:local';
/** Label of every container and network of a run: `dcbox down` sweeps whatever carries it. */
export const LABEL_RUN = 'dcbox.run';
/** Label naming the emulated host a container is. */
export const LABEL_HOST = 'dcbox.host';
/** Label of dcbox's images: `base` (kept as a cache) or `app`. */
export const LABEL_IMAGE = 'dcbox.image';
/** Label carrying the hash of the sources an app image was built from. */
export const LABEL_SOURCE = 'dcbox.source';

/** Where a host's files live inside its container (config.json, nats.conf, data/, logs). */
export const CONTAINER_DIR = '/var/lib/dcbox';
/** Where the project sits inside the image. */
export const CONTAINER_ROOT = '/opt/dcbox';

/** The port of the backplane (and the orchestrator's control API) on every runtime. */
export const BACKPLANE_PORT = 47100;
/** The dashboard's port in the compose and testcontainers backplane container. */
export const DASHBOARD_PORT = 8080;

/**
 * Subnets dcbox picks for its own networks: 198.19.1.0/24 .. 198.19.63.0/24, below the engine's
 * default pool (198.19.64.0/18) and beside docker0 (198.19.0.0/24), so an explicit subnet never
 * collides with what Docker allocates; the netns bridge keeps 198.18.0.0/24 (docs/design.md §Hosts and networks).
 */
export const SUBNET_THIRD_OCTETS = Array.from({ length: 63 }, (_, i) => i + 1);

const GRPC_PORT = 50051;
const NATS_PORT = 4222;
const CLUSTER_PORT = 6222;

/**
 * The address plan on a Docker network `prefix`.0/24: the gateway .1 is the Docker host, .2 the
 * backplane container (compose, testcontainers), and the hosts .10 onwards in topology order —
 * the same order the netns runtime uses.
 */
export function containerAddresses(names: string[], prefix: string): HostAddress[] {
  if (names.length > 240) throw new Error('at most 240 hosts fit in one /24');
  return names.map((name, i) => ({
    name,
    address: `${prefix}.${10 + i}`,
    grpcPort: GRPC_PORT,
    natsPort: NATS_PORT,
    clusterPort: CLUSTER_PORT,
    namespace: null,
  }));
}

/** The backplane container's address on a network (compose and testcontainers). */
export const backplaneAddress = (prefix: string) => `${prefix}.2`;

/** The container name of a host in a run. */
export const containerName = (runId: string, host: string) => `dcbox-${runId}-${host.toLowerCase()}`;
