import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../history.js';
import { cleanRun, inOrder, readback, write } from './fixtures.js';
import { noLostAckedWrites } from './no-lost-acked-writes.js';

function withReadback(h: HistoryEntry[], r: HistoryEntry | null): HistoryEntry[] {
  return inOrder([...h.filter((e) => e.type !== 'readback'), ...(r ? [r] : [])]);
}

describe('no-lost-acked-writes', () => {
  it('passes the clean run, whose 20 acknowledged records all read back', () => {
    const r = noLostAckedWrites(cleanRun());
    expect(r).toMatchObject({ verdict: 'pass', details: 'All 20 acknowledged records read back intact.' });
  });

  it('fails when an acknowledged record is missing from the read-back', () => {
    const r = noLostAckedWrites(withReadback(cleanRun(), readback(25_000, 'vm1', 20, [5])));
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain('vm1 lost 1 of 20 acknowledged records: #5 missing');
    expect(r.offending).toContainEqual(expect.objectContaining({ f: 'write', phase: 'ok', seq: 5 }));
  });

  it('fails when an acknowledged record reads back wrong', () => {
    const r = noLostAckedWrites(
      withReadback(cleanRun(), readback(25_000, 'vm1', 20, [], [{ seq: 7, reason: 'crc: mismatch' }])),
    );
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain('#7 crc: mismatch');
  });

  it('does not count a timed-out write as lost: its outcome is unknown', () => {
    const h = withReadback(
      [...cleanRun(), ...write('vm1', 9000, 21, 24_000, 'info')],
      readback(25_000, 'vm1', 20, [21]),
    );
    const r = noLostAckedWrites(h);
    expect(r.verdict).toBe('pass');
    expect(r.details).toContain('1 write(s) with an unknown outcome are not counted');
  });

  it('does not count a failed write as lost', () => {
    const h = withReadback(
      [...cleanRun(), ...write('vm1', 9000, 21, 24_000, 'fail')],
      readback(25_000, 'vm1', 20, [21]),
    );
    expect(noLostAckedWrites(h).verdict).toBe('pass');
  });

  it('is unknown when a VM has acknowledged writes but no read-back', () => {
    const r = noLostAckedWrites(withReadback(cleanRun(), null));
    expect(r).toMatchObject({ verdict: 'unknown', details: 'No read-back for vm1 (20 acknowledged).' });
  });
});
