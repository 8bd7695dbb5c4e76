/**
 * The docker runtime: each host is a container of the app image, and partitions are the netns
 * runtime's iptables rules applied from the Docker host inside each container's network namespace
 * (nsenter), so images need no iptables.
 */
import { readFileSync } from 'node:fs';
import { projectRoot } from '../../services/process/root.js';
import {
  createNetwork,
  DOCKER as DOCKER_CLI,
  type DockerNetwork,
  docker,
  dockerCliPower,
} from '../containers/docker-cli.js';
import { ensureAppImage } from '../containers/image.js';
import {
  APP_IMAGE,
  CONTAINER_DIR,
  containerAddresses,
  containerName,
  LABEL_HOST,
  LABEL_RUN,
} from '../containers/names.js';
import { type ContainerPower, powerOff, powerOn } from '../containers/power.js';
import { CONTROL_PORT } from '../run/paths.js';
import { tryRun } from './exec.js';
import { NetnsRuntime } from './netns.js';
import type { HostAddress, HostPids, HostProcessOwner, RuntimeKind } from './types.js';

/**
 * Each host is a container of the app image on a labelled network of its own run, its folder
 * bind-mounted at CONTAINER_DIR (config, NATS config, data and logs stay on the Docker host, as
 * in the netns runtime). The daemon stays on the Docker host and serves the backplane on the
 * network's gateway. Power off is `docker kill` (SIGKILL of the container's init, which takes
 * its NATS server and service with it); power on is `docker start` of the same container, with
 * the same address. A started container has a fresh network namespace, so the partition rules
 * of its host are applied again.
 */
export class DockerRuntime extends NetnsRuntime implements HostProcessOwner {
  override readonly kind: RuntimeKind = 'docker';
  readonly owner: HostProcessOwner = this;
  private network: DockerNetwork | null = null;
  /** The init pid (as the Docker host sees it) of each running container. */
  private readonly initPids = new Map<string, number>();
  private readonly created = new Set<string>();
  /** The rules in force per host, to apply again when its container starts anew. */
  private readonly rules = new Map<string, string[]>();
  private replaying = false;

  constructor(private readonly runId: string) {
    super();
  }

  override get controlAddresses(): string[] {
    const gw = this.network?.gateway;
    return [`${gw ?? '127.0.0.1'}:${CONTROL_PORT}`];
  }

  /** Creates the run's network (Docker picks nothing: dcbox takes a free 198.19.N.0/24). */
  override assign(names: string[]): HostAddress[] {
    this.network = createNetwork(`dcbox-${this.runId}`, { [LABEL_RUN]: this.runId });
    return containerAddresses(names, this.network.prefix);
  }

  override async setup(): Promise<void> {
    await ensureAppImage(projectRoot);
  }

  override wrap(): string[] {
    throw new Error('the docker runtime starts hosts as containers, not wrapped commands');
  }

  override filesDir(): string {
    return CONTAINER_DIR;
  }

  protected override inNs(host: HostAddress): string[] | null {
    const pid = this.initPids.get(host.name);
    return pid && pidAlive(pid) ? ['nsenter', '-t', String(pid), '-n'] : null;
  }

  protected override applyRules(host: HostAddress, rules: string[]): void {
    super.applyRules(host, rules);
    if (!this.replaying) this.rules.set(host.name, [...(this.rules.get(host.name) ?? []), ...rules]);
  }

  override unpartition(hosts: HostAddress[], tag: string): void {
    super.unpartition(hosts, tag);
    for (const h of hosts)
      this.rules.set(
        h.name,
        (this.rules.get(h.name) ?? []).filter((r) => !r.includes(`--comment ${tag} `)),
      );
  }

  override heal(hosts: HostAddress[]): void {
    super.heal(hosts);
    for (const h of hosts) this.rules.delete(h.name);
  }

  /** Power on: the first time creates the host's container, afterwards starts the same one. */
  async start(host: HostAddress, dir: string): Promise<void> {
    const name = containerName(this.runId, host.name);
    const engine: ContainerPower = this.created.has(host.name)
      ? dockerCliPower
      : { ...dockerCliPower, start: () => this.create(host, dir, name) };
    await powerOn(engine, name, {
      onStarted: (pid) => {
        if (pid) this.initPids.set(host.name, pid);
        this.replayRules(host);
      },
    });
  }

  /** Runs the host's container for the first time, its folder mounted at CONTAINER_DIR. */
  private async create(host: HostAddress, dir: string, name: string): Promise<void> {
    if (!this.network) throw new Error('the docker runtime has no network: assign() first');
    await docker([
      'run',
      '--detach',
      '--name',
      name,
      '--hostname',
      host.name.toLowerCase(),
      '--label',
      `${LABEL_RUN}=${this.runId}`,
      '--label',
      `${LABEL_HOST}=${host.name}`,
      '--network',
      this.network.name,
      '--ip',
      host.address,
      '--volume',
      `${dir}:${CONTAINER_DIR}`,
      APP_IMAGE,
      '--dir',
      CONTAINER_DIR,
      '--log-files',
    ]);
    this.created.add(host.name);
  }

  /** A started container has a fresh network namespace: applies the host's rules in force again. */
  private replayRules(host: HostAddress): void {
    const rules = this.rules.get(host.name) ?? [];
    if (!rules.length) return;
    this.replaying = true;
    try {
      super.applyRules(host, rules);
    } finally {
      this.replaying = false;
    }
  }

  /** Power off: SIGKILL of the container's init, resolved once the container has stopped. */
  async kill(host: HostAddress): Promise<void> {
    this.initPids.delete(host.name);
    if (!this.created.has(host.name)) return;
    await powerOff(dockerCliPower, containerName(this.runId, host.name));
  }

  running(host: HostAddress): boolean {
    const pid = this.initPids.get(host.name);
    return !!pid && pidAlive(pid);
  }

  pids(host: HostAddress): HostPids {
    const init = this.initPids.get(host.name);
    const out: HostPids = { nats: null, service: null };
    if (!init || !pidAlive(init)) return out;
    let children: number[] = [];
    try {
      children = readFileSync(`/proc/${init}/task/${init}/children`, 'utf8')
        .split(' ')
        .filter(Boolean)
        .map(Number);
    } catch {
      return out;
    }
    for (const pid of children) {
      try {
        const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        if (comm === 'nats-server') out.nats = pid;
        else out.service = pid;
      } catch {
        // Ended while we looked.
      }
    }
    return out;
  }

  override teardown(): void {
    const containers = [...this.created].map((h) => containerName(this.runId, h));
    if (containers.length) tryRun(DOCKER_CLI, ['rm', '--force', '--volumes', ...containers]);
    if (this.network) tryRun(DOCKER_CLI, ['network', 'rm', this.network.name]);
    this.initPids.clear();
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
