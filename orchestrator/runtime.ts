/**
 * Host runtimes: where an emulated host lives and how its network can be cut.
 * - netns: each host is a network namespace with its own address on a bridge (the default when
 *   root on Linux); partitions are iptables rules inside the namespaces.
 * - local: every host on 127.0.0.1 ports; kills and freezes work, partitions cannot.
 */

import { run, tryRun } from './exec.js';
import { BRIDGE, CONTROL_PORT, LOCAL_PORT_BASE, NETNS_PREFIX, RULE_COMMENT, VETH_PREFIX } from './paths.js';

export type RuntimeKind = 'netns' | 'local';

/** Where one host is reached. */
export interface HostAddress {
  name: string;
  address: string;
  grpcPort: number;
  natsPort: number;
  clusterPort: number;
  /** The network namespace, or null in the local runtime. */
  namespace: string | null;
}

export interface NetemSpec {
  delayMs: number;
  jitterMs: number;
  lossPercent: number;
  rateKbit: number;
}

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

/** A partition or netem request that this runtime cannot carry out. */
export class UnsupportedByRuntimeError extends Error {
  constructor(what: string, why: string) {
    super(`${what} is not possible in the local runtime: ${why}`);
    this.name = 'UnsupportedByRuntimeError';
  }
}

export interface Runtime {
  readonly kind: RuntimeKind;
  /** The daemon's own addresses: the CLI uses the first, the management module the last. */
  readonly controlAddresses: string[];
  assign(names: string[], subnetPrefix: string): HostAddress[];
  /** Creates the hosts' network (bridge, namespaces, links). */
  setup(hosts: HostAddress[]): void;
  /** Wraps a command so that it runs inside the host. */
  wrap(host: HostAddress, argv: string[]): string[];
  /** Cuts traffic between groups of hosts, its rules tagged; returns what it cut. */
  partition(hosts: HostAddress[], groups: string[][], oneWay: boolean, tag?: string): string[];
  /** Removes the rules of one tagged partition. */
  unpartition(hosts: HostAddress[], tag: string): void;
  heal(hosts: HostAddress[]): void;
  /** Degrades a host's link with netem, for all traffic or only towards some peers. */
  netem(host: HostAddress, spec: NetemSpec, peers: HostAddress[]): string;
  clearNetem(host: HostAddress): void;
  /** Removes everything setup made. */
  teardown(hosts: HostAddress[]): void;
}

/** The FORWARD rule that lets bridged hosts reach each other when Docker set the policy to DROP. */
const FORWARD_RULE = ['-i', BRIDGE, '-o', BRIDGE, '-m', 'comment', '--comment', RULE_COMMENT, '-j', 'ACCEPT'];

/** The namespace name of a host (lower case, as ip netns lists it). */
export const namespaceOf = (host: string) => `${NETNS_PREFIX}${host.toLowerCase()}`;

const GRPC_PORT = 50051;
const NATS_PORT = 4222;
const CLUSTER_PORT = 6222;

export class NetnsRuntime implements Runtime {
  readonly kind = 'netns';
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
    for (const [host, list] of rules) {
      const ns = (byName.get(host) as HostAddress).namespace as string;
      this.ensureChain(ns);
      run('ip', ['netns', 'exec', ns, 'iptables-restore', '--noflush'], {
        input: `*filter\n${[...new Set(list)].join('\n')}\nCOMMIT\n`,
      });
    }
    return described;
  }

  private ensureChain(ns: string): void {
    if (tryRun('ip', ['netns', 'exec', ns, 'iptables', '-n', '-L', 'DCBOX'])) return;
    run('ip', ['netns', 'exec', ns, 'iptables', '-N', 'DCBOX']);
    run('ip', ['netns', 'exec', ns, 'iptables', '-I', 'INPUT', '1', '-j', 'DCBOX']);
    run('ip', ['netns', 'exec', ns, 'iptables', '-I', 'OUTPUT', '1', '-j', 'DCBOX']);
  }

  unpartition(hosts: HostAddress[], tag: string): void {
    for (const h of hosts) {
      const ns = h.namespace as string;
      if (!tryRun('ip', ['netns', 'exec', ns, 'iptables', '-S', 'DCBOX'])) continue;
      const mine = run('ip', ['netns', 'exec', ns, 'iptables', '-S', 'DCBOX'])
        .split('\n')
        .filter((l) => l.startsWith('-A DCBOX') && l.includes(`--comment ${tag} `));
      for (const rule of mine)
        tryRun('ip', ['netns', 'exec', ns, 'iptables', ...rule.replace(/^-A /, '-D ').split(' ')]);
    }
  }

  heal(hosts: HostAddress[]): void {
    for (const h of hosts) tryRun('ip', ['netns', 'exec', h.namespace as string, 'iptables', '-F', 'DCBOX']);
  }

  netem(host: HostAddress, spec: NetemSpec, peers: HostAddress[]): string {
    const ns = host.namespace as string;
    this.clearNetem(host);
    const args = netemArgs(spec);
    if (hasNetem()) {
      if (peers.length === 0) {
        run('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'netem', ...args]);
        return `${host.name}: netem ${args.join(' ')}`;
      }
      // Only towards some peers: an htb root whose class 1:2 carries netem, chosen by destination.
      const tc = (...a: string[]) => run('ip', ['netns', 'exec', ns, 'tc', ...a]);
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
      this.ensureChain(ns);
      const p = (spec.lossPercent / 100).toFixed(4);
      const rules = (peers.length ? peers : [null]).map(
        (peer) =>
          `-A DCBOX ${peer ? `-d ${peer.address} ` : ''}-m statistic --mode random --probability ${p} -m comment --comment dcbox-netem -j DROP`,
      );
      run('ip', ['netns', 'exec', ns, 'iptables-restore', '--noflush'], {
        input: `*filter\n${rules.join('\n')}\nCOMMIT\n`,
      });
      done.push(`loss ${spec.lossPercent}%`);
    }
    if (spec.rateKbit > 0) {
      run('ip', [
        'netns',
        'exec',
        ns,
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
    tryRun('ip', ['netns', 'exec', host.namespace as string, 'tc', 'qdisc', 'del', 'dev', 'eth0', 'root']);
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

/** netns when root on Linux with ip and iptables, otherwise local. */
export function defaultRuntime(): RuntimeKind {
  return process.platform === 'linux' && process.getuid?.() === 0 ? 'netns' : 'local';
}

export function makeRuntime(kind: RuntimeKind): Runtime {
  if (kind === 'netns') {
    if (process.getuid?.() !== 0)
      throw new Error('the netns runtime needs root (network namespaces and iptables); use --runtime local');
    return new NetnsRuntime();
  }
  return new LocalRuntime();
}
