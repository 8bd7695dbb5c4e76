/**
 * The netns runtime: each host is a network namespace with its own address on a bridge (the
 * default when root on Linux); partitions are iptables rules inside the namespaces, and link
 * degradation is netem (or, on a kernel without sch_netem, iptables drops and a token bucket).
 */
import { BRIDGE, CONTROL_PORT, NETNS_PREFIX, RULE_COMMENT, VETH_PREFIX } from '../run/paths.js';
import { run, tryRun } from './exec.js';
import type { HostAddress, NetemSpec, Runtime, RuntimeKind } from './types.js';

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

/** Each host a network namespace on the dcbox bridge, from .10 of the run's /24. */
export class NetnsRuntime implements Runtime {
  readonly kind: RuntimeKind = 'netns';
  private gateway = '198.18.0.1';

  get controlAddresses(): string[] {
    return [`${this.gateway}:${CONTROL_PORT}`];
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
    // through FORWARD: let the emulated hosts reach each other (docs/design.md §Hosts and networks).
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
    return hasNetem() ? this.netemQdisc(host, args, peers) : this.netemWithoutQdisc(host, spec, peers);
  }

  /** netem as a root qdisc, or only towards some peers under an htb root. */
  private netemQdisc(host: HostAddress, args: string[], peers: HostAddress[]): string {
    const tc = (line: string, ...more: string[]) => this.nsRun(host, ['tc', ...words(line), ...more]);
    if (peers.length === 0) {
      tc('qdisc add dev eth0 root netem', ...args);
      return `${host.name}: netem ${args.join(' ')}`;
    }
    // Only towards some peers: an htb root whose class 1:2 carries netem, chosen by destination.
    tc('qdisc add dev eth0 root handle 1: htb default 1');
    tc('class add dev eth0 parent 1: classid 1:1 htb rate 10gbit');
    tc('class add dev eth0 parent 1: classid 1:2 htb rate 10gbit');
    tc('qdisc add dev eth0 parent 1:2 handle 20: netem', ...args);
    for (const p of peers)
      tc(
        'filter add dev eth0 parent 1: protocol ip prio 1 u32 match ip dst',
        `${p.address}/32`,
        'flowid',
        '1:2',
      );
    return `${host.name} -> ${peers.map((p) => p.name).join(',')}: netem ${args.join(' ')}`;
  }

  /**
   * This kernel has no sch_netem: loss becomes random drops in iptables (statistic match) and
   * rate becomes a token bucket; delay and jitter cannot be emulated without netem.
   */
  private netemWithoutQdisc(host: HostAddress, spec: NetemSpec, peers: HostAddress[]): string {
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
        ...words('tc qdisc add dev eth0 root tbf rate'),
        `${spec.rateKbit}kbit`,
        ...words('burst 32kbit latency 400ms'),
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

/** The words of a fixed command line. */
const words = (line: string): string[] => line.split(' ');
