/**
 * Host runtimes: where an emulated host lives and how its network can be cut.
 * - netns: each host is a network namespace with its own address on a bridge (the default when
 *   root on Linux); partitions are iptables rules inside the namespaces.
 * - local: every host on 127.0.0.1 ports; kills and freezes work, partitions cannot.
 * - docker: each host is a container on a labelled Docker network; the runtime owns the
 *   containers (start, kill), and partitions are the netns runtime's iptables rules applied from
 *   the Docker host inside each container's network namespace (nsenter), so images need no iptables.
 */

import { readFileSync } from 'node:fs';
import { projectRoot } from '../../services/process/root.js';
import {
  BRIDGE,
  CONTROL_PORT,
  LOCAL_PORT_BASE,
  NETNS_PREFIX,
  RULE_COMMENT,
  VETH_PREFIX,
} from '../run/paths.js';
import {
  APP_IMAGE,
  CONTAINER_DIR,
  containerAddresses,
  containerName,
  createNetwork,
  DOCKER as DOCKER_CLI,
  type DockerNetwork,
  docker,
  engineProblem,
  ensureAppImage,
  LABEL_HOST,
  LABEL_RUN,
} from './docker.js';
import { run, tryRun } from './exec.js';
import {
  type HostAddress,
  type HostPids,
  type HostProcessOwner,
  type NetemSpec,
  type Runtime,
  type RuntimeKind,
  UnsupportedByRuntimeError,
} from './types.js';

export * from './types.js';

/** The netem arguments of a spec, e.g. "delay 50ms 10ms loss 5%". */
export function netemArgs(spec: NetemSpec): string[] {
  const args: string[] = [];
  if (spec.delayMs > 0)
    args.push('delay', `${spec.delayMs}ms`, ...(spec.jitterMs > 0 ? [`${spec.jitterMs}ms`] : []));
  if (spec.lossPercent > 0) args.push('loss', `${spec.lossPercent}%`);
  if (spec.rateKbit > 0) args.push('rate', `${spec.rateKbit}kbit`);
  if (args.length === 0) throw new Error('a netem fault needs a delay, loss or rate');
  return args;
}

let netemSupport: boolean | undefined;

/** Whether this kernel has the netem queueing discipline (probed once in a scratch namespace). */
export function hasNetem(): boolean {
  if (netemSupport !== undefined) return netemSupport;
  const ns = `dcbox-probe-${process.pid}`;
  netemSupport = false;
  if (tryRun('ip', ['netns', 'add', ns])) {
    netemSupport = tryRun('ip', [
      'netns',
      'exec',
      ns,
      'tc',
      'qdisc',
      'add',
      'dev',
      'lo',
      'root',
      'netem',
      'delay',
      '1ms',
    ]);
    tryRun('ip', ['netns', 'del', ns]);
  }
  return netemSupport;
}

/** The FORWARD rule that lets bridged hosts reach each other when Docker set the policy to DROP. */
const FORWARD_RULE = ['-i', BRIDGE, '-o', BRIDGE, '-m', 'comment', '--comment', RULE_COMMENT, '-j', 'ACCEPT'];

/** The namespace name of a host (lower case, as ip netns lists it). */
export const namespaceOf = (host: string) => `${NETNS_PREFIX}${host.toLowerCase()}`;

const GRPC_PORT = 50051;
const NATS_PORT = 4222;
const CLUSTER_PORT = 6222;

export class NetnsRuntime implements Runtime {
  readonly kind: RuntimeKind = 'netns';
  private gateway = '198.18.0.1';

  get controlAddresses(): string[] {
    return [`127.0.0.1:${CONTROL_PORT}`, `${this.gateway}:${CONTROL_PORT}`];
  }

  assign(names: string[], subnetPrefix: string): HostAddress[] {
    this.gateway = `${subnetPrefix}.1`;
    if (names.length > 240) throw new Error('at most 240 hosts fit in one /24');
    return names.map((name, i) => ({
      name,
      address: `${subnetPrefix}.${10 + i}`,
      grpcPort: GRPC_PORT,
      natsPort: NATS_PORT,
      clusterPort: CLUSTER_PORT,
      namespace: namespaceOf(name),
    }));
  }

