/**
 * Regroup with every node (docs/design.md §Regroup): heartbeat views carry reachability, and the
 * leader keeps the largest fully connected set of members that has quorum — ties to the set with
 * the witness holder, then to the lowest node ids — and removes the others (Event 1135 on the
 * survivors), which stop their roles. The survivors' roles never stop meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../../sim/cluster-harness.js';
import { expectRolesUninterrupted } from '../test-support.js';
import type { QuorumModel } from './quorum.js';

const [N1, N2, N3, N4] = ['HVR2NODO1', 'HVR2NODO2', 'HVR2NODO3', 'HVR2NODO4'] as [
  string,
  string,
  string,
  string,
];

/** A formed cluster of `names` with role VM<i> on the i-th node. */
function formed(names: string[], model: QuorumModel): ClusterHarness {
  const sim = new ClusterHarness(names, { model });
  sim.formWithRoles(Object.fromEntries(names.map((n, i) => [`VM${i + 1}`, n])));
  sim.run(500);
  return sim;
}

/**
 * Runs 6 s after a cut that leaves `removed` out of the fully connected set: the other nodes'
 * roles run on uninterrupted; then every survivor has `removed` out of its membership and logged
 * Event 1135 for it once, `removed` stopped its role, which answers from one survivor, and it is
 * not let back in while the cut lasts.
 */
function expectRemoved(sim: ClusterHarness, names: string[], removed: string): void {
  const survivors = names.filter((n) => n !== removed);
  const vm = `VM${names.indexOf(removed) + 1}`;
  const roles = Object.fromEntries(survivors.map((n) => [`VM${names.indexOf(n) + 1}`, n]));
  expectRolesUninterrupted(sim, roles, 6000, [vm]);
  for (const n of survivors) {
    expect(sim.node(n).members, n).toEqual(survivors);
    const removals = sim.events.filter((e) => e.node === n && e.eventId === 1135 && e.data.node === removed);
    expect(removals, `1135 for ${removed} on ${n}`).toHaveLength(1);
  }
  expect(sim.node(removed).service).not.toBe('Running');
  expect(sim.vmsOn(removed)[vm]).not.toBe('Running');
  expect(sim.answering(vm)).toHaveLength(1);
  expect(survivors).toContain(sim.answering(vm)[0]);
}

describe('regroup with every node', () => {
  it('removes HVR2NODO3 when only the link HVR2NODO1–HVR2NODO3 is cut (3 nodes, Node Majority)', () => {
    const names = [N1, N2, N3];
    const sim = formed(names, 'node-majority');
    sim.partition([N1], [N3]);
    expectRemoved(sim, names, N3);
  });

  it('removes the higher-id node when two members cannot hear each other but both hear the leader (3 nodes)', () => {
    const names = [N1, N2, N3];
    const sim = formed(names, 'node-majority');
    sim.partition([N2], [N3]);
    expectRemoved(sim, names, N3);
    sim.heal();
    sim.until('HVR2NODO3 to rejoin', () => sim.node(N1).members.length === 3);
  });

  it('removes a member that one other member cannot send to (a one-way cut, 3 nodes)', () => {
    const names = [N1, N2, N3];
    const sim = formed(names, 'node-majority');
    sim.cutOneWay(N2, N3);
    expectRemoved(sim, names, N3);
  });

  it('keeps three fully connected nodes with the witness when two of four cannot hear each other (Node and Disk Majority)', () => {
    const names = [N1, N2, N3, N4];
    const sim = formed(names, 'node-and-disk-majority');
    sim.partition([N3], [N4]);
    expectRemoved(sim, names, N4);
  });

  it('removes a member that a non-leader of four cannot hear one way', () => {
    const names = [N1, N2, N3, N4];
    const sim = formed(names, 'node-and-disk-majority');
    sim.cutOneWay(N4, N2);
    expectRemoved(sim, names, N4);
  });
});
