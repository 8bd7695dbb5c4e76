import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../../sim/cluster-harness.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';
const N3 = 'HVR2NODO3';

/** A formed three-node cluster (Node and Disk Majority) with one online role per entry. */
function three(roles: Record<string, string>) {
  const sim = new ClusterHarness([N1, N2, N3]);
  sim.formWithRoles(roles);
  return sim;
}

/** Asks the leader to carry out a command and returns its reply once it came. */
function ask(sim: ClusterHarness, cmd: Parameters<ClusterHarness['command']>[1]) {
  const leader = sim.node(N1).leader ?? sim.node(N2).leader ?? N1;
  const r = sim.command(leader, cmd);
  sim.until('the reply', () => sim.replies.has(r), 5000);
  return sim.replies.get(r);
}

describe('pause and resume a node (docs/domain.md §Pause and drain)', () => {
  it('fails nothing over onto a paused node, even after the leader changed', () => {
    const sim = three({ VM1: N1, VM2: N2 });
    expect(ask(sim, { op: 'pauseNode', node: N3, drain: false })?.ok).toBe(true);
    // Without the pause, the least loaded node (N3, no roles) would take VM1.
    sim.powerOff(N1);
    sim.until(
      'VM1 failed over',
      () => sim.answering('VM1').length === 1 && !sim.answering('VM1').includes(N1),
    );
    expect(sim.answering('VM1')).toEqual([N2]);
    // The new leader (N2) has the paused set: it is part of the replicated configuration.
    expect(sim.node(N2).leader).toBe(N2);
    expect(sim.node(N2).config.paused).toEqual({ [N3]: { drain: false } });
    // A paused node keeps its membership.
    expect(sim.node(N2).members).toEqual([N2, N3]);
  });

  it('refuses a move to a paused node with a clear error', () => {
    const sim = three({ VM1: N1 });
    ask(sim, { op: 'pauseNode', node: N2, drain: false });
    const r = ask(sim, { op: 'beginMove', role: 'VM1', to: N2, kind: 'live' });
    expect(r).toMatchObject({ ok: false, code: 'BAD_STATE' });
    expect(r?.message).toContain(`${N2} is paused`);
  });

  it('keeps the roles a paused node runs', () => {
    const sim = three({ VM1: N2 });
    ask(sim, { op: 'pauseNode', node: N2, drain: false });
    sim.run(3000);
    expect(sim.answering('VM1')).toEqual([N2]);
    expect(sim.migrations).toEqual([]);
  });

  it('drains a paused node by live migration, one role at a time, to the nodes the policy chooses', () => {
    const sim = three({ VM1: N2, VM2: N2, VM3: N1 });
    ask(sim, { op: 'pauseNode', node: N2, drain: true });
    sim.until('N2 drained', () => !sim.answering('VM1').includes(N2) && !sim.answering('VM2').includes(N2));
    sim.run(500);
    const moves = sim.migrations.filter((m) => m.from === N2);
    expect(moves.map((m) => m.role)).toEqual(['VM1', 'VM2']);
    // Least loaded first: N3 (no role) takes VM1, then N1 and N3 tie and the lower id wins.
    expect(moves.map((m) => m.to)).toEqual([N3, N1]);
    expect(sim.events.filter((e) => e.kind === 'move-started').map((e) => e.data.kind)).toEqual([
      'live',
      'live',
    ]);
    // One at a time: the second started only after the first completed.
    const started = sim.events.filter((e) => e.kind === 'move-started').map((e) => e.at);
    expect(started[1]).toBeGreaterThan(moves[0]?.at ?? Number.POSITIVE_INFINITY);
    expect(sim.node(N1).members).toContain(N2);
  });

  it('takes moves again once resumed', () => {
    const sim = three({ VM1: N1 });
    ask(sim, { op: 'pauseNode', node: N2, drain: false });
    expect(ask(sim, { op: 'resumeNode', node: N2 })?.ok).toBe(true);
    sim.run(100);
    for (const n of [N1, N2, N3]) expect(sim.node(n).config.paused).toEqual({});
    expect(ask(sim, { op: 'beginMove', role: 'VM1', to: N2, kind: 'live' })?.ok).toBe(true);
  });
});

