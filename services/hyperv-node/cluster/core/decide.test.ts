import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../../sim/cluster-harness.js';
import { groupState } from './decide.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

/** A formed two-node cluster (Node and Disk Majority, 250 ms × 4) with one online role on N2. */
function seed(
  opts: {
    sim?: ConstructorParameters<typeof ClusterHarness>[1];
    preferredOwners?: string[];
    allowFailback?: boolean;
  } = {},
) {
  const sim = new ClusterHarness([N1, N2], opts.sim);
  sim.until(
    'the cluster to form',
    () => sim.node(N1).service === 'Running' && sim.node(N2).service === 'Running',
  );
  sim.until('the leader to hold the witness', () => sim.node(N1).witness.held);
  const spec = sim.defineVm(N2, 'VM1');
  const r = sim.command(N1, {
    op: 'makeHa',
    vm: spec,
    owner: N2,
    vmState: 'Off',
    preferredOwners: opts.preferredOwners ?? [],
    allowFailback: opts.allowFailback ?? false,
  });
  sim.run(10);
  expect(sim.replies.get(r)?.ok).toBe(true);
  sim.command(N1, { op: 'online', role: 'VM1' });
  sim.until('VM1 online on N2', () => sim.answering('VM1').join() === N2);
  return sim;
}

/** Uses up VM1's one failover (a 2-node cluster), then fails it again: the role goes Failed. */
function exhaustFailovers(sim: ClusterHarness): void {
  sim.powerOff(N2);
  sim.until('VM1 on N1', () => sim.answering('VM1').join() === N1);
  sim.powerOn(N2);
  sim.until('N2 back', () => sim.node(N1).members.length === 2);
  sim.command(N1, { op: 'failRole', role: 'VM1', from: N1, reason: 'test' });
  sim.run(50);
  expect(sim.node(N1).config.roles.VM1?.failed).toBe(true);
}

describe('membership and regroup', () => {
  it('forms one cluster: the lowest-id node leads, holds the witness and coordinates the CSV', () => {
    const sim = seed();
    for (const n of [N1, N2]) {
      expect(sim.node(n).members).toEqual([N1, N2]);
      expect(sim.node(n).leader).toBe(N1);
      expect(sim.node(n).quorum).toMatchObject({ has: true, votes: 3, needed: 2 });
      expect(sim.node(n).config.csv.Volume1?.coordinator).toBe(N1);
    }
    sim.run(300);
    expect(groupState(sim.node(N1), sim.node(N1).config.roles.VM1!)).toBe('Online');
  });

  it('forms as soon as the nodes hear each other, not at the next heartbeat tick', () => {
    const sim = new ClusterHarness([N1, N2]);
    sim.powerOff(N2);
    sim.run(300); // N1 alone: it ticked at 250 ms and cannot form yet (the start window is 1 s).
    expect(sim.node(N1).service).not.toBe('Running');
    sim.powerOn(N2); // N2 ticks at 550 ms; N1's next tick would be at 750 ms.
    sim.until(
      'the cluster to form',
      () => sim.node(N1).service === 'Running' && sim.node(N2).service === 'Running',
    );
    expect(sim.now).toBeLessThan(750);
    expect(sim.node(N1).members).toEqual([N1, N2]);
    expect(sim.events.find((e) => e.kind === 'cluster-formed')?.node).toBe(N1);
  });

  it('removes a powered-off node after SameSubnetThreshold misses, logging Event 1135 with the numbers', () => {
    const sim = seed();
    const t0 = sim.now;
    sim.powerOff(N2);
    sim.until('N2 removed', () => sim.node(N1).members.join() === N1);
    const detect = sim.now - t0;
    // 4 missed heartbeats of 250 ms: removal after about 1 s, never before the threshold.
    expect(detect).toBeGreaterThanOrEqual(3 * 250);
    expect(detect).toBeLessThanOrEqual(6 * 250);
    const e = sim.events.find((x) => x.eventId === 1135);
    expect(e?.node).toBe(N1);
    expect(e?.message).toContain('4 heartbeats missed (threshold 4, every 250 ms)');
    // Before it, the survivor reports the lost node's interface unreachable (Event 1126).
    const nic = sim.events.find((x) => x.eventId === 1126);
    expect(nic && [nic.node, nic.data.node, sim.events.indexOf(nic) < sim.events.indexOf(e!)]).toEqual([
      N1,
      N2,
      true,
    ]);
    expect(sim.node(N1).quorum).toMatchObject({ has: true, votes: 2, needed: 2 });
  });

  it('fences the lost node before restarting its role on the survivor, cold', () => {
    const sim = seed();
    sim.powerOff(N2);
    sim.until('VM1 answering from N1', () => sim.answering('VM1').join() === N1);
    const fence = sim.fences.find((f) => f.victims.includes(N2));
    const failover = sim.events.find((e) => e.kind === 'failover');
    expect(fence).toBeDefined();
    expect(failover).toBeDefined();
    expect(fence!.at).toBeLessThanOrEqual(failover!.at);
    // The fenced event says how long the takeover still waits for N2's lease: the failover comes
    // then, or a defence round trip later (the survivor holds the witness).
    const fenced = sim.events.find((e) => e.kind === 'fenced');
    const waitMs = fenced?.data.takeOverWaitMs as number;
    expect(waitMs).toBeGreaterThan(0);
    expect(failover!.at - fenced!.at).toBeGreaterThanOrEqual(waitMs);
    expect(failover!.at - fenced!.at).toBeLessThanOrEqual(waitMs + 250);
    expect(sim.node(N1).config.roles.VM1?.owner).toBe(N1);
    expect(sim.node(N1).config.roles.VM1?.failovers).toHaveLength(1);
  });

  it('moves the CSV coordinator to a survivor when the coordinator dies', () => {
    const sim = seed();
    sim.command(N1, { op: 'moveCsv', volume: 'Volume1', to: N2 });
    sim.until(
      'N2 coordinates',
      () =>
        sim.node(N1).config.csv.Volume1?.coordinator === N2 &&
        sim.node(N2).config.csv.Volume1?.coordinator === N2,
    );
    sim.powerOff(N2);
    sim.until('N1 coordinates', () => sim.node(N1).config.csv.Volume1?.coordinator === N1);
    const moved = sim.events.filter((e) => e.kind === 'csv-coordinator').at(-1);
    expect(moved?.message).toContain('coordinated by HVR2NODO1');
  });

  it('lets a powered-on node rejoin and take roles again', () => {
    const sim = seed();
    sim.powerOff(N2);
    sim.until('N2 removed', () => sim.node(N1).members.length === 1);
    sim.powerOn(N2);
    sim.until('N2 rejoined', () => sim.node(N1).members.length === 2 && sim.node(N2).service === 'Running');
    expect(sim.events.some((e) => e.kind === 'joined' && e.node === N2)).toBe(true);
  });
});

