/**
 * Survivors never stop, on real processes with the DEFAULT timing profile (issue 15, items 1 and
 * 2): every node runs one clustered role, pinged every 100 ms from the workstation; a node fails
 * (power off through the MM, kill, freeze) and comes back; no VM on a surviving node may lose a
 * ping from the fault to the victim's rejoin, and the victim's roles come online on a survivor. In
 * 2008 R2 a node's VMs stop only when its cluster service stops for lack of quorum (Event 1177) or
 * its disk access is refused (docs/domain.md §Quorum models, docs/design.md §Leases during
 * arbitration). Then regroup with three nodes: two non-leaders that cannot hear each other.
 *
 * In CI each cluster shape loses each node that is special (leader, witness owner, CSV
 * coordinator; both nodes of the seed) by power-off only. `npm run survivors` runs every fault
 * kind against every one of them and prints the whole table of lost pings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterEvent__Output } from '../services/generated/dcbox/cluster/v1/ClusterEvent.js';
import { pollUntil } from '../services/process/poll-until.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { dcbox, dcboxOk } from './harness.js';
import { ROOT, unmet } from './requirements.js';
import {
  type CycleRow,
  Dc,
  type FaultKind,
  formatTable,
  type Special,
  upDefault,
} from './survivors-support.js';

const [N1, N2, N3, N4] = ['HVR2NODO1', 'HVR2NODO2', 'HVR2NODO3', 'HVR2NODO4'] as const;

/** Every fault kind with DCBOX_SURVIVORS=all (`npm run survivors`), else power-off only. */
const FULL = process.env.DCBOX_SURVIVORS === 'all';
const FAULTS: FaultKind[] = FULL ? ['power-off', 'kill', 'freeze'] : ['power-off'];
const rows: CycleRow[] = [];
/** Each fault cycle takes 10–20 s with the default timing; a test runs at most three. */
const TEST_TIMEOUT_MS = 150_000;

/** Fails `victim` with `fault` and checks that no VM on a surviving node lost a ping. */
async function failOnce(dc: Dc, fault: FaultKind, victim: string): Promise<CycleRow> {
  const row = await dc.cycle(fault, victim).catch(async (e) => {
    console.log(await dc.diagnostics());
    throw e;
  });
  rows.push(row);
  expect(row.survivorPings, 'pings to the survivors during the cycle').toBeGreaterThan(0);
  expect(row.survivorLost, `${fault} ${victim}: survivors' lost pings`).toEqual(
    Object.fromEntries(Object.keys(row.survivorLost).map((vm) => [vm, 0])),
  );
  return row;
}

/**
 * Moves the CSV's coordinator off the leader (the cluster puts it there at first, and a failover
 * of the coordinator brings it back there) to the highest-id other node, so that losing the
 * coordinator and losing the leader are two cases; returns the distinct special nodes now.
 */
async function arrange(dc: Dc): Promise<Map<string, Special[]>> {
  const before = await dc.specials();
  const leader = before.get('leader') as string;
  if (before.get('CSV coordinator') === leader)
    await dc.coordinatorTo(dc.nodes.filter((n) => n !== leader).at(-1) as string);
  const byNode = new Map<string, Special[]>();
  for (const [special, node] of await dc.specials()) byNode.set(node, [...(byNode.get(node) ?? []), special]);
  return byNode;
}

/**
 * Fails each distinct special node of the moment with `fault`: the leader (with whatever else it
 * is), then each other special node, each found again from the status just before its turn
 * (leadership stays where a failover put it; a rejoining node does not take it back).
 */
async function failSpecials(dc: Dc, fault: FaultKind): Promise<void> {
  const plan = [...(await arrange(dc)).values()];
  console.log(
    `survivors | ${dc.cluster} | ${fault}: distinct special nodes ${plan.map((s) => s.join(' + ')).join('; ')}`,
  );
  for (const specials of plan) {
    const now = await arrange(dc);
    const victim = [...now].find(([, s]) => s.includes(specials[0] as Special))?.[0] as string;
    const row = await failOnce(dc, fault, victim);
    expect(row.specials).toContain(specials[0]);
  }
}

/** VirtualMachine<i> of topologies/three-node.yaml and four-node.yaml, defined on HVR2NODO<i>. */
function topologyVms(nodes: string[]): Record<string, { vm: string; create: boolean }> {
  return Object.fromEntries(nodes.map((n, i) => [n, { vm: `VirtualMachine${i + 1}`, create: false }]));
}

const skip = unmet('test/survivors.test.ts', [ROOT]);

afterAll(async () => {
  if (rows.length > 0)
    console.log(`survivors | the table (${FULL ? 'every fault' : 'power-off only'}):\n${formatTable(rows)}`);
  await dcbox(['down']);
});

