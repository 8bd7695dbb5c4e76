import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../history.js';
import { fencingBeforeTakeover } from './fencing-before-takeover.js';
import {
  cleanRun,
  event,
  inOrder,
  LUN,
  layout,
  legacyOf,
  N1,
  N2,
  reservation,
  sample,
  samples,
  storageWrite,
} from './fixtures.js';

/** The clean run without its preempt of N2's key, plus `extra`. */
function withoutPreempt(extra: HistoryEntry[] = [], h = cleanRun()): HistoryEntry[] {
  return inOrder([...h.filter((e) => !(e.type === 'reservation' && e.action === 'preempt')), ...extra]);
}

function withoutEvents(h: HistoryEntry[], kind?: string): HistoryEntry[] {
  return h.filter((e) => !(e.type === 'event' && (kind === undefined || e.kind === kind)));
}

describe('fencing-before-takeover', () => {
  it('passes the clean power-off run, whose controller log shows the preempt before the takeover', () => {
    const r = fencingBeforeTakeover(cleanRun());
    expect(r).toMatchObject({ name: 'fencing-before-takeover', verdict: 'pass' });
    // vm1 and the CSV from the samples and the events, and vm1's disk from the controller's log.
    expect(r.details).toBe(
      "All 5 takeover(s) followed a preempt of the previous owner's key in the controller's log.",
    );
  });

  it('fails a takeover whose preempt reaches the controller only after the takeover was seen', () => {
    const r = fencingBeforeTakeover(withoutPreempt([reservation(7300, 'preempt', N1, N2)]));
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(
      `${N1} took CSV Volume1 from ${N2} at t=7050 ms (seen in the events) no preempt of ${N2}'s key on ${LUN} in the controller's log before t=7050 ms`,
    );
    expect(r.offending).toContainEqual(expect.objectContaining({ kind: 'csv-coordinator' }));
    expect(r.offending).toContainEqual(expect.objectContaining({ type: 'state', node: N1, t: 7200 }));
  });

  it("does not take the nodes' own fenced event for a fence the controller never logged", () => {
    const r = fencingBeforeTakeover(withoutPreempt());
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(`took role vm1 from ${N2}`);
  });

  it('does not count a fence on the wrong LUN', () => {
    const r = fencingBeforeTakeover(withoutPreempt([reservation(7040, 'preempt', N1, N2, 'LUN9')]));
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(`(the preempt at t=7040 ms was by ${N1} on LUN9, which does not count)`);
  });

  it('does not count a fence by a node outside the new owner’s partition', () => {
    const r = fencingBeforeTakeover(withoutPreempt([reservation(7040, 'preempt', 'HVR2NODO3', N2)]));
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain('was by HVR2NODO3 on LUN1, which does not count');
  });

  it('finds takeovers in the samples alone, without the nodes’ events', () => {
    const r = fencingBeforeTakeover(withoutEvents(withoutPreempt()));
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(`${N1} took role vm1 from ${N2} at t=7200 ms (seen in the samples)`);
  });

  it('finds a takeover in the controller’s log alone: a removed node’s VM disk written by another host', () => {
    const h = inOrder([
      layout(0),
      reservation(1, 'register', N1),
      reservation(1, 'register', N2),
      storageWrite(100, N2, 'vm1', 1, 'a'),
      event(1000, N1, 'node-removed', { node: N2 }),
      storageWrite(2000, N1, 'vm1', 2, 'b'),
    ]);
    const r = fencingBeforeTakeover(h);
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(`${N1} took role vm1 from ${N2} at t=2000 ms (seen in the controller)`);
    const fenced = inOrder([...h, reservation(1500, 'preempt', N1, N2)]);
    expect(fencingBeforeTakeover(fenced).verdict).toBe('pass');
  });

  it('counts a fence that still holds: the owner it was taken from never registered again after its preempt', () => {
    // Four-node seed 32 (default timing): N2 is removed and its key preempted at 2 s; a move's
    // end then makes it vm1's owner at 4 s, though it is no member; vm1 fails over from it to N1
    // at 6 s. N2's key was gone the whole time, so nothing of it could reach the disk.
    const h = (extra: HistoryEntry[]) =>
      inOrder([
        layout(0),
        ...samples(N1, 0, 4000, { members: [N1], roles: { vm1: { owner: N1, state: 'Online' } } }),
        ...samples(N1, 4000, 6000, { members: [N1], roles: { vm1: { owner: N2, state: 'Pending' } } }),
        ...samples(N1, 6000, 9000, { members: [N1], roles: { vm1: { owner: N1, state: 'Online' } } }),
        reservation(1, 'register', N1),
        reservation(1, 'register', N2),
        storageWrite(100, N1, 'vm1', 1, 'a'),
        event(1900, N1, 'node-removed', { node: N2 }),
        reservation(2000, 'preempt', N1, N2),
        event(4000, N1, 'move-completed', { role: 'vm1', from: N1, to: N2 }),
        event(6000, N1, 'failover', { role: 'vm1', from: N2, to: N1 }),
        storageWrite(6500, N1, 'vm1', 2, 'b'),
        ...extra,
      ]);
    expect(fencingBeforeTakeover(h([])).verdict).toBe('pass');
    // Registered again after the preempt, its key could write: the takeover needs a new fence.
    const back = fencingBeforeTakeover(h([reservation(3000, 'register', N2)]));
    expect(back.verdict).toBe('fail');
    expect(back.details).toContain(`${N1} took role vm1 from ${N2} at t=6000 ms`);
  });

  it('lets the target of a planned move write before the fence, once its source stopped writing', () => {
    // Seed 670 of the default timing: N2 quick-migrates vm1 to N1 from 5 s (it saves the VM; its
    // last write at 5.2 s), N1 restores and writes it from 6 s, N2 dies before the move's end
    // commits, and N1 takes the role over at 9 s after preempting N2's key at 8.5 s.
    const h = (extra: HistoryEntry[]) =>
      inOrder([
        layout(0),
        ...samples(N1, 0, 8000, { members: [N1, N2], roles: { vm1: { owner: N2, state: 'Online' } } }),
        ...samples(N1, 8000, 9000, { members: [N1], roles: { vm1: { owner: N2, state: 'Online' } } }),
        ...samples(N2, 0, 7000, { members: [N1, N2], roles: { vm1: { owner: N2, state: 'Online' } } }),
        ...samples(N1, 9000, 12_000, { members: [N1], roles: { vm1: { owner: N1, state: 'Online' } } }),
        reservation(1, 'register', N1),
        reservation(1, 'register', N2),
        storageWrite(100, N2, 'vm1', 1, 'a'),
        event(5000, N1, 'move-started', { role: 'vm1', from: N2, to: N1, kind: 'quick' }),
        storageWrite(5200, N2, 'vm1', 2, 'b'),
        storageWrite(6000, N1, 'vm1', 3, 'c'),
        event(8000, N1, 'node-removed', { node: N2 }),
        event(9000, N1, 'failover', { role: 'vm1', from: N2, to: N1 }),
        ...extra,
      ]);
    const preempt = reservation(8500, 'preempt', N1, N2);
    expect(fencingBeforeTakeover(h([preempt])).verdict).toBe('pass');
    // Still due before the takeover.
    expect(fencingBeforeTakeover(h([])).verdict).toBe('fail');
    expect(fencingBeforeTakeover(h([reservation(9500, 'preempt', N1, N2)])).verdict).toBe('fail');
    // Without the move, the target's early write needed the fence first.
    const unplanned = h([preempt]).filter((e) => !(e.type === 'event' && e.kind === 'move-started'));
    expect(fencingBeforeTakeover(unplanned).verdict).toBe('fail');
  });

  it('needs a new preempt once the victim has registered its key again', () => {
    // N2 rejoined and registered again at 17 s, ran vm1 again (its writes at 18–20.9 s), is
    // removed again at 21 s, and N1 takes vm1 at 22 s: the preempt of 7 s no longer cuts it off.
    const again = [
      storageWrite(18_000, N2, 'vm1', 900, 'c'),
      storageWrite(20_900, N2, 'vm1', 901, 'd'),
      event(21_000, N1, 'node-removed', { node: N2 }),
      event(22_000, N1, 'failover', { role: 'vm1', from: N2, to: N1 }),
    ];
    const h = inOrder([
      ...cleanRun().filter((e) => e.t < 20_000),
      ...samples(N1, 20_000, 25_000, { members: [N1] }),
      ...again,
    ]);
    const r = fencingBeforeTakeover(h);
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(`${N1} took role vm1 from ${N2} at t=22000 ms (seen in the events)`);
    expect(fencingBeforeTakeover(inOrder([...h, reservation(21_500, 'preempt', N1, N2)])).verdict).toBe(
      'pass',
    );
  });

  it('does not need a second preempt when the victim rejoined and registered again but never wrote the disk again', () => {
    // N2 last wrote vm1's disk before 5 s and was preempted at 7 s; it rejoined and registered
    // at 17 s (its VMs stopped), and is gone again at 21 s. N1 first writes vm1's disk at 22 s
    // (a retried role, say): the preempt of 7 s still separates the two writers.
    const vm1Writes = (e: HistoryEntry) =>
      e.type === 'storage-write' && e.initiator.host === N1 && e.offset >= 0 && e.t > 5000 && e.t < 22_000;
    const h = inOrder([
      ...cleanRun().filter((e) => !vm1Writes(e) && !(e.type === 'state' && e.node === N1 && e.t >= 21_000)),
      ...samples(N1, 21_000, 25_000, { members: [N1] }),
      storageWrite(22_000, N1, 'vm1', 950, 'e'),
    ]);
    expect(fencingBeforeTakeover(h).verdict).toBe('pass');
  });

  it("counts a preempt logged in the same millisecond as the victim's last write, which the controller finished first", () => {
    const h = inOrder([
      ...cleanRun().filter((e) => !(e.type === 'storage-write' && e.initiator.host === N2 && e.t > 4000)),
      storageWrite(7040, N2, 'vm1', 400, 'f'),
    ]);
    expect(fencingBeforeTakeover(h).verdict).toBe('pass');
    const late = inOrder([...h, storageWrite(7041, N2, 'vm1', 401, 'g')]);
    expect(fencingBeforeTakeover(late).verdict).toBe('fail');
  });

  it('does not ask a failover after a resource failure, its node still a member, to fence anybody', () => {
    const both = [N1, N2];
    const h = inOrder([
      ...cleanRun(),
      event(20_000, N1, 'resource-failed', { role: 'vm2', op: 'start' }),
      event(20_010, N1, 'failover', { role: 'vm2', from: N1, to: N2 }),
      ...samples(N1, 20_100, 25_000, { members: both, roles: { vm2: { owner: N2, state: 'Online' } } }),
    ]);
    expect(fencingBeforeTakeover(h).verdict).toBe('pass');
  });

  it('does not ask a planned CSV move between members to fence anybody', () => {
    const view = (coordinator: string) => ({ members: [N1, N2], csv: { Volume1: coordinator } });
    const h = inOrder([
      ...samples(N1, 0, 1000, view(N1)),
      ...samples(N1, 1000, 2000, view(N2)),
      event(1000, N1, 'csv-coordinator', {
        volume: 'Volume1',
        coordinator: N2,
        previous: N1,
        reason: 'move',
      }),
    ]);
    expect(fencingBeforeTakeover(h).verdict).toBe('pass');
  });

  it('is unknown, not pass, for takeovers in a history without the controller log', () => {
    const r = fencingBeforeTakeover(legacyOf(cleanRun()));
    expect(r.verdict).toBe('unknown');
    expect(r.details).toContain(
      `${N1} took role vm1 from ${N2} at t=7050 ms (seen in the events): only the nodes' own fenced events say it was fenced`,
    );
    expect(r.details).toContain('The history has no storage controller log, so no fence can be proven.');
  });

  it('still fails a legacy history whose own events show no fence before the takeover', () => {
    const h = inOrder([
      ...withoutEvents(legacyOf(cleanRun()), 'fenced'),
      event(7060, N1, 'fenced', { victims: [N2] }),
    ]);
    const r = fencingBeforeTakeover(h);
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(`without fencing ${N2} first (not even by the nodes' own events)`);
  });

  it('is unknown, not pass, when the history has neither samples nor the controller log', () => {
    expect(fencingBeforeTakeover(cleanRun().filter((e) => e.type === 'run' || e.type === 'op')).verdict).toBe(
      'unknown',
    );
  });

  it('reads the samples of one instant new owner first: a member not yet told of the takeover does not date the run', () => {
    // A third member samples vm1 still on N2 at the very instant N1's sample names itself (seed 9
    // of the four-node swarm): the run N2 handed over did not start then, and the fence stands.
    const h = withoutEvents(cleanRun());
    const n3 = (t: number, owner: string) =>
      sample(t, 'HVR2NODO3', {
        members: [N1, N2, 'HVR2NODO3'],
        leader: N1,
        roles: { vm1: { owner, state: 'Online' } },
      });
    // HVR2NODO3 is sampled first from the start, so its samples come first at every instant.
    const r = fencingBeforeTakeover(inOrder([n3(0, N2), n3(7200, N2), n3(7400, N1), ...h]));
    expect(r).toMatchObject({ verdict: 'pass' });
  });

  it('passes when the nodes were sampled and nothing changed hands', () => {
    const h = cleanRun().filter((e) => e.t < 4000 && e.type !== 'fault');
    expect(fencingBeforeTakeover(h)).toMatchObject({ verdict: 'pass' });
  });
});