describe('forming again after both nodes stopped', () => {
  it('the node with the newer configuration forms, though its id is higher: nobody waits on a waiter', () => {
    const sim = new ClusterHarness([N1, N2]);
    sim.formWithRole('VM1', N2);
    const older = structuredClone(sim.node(N1).config);
    sim.powerOff(N1);
    sim.until('N2 alone, with a newer configuration', () => sim.node(N2).members.join() === N2, 10_000);
    expect(sim.node(N2).config.version).toBeGreaterThan(older.version);
    // The witness goes away: N2 has 1 of 3 votes and stops. N1 comes back with its older copy.
    sim.witnessUp = false;
    sim.until('N2 stopped', () => sim.node(N2).service !== 'Running', 10_000);
    sim.powerOn(N1);
    // Two of three votes without the witness: they form, led by N2, on N2's configuration.
    sim.until('both running again', () => [N1, N2].every((n) => sim.node(n).service === 'Running'), 10_000);
    expect(sim.node(N1).leader).toBe(N2);
    expect(sim.node(N1).config.version).toBe(sim.node(N2).config.version);
  });
});

describe('quorum', () => {
  it('keeps quorum only on the side that holds the witness when the two nodes are partitioned', () => {
    const sim = seed();
    sim.partition([N1], [N2]);
    sim.until('N2 stops', () => sim.node(N2).service === 'Stopped');
    expect(sim.node(N1).service).toBe('Running');
    expect(sim.node(N1).quorum.has).toBe(true);
    const lost = sim.events.find((e) => e.eventId === 1177);
    expect(lost?.node).toBe(N2);
    expect(lost?.message).toContain('quorum was lost');
    sim.until('VM1 restarted on N1', () => sim.answering('VM1').join() === N1);
    expect(sim.vmsOn(N2).VM1 ?? 'Off').toBe('Off');
  });

  it('logs the lost arbitration (1177) when fencing by the winner reaches the losing side first', () => {
    const sim = seed();
    sim.partition([N1], [N2]);
    sim.until('N2 to arbitrate for the witness', () => sim.node(N2).witness.arbitrating);
    // The winner preempted N2's keys: VM1's next write on N2 is refused before the witness says no.
    sim.deliver(N2, { type: 'vmFault', name: 'VM1', reason: 'RESERVATION_CONFLICT' });
    expect(sim.node(N2).service).toBe('Stopped');
    expect(sim.events.find((e) => e.node === N2 && e.eventId === 1177)?.kind).toBe('quorum-lost');
    expect(sim.events.some((e) => e.node === N2 && e.kind === 'fenced-self')).toBe(false);
    sim.until('VM1 restarted on N1', () => sim.answering('VM1').join() === N1);
  });

  it('never lets a VM answer from two hosts across a partition', () => {
    const sim = seed();
    sim.partition([N1], [N2]);
    for (let t = 0; t < 4000; t += 5) {
      sim.run(5);
      expect(
        sim.answering('VM1').length,
        `at ${t} ms: ${sim.events.map((e) => `${e.at} ${e.node} ${e.kind}`).join('; ')}`,
      ).toBeLessThanOrEqual(1);
    }
    // N1 kept quorum and fenced N2; nobody else fenced anyone (an empty list would prove nothing).
    expect(sim.fences.some((f) => f.by === N1 && f.victims.includes(N2))).toBe(true);
    expect(sim.fences.every((f) => f.by === N1)).toBe(true);
    sim.heal();
    sim.until('N2 rejoined', () => sim.node(N2).service === 'Running' && sim.node(N1).members.length === 2);
    for (let t = 0; t < 1000; t += 5) {
      sim.run(5);
      expect(sim.answering('VM1').length).toBeLessThanOrEqual(1);
    }
    expect(sim.answering('VM1')).toEqual([N1]);
  });

  it('loses quorum when the witness and then a node are gone, and recovers by itself when the witness returns', () => {
    const sim = seed();
    sim.witnessUp = false;
    sim.run(1000);
    expect(sim.node(N1).quorum).toMatchObject({ has: true, votes: 2 });
    sim.powerOff(N2);
    sim.until('N1 loses quorum', () => sim.node(N1).service === 'Stopped');
    expect(sim.events.some((e) => e.eventId === 1177 && e.node === N1)).toBe(true);
    expect(sim.answering('VM1')).toEqual([]);
    sim.witnessUp = true;
    sim.until(
      'N1 runs again with the witness',
      () => sim.node(N1).service === 'Running' && sim.node(N1).quorum.has,
      10_000,
    );
    sim.until('VM1 back online on N1', () => sim.answering('VM1').join() === N1);
  });

  it('recovers from a lost quorum when the other node comes back, even without the witness', () => {
    const sim = seed();
    sim.witnessUp = false;
    sim.powerOff(N2);
    sim.until('N1 loses quorum', () => sim.node(N1).service === 'Stopped');
    sim.powerOn(N2);
    sim.until(
      'both running',
      () => sim.node(N1).service === 'Running' && sim.node(N2).service === 'Running',
      10_000,
    );
    expect(sim.node(N1).quorum).toMatchObject({ has: true, votes: 2, needed: 2 });
  });
});

