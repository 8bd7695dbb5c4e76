/**
 * The backplane of a data center that Docker Compose or the testcontainers helper started: a
 * container on the hosts' network (address .2) that the management module drives to cut or
 * restore a bay's power, exactly as it drives the orchestrator daemon's. It holds no docker CLI:
 * it talks to the Docker Engine API over the mounted /var/run/docker.sock (POST
 * /containers/{id}/kill, /start) and finds each host's container by its `dcbox.host` label (plus
 * the `--select` label of its run). Power on returns once the host's service answers
 * grpc.health.v1 with SERVING. With `--dashboard` it also serves the live dashboard, read-only.
 */
import { protos, startGrpcServer, unary } from '../../services/transport/grpc.js';
import { type ObservedHost, Observer } from '../dashboard/observer.js';
import { startDashboard } from '../dashboard/server.js';
import type { HostAddress } from '../runtime/types.js';
import { chassisList, type HostPlan, type ResolvedTopology } from '../topology/topology.js';
import { argValue, containerTopology } from './args.js';
import { containerOf, engineApiPower, isRunning } from './engine-api.js';
import { BACKPLANE_PORT, backplaneAddress, containerAddresses, DASHBOARD_PORT } from './names.js';
import { powerOff, powerOn } from './power.js';
import { waitHealthy } from './wait-healthy.js';

const HEALTH_TIMEOUT_MS = 30_000;

/**
 * The run's token, which the testcontainers helper hands every container of a run in its
 * environment (host.ts writes it into each host's config); docker-compose may give none, and
 * then the backplane, like the hosts, answers any caller (docs/security.md).
 */
function runTokenOfContainers(): string | null {
  return process.env.DCBOX_RUN_TOKEN || null;
}

/** The answer of SetPower and GetPower (no pids: the processes live in the containers). */
interface PowerReply {
  host: string;
  on: boolean;
  pids: number[];
}

/** Serves the backplane (and the dashboard) until the container is stopped. */
export async function runBackplane(argv: string[]): Promise<void> {
  const { topo, prefix, runId } = containerTopology(argv);
  const select = argValue(argv, 'select') ?? `dcbox.compose=${topo.name}`;
  const addrs = new Map<string, HostAddress>(
    containerAddresses(
      topo.hosts.map((h) => h.name),
      prefix,
    ).map((a) => [a.name, a]),
  );
  const powered = new Map(topo.hosts.map((h) => [h.name, true]));
  const observed = (plan: HostPlan) =>
    observedHost(plan, addrs.get(plan.name) as HostAddress, powered.get(plan.name) ?? true);
  let observer: Observer | null = null;
  const setPower = serializedPerHost(async (host: string, on: boolean) => {
    const addr = addrs.get(host);
    if (!addr) throw new Error(`no host named ${host} in ${topo.name}`);
    await switchPower(host, on, addr, select);
    powered.set(host, on);
    const plan = topo.hosts.find((h) => h.name === host);
    if (observer && plan) observer.power(observed(plan), on);
  });

  const server = await serveBackplane(select, async (host, on) => {
    await setPower(host, on);
    return { host, on, pids: [] };
  });
  process.stderr.write(
    `backplane of ${topo.name} serving on ${backplaneAddress(prefix)}:${BACKPLANE_PORT} (containers labelled ${select})\n`,
  );
  if (argv.includes('--dashboard')) {
    observer = await serveReadOnlyDashboard(topo, runId, () => topo.hosts.map(observed));
    process.stderr.write(`dashboard serving on port ${DASHBOARD_PORT}\n`);
  }

  const stop = async () => {
    observer?.stop();
    await server.shutdown();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

/**
 * Cuts or restores the power of a host's container. SIGKILL of the container's init: its NATS
 * server and service die at once, as a cut of power does; power on returns once the host's
 * service serves.
 */
async function switchPower(host: string, on: boolean, addr: HostAddress, select: string): Promise<void> {
  const c = await containerOf(host, select);
  const power = engineApiPower(host);
  if (!on) return powerOff(power, c.Id);
  await powerOn(power, c.Id, {
    untilReady: () =>
      waitHealthy({ host, target: `${addr.address}:${addr.grpcPort}`, timeoutMs: HEALTH_TIMEOUT_MS }),
  });
}

/** Runs the calls for one host one after another (a failed call does not stop the next). */
function serializedPerHost(
  fn: (host: string, on: boolean) => Promise<void>,
): (host: string, on: boolean) => Promise<void> {
  const busy = new Map<string, Promise<unknown>>();
  return async (host, on) => {
    const prev = busy.get(host) ?? Promise.resolve();
    const next = prev.then(() => fn(host, on));
    busy.set(
      host,
      next.catch(() => undefined),
    );
    await next;
  };
}

/** The dashboard's view of a host of the topology. */
function observedHost(plan: HostPlan, addr: HostAddress, powered: boolean): ObservedHost {
  return {
    name: plan.name,
    component: plan.component,
    address: addr.address,
    grpcPort: addr.grpcPort,
    bay: plan.bay,
    powered,
  };
}

/** Serves dcbox.orchestrator.v1.Backplane on every address of the container. */
async function serveBackplane(select: string, setPower: (host: string, on: boolean) => Promise<PowerReply>) {
  const p = protos();
  const server = await startGrpcServer(
    '0.0.0.0',
    BACKPLANE_PORT,
    [
      {
        definition: p.dcbox.orchestrator.v1.Backplane.service,
        name: 'dcbox.orchestrator.v1.Backplane',
        impl: {
          SetPower: unary((req: { host: string; on: boolean }) => setPower(req.host, req.on)),
          GetPower: unary(async (req: { host: string }) => {
            const c = await containerOf(req.host, select);
            return { host: req.host, on: await isRunning(c.Id), pids: [] };
          }),
        },
      },
    ],
    { runToken: runTokenOfContainers() },
  );
  server.setServing(true);
  return server;
}

/** Observes the data center and serves its dashboard without controls. */
async function serveReadOnlyDashboard(
  topo: ResolvedTopology,
  runId: string,
  hosts: () => ObservedHost[],
): Promise<Observer> {
  const observer = new Observer({
    run: {
      runId,
      topology: topo.name,
      runtime: 'docker',
      timing: topo.timing.name,
      startedAtMs: Date.now(),
      allowControl: false,
    },
    hosts,
    faults: () => [],
    auth: {
      runToken: runTokenOfContainers(),
      credentials: chassisList(topo.spec)[0]?.chassis.managementModule.credentials,
    },
    mmAuth: (mm) => ({
      runToken: runTokenOfContainers(),
      credentials: (
        chassisList(topo.spec).find((p) => p.chassis.managementModule.host === mm) ??
        chassisList(topo.spec)[0]
      )?.chassis.managementModule.credentials,
    }),
  });
  observer.start();
  await startDashboard(observer, {
    host: '0.0.0.0',
    port: DASHBOARD_PORT,
    token: null,
    control: async () => {
      throw new Error('the dashboard of a compose or testcontainers run is read-only');
    },
  });
  return observer;
}
