/**
 * The orchestrator daemon once its hosts are launched (launch.ts): the physics of the emulated
 * data center. It waits on each host's grpc.health.v1 in dependency order, serves the backplane
 * that the management module drives to cut or restore power to a bay, applies partitions, and
 * on shutdown removes everything it made. entry.ts is the process's entry; the gRPC services
 * are translated in grpc-handlers.ts and the calls to the emulated services made in
 * service-calls.ts. It is a few lines over the ~500 a file should hold because the class is the
 * one owner of the hosts' lifecycle (start order, power, partitions, shutdown): splitting it
 * would hand its private host table to several modules.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { DcboxError } from '../../services/actor/errors.js';
import { makeRegistry, startMetricsServer } from '../../services/observability/metrics.js';
import { VERSION } from '../../services/process/service.js';
import { type startGrpcServer, waitServing } from '../../services/transport/grpc.js';
import type { EventHub } from '../dashboard/model.js';
import { Observer } from '../dashboard/observer.js';
import { type ControlRequest, startDashboard } from '../dashboard/server.js';
import { FaultLeases, type FaultRequest } from '../faults/faults.js';
import { controlSocketPath, hostDir, ORCHESTRATOR_METRICS_PORT, prometheusConfigPath } from '../run/paths.js';
import type { StartMarks } from '../run/start-timeline.js';
import { alive, type HostState, type RunState, writeState } from '../run/state.js';
import type { Runtime } from '../runtime/types.js';
import { chassisList, type ResolvedTopology } from '../topology/topology.js';
import { type DaemonApi, hostStatus, serveControl } from './grpc-handlers.js';
import type { Launch, LaunchedHost } from './launch.js';
import type { DaemonMessage, DashboardInfo, DashboardSetting } from './messages.js';
import { type OrchestratorMetrics, orchestratorMetrics, prometheusConfig } from './metrics.js';
import { mmPower, moveRole, storageFault } from './service-calls.js';

interface Running extends LaunchedHost {
  powered: boolean;
  /** Serializes power changes of one host. */
  busy: Promise<unknown>;
}

const HEALTH_TIMEOUT_MS = 30_000;

/** The daemon of one run: host lifecycle, power, partitions, faults and the dashboard. */
export class Daemon implements DaemonApi {
  private readonly hosts = new Map<string, Running>();
  private readonly runtime: Runtime;
  private readonly runId: string;
  private readonly state: RunState;
  private partitions: string[] = [];
  private stopping = false;
  private server: Awaited<ReturnType<typeof startGrpcServer>> | null = null;
  readonly faults: FaultLeases;
  private readonly registry: Registry;
  private readonly metrics: OrchestratorMetrics;
  private metricsServer: Server | null = null;
  private observer: Observer | null = null;
  private dashboardServer: Server | null = null;
  private dashboardInfo: DashboardInfo | null = null;
  private partitionCount = 0;

  /** Takes over a launched run (launch.ts): its runtime, hosts and processes. */
  constructor(
    private readonly topo: ResolvedTopology,
    private readonly launch: Launch,
    private readonly say: (m: DaemonMessage) => void,
    private readonly dashboard: DashboardSetting = { listen: null, allowControl: false },
  ) {
    this.runId = launch.runId;
    this.runtime = launch.runtime;
    this.state = launch.state;
    for (const h of launch.hosts.values())
      this.hosts.set(h.plan.name, Object.assign(h, { powered: true, busy: Promise.resolve() }));
    launch.onExit = () => this.save();
    this.faults = new FaultLeases({
      runtime: this.runtime,
      address: (name) => this.running(name).addr,
      component: (name) => this.running(name).plan.component,
      bayOf: (name) => {
        const { bay, managementModule } = this.running(name).plan;
        return bay && { ...bay, managementModule };
      },
      pids: (name) => {
        const h = this.running(name);
        const { pids } = this.hostState(h);
        return [pids.service, pids.nats].filter((p): p is number => !!p && alive(p));
      },
      setPower: async (name, on) => {
        await this.setPower(name, on);
      },
      mmPower: (kind, bay, action, mm) => this.mmPower(kind, bay, action, mm),
      storageFault: (lun, kind, delayMs, errorRate, durationMs) =>
        storageFault(
          this.targetOf('storage-controller'),
          { runToken: launch.runToken },
          { lun, kind, delayMs, errorRate, durationMs },
        ),
      hostsOf: (component) =>
        [...this.hosts.values()].filter((h) => h.plan.component === component).map((h) => h.plan.name),
      changed: (view) => this.observer?.fault(view),
    });
    this.registry = makeRegistry({
      version: VERSION,
      topology: topo.name,
      seed: '1',
      host: 'orchestrator',
      component: 'orchestrator',
    });
    this.metrics = orchestratorMetrics(this.registry, () =>
      this.faults
        .list()
        .filter((f) => f.status === 'active')
        .map((f) => f.kind),
    );
  }

