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
 *   const redfish = dc.mm.redfish;             // https://198.19.N.11:8000/redfish/v1/ (trust dc.mm.redfishCa)
 *   await dc.partition([['HVR2NODO1'], ['HVR2NODO2']]);
 *
 * Endpoints are the containers' own addresses, reached directly from the Docker host (they stay
 * the same across a power cycle, unlike published ports). Partitions enter the containers'
 * network namespaces from the Docker host (nsenter), so they need root there; the rest does not.
 * Ryuk is off unless TESTCONTAINERS_RYUK_DISABLED says otherwise: the labels do its job.
 *
 * The folder: index.ts (this entry: starting a data center and its endpoints), types.ts (the
 * shapes handed to a test suite), engine.ts (the image, network, containers, power and sweep
 * through testcontainers' client) and controls.ts (kill, start, freeze, partition, heal).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { type ContainerRuntimeClient, type StartedTestContainer, Wait } from 'testcontainers';
import {
  DEFAULT_REDFISH_PORT,
  DEFAULT_TELNET_PORT,
  redfishCertificatePath,
} from '../../services/management-module/endpoints.js';
import type { Component } from '../../services/process/config.js';
import { clientOptions, insecure, projectRoot, protos } from '../../services/transport/grpc.js';
import { newRunToken } from '../../services/transport/run-token.js';
import {
  APP_IMAGE,
  backplaneAddress,
  CONTAINER_DIR,
  containerAddresses,
  DASHBOARD_PORT,
  LABEL_HOST,
  LABEL_RUN,
} from '../containers/names.js';
import type { HostAddress } from '../runtime/types.js';
import {
  chassisList,
  loadTopology,
  type PlacedChassis,
  type ResolvedTopology,
  resolveTopology,
} from '../topology/topology.js';
import { faultControls } from './controls.js';
import { createNetwork, engineClient, ensureImage, HostContainer, removeRun } from './engine.js';
import type { DataCenter, DataCenterOptions, Endpoint, HostEndpoints } from './types.js';

export { sweepDataCenters } from './engine.js';
export type { DataCenter, DataCenterOptions, Endpoint, HostEndpoints } from './types.js';

process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

/** The topology file of a name shipped in topologies/, or the path given. */
function topologyFile(root: string, topology = 'seed'): string {
  if (topology.includes('/') || topology.endsWith('.yaml')) return topology;
  return join(root, 'topologies', `${topology}.yaml`);
}

const endpoint = (host: string, port: number): Endpoint => ({ host, port, target: `${host}:${port}` });

/** What the steps of startDataCenter share. */
interface Run {
  runId: string;
  topo: ResolvedTopology;
  /** The topology file, copied into every container. */
  file: string;
  image: string;
  timing: 'fast' | 'default';
  prefix: string;
  networkName: string;
  addrs: Map<string, HostAddress>;
  timeoutMs: number;
  dashboard: boolean;
  /** The run's secret, handed to every container in its environment (docs/security.md). */
  runToken: string;
}

/** Starts a data center and resolves once every host's service serves gRPC. */
export async function startDataCenter(opts: DataCenterOptions = {}): Promise<DataCenter> {
  const root = opts.root ?? projectRoot;
  const image = opts.image ?? APP_IMAGE;
  const timing = opts.timing ?? 'fast';
  const file = topologyFile(root, opts.topology);
  const topo = resolveTopology(loadTopology(file), file, timing);
  const runId = `tc${Date.now().toString(36)}${process.pid.toString(36)}`;
  const client = await engineClient(root);
  if (!opts.image) await ensureImage(client, root, image);
  const { net, prefix } = await createNetwork(client, runId);
  const addrs = new Map(
    containerAddresses(
      topo.hosts.map((h) => h.name),
      prefix,
    ).map((a) => [a.name, a]),
  );
  const run: Run = {
    runId,
    topo,
    file,
    image,
    timing,
    prefix,
    networkName: `dcbox-${runId}`,
    addrs,
    timeoutMs: opts.startupTimeoutMs ?? 60_000,
    dashboard: opts.dashboard ?? true,
    runToken: newRunToken(),
  };
  const open: grpc.Client[] = [];
  const stop = async () => {
    for (const c of open.splice(0)) c.close();
    await removeRun(client, runId);
    await net.remove().catch(() => undefined);
  };
  try {
    const started = await startContainers(run);
    return await dataCenter(run, client, started, open, stop);
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Starts the backplane, then every host once what it depends on serves, as the orchestrator does. */
async function startContainers(run: Run): Promise<Map<string, StartedTestContainer>> {
  const started = new Map<string, StartedTestContainer>();
  const { runId, prefix, dashboard, topo } = run;
  started.set(
    'backplane',
    await container(
      run,
      'backplane',
      backplaneAddress(prefix),
      ['--backplane', '--select', `${LABEL_RUN}=${runId}`, ...(dashboard ? ['--dashboard'] : [])],
      dashboard ? /dashboard serving/ : /backplane of .* serving/,
    )
      .withBindMounts([{ source: '/var/run/docker.sock', target: '/var/run/docker.sock' }])
      .start(),
  );
  const starting = new Map<string, Promise<void>>();
  const startHost = (name: string): Promise<void> => {
    const existing = starting.get(name);
    if (existing) return existing;
    const plan = topo.hosts.find((h) => h.name === name);
    if (!plan) throw new Error(`no host ${name}`);
    const p = Promise.all(plan.dependsOn.map(startHost)).then(async () => {
      const a = run.addrs.get(name);
      started.set(
        name,
        await container(run, name, a?.address as string, ['--host', name], /"msg":"serving"/).start(),
      );
    });
    starting.set(name, p);
    return p;
  };
  await Promise.all(topo.hosts.map((h) => startHost(h.name)));
  return started;
}

/** The container of one host (or the backplane), waited on by a log line. */
function container(run: Run, name: string, address: string, command: string[], ready: RegExp): HostContainer {
  const topologyInContainer = '/etc/dcbox/topology.yaml';
  const common = [
    '--topology',
    topologyInContainer,
    '--subnet',
    `${run.prefix}.0/24`,
    '--timing',
    run.timing,
  ];
  return (
    new HostContainer(run.image)
      .withAddress(run.networkName, address)
      .withName(`dcbox-${run.runId}-${name.toLowerCase()}`)
      .withLabels({ [LABEL_RUN]: run.runId, [LABEL_HOST]: name })
      // The environment, not the command line: a container's argv shows in the host's /proc.
      .withEnvironment({ DCBOX_RUN_TOKEN: run.runToken })
      .withCopyContentToContainer([{ content: readFileSync(run.file, 'utf8'), target: topologyInContainer }])
      .withCommand([...command, ...common, '--run', run.runId])
      .withWaitStrategy(Wait.forLogMessage(ready))
      .withStartupTimeout(run.timeoutMs)
  );
}

/** Every host's endpoints, by name. */
function hostEndpoints(run: Run): Record<string, HostEndpoints> {
  const hosts: Record<string, HostEndpoints> = {};
  for (const h of run.topo.hosts) {
    const a = run.addrs.get(h.name);
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
  return hosts;
}

/** The running data center: its endpoints, typed clients and fault controls. */
async function dataCenter(
  run: Run,
  client: ContainerRuntimeClient,
  started: Map<string, StartedTestContainer>,
  open: grpc.Client[],
  stop: () => Promise<void>,
): Promise<DataCenter> {
  const { topo, prefix } = run;
  const hosts = hostEndpoints(run);
  const byComponent = (c: Component) => Object.values(hosts).filter((h) => h.component === c);
  const mmHost = byComponent('management-module')[0];
  // The first chassis's management module: a data center in containers is handed one.
  const mmSpec = (chassisList(topo.spec)[0] as PlacedChassis).chassis.managementModule;
  if (!mmHost) throw new Error(`${topo.name} has no management module`);
  const nameOf = (host: string) => {
    const name = Object.keys(hosts).find((n) => n.toLowerCase() === host.toLowerCase());
    if (!name || !started.get(name)) throw new Error(`no host named ${host} in this data center`);
    return name;
  };
  const controls = await faultControls(run, client, started, hosts, nameOf);
  const tls = mmSpec.redfishTls ?? true;
  return {
    runId: run.runId,
    runToken: run.runToken,
    network: { name: run.networkName, subnet: `${prefix}.0/24` },
    hosts,
    mm: {
      grpc: mmHost.grpc,
      telnet: endpoint(mmHost.address, mmSpec.telnetPort ?? DEFAULT_TELNET_PORT),
      redfish: `${tls ? 'https' : 'http'}://${mmHost.address}:${mmSpec.redfishPort ?? DEFAULT_REDFISH_PORT}/redfish/v1/`,
      redfishCa: tls
        ? await readInContainer(started.get(mmHost.name), redfishCertificatePath(join(CONTAINER_DIR, 'data')))
        : null,
      credentials: { ...mmSpec.credentials },
    },
    nodes: Object.fromEntries(byComponent('hyperv-node').map((h) => [h.name, h.grpc])),
    nats: (byComponent('workstation')[0] ?? mmHost).nats,
    clients: typedClients(
      { topology: topo.name, runToken: run.runToken, credentials: mmSpec.credentials },
      hosts,
      mmHost,
      nameOf,
      open,
    ),
    dashboard: run.dashboard ? `http://${backplaneAddress(prefix)}:${DASHBOARD_PORT}/` : null,
    ...controls,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Typed gRPC clients of the run's services, each closed by `stop()`; each sends the run's token. */
function typedClients(
  {
    topology,
    runToken,
    credentials,
  }: { topology: string; runToken: string; credentials: { username: string; password: string } },
  hosts: Record<string, HostEndpoints>,
  mmHost: HostEndpoints,
  nameOf: (host: string) => string,
  open: grpc.Client[],
): DataCenter['clients'] {
  const p = protos();
  const track = <T extends grpc.Client>(c: T): T => {
    open.push(c);
    return c;
  };
  const nodeTarget = (name: string) => {
    const h = nameOf(name);
    if (hosts[h]?.component !== 'hyperv-node') throw new Error(`${name} is not a Hyper-V node`);
    return hosts[h].grpc.target;
  };
  const workstation = Object.values(hosts).find((h) => h.component === 'workstation');
  const options = clientOptions({ runToken });
  return {
    mm: () =>
      track(
        new p.dcbox.chassis.v1.ManagementModule(
          mmHost.grpc.target,
          insecure(),
          clientOptions({ runToken, credentials }),
        ),
      ),
    node: (name) => track(new p.dcbox.node.v1.HyperVNode(nodeTarget(name), insecure(), options)),
    cluster: (name) => track(new p.dcbox.cluster.v1.Cluster(nodeTarget(name), insecure(), options)),
    workstation: () => {
      if (!workstation) throw new Error(`${topology} has no workstation`);
      return track(new p.dcbox.workstation.v1.Workstation(workstation.grpc.target, insecure(), options));
    },
  };
}

/** A file of a started container, as text (the MM writes its Redfish certificate before it serves). */
async function readInContainer(container: StartedTestContainer | undefined, path: string): Promise<string> {
  if (!container) throw new Error(`no container to read ${path} from`);
  // The image has node and no shell or coreutils: node reads the file.
  const r = await container.exec([
    'node',
    '-e',
    'process.stdout.write(require("fs").readFileSync(process.argv[1]))',
    path,
  ]);
  if (r.exitCode !== 0) throw new Error(`reading ${path} in ${container.getName()}: ${r.output.trim()}`);
  return r.output;
}
