import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../history.js';
import { cleanRun, event, fault, inOrder, lostPing, N1, N2, ping, samples } from './fixtures.js';
import { survivorContinuity } from './survivor-continuity.js';

const both = [N1, N2];
const roles = { vm1: { owner: N2, state: 'Online' }, vm2: { owner: N1, state: 'Online' } };

/** N2 killed from 2 s to 6 s; N1 keeps quorum and runs vm2, pinged every 100 ms, answered but for `lost`. */
function killOfN2(lost: number[] = [], n1View: Parameters<typeof samples>[3] = {}): HistoryEntry[] {
  const e: HistoryEntry[] = [
    ...samples(N1, 0, 2000, { members: both, roles }),
    ...samples(N1, 2000, 8000, { members: [N1], roles, ...n1View }),
    ...samples(N2, 50, 2000, { members: both, roles }),
    fault(2000, 'start', 'f1', 'kill', [N2]),
    fault(6000, 'end', 'f1', 'kill', [N2]),
  ];
  for (let t = 0, id = 1; t < 8000; t += 100, id++)
    e.push(...(lost.includes(t) ? lostPing('vm2', id, t, t + 1000) : ping('vm2', id, t, t + 1, N1)));
  return inOrder(e);
}

describe('survivor-continuity', () => {
  it('passes the clean run: vm2 on N1 kept answering while blade 2 was off', () => {
    expect(survivorContinuity(cleanRun())).toMatchObject({
      name: 'survivor-continuity',
      verdict: 'pass',
      details: '1 (VM, fault) pair(s) on nodes that kept quorum: none stopped or lost more than 0 ping(s).',
    });
  });

  it('fails when a VM on the node that kept quorum loses a ping because another node failed', () => {
    const r = survivorContinuity(killOfN2([3000]));
    expect(r.verdict).toBe('fail');
    expect(r.details).toBe(
      `vm2 on ${N1}, which kept quorum throughout kill f1 (t=2000–6000 ms), lost 1 of 41 pings (tolerance 0)`,
    );
    expect(r.offending).toContainEqual(expect.objectContaining({ vm: 'vm2', phase: 'info' }));
  });

  it('takes the experiment’s tolerance of lost pings', () => {
    expect(survivorContinuity(killOfN2([3000]), { survivorLostPingsMax: 1 }).verdict).toBe('pass');
  });

  it('fails when the survivor’s VM stops while its node’s quorum dips, which does not excuse it', () => {
    const dip = inOrder([
      ...killOfN2().filter((e) => !(e.type === 'state' && e.node === N1 && e.t >= 3000 && e.t < 3400)),
      ...samples(N1, 3000, 3400, {
        members: [N1],
        hasQuorum: false,
        roles: { ...roles, vm2: { owner: N1, state: 'Pending' } },
      }),
    ]);
    const r = survivorContinuity(dip);
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain('was Pending at t=3000 ms');
  });

  it('does not judge a survivor’s VM an operator moves during the fault (Pending while it moves, pings lost)', () => {
    const moving = { ...roles, vm2: { owner: N1, state: 'Pending' } };
    const h = inOrder([
      ...killOfN2([3100, 3200]).filter(
        (e) => !(e.type === 'state' && e.node === N1 && e.t >= 3000 && e.t < 3400),
      ),
      ...samples(N1, 3000, 3400, { members: [N1], roles: moving }),
      event(3000, N1, 'move-started', { role: 'vm2', from: N1, to: N2, kind: 'quick' }),
      event(3400, N1, 'move-failed', { role: 'vm2', from: N1, to: N2 }),
    ]);
    expect(survivorContinuity(h).verdict).toBe('unknown');
    // The same history without the operator's move is a VM that stopped on a survivor.
    expect(survivorContinuity(h.filter((e) => e.type !== 'event')).verdict).toBe('fail');
  });

  it('does not judge the VMs of the node the fault hit, nor of a node that lost quorum for good', () => {
    const lostQuorum = killOfN2([3000], { hasQuorum: false, service: 'Stopped' });
    expect(survivorContinuity(lostQuorum).verdict).toBe('unknown');
  });

  it('does not judge storage faults, which take every node’s disk away', () => {
    const h = killOfN2([3000]).map((e) =>
      e.type === 'fault' ? { ...e, kind: 'storage-crash' as const } : e,
    );
    expect(survivorContinuity(h)).toMatchObject({
      verdict: 'unknown',
      details: 'The history has no fault to judge.',
    });
  });

  it('does not judge a survivor while another fault on it overlaps (netem on N1 during the kill of N2)', () => {
    const overlap = (kind: 'netem' | 'storage-slow', targets: string[]) =>
      inOrder([
        ...killOfN2([3000]),
        fault(2500, 'start', 'f2', kind, targets),
        fault(3500, 'end', 'f2', kind, targets),
      ]);
    expect(survivorContinuity(overlap('netem', [N1])).verdict).toBe('unknown');
    expect(survivorContinuity(overlap('storage-slow', ['CSV1'])).verdict).toBe('unknown');
    // A fault on another node does not excuse the survivor.
    expect(survivorContinuity(overlap('netem', [N2])).verdict).toBe('fail');
  });

  it('does not judge a node that said it lost quorum during the fault, though its samples around it all say Running', () => {
    const h = inOrder([
      ...killOfN2([3000]),
      event(2950, N1, 'quorum-lost'),
      event(2980, N1, 'cluster-formed'),
    ]);
    expect(survivorContinuity(h).verdict).toBe('unknown');
    expect(survivorContinuity(killOfN2([3000])).verdict).toBe('fail');
  });

  it('is unknown when no survivor VM was pinged during a fault', () => {
    const h = killOfN2().filter((e) => e.type !== 'op');
    expect(survivorContinuity(h).verdict).toBe('unknown');
  });
});
