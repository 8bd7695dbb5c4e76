/**
 * The backplane of a data center that Docker Compose or the testcontainers helper started: a
 * container on the hosts' network (address .2) that the management module drives to cut or
 * restore a bay's power, exactly as it drives the orchestrator daemon's. It holds no docker CLI:
 * it talks to the Docker Engine API over the mounted /var/run/docker.sock (POST
 * /containers/{id}/kill, /start) and finds each host's container by its `dcbox.host` label (plus
 * the `--select` label of its run). Power on returns once the host's service answers
 * grpc.health.v1 with SERVING. With `--dashboard` it also serves the live dashboard, read-only.
 */
import { request } from 'node:http';
import { healthClient, protos, startGrpcServer, unary } from '../../services/transport/grpc.js';
import { Observer } from '../dashboard/observer.js';
import { startDashboard } from '../dashboard/server.js';
import type { HostAddress } from '../runtime/runtime.js';
import { argValue, containerTopology } from './args.js';
import { BACKPLANE_PORT, backplaneAddress, containerAddresses, DASHBOARD_PORT, LABEL_HOST } from './names.js';

const SOCKET = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';
const HEALTH_TIMEOUT_MS = 30_000;

/** One call of the Docker Engine API over its unix socket. */
export function engineApi(method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: SOCKET, method, path, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`Docker Engine API ${method} ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

interface ContainerSummary {
  Id: string;
  State: string;
}

/** The container of a host: the one carrying `dcbox.host=<host>` and the run's selector label. */
async function containerOf(host: string, select: string): Promise<ContainerSummary> {
  const filters = JSON.stringify({ label: [`${LABEL_HOST}=${host}`, select] });
  const r = await engineApi('GET', `/containers/json?all=true&filters=${encodeURIComponent(filters)}`);
  if (r.status !== 200) throw new Error(`Docker Engine API: ${r.status} ${r.body.trim()}`);
  const list = JSON.parse(r.body) as ContainerSummary[];
  const c = list[0];
  if (!c) throw new Error(`no container labelled ${LABEL_HOST}=${host} and ${select}`);
  return c;
}

async function isRunning(id: string): Promise<boolean> {
  const r = await engineApi('GET', `/containers/${id}/json`);
  if (r.status !== 200) throw new Error(`Docker Engine API: ${r.status} ${r.body.trim()}`);
  return (JSON.parse(r.body) as { State: { Running: boolean } }).State.Running;
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
  const busy = new Map<string, Promise<unknown>>();
  let observer: Observer | null = null;

  const setPower = async (host: string, on: boolean) => {
    const addr = addrs.get(host);
    if (!addr) throw new Error(`no host named ${host} in ${topo.name}`);
    const prev = busy.get(host) ?? Promise.resolve();
    const next = prev.then(async () => {
      const c = await containerOf(host, select);
      if (on) {
        if (!(await isRunning(c.Id))) {
          const r = await engineApi('POST', `/containers/${c.Id}/start`);
          if (r.status >= 300 && r.status !== 304)
            throw new Error(`start ${host}: ${r.status} ${r.body.trim()}`);
        }
        const health = healthClient(`${addr.address}:${addr.grpcPort}`);
        const until = Date.now() + HEALTH_TIMEOUT_MS;
        try {
          while (!(await health.check(500))) {
            if (Date.now() > until) throw new Error(`${host} was not healthy within ${HEALTH_TIMEOUT_MS} ms`);
            await new Promise((r) => setTimeout(r, 50));
          }
        } finally {
          health.close();
        }
      } else {
        // SIGKILL of the container's init: its NATS server and service die at once, as a cut
        // of power does.
        await engineApi('POST', `/containers/${c.Id}/kill?signal=SIGKILL`);
        const until = Date.now() + 10_000;
        while ((await isRunning(c.Id)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      }
      powered.set(host, on);
      const plan = topo.hosts.find((h) => h.name === host);
      if (observer && plan)
        observer.power(
          {
            name: host,
            component: plan.component,
            address: addr.address,
            grpcPort: addr.grpcPort,
            bay: plan.bay,
            powered: on,
          },
          on,
        );
    });
    busy.set(
      host,
      next.catch(() => undefined),
    );
    await next;
    return { host, on, pids: [] };
  };

  const p = protos();
  const server = await startGrpcServer('0.0.0.0', BACKPLANE_PORT, [
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
  ]);
  server.setServing(true);
  process.stderr.write(
    `backplane of ${topo.name} serving on ${backplaneAddress(prefix)}:${BACKPLANE_PORT} (containers labelled ${select})\n`,
  );

  if (argv.includes('--dashboard')) {
    observer = new Observer({
      run: {
        runId,
        topology: topo.name,
        runtime: 'docker',
        timing: topo.timing.name,
        startedAtMs: Date.now(),
        allowControl: false,
      },
      hosts: () =>
        topo.hosts.map((h) => {
          const a = addrs.get(h.name) as HostAddress;
          return {
            name: h.name,
            component: h.component,
            address: a.address,
            grpcPort: a.grpcPort,
            bay: h.bay,
            powered: powered.get(h.name) ?? true,
          };
        }),
      faults: () => [],
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
