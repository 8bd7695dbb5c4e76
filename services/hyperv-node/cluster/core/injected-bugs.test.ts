/**
 * The injected bugs of the cluster core (services/process/injected-bugs.ts) each change one
 * decision, and the same scenario without the bug keeps the rule they break:
 * - answer-after-quorum-loss: a node without a lease keeps its running VMs;
 * - witness-without-arbitration: a cut-off node counts the witness's vote without winning it, so
 *   both sides of a partition hold quorum;
 * - stale-config-on-rejoin: a node that rejoins keeps its old configuration, so it starts a role
 *   that moved while it was away and the role runs twice;
 * - csv-takeover-without-handoff: a member that misses a heartbeat of the CSV's coordinator makes
 *   itself coordinator, so a cut too short to remove anyone leaves two coordinators;
 * - no-rejoin-after-heal: a node that left the cluster never joins again after the heal;
 * - lease-lapses-on-arbitration: the survivor of the leader's power-off lets its lease lapse while
 *   it arbitrates for the witness, so its VM stops answering.
 */
import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../../sim/cluster-harness.js';
import type { VmSpec } from '../../../process/config.js';
import { parseInjectedBugs } from '../../../process/injected-bugs.js';
import { reconcile } from './roles.js';
import { type ClusterState, initialCluster } from './state.js';
import { onWitnessResult } from './witness.js';

/** A node whose cluster service stopped (quorum lost) while VM1, which another node now owns, runs here. */
function stoppedWithVmRunning(bug?: string): ClusterState {
  const s = initialCluster({
    cluster: 'C',
    self: 'N2',
    nodes: [
      { name: 'N1', id: 1 },
      { name: 'N2', id: 2 },
    ],
    model: 'node-and-disk-majority',
    delayMs: 250,
    threshold: 4,
    defendMs: 500,
    witnessKeepsConfig: true,
    csv: [],
    saved: null,
    now: 0,
    bugs: parseInjectedBugs(bug),
  });
  const role = {
    name: 'VM1',
    vm: {} as VmSpec,
    owner: 'N1',
    preferredOwners: [],
    allowFailback: false,
    desired: 'Online' as const,
    moving: null,
    failovers: [],
    failed: false,
  };
  return { ...s, service: 'Stopped', config: { ...s.config, roles: { VM1: role } }, vms: { VM1: 'Running' } };
}

describe('the injected bug answer-after-quorum-loss in the cluster core', () => {
  it('turns the VM off without the bug', () => {
    const d = reconcile(stoppedWithVmRunning(), 1000);
    expect(d.effects).toContainEqual({ type: 'vm', op: 'turnOff', name: 'VM1', spec: undefined });
  });

  it('keeps it running with the bug', () => {
    const d = reconcile(stoppedWithVmRunning('answer-after-quorum-loss'), 1000);
    expect(d.effects.filter((e) => e.type === 'vm')).toEqual([]);
  });
});

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

/** The seed's two nodes, formed with VM1 online on N2, partitioned from each other. */
function partitioned(bug?: string): ClusterHarness {
  const sim = new ClusterHarness([N1, N2], { bugs: parseInjectedBugs(bug) });
  sim.formWithRole('VM1', N2);
  sim.run(500);
  sim.partition([N1], [N2]);
  return sim;
}

/** Steps `ms` in 5 ms steps and returns the first time both nodes held quorum, or null. */
function firstDoubleQuorum(sim: ClusterHarness, ms: number): number | null {
  for (let t = 0; t < ms; t += 5) {
    sim.run(5);
    const both = [N1, N2].every((n) => sim.node(n).service === 'Running' && sim.node(n).quorum.has);
    if (both && sim.node(N1).members.length === 1 && sim.node(N2).members.length === 1) return sim.now;
  }
  return null;
}

/** Partitions, lets N1 take VM1 over, heals, and returns every node VM1 answered from at once. */
function answersAfterRejoin(bug?: string): string[][] {
  const sim = partitioned(bug);
  sim.until('VM1 to move to N1', () => sim.answering('VM1').join() === N1, 10_000);
  sim.heal();
  sim.until('N2 to rejoin', () => sim.node(N2).service === 'Running' && sim.node(N2).members.length === 2);
  const seen: string[][] = [];
  for (let t = 0; t < 3000; t += 5) {
    sim.run(5);
    seen.push(sim.answering('VM1'));
  }
  return seen;
}

