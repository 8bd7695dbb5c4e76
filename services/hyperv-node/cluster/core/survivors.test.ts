/**
 * Survivors never stop, in clusters larger than the seed's (issue 15): a 3-node cluster in Node
 * Majority and a 4-node cluster in Node and Disk Majority, the models 2008 R2 recommends for an odd
 * and an even node count (docs/domain.md §Quorum models). Each special node — the leader, the
 * witness owner, the CSV coordinator — fails in turn by power-off, kill and freeze while every
 * other node runs a role: each survivor's lease holds, its role stays Online and its VM answers
 * from it alone at every 5 ms step, and the failed node's VM never answers from two nodes. On the
 * full simulation (sim/cluster-harness.ts, docs/simulation.md §Cluster tests).
 */
import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../../sim/cluster-harness.js';
import { expectRolesUninterrupted, FAILURES, type Failure, fail } from '../test-support.js';
import type { QuorumModel } from './quorum.js';

const NODES = ['HVR2NODO1', 'HVR2NODO2', 'HVR2NODO3', 'HVR2NODO4'];

/**
 * A formed cluster of `count` nodes, one role VM<i> on each node HVR2NODO<i>, with Volume1's
 * coordination moved from the leader (HVR2NODO1) to HVR2NODO2 so the two special nodes differ.
 */
function formed(count: number, model: QuorumModel): { sim: ClusterHarness; names: string[] } {
  const names = NODES.slice(0, count);
  const sim = new ClusterHarness(names, { model });
  sim.formWithRoles(Object.fromEntries(names.map((n, i) => [`VM${i + 1}`, n])));
  const leader = sim.node(names[0] as string).leader as string;
  sim.command(leader, { op: 'moveCsv', volume: 'Volume1', to: 'HVR2NODO2' });
  sim.run(500);
  return { sim, names };
}

/** Who plays each special part in a formed cluster, as the nodes themselves report it. */
function specialNodes(sim: ClusterHarness, names: string[]) {
  const s = sim.node(names[0] as string);
  return {
    leader: s.leader,
    witnessOwner: s.witness.owner,
    csvCoordinator: s.config.csv.Volume1?.coordinator ?? null,
  };
}

const SHAPES: {
  count: number;
  model: QuorumModel;
  parts: ('leader' | 'witnessOwner' | 'csvCoordinator')[];
}[] = [
  { count: 3, model: 'node-majority', parts: ['leader', 'csvCoordinator'] },
  { count: 4, model: 'node-and-disk-majority', parts: ['leader', 'witnessOwner', 'csvCoordinator'] },
];

/**
 * Fails `failed` in the way `how` says while every other node of `names` runs a role: each such
 * role runs on, uninterrupted, for 3 s, and again for 3 s after the failed node recovers; the
 * failed node's roles answer from one node at most at every step, and never from it once moved.
 */
function expectSurvivorsRunOn(sim: ClusterHarness, names: string[], failed: string, how: Failure): void {
  const vms = Object.keys(sim.node(names.find((n) => n !== failed) as string).config.roles);
  const roles: Record<string, string> = {};
  for (const vm of vms) {
    const who = sim.answering(vm);
    if (who.length === 1 && who[0] !== failed) roles[vm] = who[0] as string;
  }
  const moved = vms.filter((vm) => !(vm in roles));
  expect(Object.keys(roles).length).toBeGreaterThan(0);
  expect(moved.length).toBeGreaterThan(0);
  const recover = fail(sim, failed, how);
  // The failed node's roles come back within 3.5 s: detection 1 s, its lease counted from its
  // last heartbeat request answered here + one interval (fencing.ts victimsLeaseEnd), arbitration.
  expectRolesUninterrupted(sim, roles, 3500, moved);
  const survivor = Object.values(roles)[0] as string;
  expect(sim.node(survivor).members).not.toContain(failed);
  expect(sim.node(survivor).quorum.has).toBe(true);
  for (const vm of moved) expect(sim.answering(vm), vm).toHaveLength(1);
  recover();
  expectRolesUninterrupted(sim, roles, 3000, moved);
  for (const vm of moved) expect(sim.answering(vm), vm).not.toContain(failed);
}

