import { describe, expect, it } from 'vitest';
import { longestOutageMs, type SeedReport, seedChecks } from './seed.js';

/** A report in which the tutorial's promises all hold. */
function goodReport(): SeedReport {
  return {
    scenario: 'seed',
    ok: false,
    timing: 'fast',
    checks: [],
    liveMigration: {
      vm: 'VirtualMachine2',
      from: 'HVR2NODO2',
      to: 'HVR2NODO1',
      passes: 3,
      bytesCopied: 1,
      durationMs: 1,
      blackoutMs: 1,
      lostPings: 1,
      pingsDuring: 20,
      lost: [{ atMs: 350, error: 'Request timed out' }],
    },
    powerOff: {
      bay: 2,
      node: 'HVR2NODO2',
      csvCoordinatorBefore: 'HVR2NODO2',
      csvCoordinatorAfter: 'HVR2NODO1',
      detectionMs: 5000,
      quorumAfter: { hasQuorum: true, votes: 2, needed: 2 },
      quorumLostEvents: 0,
      vms: [
        {
          name: 'VirtualMachine2',
          hostBefore: 'HVR2NODO1',
          hostAfter: 'HVR2NODO1',
          lostPings: 0,
          downtimeMs: 0,
          restarted: false,
        },
        {
          name: 'VirtualMachine1',
          hostBefore: 'HVR2NODO2',
          hostAfter: 'HVR2NODO1',
          lostPings: 40,
          downtimeMs: 4000,
          restarted: true,
        },
      ],
    },
    events: [],
  };
}

describe('seed scenario report', () => {
  it('passes every check when the tutorial held', () => {
    expect(seedChecks(goodReport()).map((c) => c.ok)).toEqual([true, true, true, true, true]);
  });

  it('fails the live-migration check when more than 2 pings were lost', () => {
    const r = goodReport();
    r.liveMigration.lostPings = 3;
    r.liveMigration.lost = [100, 200, 300].map((atMs) => ({ atMs, error: 'Request timed out' }));
    const checks = seedChecks(r);
    expect(checks[0]).toEqual({
      name: 'live migration lost at most 2 pings',
      ok: false,
      detail:
        '3 lost in a 1 ms move with a 1 ms blackout (+100 ms: Request timed out; +200 ms: Request timed out; +300 ms: Request timed out)',
    });
    expect(checks.slice(1).map((c) => c.ok)).toEqual([true, true, true, true]);
  });

  it('fails the quorum check when the survivor logged Event 1177, even if it counts 2 votes again', () => {
    const r = goodReport();
    r.powerOff.quorumLostEvents = 1;
    const checks = seedChecks(r);
    expect(checks[4]).toEqual({
      name: 'quorum held with 2 of 3 votes',
      ok: false,
      detail: '2 votes, 2 needed; 1 Event 1177 on HVR2NODO1',
    });
    expect(checks.slice(0, 4).map((c) => c.ok)).toEqual([true, true, true, true]);
  });

  it('measures the longest run of lost pings, one ping interval each', () => {
    const ok = { ok: true };
    const lost = { ok: false };
    expect(longestOutageMs([ok, lost, lost, ok, lost, lost, lost, ok])).toBe(300);
    expect(longestOutageMs([ok, ok])).toBe(0);
  });
});