describe('gray failure', () => {
  it('a node frozen past the threshold wakes up fenced out: its VM never answers from two hosts, and it rejoins', () => {
    const sim = seed();
    sim.freeze(N2);
    for (let t = 0; t < 3000; t += 5) {
      sim.run(5);
      expect(sim.answering('VM1').length).toBeLessThanOrEqual(1);
    }
    expect(sim.answering('VM1')).toEqual([N1]);
    sim.thaw(N2);
    for (let t = 0; t < 3000; t += 5) {
      sim.run(5);
      expect(sim.answering('VM1')).toEqual([N1]);
    }
    expect(sim.node(N2).service).toBe('Running');
    expect(sim.node(N1).members).toEqual([N1, N2]);
    expect(sim.vmsOn(N2).VM1).toBeUndefined();
  });
});

describe('roles', () => {
  it('refuses to make a running VM highly available', () => {
    const sim = seed();
    const spec = sim.defineVm(N1, 'VM2');
    const r = sim.command(N1, {
      op: 'makeHa',
      vm: spec,
      owner: N1,
      vmState: 'Running',
      preferredOwners: [],
      allowFailback: false,
    });
    sim.run(5);
    expect(sim.replies.get(r)).toMatchObject({ ok: false, code: 'BAD_STATE' });
    expect(sim.replies.get(r)?.message).toContain('must be turned off or saved');
  });

  it('takes a role offline by saving its VM, and back online', () => {
    const sim = seed();
    sim.command(N1, { op: 'offline', role: 'VM1' });
    sim.until('VM1 saved', () => sim.vmsOn(N2).VM1 === 'Saved');
    sim.run(300);
    expect(groupState(sim.node(N1), sim.node(N1).config.roles.VM1!)).toBe('Offline');
    sim.command(N1, { op: 'online', role: 'VM1' });
    sim.until('VM1 running again', () => sim.answering('VM1').join() === N2);
  });

  it('stops failing a role over once the failover threshold (nodes − 1 in 6 h) is reached', () => {
    const sim = seed();
    exhaustFailovers(sim);
    // Event 1254 (RCM_GROUP_TERMINAL_FAILURE), not 1205 (docs/domain.md §Event IDs).
    const failed = sim.events.filter((e) => e.kind === 'role-failed');
    expect(failed.map((e) => [e.eventId, e.data.reason])).toEqual([[1254, 'failover-threshold']]);
    expect(failed[0]?.message).toContain(
      "Clustered service or application 'VM1' has exceeded its failover threshold",
    );
  });

  it('leaves a group that reached the threshold on a node removal Failed on a survivor, not on the removed node', () => {
    const sim = seed({ preferredOwners: [N2], allowFailback: true });
    sim.powerOff(N2);
    sim.until('VM1 on N1', () => sim.answering('VM1').join() === N1);
    sim.powerOn(N2);
    sim.until('VM1 back on N2', () => sim.answering('VM1').join() === N2, 10_000);
    sim.powerOff(N2);
    sim.until('VM1 Failed', () => sim.node(N1).config.roles.VM1?.failed === true, 10_000);
    expect(sim.node(N1).members).toEqual([N1]);
    expect(sim.node(N1).config.roles.VM1?.owner).toBe(N1);
  });

  it('tries a Failed role again after RetryPeriodOnFailure', () => {
    const sim = seed({ sim: { retryPeriodMs: 5000 } });
    exhaustFailovers(sim);
    sim.run(2000);
    expect(sim.answering('VM1')).toEqual([]);
    sim.until('VM1 retried and online', () => sim.answering('VM1').length === 1, 10_000);
    expect(sim.events.some((e) => e.kind === 'role-retry')).toBe(true);
  });

  it('tries a Failed role again only once quorum is won and the removed owner fenced', () => {
    // Found by a seeded campaign: the retry came due while the survivor still arbitrated for the
    // witness, and it took the role from the powered-off leader before preempting its keys.
    const sim = seed({ sim: { retryPeriodMs: 5000 } });
    exhaustFailovers(sim);
    const failedAt = sim.node(N1).config.roles.VM1?.failedAt ?? 0;
    sim.run(failedAt + 4200 - sim.now);
    expect(sim.events.some((e) => e.kind === 'role-retry')).toBe(false);
    sim.powerOff(N1);
    sim.until('VM1 retried on N2', () => sim.events.some((e) => e.kind === 'role-retry'), 20_000);
    const at = (kind: string) =>
      sim.events.find((e) => e.node === N2 && e.kind === kind && e.at > failedAt)?.at;
    const retried = at('role-retry') ?? 0;
    expect(at('witness-arbitrated') ?? Infinity).toBeLessThanOrEqual(retried);
    expect(at('fenced') ?? Infinity).toBeLessThanOrEqual(retried);
  });

  it('fails a role back to its preferred owner when it returns, if allowed', () => {
    const sim = seed({ preferredOwners: [N2], allowFailback: true });
    sim.powerOff(N2);
    sim.until('VM1 on N1', () => sim.answering('VM1').join() === N1);
    sim.powerOn(N2);
    sim.until('VM1 back on N2', () => sim.answering('VM1').join() === N2, 10_000);
    expect(sim.events.some((e) => e.kind === 'failback')).toBe(true);
  });
});

