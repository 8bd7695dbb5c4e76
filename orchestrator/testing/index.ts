/**
 * `dcbox/testing`: start a whole emulated data center from a test suite with testcontainers, and
 * break it on purpose. Each host of the topology is a container of the dcbox image on a Docker
 * network of its own (an explicit 198.19.N.0/24, fixed addresses), running its NATS server and
 * its service; a backplane container lets the management module cut and restore bay power
 * through the Docker Engine API, and serves the dashboard. Containers are waited on with log
 * strategies (each service logs "serving" once its gRPC server is up), never port checks.
 * Everything carries the label `dcbox.run=<id>`: `stop()` (or `await using`) removes it, and
 * `sweepDataCenters()` or `dcbox down` removes what a crashed run left.
 *
 *   await using dc = await startDataCenter({ timing: 'fast' });
 *   const redfish = dc.mm.redfish;             // http://198.19.N.11:8000/redfish/v1/
 *   await dc.partition([['HVR2NODO1'], ['HVR2NODO2']]);
 *
 * Endpoints are the containers' own addresses, reached directly from the Docker host (they stay
 * the same across a power cycle, unlike published ports). Partitions enter the containers'
 * network namespaces from the Docker host (nsenter), so they need root there; the rest does not.
 * Ryuk is off unless TESTCONTAINERS_RYUK_DISABLED says otherwise: the labels do its job.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import {
  type ContainerRuntimeClient,
  GenericContainer,
  getContainerRuntimeClient,
  type StartedTestContainer,
  Wait,
} from 'testcontainers';
import type { ManagementModuleClient } from '../../services/generated/dcbox/chassis/v1/ManagementModule.js';
import type { ClusterClient } from '../../services/generated/dcbox/cluster/v1/Cluster.js';
import type { HyperVNodeClient } from '../../services/generated/dcbox/node/v1/HyperVNode.js';
import type { WorkstationClient } from '../../services/generated/dcbox/workstation/v1/Workstation.js';
import { DEFAULT_REDFISH_PORT, DEFAULT_TELNET_PORT } from '../../services/management-module/endpoints.js';
import type { Component } from '../../services/process/config.js';
import { CLIENT_OPTIONS, checkHealth, insecure, projectRoot, protos } from '../../services/transport/grpc.js';
import { sourceHash } from '../containers/image.js';
import {
  APP_IMAGE,
  backplaneAddress,
  containerAddresses,
  DASHBOARD_PORT,
  LABEL_HOST,
  LABEL_IMAGE,
  LABEL_RUN,
  LABEL_SOURCE,
  SUBNET_THIRD_OCTETS,
} from '../containers/names.js';
import { NetnsRuntime } from '../runtime/netns.js';
import { loadTopology, resolveTopology } from '../topology/topology.js';

process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

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
  readonly hosts: Readonly<Record<string, HostEndpoints>>;
  /** The management module: gRPC, the AMM CLI over telnet and the Redfish service root. */
  readonly mm: {
    grpc: Endpoint;
    telnet: Endpoint;
    redfish: string;
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

/** A container with a fixed address on a network with an explicit subnet. */
class HostContainer extends GenericContainer {
  withAddress(network: string, address: string): this {
    this.networkMode = network;
    this.createOpts.NetworkingConfig = {
      EndpointsConfig: { [network]: { IPAMConfig: { IPv4Address: address } } },
    };
    return this;
  }
}

/** The partition rules of the netns runtime, applied inside containers with nsenter. */
class ContainerNetworks extends NetnsRuntime {
  constructor(private readonly pidOf: (host: string) => number | null) {
    super();
  }

  protected override inNs(host: { name: string }): string[] | null {
    const pid = this.pidOf(host.name);
    return pid ? ['nsenter', '-t', String(pid), '-n'] : null;
  }
}

function topologyFile(root: string, topology = 'seed'): string {
  if (topology.includes('/') || topology.endsWith('.yaml')) return topology;
  return join(root, 'topologies', `${topology}.yaml`);
}

/** Builds the image from `root` unless one built from the same sources exists. */
async function ensureImage(client: ContainerRuntimeClient, root: string, image: string): Promise<void> {
  const hash = sourceHash(root);
  try {
    const info = await client.container.dockerode.getImage(image).inspect();
    if (info.Config?.Labels?.[LABEL_SOURCE] === hash) return;
  } catch {
    // No such image yet.
  }
  await GenericContainer.fromDockerfile(root)
    .withBuildArgs({ SOURCE: hash })
    .build(image, { deleteOnExit: false });
}

async function createNetwork(client: ContainerRuntimeClient, runId: string) {
  let last: unknown;
  for (const n of SUBNET_THIRD_OCTETS) {
    const prefix = `198.19.${n}`;
    try {
      const net = await client.container.dockerode.createNetwork({
        Name: `dcbox-${runId}`,
        Driver: 'bridge',
        IPAM: { Config: [{ Subnet: `${prefix}.0/24`, Gateway: `${prefix}.1` }] },
        Labels: { [LABEL_RUN]: runId },
      });
      return { net, prefix };
    } catch (err) {
      last = err;
      if (!/overlap|in use/i.test(String((err as Error).message))) break;
    }
  }
  throw new Error(`could not create a network in 198.19.0.0/16: ${(last as Error)?.message}`);
}

const endpoint = (host: string, port: number): Endpoint => ({ host, port, target: `${host}:${port}` });

/** Starts a data center and resolves once every host's service serves gRPC. */
export async function startDataCenter(opts: DataCenterOptions = {}): Promise<DataCenter> {
  const root = opts.root ?? projectRoot;
  const image = opts.image ?? APP_IMAGE;
  const timing = opts.timing ?? 'fast';
  const file = topologyFile(root, opts.topology);
  const topo = resolveTopology(loadTopology(file), file, timing);
  const runId = `tc${Date.now().toString(36)}${process.pid.toString(36)}`;
  const client = await getContainerRuntimeClient();
  if (!opts.image) await ensureImage(client, root, image);
  const { net, prefix } = await createNetwork(client, runId);
  const networkName = `dcbox-${runId}`;
  const addrs = new Map(
    containerAddresses(
      topo.hosts.map((h) => h.name),
      prefix,
    ).map((a) => [a.name, a]),
  );
  const started = new Map<string, StartedTestContainer>();
  const labels = (host: string) => ({ [LABEL_RUN]: runId, [LABEL_HOST]: host });
  const topologyInContainer = '/etc/dcbox/topology.yaml';
  const common = [
    '--topology',
    topologyInContainer,
    '--subnet',
    `${prefix}.0/24`,
    '--timing',
    timing,
    '--run',
    runId,
  ];
  const timeoutMs = opts.startupTimeoutMs ?? 60_000;
  const container = (name: string, address: string, command: string[], ready: RegExp) =>
    new HostContainer(image)
      .withAddress(networkName, address)
      .withName(`dcbox-${runId}-${name.toLowerCase()}`)
      .withLabels(labels(name))
      .withCopyContentToContainer([{ content: readFileSync(file, 'utf8'), target: topologyInContainer }])
      .withCommand([...command, ...common])
      .withWaitStrategy(Wait.forLogMessage(ready))
      .withStartupTimeout(timeoutMs);

  const open: grpc.Client[] = [];
  const stop = async () => {
    for (const c of open.splice(0)) c.close();
    const ours = await client.container.dockerode.listContainers({
      all: true,
      filters: { label: [`${LABEL_RUN}=${runId}`] },
    });
    await Promise.all(
      ours.map((c) =>
        client.container.dockerode
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch(() => undefined),
      ),
    );
    await net.remove().catch(() => undefined);
  };

  try {
    const dashboard = opts.dashboard ?? true;
    started.set(
      'backplane',
      await container(
        'backplane',
        backplaneAddress(prefix),
        ['--backplane', '--select', `${LABEL_RUN}=${runId}`, ...(dashboard ? ['--dashboard'] : [])],
        dashboard ? /dashboard serving/ : /backplane of .* serving/,
      )
        .withBindMounts([{ source: '/var/run/docker.sock', target: '/var/run/docker.sock' }])
        .start(),
    );
    // Every host starts once what it depends on serves, as the orchestrator starts them.
    const starting = new Map<string, Promise<void>>();
    const startHost = (name: string): Promise<void> => {
      const existing = starting.get(name);
      if (existing) return existing;
      const plan = topo.hosts.find((h) => h.name === name);
      if (!plan) throw new Error(`no host ${name}`);
      const p = Promise.all(plan.dependsOn.map(startHost)).then(async () => {
        const a = addrs.get(name);
        started.set(
          name,
          await container(name, a?.address as string, ['--host', name], /"msg":"serving"/).start(),
        );
      });
      starting.set(name, p);
      return p;
    };
    await Promise.all(topo.hosts.map((h) => startHost(h.name)));

    const hosts: Record<string, HostEndpoints> = {};
    for (const h of topo.hosts) {
      const a = addrs.get(h.name);
      if (!a) continue;
      hosts[h.name] = {
        name: h.name,
        component: h.component,
        address: a.address,
        grpc: endpoint(a.address, a.grpcPort),
        nats: endpoint(a.address, a.natsPort),
        metrics: `http://${a.address}:9464/metrics`,
      };
    }
    const byComponent = (c: Component) => Object.values(hosts).filter((h) => h.component === c);
    const mmHost = byComponent('management-module')[0];
    const mmSpec = topo.spec.chassis.managementModule;
    if (!mmHost) throw new Error(`${topo.name} has no management module`);
    const containerOf = (host: string) => {
      const name = Object.keys(hosts).find((n) => n.toLowerCase() === host.toLowerCase());
      const c = name ? started.get(name) : undefined;
      if (!c || !name) throw new Error(`no host named ${host} in this data center`);
      return { name, c: client.container.getById(c.getId()) };
    };
    const pids = new Map<string, number>();
    const refreshPid = async (host: string) => {
      const { c } = containerOf(host);
      const info = await client.container.inspect(c);
      if (info.State.Running && info.State.Pid) pids.set(host, info.State.Pid);
      else pids.delete(host);
    };
    for (const name of Object.keys(hosts)) await refreshPid(name);
    const networks = new ContainerNetworks((host) => pids.get(host) ?? null);
    const addressList = () => [...addrs.values()];

    const p = protos();
    const track = <T extends grpc.Client>(c: T): T => {
      open.push(c);
      return c;
    };
    const nodeTarget = (name: string) => {
      const h = containerOf(name).name;
      if (hosts[h]?.component !== 'hyperv-node') throw new Error(`${name} is not a Hyper-V node`);
      return hosts[h].grpc.target;
    };
    const workstation = byComponent('workstation')[0];
    const dc: DataCenter = {
      runId,
      network: { name: networkName, subnet: `${prefix}.0/24` },
      hosts,
      mm: {
        grpc: mmHost.grpc,
        telnet: endpoint(mmHost.address, mmSpec.telnetPort ?? DEFAULT_TELNET_PORT),
        redfish: `${mmSpec.redfishTls ? 'https' : 'http'}://${mmHost.address}:${mmSpec.redfishPort ?? DEFAULT_REDFISH_PORT}/redfish/v1/`,
        credentials: { ...mmSpec.credentials },
      },
      nodes: Object.fromEntries(byComponent('hyperv-node').map((h) => [h.name, h.grpc])),
      nats: (byComponent('workstation')[0] ?? mmHost).nats,
      clients: {
        mm: () =>
          track(new p.dcbox.chassis.v1.ManagementModule(mmHost.grpc.target, insecure(), CLIENT_OPTIONS)),
        node: (name) => track(new p.dcbox.node.v1.HyperVNode(nodeTarget(name), insecure(), CLIENT_OPTIONS)),
        cluster: (name) =>
          track(new p.dcbox.cluster.v1.Cluster(nodeTarget(name), insecure(), CLIENT_OPTIONS)),
        workstation: () => {
          if (!workstation) throw new Error(`${topo.name} has no workstation`);
          return track(
            new p.dcbox.workstation.v1.Workstation(workstation.grpc.target, insecure(), CLIENT_OPTIONS),
          );
        },
      },
      dashboard: dashboard ? `http://${backplaneAddress(prefix)}:${DASHBOARD_PORT}/` : null,
      async kill(host) {
        const { name, c } = containerOf(host);
        await c.kill().catch(() => undefined);
        await c.wait().catch(() => undefined);
        pids.delete(name);
      },
      async start(host) {
        const { name, c } = containerOf(host);
        await client.container.start(c);
        await refreshPid(name);
        const target = hosts[name]?.grpc.target as string;
        const until = Date.now() + timeoutMs;
        while (!(await checkHealth(target, 500))) {
          if (Date.now() > until) throw new Error(`${name} was not healthy within ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      async freeze(host) {
        await containerOf(host).c.pause();
      },
      async thaw(host) {
        await containerOf(host).c.unpause();
      },
      async partition(groups, o = {}) {
        for (const g of groups) for (const h of g) await refreshPid(containerOf(h).name);
        return networks.partition(
          addressList(),
          groups.map((g) => g.map((h) => containerOf(h).name)),
          !!o.oneWay,
        );
      },
      async heal() {
        for (const name of Object.keys(hosts)) await refreshPid(name);
        networks.heal(addressList());
      },
      stop,
      [Symbol.asyncDispose]: stop,
    };
    return dc;
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Removes every container and network of any dcbox run on this engine (a global teardown after
 * a crashed test run), and with `images` also the dcbox app images; the base image stays cached.
 */
export async function sweepDataCenters(opts: { images?: boolean } = {}): Promise<{
  containers: number;
  networks: number;
  images: number;
}> {
  const client = await getContainerRuntimeClient();
  const d = client.container.dockerode;
  const containers = await d.listContainers({ all: true, filters: { label: [LABEL_RUN] } });
  await Promise.all(
    containers.map((c) =>
      d
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
  const networks = await d.listNetworks({ filters: { label: [LABEL_RUN] } });
  await Promise.all(
    networks.map((n) =>
      d
        .getNetwork(n.Id)
        .remove()
        .catch(() => undefined),
    ),
  );
  let images = 0;
  if (opts.images) {
    const list = await d.listImages({ filters: { label: [`${LABEL_IMAGE}=app`] } });
    for (const i of list) {
      await d
        .getImage(i.Id)
        .remove({ force: true })
        .then(() => images++)
        .catch(() => undefined);
    }
  }
  return { containers: containers.length, networks: networks.length, images };
}
