/**
 * `dcbox cluster pause|resume|stop-node|start-node`: the administrator's verbs on one node
 * (Failover Cluster Manager "Pause" / "Resume", cluster.exe `node <name> /pause`, `/resume`,
 * `/stop`, `/start`, `/forcequorum`; docs/domain.md §Administrator verbs).
 */
import type { Command } from 'commander';
import type { Clients } from '../orchestrator/run/clients.js';
import { UsageError } from '../orchestrator/run/up.js';
import type { ClusterState__Output } from '../services/generated/dcbox/cluster/v1/ClusterState.js';
import type { NodeView__Output } from '../services/generated/dcbox/cluster/v1/NodeView.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { withClients } from './util.js';

/** What the verbs need of cluster.ts: the cluster state and a member to send commands to. */
export interface ClusterAccess {
  state(c: Clients): Promise<ClusterState__Output>;
  member(c: Clients): Promise<string>;
}

/** A node's configured name, matched without regard to case. */
function nodeNamed(c: Clients, name: string): string {
  const n = c.byComponent('hyperv-node').find((h) => h.name.toLowerCase() === name.toLowerCase());
  if (!n) throw new UsageError(`no cluster node named ${name}`);
  return n.name;
}

/** Polls the cluster state until `done` holds (at most `ms`); returns the last state seen. */
async function waitFor(
  c: Clients,
  access: ClusterAccess,
  done: (s: ClusterState__Output) => boolean,
  ms: number,
): Promise<ClusterState__Output> {
  const until = Date.now() + ms;
  for (;;) {
    const s = await access.state(c);
    if (done(s) || Date.now() > until) return s;
    await new Promise((res) => setTimeout(res, 200));
  }
}

function addPause(cluster: Command, access: ClusterAccess): void {
  cluster
    .command('pause')
    .description('pause a node: it keeps its roles, none move to it (--drain: move its roles off first)')
    .argument('<node>')
    .option('--drain', 'live-migrate its roles to other nodes, one at a time, and wait until it owns none')
    .action(async (name: string, o: { drain?: boolean }) => {
      const left = await withClients(async (c) => {
        const node = nodeNamed(c, name);
        const member = await access.member(c);
        await rpc<NodeView__Output>((cb) =>
          c.cluster(member).PauseNode({ node, drain: !!o.drain }, deadline(15_000), cb),
        );
        if (!o.drain) return [];
        const owned = (s: ClusterState__Output) =>
          s.roles.filter((r) => r.owner === node && r.state !== 'Failed');
        return owned(await waitFor(c, access, (s) => owned(s).length === 0, 180_000)).map((r) => r.name);
      });
      if (left.length)
        console.log(`${name}: paused; still owns ${left.join(', ')} (no node could take them yet)`);
      else console.log(`${name}: paused${o.drain ? ', its roles drained' : ''}`);
    });
  cluster
    .command('resume')
    .description('resume a paused node: roles may move to it again')
    .argument('<node>')
    .action(async (name: string) => {
      await withClients(async (c) => {
        const member = await access.member(c);
        await rpc((cb) => c.cluster(member).ResumeNode({ node: nodeNamed(c, name) }, deadline(15_000), cb));
      });
      console.log(`${name}: resumed`);
    });
}

function addStopStart(cluster: Command, access: ClusterAccess): void {
  cluster
    .command('stop-node')
    .description("stop a node's cluster service: its roles move off by quick migration, then it leaves")
    .argument('<node>')
    .action(async (name: string) => {
      await withClients(async (c) => {
        const node = nodeNamed(c, name);
        await rpc((cb) => c.cluster(node).StopNode({ node }, deadline(180_000), cb));
      });
      console.log(`${name}: cluster service stopped`);
    });
  cluster
    .command('start-node')
    .description(
      "start a node's cluster service: it joins the cluster (--force-quorum: forms it without quorum)",
    )
    .argument('<node>')
    .option(
      '--force-quorum',
      'net start clussvc /forcequorum: form the cluster without quorum, with this configuration',
    )
    .option('--wait', 'wait until the node is a running member')
    .action(async (name: string, o: { forceQuorum?: boolean; wait?: boolean }) => {
      const up = await withClients(async (c) => {
        const node = nodeNamed(c, name);
        await rpc((cb) =>
          c.cluster(node).StartNode({ node, force_quorum: !!o.forceQuorum }, deadline(15_000), cb),
        );
        if (!o.wait) return true;
        const s = await waitFor(c, access, (x) => x.members.includes(node), 60_000);
        return s.members.includes(node);
      });
      if (!up)
        throw new UsageError(`${name}: the cluster service started but the node did not join within 60 s`);
      console.log(`${name}: cluster service started${o.forceQuorum ? ' with /forcequorum' : ''}`);
    });
}

/** Registers the node verbs under `dcbox cluster`. */
export function addNodeAdmin(cluster: Command, access: ClusterAccess): void {
  addPause(cluster, access);
  addStopStart(cluster, access);
}