describe('partition in time (docs/domain.md §Partition in time)', () => {
  it('a node with an older configuration than a file share witness does not form a cluster alone', () => {
    const sim = new ClusterHarness([N1, N2], {
      model: 'node-and-file-share-majority',
    });
    sim.until('formed', () => sim.node(N2).service === 'Running');
    const saved = structuredClone(sim.node(N2).config);
    sim.powerOff(N2);
    sim.until('N2 removed', () => sim.node(N1).members.length === 1);
    sim.command(N1, { op: 'moveCsv', volume: 'Volume1', to: N1 }); // a configuration change N2 misses
    sim.run(500);
    sim.powerOff(N1);
    const before = sim.events.length;
    sim.powerOn(N2);
    sim.run(5000);
    expect(sim.node(N2).service).not.toBe('Running');
    // Event 1561, logged once, not a witness denial every time it asks (docs/domain.md §Event IDs).
    // The CSV layer's mode events (5142: the volume offline outside the cluster) are the volume's.
    const logged = sim.events.slice(before).filter((e) => e.node === N2 && e.kind !== 'csv-mode');
    expect(logged.map((e) => [e.eventId, e.kind])).toEqual([[1561, 'partition-in-time']]);
    expect(logged[0]?.data).toEqual({
      configVersion: saved.version,
      witnessVersion: sim.node(N1).config.version,
    });
  });
});
