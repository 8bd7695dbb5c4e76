/**
 * The first part of a run, kept free of gRPC, protobuf and Prometheus so that the daemon gets
 * to it a few tens of milliseconds after it starts: the hosts' network and folders, and every
 * host's NATS server and service process spawned. The rest of the daemon (daemon-server.ts)
 * loads while the hosts do — on two cores a service's start is mostly loading Node, its
 * modules and the protos (issue 8's startupMs).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../services/process/root.js';
import { newRunToken } from '../../services/transport/run-token.js';
import { controlSocketAddress, hostDir, runDir } from '../run/paths.js';
import { alive, type RunState, writeState } from '../run/state.js';
import { hostFiles } from '../runtime/host-config.js';
import { type HostAddress, makeRuntime, type Runtime, type RuntimeKind } from '../runtime/runtime.js';
import { serviceArgv, serviceEnv } from '../runtime/service-argv.js';
import type { HostPlan, ResolvedTopology } from '../topology/topology.js';

/** One host and its processes (null: not running, or owned by the runtime). */
export interface LaunchedHost {
  plan: HostPlan;
  addr: HostAddress;
  nats: ChildProcess | null;
  service: ChildProcess | null;
  /** When its NATS server and its service process were last spawned (epoch ms; null: never). */
  natsStartedAtMs: number | null;
  serviceStartedAtMs: number | null;
}

export class Launch {
  readonly runId = `${Date.now().toString(36)}-${process.pid}`;
  readonly startedAtMs = Date.now();
  /** The run's secret (docs/security.md): in every host's config and the run's state, both owner-only. */
  readonly runToken = newRunToken();
  readonly runtime: Runtime;
  readonly hosts = new Map<string, LaunchedHost>();
  readonly state: RunState;
  /** When the hosts' network and folders were made (epoch ms): a mark of the start's timeline. */
  networkReadyAtMs: number | null = null;
  /** Called whenever a process of a host exits (the daemon saves its state then). */
  onExit: () => void = () => undefined;

  constructor(
    private readonly topo: ResolvedTopology,
    topologyFile: string,
    runtimeKind: RuntimeKind,
  ) {
    this.runtime = makeRuntime(runtimeKind, this.runId);
    this.state = {
      runId: this.runId,
      topologyFile,
      topology: topo.name,
      runtime: this.runtime.kind,
      timing: topo.timing.name,
      startedAtMs: this.startedAtMs,
      readyAtMs: null,
      daemonPid: process.pid,
      controlAddress: controlSocketAddress,
      runToken: this.runToken,
      hosts: [],
      partitions: [],
    };
  }

  /**
   * Creates the hosts' network and files and, unless the runtime owns its hosts (docker),
   * spawns every NATS server and every service process at once. A service sets itself up only
   * once the hosts it depends on serve (DCBOX_AWAIT, waited for in runService), so the
   * dependency order holds while the loading overlaps.
   */
  async prepare(say: (text: string) => void): Promise<void> {
    mkdirSync(runDir, { recursive: true, mode: 0o700 });
    const addrs = this.runtime.assign(
      this.topo.hosts.map((h) => h.name),
      this.topo.subnetPrefix,
    );
    this.topo.hosts.forEach((plan, i) => {
      this.hosts.set(plan.name, {
        plan,
        addr: addrs[i] as HostAddress,
        nats: null,
        service: null,
        natsStartedAtMs: null,
        serviceStartedAtMs: null,
      });
    });
    this.save();
    say(`creating ${addrs.length} hosts (${this.runtime.kind} runtime)`);
    await this.runtime.setup(addrs);
    for (const h of this.hosts.values()) this.writeHostFiles(h);
    this.networkReadyAtMs = Date.now();
    if (this.runtime.owner) return;
    // The services first: each loads for most of a second before it connects to its NATS server
    // (and retries every 100 ms if it is early), which starts in a few ms.
    for (const h of this.hosts.values()) this.spawnService(h, h.plan.dependsOn);
    for (const h of this.hosts.values()) this.startNats(h);
    say(`started ${addrs.length} services and NATS servers (full mesh)`);
    this.save();
  }

  /** Writes the run's state file with each host's pids as they are now. */
  save(extra: Partial<RunState> = {}): void {
    Object.assign(this.state, extra);
    this.state.hosts = [...this.hosts.values()].map((h) => ({
      ...h.addr,
      component: h.plan.component,
      bay: h.plan.bay,
      powered: true,
      pids: {
        nats: h.nats?.pid && alive(h.nats.pid) ? h.nats.pid : null,
        service: h.service?.pid && alive(h.service.pid) ? h.service.pid : null,
      },
    }));
    writeState(this.state);
  }

  private writeHostFiles(h: LaunchedHost): void {
    const dir = hostDir(h.plan.name);
    mkdirSync(join(dir, 'data'), { recursive: true });
    const files = hostFiles({
      runId: this.runId,
      topo: this.topo,
      plan: h.plan,
      addresses: new Map([...this.hosts.values()].map((o) => [o.plan.name, o.addr])),
      dir: this.runtime.filesDir(h.addr, dir),
      backplane: this.runtime.controlAddresses.at(-1) as string,
      runToken: this.runToken,
    });
    writeFileSync(join(dir, 'nats.conf'), files.natsConf, { mode: 0o600 });
    // The config holds the run's token: the owner's alone, as the run folder is.
    writeFileSync(join(dir, 'config.json'), JSON.stringify(files.config, null, 2), { mode: 0o600 });
  }

  private spawnIn(
    h: LaunchedHost,
    argv: string[],
    logName: string,
    env: Record<string, string> = {},
  ): ChildProcess {
    const [cmd, ...args] = this.runtime.wrap(h.addr, argv);
    const fd = openSync(join(hostDir(h.plan.name), logName), 'a');
    const child = spawn(cmd as string, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, DCBOX_RUN: this.runId, DCBOX_HOST: h.plan.name, ...env },
    });
    closeSync(fd);
    child.on('exit', () => this.onExit());
    return child;
  }

  /** Spawns a host's NATS server unless it runs (or the runtime owns the host). */
  startNats(h: LaunchedHost): void {
    if (this.runtime.owner || (h.nats && alive(h.nats.pid))) return;
    h.natsStartedAtMs = Date.now();
    h.nats = this.spawnIn(h, ['nats-server', '-c', join(hostDir(h.plan.name), 'nats.conf')], 'nats.log');
  }

  /**
   * Spawns a host's service process unless it runs. `awaitHosts`: hosts whose services it waits
   * to serve before it sets itself up (the first start of a run; a host powered on later starts
   * at once, whatever else is off, as a real one boots).
   */
  spawnService(h: LaunchedHost, awaitHosts: string[] = []): void {
    if (h.service && alive(h.service.pid)) return;
    h.serviceStartedAtMs = Date.now();
    h.service = this.spawnIn(
      h,
      serviceArgv(process.execPath, projectRoot, h.plan.component, join(hostDir(h.plan.name), 'config.json')),
      'service.log',
      { ...serviceEnv(), ...(awaitHosts.length ? { DCBOX_AWAIT: awaitHosts.join(',') } : {}) },
    );
  }
}
