/**
 * `dcbox cluster …`: the actions of Failover Cluster Manager against the run that is up.
 */
import type { Command } from 'commander';
import type { Clients } from '../orchestrator/run/clients.js';
import { UsageError } from '../orchestrator/run/up.js';
import type { ClusterEvent__Output } from '../services/generated/dcbox/cluster/v1/ClusterEvent.js';
import type { ClusterState__Output } from '../services/generated/dcbox/cluster/v1/ClusterState.js';
import type { MoveResponse__Output } from '../services/generated/dcbox/cluster/v1/MoveResponse.js';
import type { Role__Output } from '../services/generated/dcbox/cluster/v1/Role.js';
import type { Vm__Output } from '../services/generated/dcbox/node/v1/Vm.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { addNodeAdmin } from './cluster-admin.js';
import { readClusterEvents } from './events.js';
import { printJson, table, withClients } from './util.js';

/** The cluster state from the first node that answers with a running cluster service. */
export async function clusterState(c: Clients): Promise<ClusterState__Output> {
  let fallback: ClusterState__Output | null = null;
  const errors: string[] = [];
  for (const n of c.byComponent('hyperv-node')) {
    try {
      const s = await rpc<ClusterState__Output>((cb) => c.cluster(n.name).GetState({}, deadline(2000), cb));
      if (s.service_state === 'Running') return s;
      fallback ??= s;
    } catch (err) {
      errors.push(`${n.name}: ${(err as Error).message}`);
    }
  }
  if (fallback) return fallback;
  throw new UsageError(`no cluster node answers (${errors.join('; ')})`);
}

/** A node that runs the cluster service, to send commands to. */
async function someMember(c: Clients): Promise<string> {
  return (await clusterState(c)).node;
}

/** The node on which a (not yet clustered) VM is defined. */
async function nodeOfVm(c: Clients, vm: string): Promise<string> {
  for (const n of c.byComponent('hyperv-node')) {
    const list = await rpc<{ vms: Vm__Output[] }>((cb) =>
      c.node(n.name).ListVms({}, deadline(2000), cb),
    ).catch(() => ({ vms: [] }));
    if (list.vms.some((v) => v.name.toLowerCase() === vm.toLowerCase())) return n.name;
  }
  throw new UsageError(`no node has a virtual machine named ${vm}`);
}

function printRoles(roles: Role__Output[]): void {
  console.log(
    table(
      roles.map((r) => [
        r.name,
        r.state,
        r.owner,
        r.preferred_owners.join(', ') || '-',
        `${r.memory_mib} MiB`,
        r.disk_path,
        r.last_error,
      ]),
      ['ROLE', 'STATUS', 'OWNER NODE', 'PREFERRED OWNERS', 'MEMORY', 'DISK', 'LAST ERROR'],
    ),
  );
}

function addNodes(cluster: Command): void {
  cluster
    .command('nodes')
    .description('cluster nodes with their membership state')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const s = await withClients((c) => clusterState(c));
      if (o.json)
        return printJson({ cluster: s.cluster, leader: s.leader, epoch: s.membership_epoch, nodes: s.nodes });
      console.log(
        `cluster ${s.cluster}: leader ${s.leader || '-'}, membership epoch ${s.membership_epoch}, heartbeat every ${s.same_subnet_delay_ms} ms, threshold ${s.same_subnet_threshold}`,
      );
      console.log(
        table(
          s.nodes.map((n) => [
            n.name,
            n.node_id,
            n.state,
            n.missed_heartbeats,
            `${n.last_heartbeat_ms_ago} ms`,
          ]),
          ['NODE', 'ID', 'STATUS', 'MISSED', 'LAST HEARD'],
        ),
      );
    });
}

function addRoles(cluster: Command): void {
  cluster
    .command('roles')
    .description('clustered roles (virtual machines), their state and owner node')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const s = await withClients((c) => clusterState(c));
      if (o.json) return printJson(s.roles);
      printRoles(s.roles);
    });
}

function addQuorum(cluster: Command): void {
  cluster
    .command('quorum')
    .description('the quorum model, votes held and needed, and the witness')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const s = await withClients((c) => clusterState(c));
      if (o.json) return printJson(s.quorum);
      const q = s.quorum;
      console.log(
        `quorum model ${q?.model}: ${q?.has_quorum ? 'quorum held' : 'NO QUORUM'} with ${q?.votes} of ${q?.total} votes (${q?.needed} needed)`,
      );
      console.log(
        `witness: ${q?.witness_status}, owned by ${q?.witness_owner || 'nobody'} (epoch ${q?.witness_epoch})${q?.arbitrating ? ', arbitrating' : ''}`,
      );
    });
}

/** Each CSV as the first node that answers sees it, with every answering node's I/O mode. */
async function csvViews(c: Clients) {
  const views: ClusterState__Output[] = [];
  for (const n of c.byComponent('hyperv-node')) {
    const s = await rpc<ClusterState__Output>((cb) =>
      c.cluster(n.name).GetState({}, deadline(2000), cb),
    ).catch(() => null);
    if (s) views.push(s);
  }
  const volumes = views[0]?.csv ?? [];
  return volumes.map((v) => ({
    ...v,
    modes: views.flatMap((s) => s.csv.find((x) => x.volume === v.volume)?.modes ?? []),
  }));
}

