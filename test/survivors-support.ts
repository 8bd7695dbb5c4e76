/**
 * The machinery of the survivor test (test/survivors.test.ts): a data center with one clustered
 * role per node, each pinged every 100 ms from the workstation (evidence from outside the nodes),
 * one fault cycle (fault → the victim's roles online on a survivor → recovery → rejoin → roles
 * back home), and the table of lost pings it prints.
 */
import { readState } from '../orchestrator/run/state.js';
import { Pinger } from '../orchestrator/scenario/seed.js';
import type { ClusterState__Output } from '../services/generated/dcbox/cluster/v1/ClusterState.js';
import type { ControllerLogEntry__Output } from '../services/generated/dcbox/storage/v1/ControllerLogEntry.js';
import { pollUntil } from '../services/process/poll-until.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { clients, clusterState, dcbox, dcboxOk, sleep } from './harness.js';

/** How a node is failed: through the MM's bay power, a SIGKILL of its host, or a SIGSTOP of it. */
export type FaultKind = 'power-off' | 'kill' | 'freeze';

/** What a node is at a moment, from the cluster's own status. */
export type Special = 'leader' | 'witness owner' | 'CSV coordinator';

/** One fault cycle's figures, a row of the printed table. */
export interface CycleRow {
  cluster: string;
  fault: FaultKind;
  victim: string;
  /** What the victim was when it failed (empty: a plain node). */
  specials: Special[];
  /** Lost pings per VM on a surviving node, from the fault to the victim's rejoin. */
  survivorLost: Record<string, number>;
  /** Pings sent to the survivors' VMs in that window (the evidence is not empty). */
  survivorPings: number;
  /** From the fault until every one of the victim's roles answered from a survivor. */
  failoverMs: number;
  /** From the fault until the victim was a member again. */
  rejoinMs: number;
}

/**
 * Running pingers and the client of one data center. Each node is home to one Online role. A
 * role fails over at most FailoverThreshold times in FailoverPeriod (nodes − 1 in 6 h,
 * docs/domain.md §Resources and groups), after which 2008 R2 leaves it Failed: so a role that
 * used its allowance is taken offline after its cycle and a fresh one takes its place at home;
 * the others are live-migrated home.
 */
export class Dc {
  readonly c = clients();
  readonly pingers = new Map<string, Pinger>();
  readonly rows: CycleRow[] = [];
  /** The storage controller's reservation changes, as lines, for the diagnostics of a failure. */
  readonly reservations: string[] = [];
  private readonly log = this.c.storage().WatchLog({ after_seq: 0 });
  /** Each node's role now, by node. */
  readonly homes = new Map<string, string>();
  private readonly generations = new Map<string, number>();

  constructor(
    /** The cluster shape, for the table: "seed (2 nodes)". */
    readonly cluster: string,
    /** Every node, lowest id first. */
    readonly nodes: string[],
    /** The first role of each node: a VM of the topology, or one to create. */
    private readonly first: Record<string, { vm: string; create: boolean }>,
  ) {
    this.log.on('data', (e: ControllerLogEntry__Output) => {
      if (e.kind !== 'reservation') return;
      const victim = e.victim_key ? ` ${e.victim_key} (${e.victim_hosts.join(', ')})` : '';
      this.reservations.push(
        `${new Date(Number(e.time_ms)).toISOString()} ${e.initiator?.host}/${e.initiator?.port} ${e.lun} ${e.action} ${e.key}${victim}`,
      );
    });
    this.log.on('error', () => undefined);
  }

  /** The last events of every node, the roles and the controller's reservation changes, for a failure's message. */
  async diagnostics(): Promise<string> {
    const events = (await dcbox(['cluster', 'events'])).stdout.split('\n').slice(-60).join('\n');
    const roles = (await dcbox(['cluster', 'roles'])).stdout;
    return `${events}\n${roles}\n${this.reservations.slice(-40).join('\n')}`;
  }
  /** The state of the first node that answers and runs, asked in `order`. */
  async state(order: string[] = this.nodes): Promise<ClusterState__Output> {
    for (const n of order) {
      const s = await clusterState(this.c, n).catch(() => null);
      if (s?.service_state === 'Running') return s;
    }
    throw new Error(`no node of ${order.join(', ')} is Running`);
  }