describe('survivors never stop in 3- and 4-node clusters', () => {
  for (const { count, model, parts } of SHAPES) {
    it(`forms the ${count}-node ${model} cluster with the leader and the CSV coordinator on different nodes`, () => {
      const { sim, names } = formed(count, model);
      const special = specialNodes(sim, names);
      expect(special.leader).toBe('HVR2NODO1');
      expect(special.csvCoordinator).toBe('HVR2NODO2');
      // dcbox's leader arbitrates for the witness and defends it (witness.ts): in a formed cluster the
      // witness owner is the leader.
      expect(special.witnessOwner).toBe(model === 'node-majority' ? null : 'HVR2NODO1');
      for (const n of names) expect(sim.node(n).config.csv.Volume1?.coordinator, n).toBe('HVR2NODO2');
    });
    for (const part of parts) {
      for (const how of FAILURES) {
        it(`keeps every survivor's role Online and answering when the ${part} of ${count} nodes (${model}) fails (${how})`, () => {
          const { sim, names } = formed(count, model);
          expectSurvivorsRunOn(sim, names, specialNodes(sim, names)[part] as string, how);
        });
      }
    }
  }
  for (const how of FAILURES) {
    it(`keeps every survivor's role Online and answering when a witness owner that does not lead fails (${how})`, () => {
      const { sim, names } = formed(4, 'node-and-disk-majority');
      // The leader fails and comes back: HVR2NODO2 now leads and holds the witness. Then HVR2NODO4
      // goes: the lowest-id member, HVR2NODO1, regroups and leads, and HVR2NODO2 keeps the witness.
      sim.powerOff('HVR2NODO1');
      sim.run(3000);
      sim.powerOn('HVR2NODO1');
      sim.until('HVR2NODO1 to rejoin', () => sim.node('HVR2NODO2').members.length === 4);
      sim.run(1000);
      sim.powerOff('HVR2NODO4');
      sim.until('HVR2NODO1 to lead', () => sim.node('HVR2NODO3').leader === 'HVR2NODO1');
      sim.run(2000);
      const special = specialNodes(sim, ['HVR2NODO1', 'HVR2NODO2', 'HVR2NODO3']);
      expect(special).toMatchObject({ leader: 'HVR2NODO1', witnessOwner: 'HVR2NODO2' });
      expectSurvivorsRunOn(sim, names.slice(0, 3), 'HVR2NODO2', how);
    });
  }
});

describe('safety in 3- and 4-node clusters', () => {
  /**
   * Partitions `losers` from the rest and checks, at every 5 ms step for 6 s, that no VM answers
   * from two nodes, and that each losing node's VM stops there before it answers from a winner.
   */
  function expectLosersStopFirst(sim: ClusterHarness, names: string[], losers: string[]): void {
    sim.partition(
      losers,
      names.filter((n) => !losers.includes(n)),
    );
    const vms = losers.map((n) => `VM${names.indexOf(n) + 1}`);
    const answered: Record<string, { at: number; node: string }[]> = Object.fromEntries(
      vms.map((vm) => [vm, []]),
    );
    for (let t = 0; t < 6000; t += 5) {
      sim.run(5);
      for (const vm of vms) {
        const who = sim.answering(vm);
        expect(who.length, `${vm} answered by ${who.join()} at ${sim.now} ms`).toBeLessThanOrEqual(1);
        for (const node of who) answered[vm]?.push({ at: sim.now, node });
      }
    }
    for (const [i, vm] of vms.entries()) {
      const loser = losers[i] as string;
      const lastOnLoser = answered[vm]?.filter((a) => a.node === loser).at(-1)?.at;
      const firstOnWinner = answered[vm]?.find((a) => a.node !== loser)?.at;
      expect(lastOnLoser, vm).toBeDefined();
      expect(firstOnWinner, vm).toBeDefined();
      expect(lastOnLoser as number, vm).toBeLessThan(firstOnWinner as number);
      // A loser's VMs stop when its cluster service stops for lack of quorum (1177, Stopped) or its
      // disk access is refused (Fenced: its I/O met the winner's preempt first); either ends it
      // (docs/design.md §Leases during arbitration).
      expect(['Stopped', 'Fenced'], loser).toContain(sim.node(loser).service);
    }
  }

  it('a 4-node half without the witness, its follower included, stops its VMs before the other half starts them', () => {
    const { sim, names } = formed(4, 'node-and-disk-majority');
    expectLosersStopFirst(sim, names, ['HVR2NODO3', 'HVR2NODO4']);
  });

  it('a 3-node leader cut off alone stops its VM before the majority starts it', () => {
    const { sim, names } = formed(3, 'node-majority');
    expectLosersStopFirst(sim, names, ['HVR2NODO1']);
  });
});