  setup(hosts: HostAddress[]): void {
    const root: string[] = [
      `link add ${BRIDGE} type bridge`,
      `addr add ${this.gateway}/24 dev ${BRIDGE}`,
      `link set ${BRIDGE} up`,
    ];
    for (const h of hosts) root.push(`netns add ${h.namespace}`);
    run('ip', ['-batch', '-'], { input: `${root.join('\n')}\n` });
    const links: string[] = [];
    hosts.forEach((h, i) => {
      links.push(`link add ${VETH_PREFIX}${i} type veth peer name ${VETH_PREFIX}${i}n netns ${h.namespace}`);
      links.push(`link set ${VETH_PREFIX}${i} master ${BRIDGE} up`);
    });
    run('ip', ['-batch', '-'], { input: `${links.join('\n')}\n` });
    hosts.forEach((h, i) => {
      const inner = [
        'link set lo up',
        `link set ${VETH_PREFIX}${i}n name eth0`,
        `addr add ${h.address}/24 dev eth0`,
        'link set eth0 up',
      ];
      run('ip', ['-n', h.namespace as string, '-batch', '-'], { input: `${inner.join('\n')}\n` });
    });
    // Docker sets the FORWARD policy to DROP, and with br_netfilter loaded bridged frames pass
    // through FORWARD: let the emulated hosts reach each other (BRIEF.md §2).
    tryRun('iptables', ['-I', 'FORWARD', '1', ...FORWARD_RULE]);
  }

  wrap(host: HostAddress, argv: string[]): string[] {
    return ['ip', 'netns', 'exec', host.namespace as string, ...argv];
  }

  filesDir(_host: HostAddress, dir: string): string {
    return dir;
  }

  /** The command prefix that runs a program in the host's network namespace (null: it has none now). */
  protected inNs(host: HostAddress): string[] | null {
    return ['ip', 'netns', 'exec', host.namespace as string];
  }

  /** Runs a program in the host's network namespace; throws on failure. */
  protected nsRun(host: HostAddress, argv: string[], input?: string): string {
    const prefix = this.inNs(host);
    if (!prefix) throw new Error(`${host.name} is not running, so its network cannot be changed`);
    const [cmd, ...args] = [...prefix, ...argv];
    return run(cmd as string, args, { input });
  }

  /** Runs a program in the host's network namespace; returns whether it succeeded. */
  protected nsTry(host: HostAddress, argv: string[]): boolean {
    const prefix = this.inNs(host);
    if (!prefix) return false;
    const [cmd, ...args] = [...prefix, ...argv];
    return tryRun(cmd as string, args);
  }

  partition(hosts: HostAddress[], groups: string[][], oneWay: boolean, tag = 'manual'): string[] {
    const byName = new Map(hosts.map((h) => [h.name, h]));
    for (const g of groups)
      for (const n of g) if (!byName.has(n)) throw new Error(`no host named ${n} in this run`);
    const rules = new Map<string, string[]>();
    const add = (host: string, rule: string) => {
      const list = rules.get(host) ?? [];
      list.push(rule);
      rules.set(host, list);
    };
    const described: string[] = [];
    groups.forEach((from, i) => {
      groups.forEach((to, j) => {
        if (i === j || (oneWay && i !== 0)) return;
        for (const a of from)
          for (const b of to) {
            const ha = byName.get(a) as HostAddress;
            const hb = byName.get(b) as HostAddress;
            add(a, `-A DCBOX -d ${hb.address} -m comment --comment ${tag} -j DROP`);
            add(b, `-A DCBOX -s ${ha.address} -m comment --comment ${tag} -j DROP`);
            described.push(`${a} -x-> ${b}`);
          }
      });
    });
    for (const [host, list] of rules) this.applyRules(byName.get(host) as HostAddress, [...new Set(list)]);
    return described;
  }

  /** Appends rules (iptables-save lines of the DCBOX chain) in the host's namespace. */
  protected applyRules(host: HostAddress, rules: string[]): void {
    this.ensureChain(host);
    this.nsRun(host, ['iptables-restore', '--noflush'], `*filter\n${rules.join('\n')}\nCOMMIT\n`);
  }

