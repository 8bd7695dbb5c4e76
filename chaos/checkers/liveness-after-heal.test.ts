import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../history.js';
import { cleanRun, event, fault, inOrder, lostPing, N1, N2, runLine, samples } from './fixtures.js';
import { lastHealAt, livenessAfterHeal, livenessBoundMs, thresholdFailures } from './liveness-after-heal.js';

const online = { owner: N1, state: 'Online' };
const both = [N1, N2];

/** Both nodes with quorum, vm1 Online until 5 s, then vm1 in `state` until `end`; a kill lifted at 6 s. */
function stuck(state: string, end: number, healthyFrom = end): HistoryEntry[] {
  const view = (s: string) => ({ members: both, roles: { vm1: { owner: N1, state: s }, vm2: online } });
  return inOrder([
    runLine(0, 'start'),
    ...samples(N1, 0, 5000, view('Online')),
    ...samples(N1, 5000, healthyFrom, view(state)),
    ...samples(N1, healthyFrom, end, view('Online')),
    ...samples(N2, 50, end, view('Online')),
    fault(4000, 'start', 'f1', 'kill', [N2]),
    fault(6000, 'end', 'f1', 'kill', [N2]),
  ]);
}

describe('liveness-after-heal', () => {
  it('derives the bound from the timing profile: 4 × (detection + arbitration + boot)', () => {
    // fast: 250 ms × 4 + 750 ms + 300 ms = 2050 ms.
    expect(
      livenessBoundMs({
        sameSubnetDelayMs: 250,
        sameSubnetThreshold: 4,
        witnessChallengeWaitMs: 750,
        vmBootMs: 300,
      }),
    ).toBe(8200);
  });

  it('passes the clean run: settled 2 s after blade 2 is back, and recorded 7.9 s beyond', () => {
    const r = livenessAfterHeal(cleanRun());
    expect(r.verdict).toBe('pass');
    expect(r.details).toBe(
      '2 role(s) Online and 2 node(s) in the cluster from 2000 ms after the last heal at t=15000 ms (bound 8200 ms) until the end, 7900 ms later.',
    );
  });

  it('fails a run whose nodes show every role Online while a VM answers none of its pings at the end', () => {
    // vm1 stops answering at 18 s (it runs nowhere), while both nodes go on showing it Online.
    const silent = cleanRun().flatMap((e) => {
      if (e.type !== 'op' || e.f !== 'ping' || e.vm !== 'vm1' || e.phase !== 'ok') return [e];
      const invoked = e.t - 1;
      return invoked < 18_000 ? [e] : lostPing('vm1', e.id, invoked, invoked + 1000).slice(1);
    });
    const r = livenessAfterHeal(inOrder(silent));
    expect(r.verdict).toBe('fail');
    expect(r.details).toBe(
      'The nodes showed every role Online, but in the last 5000 ms (t=19900 ms–t=24900 ms) vm1 answered none of the 51 pings sent to it.',
    );
  });

  it('passes a run whose VM lost a ping at the end but answered the others', () => {
    const lossy = cleanRun().flatMap((e) =>
      e.type === 'op' && e.f === 'ping' && e.vm === 'vm1' && e.phase === 'ok' && e.t === 24_901
        ? lostPing('vm1', e.id, 24_900, 25_000).slice(1)
        : [e],
    );
    expect(livenessAfterHeal(inOrder(lossy)).verdict).toBe('pass');
  });

  it('takes the profile recorded in the run start over the named timing', () => {
    const h = cleanRun().map((e) =>
      e.type === 'run' && e.phase === 'start'
        ? {
            ...e,
            profile: {
              sameSubnetDelayMs: 100,
              sameSubnetThreshold: 2,
              witnessChallengeWaitMs: 100,
              vmBootMs: 100,
            },
          }
        : e,
    );
    // 4 × 400 ms = 1600 ms, and the cluster took 2000 ms.
    expect(livenessAfterHeal(h)).toMatchObject({ verdict: 'fail' });
  });

  it('fails a role that never comes back within the bound', () => {
    const r = livenessAfterHeal(stuck('Failed', 20_000));
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(
      `Not settled for good within 8200 ms of the last heal at t=6000 ms (last unsettled at`,
    );
    expect(r.details).toContain(`vm1 was Failed on ${N1}`);
    expect(r.offending?.length).toBe(1);
  });

  it('fails a role that came back and then flapped to Failed after the bound', () => {
    const view = (s: string) => ({ members: both, roles: { vm1: { owner: N1, state: s }, vm2: online } });
    const h = inOrder([
      ...stuck('Online', 30_000).filter(
        (e) => !(e.type === 'state' && e.t >= 15_000 && e.t < 15_400 && e.node === N1),
      ),
      ...samples(N1, 15_000, 15_400, view('Failed')),
    ]);
    const r = livenessAfterHeal(h);
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain('vm1 was Failed');
  });

  it('fails when a node does not rejoin the cluster', () => {
    const h = inOrder([
      runLine(0, 'start'),
      ...samples(N1, 0, 30_000, { members: [N1], roles: { vm1: online } }),
      ...samples(N2, 50, 4000, { members: both, roles: { vm1: online } }),
      fault(4000, 'start', 'f1', 'kill', [N2]),
      fault(6000, 'end', 'f1', 'kill', [N2]),
    ]);
    const r = livenessAfterHeal(h);
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(`${N1}'s membership lacked ${N2}`);
  });

  it('is unknown when the recording ends less than 5 s after the stable window opens', () => {
    const r = livenessAfterHeal(stuck('Online', 9000));
    expect(r.verdict).toBe('unknown');
    expect(r.details).toContain('Recording ended too soon');
  });

  it('is unknown when the history ends before the bound with a role not yet back', () => {
    expect(livenessAfterHeal(stuck('OnlinePending', 9000)).verdict).toBe('unknown');
  });

  it('is unknown when there is no state sample after the last heal', () => {
    const h = inOrder([
      runLine(0, 'start'),
      ...samples(N1, 0, 5000, { roles: { vm1: online } }),
      fault(6000, 'end', 'f1', 'kill', [N2]),
    ]);
    expect(livenessAfterHeal(h)).toMatchObject({
      verdict: 'unknown',
      details: 'No state sample after the last heal at t=6000 ms.',
    });
  });

  it('is unknown without a timing profile to derive the bound from, unless one is given', () => {
    const h = stuck('Online', 20_000).filter((e) => e.type !== 'run');
    expect(livenessAfterHeal(h).verdict).toBe('unknown');
    expect(livenessAfterHeal(h, { boundMs: 5000 }).verdict).toBe('pass');
  });

  it('does not let a node without quorum count as settled', () => {
    const h = inOrder([
      ...stuck('Online', 20_000).filter((e) => !(e.type === 'state' && e.node === N2)),
      ...samples(N2, 50, 20_000, { members: [N2], hasQuorum: false, roles: { vm1: online } }),
    ]);
    expect(livenessAfterHeal(h).verdict).toBe('fail');
  });

  /** A kill healed at 6 s, then an operator's live migration of vm1 from 20 s, Pending until `doneAt`. */
  function moved(doneAt: number): HistoryEntry[] {
    const view = (owner: string, s: string) => ({
      members: both,
      roles: { vm1: { owner, state: s }, vm2: online },
    });
    return inOrder([
      ...stuck('Online', 20_000),
      event(20_000, N1, 'move-started', { role: 'vm1', from: N1, to: N2, kind: 'live' }),
      ...[N1, N2].flatMap((n) => [
        ...samples(n, 20_000, doneAt, view(N1, 'Pending')),
        ...samples(n, doneAt, 40_000, view(N2, 'Online')),
      ]),
      event(doneAt, N1, 'move-completed', { role: 'vm1', from: N1, to: N2 }),
    ]);
  }

  it('does not count a role Pending while an operator moves it, within the bound of the move', () => {
    // Without the allowance the window would open at 25 s, 19 s after the heal (bound 8.2 s).
    const r = livenessAfterHeal(moved(25_000));
    expect(r.verdict).toBe('pass');
    expect(r.details).toContain('from 0 ms after the last heal at t=6000 ms');
  });

  it('fails a role still Pending after its move has had the bound', () => {
    const r = livenessAfterHeal(moved(30_000));
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain('vm1 was Pending on HVR2NODO1');
  });

  it('takes a recovery fault recorded on its own (heal) as the last heal', () => {
    expect(
      lastHealAt([fault(1000, 'start', 'p', 'partition', [N1]), fault(3000, 'start', 'h', 'heal', [])]),
    ).toBe(3000);
    expect(lastHealAt([fault(1000, 'start', 'p', 'partition', [N1])])).toBeNull();
  });

  describe('a role left Failed by its failover threshold (Event 1254)', () => {
    /**
     * Both nodes see vm1 Online until 5 s, Failed from then until `healthyFrom`, Online after (vm2
     * Online throughout); a kill lifted at 6 s; a 1254 for vm1 at 5 s; RetryPeriodOnFailure
     * `retryMs` in the start line's profile (none when absent).
     */
    function thresholded(end: number, healthyFrom: number, retryMs?: number): HistoryEntry[] {
      const view = (s: string) => ({ members: both, roles: { vm1: { owner: N1, state: s }, vm2: online } });
      const start = runLine(0, 'start');
      const profile = {
        sameSubnetDelayMs: 250,
        sameSubnetThreshold: 4,
        witnessChallengeWaitMs: 750,
        vmBootMs: 300,
      };
      const h = [
        retryMs === undefined
          ? start
          : { ...start, profile: { ...profile, retryPeriodOnFailureMs: retryMs } },
        ...[N1, N2].flatMap((n, i) => [
          ...samples(n, i * 50, 5000, view('Online')),
          ...samples(n, 5000 + i * 50, healthyFrom, view('Failed')),
          ...samples(n, healthyFrom + i * 50, end, view('Online')),
        ]),
        fault(4000, 'start', 'f1', 'kill', [N2]),
        fault(6000, 'end', 'f1', 'kill', [N2]),
      ];
      const e1254 = {
        ...event(5000, N1, 'role-failed', { role: 'vm1', reason: 'failover-threshold' }),
        eventId: 1254,
      };
      return inOrder([...h, e1254]);
    }

    it('is unknown for that role, never pass, when the history ends before its retry + the bound', () => {
      // Retry due at 5 s + 60 s = 65 s; the history ends at 20 s, vm2 and both nodes settled.
      const r = livenessAfterHeal(thresholded(20_000, 20_000, 60_000));
      expect(r.verdict).toBe('unknown');
      expect(r.details).toContain('1 role(s) Online and 2 node(s) in the cluster from');
      expect(r.details).toContain(
        'vm1 was left Failed by its failover threshold (Event 1254 at t=5000 ms): not expected Online before its retry after RetryPeriodOnFailure at t=65000 ms + 8200 ms, after the history ends.',
      );
      // The same history without the 1254 fails: the checker used to fail every such run.
      const without = thresholded(20_000, 20_000, 60_000).filter((e) => e.type !== 'event');
      expect(livenessAfterHeal(without).verdict).toBe('fail');
    });

    it('passes the role back Online within the bound after its retry, and fails it when it is not', () => {
      // Retry due at 5 s + 10 s = 15 s: back at 16 s passes; still Failed at 30 s fails.
      expect(livenessAfterHeal(thresholded(30_000, 16_000, 10_000))).toMatchObject({ verdict: 'pass' });
      const late = livenessAfterHeal(thresholded(40_000, 35_000, 10_000));
      expect(late.verdict).toBe('fail');
      expect(late.details).toContain(
        'vm1 was left Failed by its failover threshold (Event 1254 at t=5000 ms): Not settled for good within 8200 ms of its retry after RetryPeriodOnFailure at t=15000 ms',
      );
    });

    it("takes the named profile's RetryPeriodOnFailure when the start line has none, and a retry already past is no excuse", () => {
      // fast: 5 s, so the retry was due at 10 s, and the role is judged with the rest from the heal.
      expect(thresholdFailures(thresholded(20_000, 20_000), ['vm1', 'vm2'], 11_000).size).toBe(0);
      expect(livenessAfterHeal(thresholded(20_000, 20_000)).verdict).toBe('fail');
      expect(thresholdFailures(thresholded(20_000, 20_000), ['vm1'], 6000).get('vm1')).toEqual({
        failedAt: 5000,
        dueAt: 10_000,
      });
    });
  });
});