describe('stop and start the cluster service (docs/domain.md §Stopping the cluster service)', () => {
  it('moves the roles off by quick migration, leaves cleanly without fencing, and rejoins when started', () => {
    const sim = three({ VM1: N2 });
    const r = sim.serviceControl(N2, 'stop');
    sim.until('the stop', () => sim.replies.get(r)?.ok === true);
    expect(sim.migrations.map((m) => [m.role, m.from])).toEqual([['VM1', N2]]);
    expect(sim.events.find((e) => e.kind === 'move-started')?.data.kind).toBe('quick');
    sim.until('N2 out', () => sim.node(N1).members.join() === [N1, N3].join());
    expect(sim.node(N2).service).toBe('Stopped');
    expect(sim.fences).toEqual([]);
    expect(sim.events.find((e) => e.kind === 'node-left')?.data).toEqual({
      node: N2,
      leader: N1,
      fenced: false,
    });
    sim.run(5000);
    expect(sim.node(N1).members).not.toContain(N2);
    expect(sim.answering('VM1')).toHaveLength(1);
    sim.serviceControl(N2, 'start');
    sim.until('N2 back', () => sim.node(N1).members.includes(N2) && sim.node(N2).service === 'Running');
  });

  it('leaves even when a role could not be moved: the leader fences the node, then restarts the role', () => {
    const sim = three({ VM1: N2 });
    sim.refuseMigrations();
    const r = sim.serviceControl(N2, 'stop');
    sim.until('the stop', () => sim.replies.get(r)?.ok === true);
    expect(sim.events.filter((e) => e.kind === 'move-failed')).toHaveLength(1);
    sim.until(
      'VM1 restarted elsewhere',
      () => sim.answering('VM1').length === 1 && !sim.answering('VM1').includes(N2),
    );
    expect(sim.fences.map((f) => f.victims)).toEqual([[N2]]);
    expect(sim.events.find((e) => e.kind === 'node-left')?.data).toMatchObject({ node: N2, fenced: true });
  });

  it('stops the leader: the next node leads without it, its roles having moved first', () => {
    const sim = new ClusterHarness([N1, N2]);
    sim.formWithRoles({ VM1: N1 });
    sim.serviceControl(N1, 'stop');
    sim.until('N2 alone leads', () => sim.node(N2).leader === N2 && sim.node(N2).members.join() === N2);
    sim.until('N2 holds the witness', () => sim.node(N2).witness.held && sim.node(N2).quorum.has);
    expect(sim.answering('VM1')).toEqual([N2]);
    expect(sim.fences).toEqual([]);
  });
});

describe('force quorum (docs/domain.md §Forcing quorum)', () => {
  it('forms the cluster alone without quorum, and leaves the forced state once quorum is back', () => {
    const sim = new ClusterHarness([N1, N2, N3], { model: 'node-majority' });
    sim.formWithRoles({ VM1: N1 });
    sim.powerOff(N2);
    sim.powerOff(N3);
    sim.until('N1 loses quorum', () => sim.node(N1).service === 'Stopped');
    sim.run(3000);
    expect(sim.node(N1).service).not.toBe('Running');
    sim.serviceControl(N1, 'start', true);
    sim.until('N1 runs alone', () => sim.node(N1).service === 'Running' && sim.node(N1).quorum.has);
    expect(sim.node(N1).members).toEqual([N1]);
    sim.until('VM1 runs on N1', () => sim.answering('VM1').join() === N1);
    expect(sim.events.filter((e) => e.kind === 'quorum-forced').map((e) => [e.node, e.eventId])).toEqual([
      [N1, 0],
    ]);
    sim.powerOn(N2);
    sim.until('N2 joins', () => sim.node(N1).members.includes(N2));
    sim.run(500);
    expect(sim.node(N1).forceQuorum).toBe(false);
  });

  it('overrides partition in time: the forced configuration goes above the file share witness marker', () => {
    const sim = new ClusterHarness([N1, N2], {
      model: 'node-and-file-share-majority',
    });
    sim.until('formed', () => sim.node(N2).service === 'Running');
    const saved = structuredClone(sim.node(N2).config);
    sim.powerOff(N2);
    sim.until('N2 removed', () => sim.node(N1).members.length === 1);
    sim.command(N1, { op: 'moveCsv', volume: 'Volume1', to: N1 });
    sim.run(500);
    sim.powerOff(N1);
    sim.powerOn(N2);
    sim.until('1561', () => sim.events.some((e) => e.node === N2 && e.eventId === 1561));
    const marker = sim.witnessState().config_version;
    expect(saved.version).toBeLessThan(marker);
    sim.serviceControl(N2, 'start', true);
    sim.until('N2 runs', () => sim.node(N2).service === 'Running');
    expect(sim.node(N2).config.version).toBeGreaterThan(marker);
    sim.until('N2 holds the witness', () => sim.node(N2).witness.held, 5000);
    expect(sim.witnessState().config_version).toBe(sim.node(N2).config.version);
    // It holds the witness: quorum by votes now, the forced state is over.
    expect(sim.node(N2).forceQuorum).toBe(false);
  });
});