  /** Which node is leader, witness owner and CSV coordinator now, from a running node's status. */
  async specials(): Promise<Map<Special, string>> {
    const s = await this.state();
    const out = new Map<Special, string>([['leader', s.leader]]);
    if (s.quorum?.witness_owner) out.set('witness owner', s.quorum.witness_owner);
    if (s.csv[0]?.coordinator) out.set('CSV coordinator', s.csv[0].coordinator);
    return out;
  }

  /** Waits until every node runs and the leader counts all of them members. */
  async allMembers(timeoutMs = 60_000): Promise<void> {
    await pollUntil(
      async () => {
        const all = await Promise.all(this.nodes.map((n) => clusterState(this.c, n).catch(() => null)));
        return all.every(
          (s) =>
            s?.service_state === 'Running' &&
            s.members.length === this.nodes.length &&
            s.csv[0]?.modes.every((m) => m.mode === 'Direct'),
        );
      },
      { what: `${this.nodes.join(', ')} all members with direct CSV access`, timeoutMs, intervalMs: 200 },
    );
  }

  /** Gives every node its first role, online and pinged. */
  async startRoles(): Promise<void> {
    for (const node of this.nodes) {
      const { vm, create } = this.first[node] as { vm: string; create: boolean };
      await this.addRole(node, vm, create);
    }
    // A role that the cluster started elsewhere (seen once at the 4-node start, cause not found)
    // is sent home like after a fault, and said so. Every role is Online somewhere first: one
    // that fails to start on its node fails over, and is sent home from where it runs.
    await pollUntil(async () => (await this.state()).roles.every((r) => r.state === 'Online'), {
      what: 'every role Online',
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const strays = (await this.state()).roles.filter(
      (r) => r.state === 'Online' && this.homes.get(r.owner) !== r.name,
    );
    if (strays.length > 0)
      console.log(
        `survivors | ${this.cluster} | started away from home: ${strays.map((r) => `${r.name} on ${r.owner}`).join(', ')}`,
      );
    await this.sendRolesHome();
  }

  /** Makes a VM highly available on `node` (creating a small one first if asked), brings it online and pings it. */
  private async addRole(node: string, vm: string, create: boolean): Promise<void> {
    if (create)
      await rpc((cb) =>
        this.c.node(node).CreateVm(
          {
            name: vm,
            memory_mib: 64,
            disk_path: `C:\\ClusterStorage\\Volume1\\${vm}\\${vm}.vhd`,
            disk_size_mib: 64,
            switch_name: 'VMs',
          },
          deadline(10_000),
          cb,
        ),
      );
    await rpc((cb) =>
      this.c
        .cluster(node)
        .MakeHighlyAvailable({ vm, preferred_owners: [], allow_failback: false }, deadline(10_000), cb),
    );
    await rpc((cb) => this.c.cluster(node).Online({ name: vm }, deadline(10_000), cb));
    const p = new Pinger(this.c, vm);
    p.start();
    this.pingers.set(vm, p);
    this.homes.set(node, vm);
  }

  /** Waits until every node's role is Online there and answers pings from there. */
  async rolesHome(timeoutMs = 30_000): Promise<void> {
    const since = Date.now();
    await pollUntil(
      async () => {
        const roles = (await this.state()).roles;
        return [...this.homes].every(([node, vm]) =>
          roles.some((r) => r.name === vm && r.state === 'Online' && r.owner === node),
        );
      },
      { what: 'every role Online on its home node', timeoutMs, intervalMs: 200 },
    ).catch(async (e) => {
      const roles = (await this.state()).roles.map(
        (r) => `${r.name} ${r.state} on ${r.owner} ${r.last_error}`,
      );
      throw new Error(`${e.message}: ${roles.join('; ')}`);
    });
    for (const [node, vm] of this.homes) await this.answering(vm, (h) => h === node, since, timeoutMs);
  }

  /** Waits until a VM answers a ping sent after `since` from a host that `ok` accepts; returns when it was sent. */
  async answering(vm: string, ok: (host: string) => boolean, since: number, timeoutMs: number) {
    const p = this.pingers.get(vm) as Pinger;
    const r = await pollUntil(
      () => p.replies.find((x) => x.ok && ok(x.host) && Number(x.sent_at_ms) >= since),
      { what: `${vm} answering`, timeoutMs, intervalMs: 100 },
    );
    return Number(r.sent_at_ms);
  }

  /**
   * Brings every node's role home again: live migration while the role may still fail over, else
   * offline (no longer pinged) and a fresh role on its home node.
   */
  async sendRolesHome(): Promise<void> {
    const s = await this.state();
    for (const [node, vm] of this.homes) {
      const role = s.roles.find((r) => r.name === vm);
      if (role?.owner === node) continue;
      if ((role?.failovers_in_period ?? 0) >= this.nodes.length - 1) {
        this.pingers.get(vm)?.stop();
        this.pingers.delete(vm);
        await rpc((cb) => this.c.cluster(s.leader).Offline({ name: vm }, deadline(60_000), cb));
        const gen = (this.generations.get(node) ?? 0) + 1;
        this.generations.set(node, gen);
        await this.addRole(node, `${(this.first[node] as { vm: string }).vm}-${gen}`, true);
        continue;
      }
      await pollUntil(
        () =>
          rpc((cb) =>
            this.c.cluster(s.leader).Move({ role: vm, to: node, live: true }, deadline(60_000), cb),
          ).then(() => true),
        { what: `${vm} moved back to ${node}`, timeoutMs: 60_000, intervalMs: 1000 },
      );
    }
    await this.rolesHome();
  }

  /**
   * Waits until every ping sent before `t` has its reply: a lost one is reported only after the
   * ping timeout (1 s), out of order, so the window's count is final once no sequence number
   * before the first ping sent at `t` or later is missing.
   */
  async settled(t: number): Promise<void> {
    await pollUntil(
      () =>
        [...this.pingers.values()].every((p) => {
          const after = p.replies.filter((r) => Number(r.sent_at_ms) >= t).map((r) => r.seq);
          if (after.length === 0) return false;
          const first = Math.min(...after);
          const seqs = new Set(p.replies.filter((r) => r.seq < first).map((r) => r.seq));
          const lowest = Math.min(first, ...seqs);
          return seqs.size === first - lowest;
        }),
      { what: 'replies to every ping of the window', timeoutMs: 5000, intervalMs: 100 },
    );
  }

  /** Moves the CSV's coordinator to `node` unless it coordinates already. */
  async coordinatorTo(node: string): Promise<void> {
    const s = await this.state();
    if (s.csv[0]?.coordinator === node) return;
    await rpc((cb) =>
      this.c.cluster(s.leader).MoveCsv({ volume: 'Volume1', to: node }, deadline(30_000), cb),
    );
    await pollUntil(async () => (await this.state()).csv[0]?.coordinator === node, {
      what: `${node} coordinating the CSV`,
      timeoutMs: 20_000,
      intervalMs: 200,
    });
  }

  /**
   * Fails `victim` with `fault` while every role runs on its home node, waits until its roles
   * answer from a survivor, recovers it, waits for its rejoin, counts the survivors' lost pings
   * over the whole cycle and sends the roles home again.
   */
  async cycle(fault: FaultKind, victim: string): Promise<CycleRow> {
    const now = await this.specials();
    const specials = [...now].filter(([, n]) => n === victim).map(([s]) => s);
    const theirs = [...this.homes].filter(([n]) => n === victim).map(([, vm]) => vm);
    const ours = [...this.homes].filter(([n]) => n !== victim).map(([, vm]) => vm);
    const frozen = fault === 'freeze' ? hostPids(victim) : [];
    const t0 = Date.now();
    await inject(fault, victim, frozen);
    let takeover = t0;
    try {
      for (const vm of theirs)
        takeover = Math.max(takeover, await this.answering(vm, (h) => h !== victim, t0, 60_000));
      // A frozen node stays frozen a while after the takeover, as a long stall would, so that its
      // thaw comes well after its roles run elsewhere.
      if (fault === 'freeze') await sleep(1000);
    } finally {
      await recover(fault, victim, frozen);
    }
    await this.allMembers();
    const rejoined = Date.now();
    await this.settled(rejoined);
    const row: CycleRow = {
      cluster: this.cluster,
      fault,
      victim,
      specials,
      survivorLost: Object.fromEntries(
        ours.map((vm) => [vm, (this.pingers.get(vm) as Pinger).lost(t0, rejoined)]),
      ),
      survivorPings: ours.reduce(
        (n, vm) => n + (this.pingers.get(vm) as Pinger).between(t0, rejoined).length,
        0,
      ),
      failoverMs: takeover - t0,
      rejoinMs: rejoined - t0,
    };
    // Safety: once its roles run on a survivor, the victim never answers for them again.
    const stale = theirs.flatMap((vm) =>
      (this.pingers.get(vm) as Pinger)
        .between(takeover, rejoined + 1)
        .filter((r) => r.ok && r.host === victim)
        .map((r) => `${vm} #${r.seq}`),
    );
    if (stale.length > 0) throw new Error(`${victim} answered after the takeover: ${stale.join(', ')}`);
    this.rows.push(row);
    console.log(formatRow(row));
    await this.sendRolesHome();
    return row;
  }

  /** Stops the pingers and the log and closes the client. */
  close(): void {
    for (const p of this.pingers.values()) p.stop();
    this.log.cancel();
    this.c.close();
  }
}

/** The service and NATS server of a host, from the run's state file. */
export function hostPids(name: string): number[] {
  const h = readState()?.hosts.find((x) => x.name === name);
  return [h?.pids.nats, h?.pids.service].filter((p): p is number => !!p);
}

/** The chassis bay of a blade, from the run's state file. */
function bladeBay(node: string): number {
  const bay = readState()?.hosts.find((x) => x.name === node)?.bay;
  if (bay?.kind !== 'blade') throw new Error(`${node} is in no blade bay`);
  return bay.number;
}

async function inject(fault: FaultKind, victim: string, frozen: number[]): Promise<void> {
  if (fault === 'power-off') await dcboxOk(['power', 'off', String(bladeBay(victim))]);
  else if (fault === 'kill') await dcboxOk(['host', 'kill', victim]);
  else for (const pid of frozen) process.kill(pid, 'SIGSTOP');
}

async function recover(fault: FaultKind, victim: string, frozen: number[]): Promise<void> {
  if (fault === 'power-off') await dcboxOk(['power', 'on', String(bladeBay(victim))]);
  else if (fault === 'kill') await dcboxOk(['host', 'start', victim]);
  else for (const pid of frozen) process.kill(pid, 'SIGCONT');
}

/** Starts a data center from a topology with the default timing profile. */
export async function upDefault(topology: string): Promise<void> {
  await dcbox(['down']);
  await dcboxOk(['up', topology, '--timing', 'default', '--dashboard', 'off']);
}

/** One row of the table, as the test prints it. */
export function formatRow(r: CycleRow): string {
  const lost = Object.entries(r.survivorLost)
    .map(([vm, n]) => `${vm} ${n}`)
    .join(', ');
  const what = r.specials.length > 0 ? r.specials.join(' + ') : 'plain node';
  return `survivors | ${r.cluster} | ${r.fault} ${r.victim} (${what}) | survivors' lost pings: ${lost} (of ${r.survivorPings}) | victim's roles answering on a survivor after ${(r.failoverMs / 1000).toFixed(1)} s | rejoined after ${(r.rejoinMs / 1000).toFixed(1)} s`;
}

/** The whole table in Markdown. */
export function formatTable(rows: CycleRow[]): string {
  const head = [
    '| cluster | fault | victim | victim was | survivors\u2019 lost pings | pings | failover s | rejoin s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  return [
    ...head,
    ...rows.map(
      (r) =>
        `| ${r.cluster} | ${r.fault} | ${r.victim} | ${r.specials.join(' + ') || 'plain node'} | ${Object.entries(
          r.survivorLost,
        )
          .map(([vm, n]) => `${vm} ${n}`)
          .join(
            ', ',
          )} | ${r.survivorPings} | ${(r.failoverMs / 1000).toFixed(1)} | ${(r.rejoinMs / 1000).toFixed(1)} |`,
    ),
  ].join('\n');
}
