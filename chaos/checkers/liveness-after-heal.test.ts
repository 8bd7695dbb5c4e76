import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../history.js';
import { cleanRun, fault, inOrder, N1, N2, samples } from './fixtures.js';
import { lastHealAt, livenessAfterHeal } from './liveness-after-heal.js';

const online = { owner: N1, state: 'Online' };

/** N1 with quorum, vm1 Online until 5 s, then vm1 in `state` until `end`; a fault lifted at 6 s. */
function stuck(state: string, end: number): HistoryEntry[] {
  return inOrder([
    ...samples(N1, 0, 5000, { members: [N1], roles: { vm1: online, vm2: online } }),
    ...samples(N1, 5000, end, { members: [N1], roles: { vm1: { owner: N1, state }, vm2: online } }),
    fault(4000, 'start', 'f1', 'kill', [N2]),
    fault(6000, 'end', 'f1', 'kill', [N2]),
  ]);
}

describe('liveness-after-heal', () => {
  it('passes the clean run, where every role is Online right after blade 2 is back', () => {
    const r = livenessAfterHeal(cleanRun());
    expect(r.verdict).toBe('pass');
    expect(r.details).toContain('All 2 role(s) were Online within 0 ms of the last heal at t=15000 ms');
  });

  it('fails a role that never comes back within the bound', () => {
    const r = livenessAfterHeal(stuck('Failed', 20_000), { boundMs: 5000 });
    expect(r.verdict).toBe('fail');
    expect(r.details).toBe(
      `Not Online within 5000 ms of the last heal at t=6000 ms: vm1 (last seen Failed on ${N1}).`,
    );
    expect(r.offending?.length).toBe(1);
  });

  it('is unknown when the history ends before the bound with a role not yet back', () => {
    expect(livenessAfterHeal(stuck('OnlinePending', 9000), { boundMs: 5000 }).verdict).toBe('unknown');
  });

  it('is unknown when there is no state sample after the last heal', () => {
    const h = inOrder([
      ...samples(N1, 0, 5000, { roles: { vm1: online } }),
      fault(6000, 'end', 'f1', 'kill', [N2]),
    ]);
    expect(livenessAfterHeal(h)).toMatchObject({
      verdict: 'unknown',
      details: 'No state sample after the last heal at t=6000 ms.',
    });
  });

  it('reads roles only from nodes with quorum', () => {
    const h = inOrder([
      ...stuck('Failed', 20_000),
      ...samples(N2, 6100, 20_000, {
        members: [N2],
        hasQuorum: false,
        roles: { vm1: { owner: N2, state: 'Online' } },
      }),
    ]);
    expect(livenessAfterHeal(h, { boundMs: 5000 }).verdict).toBe('fail');
  });

  it('takes a recovery fault recorded on its own (heal) as the last heal', () => {
    expect(
      lastHealAt([fault(1000, 'start', 'p', 'partition', [N1]), fault(3000, 'start', 'h', 'heal', [])]),
    ).toBe(3000);
    expect(lastHealAt([fault(1000, 'start', 'p', 'partition', [N1])])).toBeNull();
  });
});