  private running(name: string): Running {
    const h =
      this.hosts.get(name) ??
      [...this.hosts.values()].find((x) => x.plan.name.toLowerCase() === name.toLowerCase());
    if (!h) throw new DcboxError('NOT_FOUND', `no host named ${name} in this run`);
    return h;
  }

  /** The gRPC address of the run's host of a component. */
  private targetOf(component: string): string {
    const h = [...this.hosts.values()].find((x) => x.plan.component === component);
    if (!h) throw new DcboxError('NOT_FOUND', `this run has no ${component}`);
    return `${h.addr.address}:${h.addr.grpcPort}`;
  }

  /**
   * Power through a management module, as an operator or a fencing agent does it: the named one
   * (the MM of the chassis the bay is in), else the run's first, the one the dashboard shows.
   */
  private mmPower(kind: 'blade' | 'io', bay: number, action: 'on' | 'off', mm?: string): Promise<void> {
    const h = mm ? this.running(mm) : undefined;
    if (h && h.plan.component !== 'management-module')
      throw new DcboxError('INVALID_ARGUMENT', `${mm} is not a management module of this run`);
    const target = h ? `${h.addr.address}:${h.addr.grpcPort}` : this.targetOf('management-module');
    return mmPower(target, this.mmAuth(mm), kind, bay, action);
  }

  /**
   * What a call to a management module's API sends: the run's token and the account of its
   * chassis (the first chassis's when none is named).
   */
  private mmAuth(mm?: string) {
    const placed = chassisList(this.topo.spec);
    const chassis = placed.find((p) => p.chassis.managementModule.host === mm) ?? placed[0];
    return {
      runToken: this.launch.runToken,
      credentials: chassis?.chassis.managementModule.credentials,
    };
  }

  /**
   * Serves the control API and the dashboard, then waits until every host is healthy, each
   * once what it depends on is (a runtime that owns its hosts, docker, starts each one then).
   */
  async start(): Promise<void> {
    const t0 = this.launch.startedAtMs;
    this.save();
    this.writePrometheusConfig();
    await this.serve();
    await this.serveDashboard();
    const controlServedAtMs = Date.now();
    const healthyAtMs = new Map<string, number>();
    const started = new Map<string, Promise<void>>();
    const startHost = (name: string): Promise<void> => {
      const existing = started.get(name);
      if (existing) return existing;
      const h = this.hosts.get(name) as Running;
      const p = Promise.all(h.plan.dependsOn.map(startHost)).then(async () => {
        await this.startService(h);
        healthyAtMs.set(name, Date.now());
        this.say({
          type: 'progress',
          text: `${name} (${h.plan.component}) healthy at ${h.addr.address}:${h.addr.grpcPort}`,
        });
      });
      started.set(name, p);
      return p;
    };
    await Promise.all([...this.hosts.keys()].map(startHost));
    const allHealthyAtMs = Date.now();
    this.state.readyAtMs = allHealthyAtMs;
    this.save();
    // Watching starts once everything is up, so that it never slows the start down.
    // Without a dashboard only the event stream is followed: polling and pinging serve the page.
    this.observer?.start({ poll: this.dashboardServer !== null });
    const marks: StartMarks = {
      daemonStartedAtMs: t0,
      networkReadyAtMs: this.launch.networkReadyAtMs,
      controlServedAtMs,
      hosts: [...this.hosts.values()].map((h) => ({
        name: h.plan.name,
        component: h.plan.component,
        natsStartedAtMs: h.natsStartedAtMs,
        serviceStartedAtMs: h.serviceStartedAtMs,
        healthyAtMs: healthyAtMs.get(h.plan.name) ?? null,
      })),
      allHealthyAtMs,
    };
    this.say({ type: 'ready', elapsedMs: Date.now() - t0, dashboard: this.dashboardInfo, marks });
  }

