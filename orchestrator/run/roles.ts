/**
 * Clustered roles from outside the run, as an operator brings them up: make a VM highly
 * available on the node it is defined on, bring it online, and wait until the cluster reports
 * it Online there. The seed scenario, the benchmark sessions and the tests share this one path.
 */
import type { ClusterState__Output } from '../../services/generated/dcbox/cluster/v1/ClusterState.js';
import { pollUntil } from '../../services/process/poll-until.js';
import { deadline, rpc } from '../../services/transport/grpc.js';
import type { Clients } from './clients.js';

/** A node's view of the cluster (Cluster.GetState). */
export function clusterState(c: Clients, node: string, timeoutMs = 2000): Promise<ClusterState__Output> {
  return rpc<ClusterState__Output>((cb) => c.cluster(node).GetState({}, deadline(timeoutMs), cb));
}

/** Makes the VM defined on `node` highly available, brings it online and waits until it is Online there. */
export async function roleOnline(c: Clients, vm: string, node: string, timeoutMs = 20_000): Promise<void> {
  await rpc((cb) =>
    c
      .cluster(node)
      .MakeHighlyAvailable({ vm, preferred_owners: [], allow_failback: false }, deadline(10_000), cb),
  );
  await rpc((cb) => c.cluster(node).Online({ name: vm }, deadline(10_000), cb));
  await pollUntil(
    async () => {
      const r = (await clusterState(c, node)).roles.find((x) => x.name === vm);
      return r?.state === 'Online' && r.owner === node;
    },
    // Asked every 10 ms rather than pollUntil's 50: a benchmark's startupMs ends here, and a
    // GetState is cheap beside the VM's boot it waits out.
    { what: `${vm} online on ${node}`, timeoutMs, intervalMs: 10 },
  );
}