describe.skipIf(!!skip)('survivors never stop (netns runtime, default timing)', () => {
  describe('the seed cluster: two nodes and the disk witness', () => {
    let dc: Dc;
    beforeAll(async () => {
      await upDefault('seed');
      dc = new Dc('seed (2 nodes, disk majority)', [N1, N2], {
        [N1]: { vm: 'Role1', create: true },
        [N2]: { vm: 'Role2', create: true },
      });
      await dc.allMembers();
      await dc.startRoles();
    });
    afterAll(() => dc?.close());

    it.each(FAULTS)(
      'loses no ping on the survivor while each node in turn (%s) fails, and the victim’s role comes online on the survivor',
      async (fault) => {
        // HVR2NODO2 first, then HVR2NODO1: leadership moves with each failover of the leader, so
        // over the fault kinds the leader and the other node both fail in each direction.
        for (const victim of [N2, N1]) await failOnce(dc, fault, victim);
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe('three nodes, Node Majority', () => {
    let dc: Dc;
    beforeAll(async () => {
      await upDefault('three-node');
      dc = new Dc('3 nodes, node majority', [N1, N2, N3], topologyVms([N1, N2, N3]));
      await dc.allMembers();
      await dc.startRoles();
    });
    afterAll(() => dc?.close());

    it.each(FAULTS)(
      'loses no ping on the survivors while the leader and then the CSV coordinator fail (%s)',
      async (fault) => failSpecials(dc, fault),
      TEST_TIMEOUT_MS,
    );

    it(
      'removes HVR2NODO3 when HVR2NODO2 and HVR2NODO3 cannot hear each other (both ways, then one way) but both hear the leader; it rejoins after the heal',
      async () => {
        await regroup(dc, []);
        await regroup(dc, ['--one-way']);
      },
      TEST_TIMEOUT_MS,
    );
  });

  // Four nodes cost about 45 s more: `npm run survivors` runs them (with every fault kind).
  describe.skipIf(!FULL)('four nodes, Node and Disk Majority', () => {
    let dc: Dc;
    beforeAll(async () => {
      await upDefault('four-node');
      dc = new Dc('4 nodes, disk majority', [N1, N2, N3, N4], topologyVms([N1, N2, N3, N4]));
      await dc.allMembers();
      await dc.startRoles();
    });
    afterAll(() => dc?.close());

    it.each(FAULTS)(
      'loses no ping on the survivors while the leader, the witness owner and the CSV coordinator fail (%s)',
      async (fault) => failSpecials(dc, fault),
      TEST_TIMEOUT_MS,
    );
  });
});

async function events(dc: Dc, node: string): Promise<ClusterEvent__Output[]> {
  const r = await rpc<{ events: ClusterEvent__Output[] }>((cb) =>
    dc.c.cluster(node).Events({ since_index: 0 }, deadline(3000), cb),
  );
  return r.events;
}

/**
 * Cuts HVR2NODO2 from HVR2NODO3 (`args`: both ways, or one way from HVR2NODO2) while both still
 * hear the leader HVR2NODO1. Regroup keeps the largest fully connected set with quorum, ties to
 * the lowest ids (docs/design.md §Regroup): HVR2NODO3 is removed (Event 1135), stops its role,
 * which comes online on a survivor; HVR2NODO1 and HVR2NODO2 keep quorum and lose no ping.
 */
async function regroup(dc: Dc, args: string[]): Promise<void> {
  const [vm1, vm2, vm3] = [N1, N2, N3].map((n) => dc.homes.get(n) as string) as [string, string, string];
  const t0 = Date.now();
  let takeover = t0;
  await dcboxOk(['partition', ...args, N2, N3]);
  try {
    await pollUntil(
      async () => {
        const s = await dc.state([N1, N2]);
        return s.members.join() === [N1, N2].join() && s.quorum?.has_quorum;
      },
      {
        what: 'HVR2NODO3 removed, HVR2NODO1 and HVR2NODO2 keeping quorum',
        timeoutMs: 30_000,
        intervalMs: 200,
      },
    );
    const removals = [...(await events(dc, N1)), ...(await events(dc, N2))].filter(
      (e) => e.event_id === 1135 && Number(e.time_ms) >= t0 && JSON.parse(e.data_json).node === N3,
    );
    expect(removals.length, 'Event 1135 for HVR2NODO3 on the survivors').toBeGreaterThan(0);
    takeover = await dc.answering(vm3, (h) => h !== N3, t0, 30_000);
    const s3 = await dc.state([N1]);
    expect(s3.roles.find((r) => r.name === vm3)?.owner).not.toBe(N3);
    for (const n of [N1, N2]) expect((await dc.state([n])).quorum?.has_quorum, `${n} quorum`).toBe(true);
  } catch (e) {
    console.log(await dc.diagnostics());
    throw e;
  } finally {
    await dcboxOk(['heal']);
  }
  await dc.allMembers();
  const rejoined = Date.now();
  await dc.settled(rejoined);
  const lost = Object.fromEntries([vm1, vm2].map((vm) => [vm, dc.pingers.get(vm)?.lost(t0, rejoined)]));
  const third = dc.pingers.get(vm3);
  // Once its role answers from a survivor, HVR2NODO3 never answers for it again.
  const stale = third?.between(takeover, rejoined + 1).filter((r) => r.ok && r.host === N3);
  console.log(
    `survivors | regroup ${args.length ? 'one-way' : 'two-way'} cut HVR2NODO2–HVR2NODO3 | survivors' lost pings: ${JSON.stringify(lost)} | HVR2NODO3 rejoined after ${((rejoined - t0) / 1000).toFixed(1)} s`,
  );
  expect(lost).toEqual({ [vm1]: 0, [vm2]: 0 });
  expect(stale?.map((r) => r.seq) ?? []).toEqual([]);
  await dc.sendRolesHome();
}