describe('the injected bug witness-without-arbitration in the cluster core', () => {
  it('gives quorum to one side of a partition without the bug', () => {
    expect(firstDoubleQuorum(partitioned(), 6000)).toBeNull();
  });

  it('gives quorum to both sides with the bug', () => {
    expect(firstDoubleQuorum(partitioned('witness-without-arbitration'), 6000)).not.toBeNull();
  });

  // A CI run: the cut-off node lost quorum (a witness call failed) before it counted the vote, and
  // then only arbitrated; with the bug, the witness's answer, even a denial, lets it form alone.
  const denied = (bug?: string) => {
    const s = { ...stoppedWithVmRunning(bug), vms: {} };
    const msg = {
      type: 'witnessResult',
      op: 'arbitrate',
      ok: true,
      outcome: 'denied',
      owner: 'N1',
      epoch: 1,
    } as const;
    return onWitnessResult({ ...s, witness: { ...s.witness, busy: true, calls: 1 } }, msg, 5000).state;
  };
  it('leaves a stopped node out of any cluster when the witness denies it, without the bug', () => {
    expect(denied().service).toBe('Stopped');
  });

  it('lets a stopped node form a cluster alone on a denial with the bug', () => {
    const s = denied('witness-without-arbitration');
    expect([s.service, s.members, s.quorum.has]).toEqual(['Running', ['N2'], true]);
  });
});

describe('the injected bug stale-config-on-rejoin in the cluster core', () => {
  it('keeps a moved role on its new owner alone after the rejoin without the bug', () => {
    const seen = answersAfterRejoin();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((who) => who.join() === N1)).toBe(true);
  });

  it('starts the moved role again on the rejoining node with the bug', () => {
    expect(answersAfterRejoin('stale-config-on-rejoin').some((who) => who.length === 2)).toBe(true);
  });
});

/** Nodes that coordinate Volume1, each Running with quorum and saying so itself. */
function coordinators(sim: ClusterHarness): string[] {
  return [N1, N2].filter((n) => {
    const s = sim.node(n);
    return s.service === 'Running' && s.quorum.has && s.config.csv.Volume1?.coordinator === n;
  });
}

/** Cuts the two nodes apart for 400 ms (less than the threshold) and returns the most coordinators seen at once. */
function coordinatorsAcrossShortCut(bug?: string): number {
  const sim = new ClusterHarness([N1, N2], { bugs: parseInjectedBugs(bug) });
  sim.formWithRole('VM1', N2);
  sim.run(500);
  let most = coordinators(sim).length;
  sim.partition([N1], [N2]);
  for (let t = 0; t < 2000; t += 5) {
    if (t === 400) sim.heal();
    sim.run(5);
    most = Math.max(most, coordinators(sim).length);
  }
  expect([N1, N2].every((n) => sim.node(n).members.length === 2)).toBe(true);
  return most;
}

describe('the injected bug csv-takeover-without-handoff in the cluster core', () => {
  it('keeps one coordinator across a cut shorter than the threshold without the bug', () => {
    expect(coordinatorsAcrossShortCut()).toBe(1);
  });

  it('has both nodes coordinate Volume1 with the bug', () => {
    expect(coordinatorsAcrossShortCut('csv-takeover-without-handoff')).toBe(2);
  });
});

/** Partitions the seed's nodes for 3 s, heals, and says whether N2 is a member again within 10 s. */
function rejoinsAfterHeal(bug?: string): boolean {
  const sim = partitioned(bug);
  sim.until('N2 to lose quorum', () => sim.node(N2).service !== 'Running', 5000);
  sim.run(3000);
  sim.heal();
  for (let t = 0; t < 10_000; t += 50) {
    sim.run(50);
    if ([N1, N2].every((n) => sim.node(n).service === 'Running' && sim.node(n).members.length === 2))
      return true;
  }
  return false;
}

describe('the injected bug no-rejoin-after-heal in the cluster core', () => {
  it('rejoins the node that lost quorum after the heal without the bug', () => {
    expect(rejoinsAfterHeal()).toBe(true);
  });

  it('leaves it out with the bug', () => {
    expect(rejoinsAfterHeal('no-rejoin-after-heal')).toBe(false);
  });
});

/** Powers off the leader and witness owner N1 while VM1 runs on N2; the 5 ms steps VM1 did not answer from N2. */
function survivorSilentSteps(bug?: string): number {
  const sim = new ClusterHarness([N1, N2], { bugs: parseInjectedBugs(bug) });
  sim.formWithRole('VM1', N2);
  sim.run(500);
  expect(sim.node(N2).leader).toBe(N1);
  expect(sim.node(N1).witness.held).toBe(true);
  sim.powerOff(N1);
  let silent = 0;
  for (let t = 0; t < 4000; t += 5) {
    sim.run(5);
    if (sim.answering('VM1').join() !== N2) silent++;
  }
  expect(sim.node(N2).witness.held).toBe(true);
  return silent;
}

describe('the injected bug lease-lapses-on-arbitration in the cluster core', () => {
  it("keeps the survivor's VM answering while it arbitrates without the bug", () => {
    expect(survivorSilentSteps()).toBe(0);
  });

  it('silences it with the bug', () => {
    expect(survivorSilentSteps('lease-lapses-on-arbitration')).toBeGreaterThan(10);
  });
});