  private ensureChain(host: HostAddress): void {
    if (this.nsTry(host, ['iptables', '-n', '-L', 'DCBOX'])) return;
    this.nsRun(host, ['iptables', '-N', 'DCBOX']);
    this.nsRun(host, ['iptables', '-I', 'INPUT', '1', '-j', 'DCBOX']);
    this.nsRun(host, ['iptables', '-I', 'OUTPUT', '1', '-j', 'DCBOX']);
  }

  unpartition(hosts: HostAddress[], tag: string): void {
    for (const h of hosts) {
      if (!this.nsTry(h, ['iptables', '-S', 'DCBOX'])) continue;
      const mine = this.nsRun(h, ['iptables', '-S', 'DCBOX'])
        .split('\n')
        .filter((l) => l.startsWith('-A DCBOX') && l.includes(`--comment ${tag} `));
      for (const rule of mine) this.nsTry(h, ['iptables', ...rule.replace(/^-A /, '-D ').split(' ')]);
    }
  }

  heal(hosts: HostAddress[]): void {
    for (const h of hosts) this.nsTry(h, ['iptables', '-F', 'DCBOX']);
  }

  netem(host: HostAddress, spec: NetemSpec, peers: HostAddress[]): string {
    this.clearNetem(host);
    const args = netemArgs(spec);
    if (hasNetem()) {
      if (peers.length === 0) {
        this.nsRun(host, ['tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'netem', ...args]);
        return `${host.name}: netem ${args.join(' ')}`;
      }
      // Only towards some peers: an htb root whose class 1:2 carries netem, chosen by destination.
      const tc = (...a: string[]) => this.nsRun(host, ['tc', ...a]);
      tc('qdisc', 'add', 'dev', 'eth0', 'root', 'handle', '1:', 'htb', 'default', '1');
      tc('class', 'add', 'dev', 'eth0', 'parent', '1:', 'classid', '1:1', 'htb', 'rate', '10gbit');
      tc('class', 'add', 'dev', 'eth0', 'parent', '1:', 'classid', '1:2', 'htb', 'rate', '10gbit');
      tc('qdisc', 'add', 'dev', 'eth0', 'parent', '1:2', 'handle', '20:', 'netem', ...args);
      for (const p of peers)
        tc(
          'filter',
          'add',
          'dev',
          'eth0',
          'parent',
          '1:',
          'protocol',
          'ip',
          'prio',
          '1',
          'u32',
          'match',
          'ip',
          'dst',
          `${p.address}/32`,
          'flowid',
          '1:2',
        );
      return `${host.name} -> ${peers.map((p) => p.name).join(',')}: netem ${args.join(' ')}`;
    }
    // This kernel has no sch_netem: loss becomes random drops in iptables (statistic match) and
    // rate becomes a token bucket; delay and jitter cannot be emulated without netem.
    if (spec.delayMs > 0 || spec.jitterMs > 0)
      throw new Error(
        'this kernel has no netem queueing discipline (sch_netem), so delay and jitter cannot be emulated here; loss and rate can',
      );
    const done: string[] = [];
    if (spec.lossPercent > 0) {
      const p = (spec.lossPercent / 100).toFixed(4);
      const rules = (peers.length ? peers : [null]).map(
        (peer) =>
          `-A DCBOX ${peer ? `-d ${peer.address} ` : ''}-m statistic --mode random --probability ${p} -m comment --comment dcbox-netem -j DROP`,
      );
      this.applyRules(host, rules);
      done.push(`loss ${spec.lossPercent}%`);
    }
    if (spec.rateKbit > 0) {
      this.nsRun(host, [
        'tc',
        'qdisc',
        'add',
        'dev',
        'eth0',
        'root',
        'tbf',
        'rate',
        `${spec.rateKbit}kbit`,
        'burst',
        '32kbit',
        'latency',
        '400ms',
      ]);
      done.push(`rate ${spec.rateKbit}kbit`);
    }
    return `${host.name}${peers.length ? ` -> ${peers.map((p) => p.name).join(',')}` : ''}: ${done.join(' ')} (iptables/tbf; no netem in this kernel)`;
  }

  clearNetem(host: HostAddress): void {
    this.nsTry(host, ['tc', 'qdisc', 'del', 'dev', 'eth0', 'root']);
    this.unpartition([host], 'dcbox-netem');
  }

  teardown(hosts: HostAddress[]): void {
    for (const h of hosts) tryRun('ip', ['netns', 'del', h.namespace as string]);
    tryRun('ip', ['link', 'del', BRIDGE]);
    while (tryRun('iptables', ['-D', 'FORWARD', ...FORWARD_RULE]));
  }
}

export class LocalRuntime implements Runtime {
  readonly kind = 'local';
  readonly controlAddresses = [`127.0.0.1:${CONTROL_PORT}`];

  assign(names: string[]): HostAddress[] {
    return names.map((name, i) => ({
      name,
      address: '127.0.0.1',
      grpcPort: LOCAL_PORT_BASE + i * 10,
      natsPort: LOCAL_PORT_BASE + i * 10 + 1,
      clusterPort: LOCAL_PORT_BASE + i * 10 + 2,
      namespace: null,
    }));
  }

  setup(): void {}

  wrap(_host: HostAddress, argv: string[]): string[] {
    return argv;
  }

  filesDir(_host: HostAddress, dir: string): string {
    return dir;
  }

  partition(): string[] {
    throw new UnsupportedByRuntimeError(
      'a partition',
      'every host shares 127.0.0.1, so traffic between two hosts cannot be cut without cutting all of them; run as root on Linux to get the netns runtime',
    );
  }

  unpartition(): void {}

  heal(): void {}

  netem(): string {
    throw new UnsupportedByRuntimeError(
      'link degradation (netem)',
      'every host shares the loopback interface, so one host’s link cannot be slowed without slowing all of them; run as root on Linux to get the netns runtime',
    );
  }

  clearNetem(): void {}

  teardown(): void {}
}

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
    return [`127.0.0.1:${CONTROL_PORT}`, ...(gw ? [`${gw}:${CONTROL_PORT}`] : [])];
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

  async start(host: HostAddress, dir: string): Promise<void> {
    const name = containerName(this.runId, host.name);
    if (this.created.has(host.name)) await docker(['start', name]);
    else {
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
    const pid = Number((await docker(['inspect', '--format', '{{.State.Pid}}', name])).trim());
    if (pid > 0) this.initPids.set(host.name, pid);
    const rules = this.rules.get(host.name) ?? [];
    if (rules.length) {
      this.replaying = true;
      try {
        super.applyRules(host, rules);
      } finally {
        this.replaying = false;
      }
    }
  }

  async kill(host: HostAddress): Promise<void> {
    const name = containerName(this.runId, host.name);
    this.initPids.delete(host.name);
    if (!this.created.has(host.name)) return;
    await docker(['kill', name]).catch(() => undefined); // Not running: nothing to kill.
    await docker(['wait', name], { timeoutMs: 30_000 }).catch(() => undefined);
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

/** netns when root on Linux with ip and iptables, otherwise local. */
export function defaultRuntime(): RuntimeKind {
  return process.platform === 'linux' && process.getuid?.() === 0 ? 'netns' : 'local';
}

/** The runtime of a kind; `runId` names and labels what the docker runtime creates. */
export function makeRuntime(kind: RuntimeKind, runId = `${Date.now().toString(36)}-${process.pid}`): Runtime {
  if (kind === 'docker') {
    if (process.getuid?.() !== 0)
      throw new Error(
        'the docker runtime needs root: partitions enter the containers’ network namespaces from the Docker host (nsenter)',
      );
    const problem = engineProblem();
    if (problem) throw new Error(`the docker runtime needs a Docker engine: ${problem}`);
    return new DockerRuntime(runId);
  }
  if (kind === 'netns') {
    if (process.getuid?.() !== 0)
      throw new Error('the netns runtime needs root (network namespaces and iptables); use --runtime local');
    return new NetnsRuntime();
  }
  return new LocalRuntime();
}
