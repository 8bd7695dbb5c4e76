import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../history.js';
import {
  cleanRun,
  event,
  inOrder,
  layout,
  N1,
  N2,
  ping,
  runLine,
  samples,
  storageWrite,
  write,
} from './fixtures.js';
import { noSplitBrain } from './no-split-brain.js';

/** vm9 answered from N2 every 100 ms until `switchAt`, from N1 after, and from N2 again from `backAt`. */
function migrated(switchAt: number, end: number, backAt = end): HistoryEntry[] {
  const e: HistoryEntry[] = [];
  for (let t = 0, id = 1000; t < end; t += 100, id++)
    e.push(...ping('vm9', id, t, t + 1, t < switchAt || t >= backAt ? N2 : N1));
  return e;
}

describe('no-split-brain', () => {
  it('passes the clean power-off run', () => {
    expect(noSplitBrain(cleanRun())).toMatchObject({ name: 'no-split-brain', verdict: 'pass' });
  });

  it('passes a live migration that switches hosts once', () => {
    expect(noSplitBrain(migrated(2000, 6000)).verdict).toBe('pass');
  });

  it('fails when a VM answers from A, then B, then A again within the window', () => {
    const h = inOrder([...migrated(2000, 6000), ...ping('vm9', 1, 2500, 2501, N2)]);
    const r = noSplitBrain(h);
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(
      `vm9 answered from ${N2}, then ${N1} at t=2001 ms, then ${N2} again at t=2501 ms`,
    );
    expect(r.offending).toContainEqual(expect.objectContaining({ id: 1, phase: 'ok', host: N2 }));
  });

  it('passes a failover followed within the window by an operator’s move back, but not a move that failed', () => {
    // vm9 fails over from N2 to N1 at 2 s; the operator moves it back to N2 from 2.5 s (answers at 3.5 s).
    const move = (end: 'move-completed' | 'move-failed') => [
      event(2500, N1, 'move-started', { role: 'vm9', from: N1, to: N2, kind: 'quick' }),
      event(3450, N1, end, { role: 'vm9', from: N1, to: N2 }),
    ];
    const h = migrated(2000, 6000, 3500);
    expect(noSplitBrain(h).verdict).toBe('fail');
    expect(noSplitBrain(inOrder([...h, ...move('move-completed')])).verdict).toBe('pass');
    expect(noSplitBrain(inOrder([...h, ...move('move-failed')])).verdict).toBe('fail');
  });

  it('treats a switch back after the window as a second migration, and the window is a parameter', () => {
    const h = migrated(2000, 6000, 4500);
    expect(noSplitBrain(h).verdict).toBe('pass');
    expect(noSplitBrain(h, { switchBackWindowMs: 3000 }).verdict).toBe('fail');
  });

  it('fails when answers from two hosts overlap in time even without switching back', () => {
    // N2 answers a ping sent at 2000 only at 2300; N1 answers one sent at 2100 at 2400.
    const e = migrated(0, 0);
    for (let t = 0, id = 1; t < 2000; t += 100, id++) e.push(...ping('vm9', id, t, t + 1, N2));
    e.push(...ping('vm9', 100, 2000, 2300, N2), ...ping('vm9', 101, 2100, 2400, N1));
    for (let t = 2500, id = 200; t < 4000; t += 100, id++) e.push(...ping('vm9', id, t, t + 1, N1));
    const r = noSplitBrain(inOrder(e));
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain('in overlapping time');
    expect(r.offending?.map((o) => (o.type === 'op' ? o.id : -1))).toEqual([100, 101, 100, 101]);
  });

  it('judges a retransmitted reply by when its host sent it: before the switch-over passes', () => {
    // N2 answered a ping of 1950 ms at 1950.9 ms, before N1's first answer at 2001 ms; the reply
    // was lost and retransmitted 200 ms later (simulation seed 10, default timing).
    const late = ping('vm9', 1, 1950, 2151.5, N2, 1950.9);
    expect(noSplitBrain(inOrder([...migrated(2000, 6000), ...late])).verdict).toBe('pass');
    // The same reply without its send time, as an older history has it, still looks like two hosts.
    const old = ping('vm9', 1, 1950, 2151.5, N2);
    expect(noSplitBrain(inOrder([...migrated(2000, 6000), ...old])).verdict).toBe('fail');
  });

  it('still fails a late-arriving answer that the old host sent after the new one answered', () => {
    const late = ping('vm9', 1, 2050, 2251.5, N2, 2050.9);
    const r = noSplitBrain(inOrder([...migrated(2000, 6000), ...late]));
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(`then ${N1} at t=2001 ms, then ${N2} again at t=2051 ms`);
  });

  it('fails when two disjoint partitions both hold quorum at once', () => {
    const h = inOrder([
      ...samples(N1, 0, 2000, { members: [N1], hasQuorum: true }),
      ...samples(N2, 50, 2000, { members: [N2], hasQuorum: true }),
    ]);
    const r = noSplitBrain(h);
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(`held quorum with [${N2}] at t=50 ms while ${N1} held quorum with [${N1}]`);
    expect(r.offending?.length).toBeGreaterThan(0);
    expect(r.offending?.every((o) => o.type === 'state')).toBe(true);
  });

  it('fails when a node claims quorum over a stale membership that the other node already left', () => {
    // N1 removed N2 and holds quorum over [N1]; N2 still claims quorum over [N1, N2].
    const h = inOrder([
      ...samples(N1, 0, 2000, { members: [N1], hasQuorum: true }),
      ...samples(N2, 50, 2000, { members: [N1, N2], hasQuorum: true }),
    ]);
    const r = noSplitBrain(h);
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(
      `held quorum with [${N1}, ${N2}] at t=50 ms while ${N1} held quorum with [${N1}]`,
    );
  });

  it('gives a removed node its own detection window (fast timing: 4 × 250 ms) to notice, and no longer', () => {
    // N1 removes N2 at 1000 ms; N2 still claims quorum over [N1, N2] until `until`.
    const staleUntil = (until: number) =>
      inOrder([
        runLine(0, 'start'),
        ...samples(N1, 0, 1000, { members: [N1, N2] }),
        ...samples(N1, 1000, 4000, { members: [N1] }),
        ...samples(N2, 50, until, { members: [N1, N2] }),
        ...samples(N2, until, 4000, { members: [N2], hasQuorum: false, service: 'Stopped' }),
      ]);
    expect(noSplitBrain(staleUntil(1850)).verdict).toBe('pass');
    const late = noSplitBrain(staleUntil(3050));
    expect(late.verdict).toBe('fail');
    expect(late.details).toContain(`${N2} held quorum with [${N1}, ${N2}] at t=2050 ms`);
  });

  it('gives a member the same window to hear of an admission the joiner heard of first', () => {
    // Three nodes: N3 was out (N2 removed it long ago) and is admitted at epoch 5 at 1000 ms; the
    // leader's push reaches N3 at once and N2 only at `until` (simulation seeds 6 and 20 of
    // four-node.yaml: 0.6 ms apart, a sample in between).
    const N3 = 'HVR2NODO3';
    const all = [N1, N2, N3];
    const lateBy = (until: number) =>
      inOrder([
        runLine(0, 'start'),
        ...samples(N2, 0, until, { members: [N1, N2], epoch: 4 }),
        ...samples(N2, until, 4000, { members: all, epoch: 5 }),
        ...samples(N3, 1010, 4000, { members: all, epoch: 5 }),
      ]);
    expect(noSplitBrain(lateBy(1210)).verdict).toBe('pass');
    const late = noSplitBrain(lateBy(3010));
    expect(late.verdict).toBe('fail');
    expect(late.details).toContain(`${N2} held quorum with [${N1}, ${N2}] at t=2200 ms`);
  });

  it('counts that window from the joiner’s admission, not from its stopped samples at a newer epoch', () => {
    // Four-node seed 103 (default timing): N3, cut off, left the cluster and sat Stopped at epoch
    // 5 (its own) while N2 stayed at epoch 4; admitted at 24 s (epoch 6), it was sampled with the
    // new membership 0.2 s before N2 heard of it, N2's last old sample at the same instant.
    const N3 = 'HVR2NODO3';
    const all = [N1, N2, N3];
    const h = inOrder([
      runLine(0, 'start'),
      ...samples(N2, 0, 24_200, { members: [N1, N2], epoch: 4 }),
      ...samples(N2, 24_200, 26_000, { members: all, epoch: 6 }),
      ...samples(N3, 0, 24_000, { members: [], epoch: 5, hasQuorum: false, service: 'Stopped' }),
      ...samples(N3, 24_000, 26_000, { members: all, epoch: 6 }),
    ]);
    expect(noSplitBrain(h).verdict).toBe('pass');
  });

  it('passes two nodes with quorum that count each other members', () => {
    const h = inOrder([
      ...samples(N1, 0, 2000, { members: [N1, N2] }),
      ...samples(N2, 50, 2000, { members: [N1, N2] }),
    ]);
    expect(noSplitBrain(h).verdict).toBe('pass');
  });

  it('fails when two running nodes each say they run one role Online, quorum or not', () => {
    const mine = (node: string) => ({
      members: [node],
      hasQuorum: node === N1,
      roles: { vm1: { owner: node, state: 'Online' } },
    });
    const h = inOrder([...samples(N1, 0, 2000, mine(N1)), ...samples(N2, 50, 2000, mine(N2))]);
    const r = noSplitBrain(h);
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(`role vm1 was Online on ${N2} at t=50 ms while ${N1} ran it Online too`);
  });

  it('fails when the controller log shows one VM disk written by two hosts in overlapping time', () => {
    const h = inOrder([
      layout(0),
      storageWrite(100, N2, 'vm1', 1, 'a'),
      storageWrite(200, N1, 'vm1', 2, 'b'),
      storageWrite(300, N2, 'vm1', 3, 'c'),
    ]);
    const r = noSplitBrain(h);
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(
      `vm1's disk was written by ${N2}, then ${N1} at t=200 ms, then ${N2} again at t=300 ms (controller's log)`,
    );
  });

  it('attributes a redirected write, sent through the coordinator, to the VM host that wrote the record', () => {
    // N2 lost its paths for a moment: record 2 reached the controller from the coordinator N1.
    const writer = { host: N2, incarnation: 'vm1-1' };
    const h = inOrder([
      layout(0),
      ...write('vm1', 2, 2, 199, 'ok', writer),
      storageWrite(100, N2, 'vm1', 1, 'a'),
      storageWrite(200, N1, 'vm1', 2, 'vm1#2@vm1-1'),
      storageWrite(300, N2, 'vm1', 3, 'c'),
    ]);
    expect(noSplitBrain(h)).toMatchObject({ verdict: 'pass' });
  });

  it('does not count a node that runs without quorum as a partition with quorum', () => {
    const h = inOrder([
      ...samples(N1, 0, 2000, { members: [N1], hasQuorum: true }),
      ...samples(N2, 50, 2000, { members: [N2], hasQuorum: false }),
    ]);
    expect(noSplitBrain(h).verdict).toBe('pass');
  });

  it('passes a quorum handover whose samples of one round arrive a few milliseconds apart', () => {
    // N1 loses the witness between two sampling rounds and N2 wins it; in the round after, N2
    // happens to answer 5 ms before N1.
    const h = inOrder([
      ...samples(N1, 0, 1200, { members: [N1], hasQuorum: true }),
      ...samples(N1, 1200, 3000, { members: [N1], hasQuorum: false }),
      ...samples(N2, 3, 1195, { members: [N2], hasQuorum: false }),
      ...samples(N2, 1195, 3000, { members: [N2], hasQuorum: true }),
    ]);
    expect(noSplitBrain(h).verdict).toBe('pass');
  });

  it('is unknown when there is nothing to judge', () => {
    expect(noSplitBrain([]).verdict).toBe('unknown');
    expect(noSplitBrain(samples(N1, 0, 1000, { hasQuorum: false })).verdict).toBe('unknown');
  });
});