  /** prometheus.yml in the run folder: every service of this topology plus the orchestrator. */
  private writePrometheusConfig(): void {
    writeFileSync(
      prometheusConfigPath,
      prometheusConfig({
        topology: this.topo.name,
        hosts: [...this.hosts.values()].map((h) => ({
          name: h.plan.name,
          component: h.plan.component,
          address: h.addr.address,
          grpcPort: h.addr.grpcPort,
        })),
        orchestrator: `127.0.0.1:${ORCHESTRATOR_METRICS_PORT}`,
        scrapeIntervalS: this.topo.timing.name === 'fast' ? 1 : 5,
      }),
    );
  }

  /** Starts a host's service (unless it runs) and waits until it is healthy. */
  private async startService(h: Running): Promise<void> {
    const owner = this.runtime.owner;
    if (owner) {
      if (!owner.running(h.addr)) {
        h.serviceStartedAtMs = Date.now();
        await owner.start(h.addr, hostDir(h.plan.name));
      }
    } else this.launch.spawnService(h);
    this.save();
    const child = h.service;
    const gone = () => !(owner ? owner.running(h.addr) : alive(child?.pid));
    const serving = await waitServing(`${h.addr.address}:${h.addr.grpcPort}`, {
      timeoutMs: HEALTH_TIMEOUT_MS,
      gone,
    });
    if (serving) return;
    if (gone()) {
      const log = join(hostDir(h.plan.name), 'service.log');
      throw new Error(
        `${h.plan.name} (${h.plan.component}) exited during start; see ${log}${lastLines(log, 5)}`,
      );
    }
    throw new Error(`${h.plan.name} was not healthy within ${HEALTH_TIMEOUT_MS} ms`);
  }

