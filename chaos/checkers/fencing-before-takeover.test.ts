import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../history.js';
import { fencingBeforeTakeover } from './fencing-before-takeover.js';
import { cleanRun, event, inOrder, N1, N2 } from './fixtures.js';

function without(h: HistoryEntry[], kind: string): HistoryEntry[] {
  return h.filter((e) => !(e.type === 'event' && e.kind === kind));
}

describe('fencing-before-takeover', () => {
  it('passes the clean power-off run, which fences blade 2 before taking its disk and role', () => {
    expect(fencingBeforeTakeover(cleanRun())).toMatchObject({
      name: 'fencing-before-takeover',
      verdict: 'pass',
    });
  });

  it('fails a CSV takeover logged before the previous owner was fenced', () => {
    const h = inOrder([...without(cleanRun(), 'fenced'), event(7060, N1, 'fenced', { victims: [N2] })]);
    const r = fencingBeforeTakeover(h);
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(`${N1} took CSV Volume1 from ${N2} at t=7050 ms without fencing ${N2} first`);
    expect(r.offending).toContainEqual(expect.objectContaining({ kind: 'csv-coordinator' }));
    expect(r.offending).toContainEqual(expect.objectContaining({ kind: 'failover' }));
  });

  it('fails a failover from a node that was never fenced', () => {
    const h = inOrder([
      event(0, N1, 'cluster-formed', { members: [N1] }),
      event(100, N1, 'failover', { role: 'vm1', from: N2, to: N1 }),
    ]);
    const r = fencingBeforeTakeover(h);
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(`took role vm1 from ${N2}`);
  });

  it('needs a new fence once the victim has rejoined', () => {
    // N2 rejoined at 17 s, so the fence of 7 s no longer covers a takeover at 20 s.
    const h = inOrder([
      ...cleanRun(),
      event(20_000, N1, 'csv-coordinator', {
        volume: 'Volume1',
        coordinator: N1,
        previous: N2,
        reason: 'takeover',
      }),
    ]);
    expect(fencingBeforeTakeover(h).verdict).toBe('fail');
    const fencedAgain = inOrder([...h, event(19_000, N1, 'fenced', { victims: [N2] })]);
    expect(fencingBeforeTakeover(fencedAgain).verdict).toBe('pass');
  });

  it('does not ask a planned move to fence anybody', () => {
    const h = [
      event(0, N1, 'csv-coordinator', { volume: 'Volume1', coordinator: N2, previous: N1, reason: 'move' }),
    ];
    expect(fencingBeforeTakeover(h).verdict).toBe('pass');
  });

  it('is unknown, not pass, when the history has neither events nor state samples', () => {
    expect(
      fencingBeforeTakeover(cleanRun().filter((e) => e.type !== 'event' && e.type !== 'state')).verdict,
    ).toBe('unknown');
  });

  it('passes when the nodes were sampled and nothing changed hands', () => {
    expect(fencingBeforeTakeover(cleanRun().filter((e) => e.type !== 'event')).verdict).toBe('pass');
  });
});