function addCsv(cluster: Command): void {
  cluster
    .command('csv')
    .description('Cluster Shared Volumes, their coordinator and each node’s I/O mode')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const merged = await withClients(csvViews);
      if (o.json) return printJson(merged);
      for (const v of merged) {
        console.log(`${v.path} (${v.volume}, LUN ${v.lun}): coordinator ${v.coordinator || '(moving)'}`);
        console.log(
          table(
            v.modes.map((m) => [m.node, m.mode]),
            ['NODE', 'I/O MODE'],
          ),
        );
      }
    });
}

function addMakeHa(cluster: Command): void {
  cluster
    .command('make-ha')
    .description('make a virtual machine highly available (it must be off)')
    .argument('<vm>')
    .option('--preferred <nodes>', 'preferred owners, comma-separated')
    .option('--failback', 'allow failback to the preferred owner')
    .action(async (vm: string, o: { preferred?: string; failback?: boolean }) => {
      const role = await withClients(async (c) => {
        const node = await nodeOfVm(c, vm);
        return rpc<Role__Output>((cb) =>
          c
            .cluster(node)
            .MakeHighlyAvailable(
              { vm, preferred_owners: o.preferred?.split(',') ?? [], allow_failback: !!o.failback },
              deadline(15_000),
              cb,
            ),
        );
      });
      console.log(`${role.name} is now a clustered role on ${role.owner} (${role.state})`);
    });
}

/**
 * Brings a role online or takes it offline; with `wait`, polls the cluster state until the role
 * reaches it (for at most a minute). Returns the role as last seen.
 */
async function setRoleState(
  c: Clients,
  name: string,
  action: 'online' | 'offline',
  wait: boolean,
): Promise<Role__Output | undefined> {
  const member = await someMember(c);
  await rpc((cb) =>
    action === 'online'
      ? c.cluster(member).Online({ name }, deadline(15_000), cb)
      : c.cluster(member).Offline({ name }, deadline(15_000), cb),
  );
  const want = action === 'online' ? 'Online' : 'Offline';
  const until = Date.now() + 60_000;
  for (;;) {
    const r = (await clusterState(c)).roles.find((x) => x.name === name);
    if (!wait || r?.state === want || Date.now() > until) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}

function addOnlineOffline(cluster: Command): void {
  for (const action of ['online', 'offline'] as const) {
    cluster
      .command(action)
      .description(action === 'online' ? 'bring a role online' : 'take a role offline (its VM is saved)')
      .argument('<role>')
      .option('--wait', 'wait until the role reaches the state')
      .action(async (name: string, o: { wait?: boolean }) => {
        const role = await withClients((c) => setRoleState(c, name, action, !!o.wait));
        console.log(`${name}: ${role?.state} on ${role?.owner}`);
      });
  }
}

function addMove(cluster: Command): void {
  cluster
    .command('move')
    .description('move a role to another node: quick migration (save, move, restore) or --live')
    .argument('<role>')
    .requiredOption('--to <node>', 'the node to move to')
    .option('--live', 'live migration')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { to: string; live?: boolean; json?: boolean }) => {
      const res = await withClients(async (c) => {
        const member = await someMember(c);
        return rpc<MoveResponse__Output>((cb) =>
          c.cluster(member).Move({ role: name, to: o.to, live: !!o.live }, deadline(180_000), cb),
        );
      });
      if (o.json) return printJson(res);
      const m = res.migration;
      console.log(`${name}: now on ${res.role?.owner} (${res.role?.state})`);
      if (m && Number(m.bytes_copied) > 0)
        console.log(
          `${m.kind} migration ${m.from} -> ${m.to}: ${m.passes} passes, ${(Number(m.bytes_copied) / 1048576).toFixed(1)} MiB in ${m.duration_ms} ms, blackout ${m.blackout_ms} ms`,
        );
    });
}

function addMoveCsv(cluster: Command): void {
  cluster
    .command('move-csv')
    .description('move the coordinator of a Cluster Shared Volume')
    .argument('<volume>', 'e.g. Volume1')
    .requiredOption('--to <node>', 'the new coordinator')
    .action(async (volume: string, o: { to: string }) => {
      await withClients(async (c) => {
        const member = await someMember(c);
        await rpc((cb) => c.cluster(member).MoveCsv({ volume, to: o.to }, deadline(15_000), cb));
      });
      console.log(`${volume}: coordinator moving to ${o.to}`);
    });
}

function addClusterEvents(cluster: Command): void {
  cluster
    .command('events')
    .description('cluster events of every node, oldest first (Event 1135: node removed, 1177: quorum lost)')
    .option('--follow', 'keep printing new events')
    .option('--json', 'one JSON object a line')
    .action(async (o: { follow?: boolean; json?: boolean }) => {
      const print = (e: ClusterEvent__Output) =>
        console.log(
          o.json
            ? JSON.stringify(e)
            : `${new Date(Number(e.time_ms)).toISOString()} ${e.node}${e.event_id ? ` [${e.event_id}]` : ''} ${e.kind}: ${e.message}`,
        );
      await withClients((c) => readClusterEvents(c, { follow: !!o.follow }, print));
    });
}

/** Registers `dcbox cluster` and its subcommands, in the order `dcbox cluster --help` lists them. */
export function addClusterCommands(cli: Command): void {
  const cluster = cli
    .command('cluster')
    .description('the failover cluster, as Failover Cluster Manager shows and drives it');
  addNodes(cluster);
  addRoles(cluster);
  addQuorum(cluster);
  addCsv(cluster);
  addMakeHa(cluster);
  addOnlineOffline(cluster);
  addMove(cluster);
  addMoveCsv(cluster);
  addNodeAdmin(cluster, { state: clusterState, member: someMember });
  addClusterEvents(cluster);
}