  /**
   * Kills every process of a host at once, as cutting its power does: SIGKILLs its process
   * groups and resolves once its processes have exited.
   */
  private async kill(h: Running): Promise<void> {
    if (this.runtime.owner) {
      await this.runtime.owner.kill(h.addr);
      return;
    }
    const children = [h.service, h.nats].filter((c) => !!c);
    const exited = children.map((c) =>
      // A child that never started (no pid) never reports an exit.
      c.pid !== undefined && c.exitCode === null && c.signalCode === null
        ? new Promise((r) => c.once('exit', r))
        : null,
    );
    for (const c of children) {
      if (c.pid && alive(c.pid)) {
        try {
          process.kill(-c.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    await Promise.all(exited);
  }

  private observed(h: Running) {
    return {
      name: h.plan.name,
      component: h.plan.component,
      address: h.addr.address,
      grpcPort: h.addr.grpcPort,
      bay: h.plan.bay,
      powered: h.powered,
    };
  }

  /**
   * The observer and the dashboard's HTTP server. A port already taken does not stop the data
   * center: `dcbox up` says so and how to choose another.
   */
  private async serveDashboard(): Promise<void> {
    this.observer = new Observer({
      run: {
        runId: this.runId,
        topology: this.topo.name,
        runtime: this.runtime.kind,
        timing: this.topo.timing.name,
        startedAtMs: this.state.startedAtMs,
        allowControl: this.dashboard.allowControl,
      },
      hosts: () => [...this.hosts.values()].map((h) => this.observed(h)),
      faults: () => this.faults.list(),
      auth: this.mmAuth(),
      mmAuth: (mm) => this.mmAuth(mm),
    });
    const listen = this.dashboard.listen;
    if (!listen) return;
    const i = listen.lastIndexOf(':');
    const host = listen.slice(0, i);
    const port = Number(listen.slice(i + 1));
    const token = this.dashboard.allowControl ? randomBytes(16).toString('hex') : null;
    const url = `http://${host}:${port}/`;
    try {
      this.dashboardServer = await startDashboard(this.observer, {
        host,
        port,
        token,
        control: (req) => this.control(req),
      });
      this.dashboardInfo = { url, token };
      this.say({ type: 'progress', text: `dashboard at ${url}${token ? ' (controls on)' : ' (read-only)'}` });
    } catch (err) {
      this.dashboardInfo = {
        url,
        token: null,
        error: `not served: ${(err as Error).message} (choose another with --dashboard HOST:PORT, or --dashboard off)`,
      };
      this.say({ type: 'progress', text: `dashboard ${this.dashboardInfo.error}` });
    }
    this.state.dashboard = this.dashboardInfo;
    this.save();
  }

  /** What the dashboard's controls do: the same paths as the CLI's commands. */
  private async control(req: ControlRequest): Promise<string> {
    switch (req.action) {
      case 'power':
        await this.mmPower(req.kind, req.bay, req.on ? 'on' : 'off', req.mm);
        return `${req.kind} bay ${req.bay} powered ${req.on ? 'on' : 'off'} through ${req.mm ?? 'the management module'}`;
      case 'move': {
        const view = this.observer?.current().cluster;
        const member = view?.nodes.find((n) => n.service === 'Running')?.name;
        if (!member) throw new DcboxError('UNAVAILABLE', 'no cluster node is running to take the move');
        const h = this.running(member);
        await moveRole(`${h.addr.address}:${h.addr.grpcPort}`, { runToken: this.launch.runToken }, req);
        return `${req.role} moved to ${req.to} (${req.live ? 'live' : 'quick'} migration)`;
      }
      case 'fault': {
        const f = await this.injectFault({
          kind: req.kind,
          hosts: req.hosts,
          groups: [],
          one_way: false,
          duration_ms: req.durationMs,
          netem: null,
          peers: [],
          lun: '',
          delay_ms: 0,
          error_rate: 0,
        });
        return `fault ${f.id} (${f.kind}) on ${f.targets.join(', ')} until ${new Date(f.expires_at_ms).toISOString()}`;
      }
      case 'lift-all': {
        const lifted = await this.faults.liftAll();
        return `${lifted.length} fault(s) lifted`;
      }
    }
  }

  /** The backplane: cut (SIGKILL) or restore (fresh start, healthy) a host's power. */
  async setPower(name: string, on: boolean): Promise<HostState> {
    const h = this.hosts.get(name);
    if (!h) throw new DcboxError('NOT_FOUND', `no host named ${name} in this run`);
    const next = h.busy.then(async () => {
      if (on) {
        h.powered = true;
        this.launch.startNats(h);
        await this.startService(h);
      } else {
        h.powered = false;
        await this.kill(h);
      }
      this.observer?.power(this.observed(h), on);
      this.save();
    });
    h.busy = next.catch(() => undefined);
    await next;
    return this.hostState(h);
  }

  private hostState(h: Running): HostState {
    return {
      ...h.addr,
      component: h.plan.component,
      bay: h.plan.bay,
      powered: h.powered,
      pids: this.runtime.owner
        ? this.runtime.owner.pids(h.addr)
        : {
            nats: h.nats?.pid && alive(h.nats.pid) ? h.nats.pid : null,
            service: h.service?.pid && alive(h.service.pid) ? h.service.pid : null,
          },
    };
  }

  private save(): void {
    if (!this.state) return;
    this.state.hosts = [...this.hosts.values()].map((h) => this.hostState(h));
    this.state.partitions = this.partitions;
    writeState(this.state);
  }

  /** The control API (grpc-handlers.ts) on every control address, and the daemon's metrics. */
  private async serve(): Promise<void> {
    this.server = await serveControl(
      controlSocketPath,
      this.runtime.controlAddresses,
      this,
      this.launch.runToken,
    );
    // The workstation side only: Prometheus and the dashboard run beside the CLI.
    this.metricsServer = await startMetricsServer(this.registry, '127.0.0.1', ORCHESTRATOR_METRICS_PORT);
  }

  /** A host's state now, for GetPower. */
  powerState(name: string): HostState {
    const h = this.hosts.get(name);
    if (!h) throw new DcboxError('NOT_FOUND', `no host named ${name} in this run`);
    return this.hostState(h);
  }

  /** Cuts traffic between groups of hosts until healed, and shows it on the dashboard. */
  partition(groups: string[][], oneWay: boolean): string[] {
    const rules = this.runtime.partition(
      [...this.hosts.values()].map((h) => h.addr),
      groups,
      oneWay,
    );
    this.partitions.push(...rules);
    this.save();
    this.observer?.fault({
      id: `p${++this.partitionCount}`,
      kind: 'partition',
      targets: groups.map((g) => g.join('+')),
      started_at_ms: Date.now(),
      expires_at_ms: 0,
      detail: `${oneWay ? 'one-way ' : ''}partition ${groups.map((g) => g.join(',')).join(' | ')} (until healed)`,
      status: 'active',
    });
    return rules;
  }

  /** Removes every partition; the dashboard sees each one lifted. */
  heal(): string[] {
    this.runtime.heal([...this.hosts.values()].map((h) => h.addr));
    const rules = this.partitions;
    this.partitions = [];
    this.save();
    for (let i = 1; i <= this.partitionCount && rules.length > 0; i++)
      this.observer?.fault({
        id: `p${i}`,
        kind: 'partition',
        targets: [],
        started_at_ms: 0,
        expires_at_ms: Date.now(),
        detail: 'healed',
        status: 'lifted',
      });
    return rules;
  }

  /** Injects a fault lease and counts it in the metrics. */
  async injectFault(req: FaultRequest) {
    const view = await this.faults.inject(req);
    this.metrics.injected.inc({ kind: view.kind });
    return view;
  }

  /** The observer's event hub (none before the dashboard is set up). */
  eventHub(): EventHub | undefined {
    return this.observer?.hub;
  }

  /** The run as Status reports it. */
  async status() {
    const hosts = await Promise.all(
      [...this.hosts.values()].map((h) =>
        hostStatus({
          name: h.plan.name,
          component: h.plan.component,
          address: h.addr.address,
          grpcPort: h.addr.grpcPort,
          natsPort: h.addr.natsPort,
          namespace: h.addr.namespace,
          powered: h.powered,
          state: this.hostState(h),
        }),
      ),
    );
    return {
      run_id: this.runId,
      topology: this.topo.name,
      runtime: this.runtime.kind,
      timing: this.topo.timing.name,
      started_at_ms: this.state.startedAtMs,
      hosts,
      partitions: this.partitions,
      daemon_pid: process.pid,
    };
  }

  /** Stops every process and removes the network it made; the run folder is left to `down`. */
  async shutdown(code: number): Promise<never> {
    if (this.stopping) return new Promise<never>(() => undefined);
    this.stopping = true;
    await Promise.all([...this.hosts.values()].map((h) => this.kill(h)));
    await this.runtime.teardown([...this.hosts.values()].map((h) => h.addr));
    this.metricsServer?.close();
    this.metricsServer?.closeAllConnections();
    this.observer?.stop();
    this.dashboardServer?.close();
    this.dashboardServer?.closeAllConnections();
    await this.server?.shutdown();
    process.exit(code);
  }
}

/**
 * What a host's log says of why it exited, indented under an error message: the last line that
 * names an error (an uncaught exception's), else its last `n` lines; empty when unreadable.
 */
function lastLines(path: string, n: number): string {
  try {
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    const error = [...lines].reverse().find((l) => /^\w*Error\b/.test(l));
    const shown = error ? [error] : lines.slice(-n);
    return `; it says:\n${shown.map((l) => `    ${l}`).join('\n')}`;
  } catch {
    return '';
  }
}
