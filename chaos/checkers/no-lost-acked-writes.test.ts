import { describe, expect, it } from 'vitest';
import type { HistoryEntry, ReadbackRecord } from '../history.js';
import { cleanRun, found, inOrder, legacyOf, N1, readback, VM1_ON_N1, VM1_ON_N2, write } from './fixtures.js';
import { noLostAckedWrites } from './no-lost-acked-writes.js';

function withReadback(h: HistoryEntry[], r: HistoryEntry | null): HistoryEntry[] {
  return inOrder([...h.filter((e) => e.type !== 'readback'), ...(r ? [r] : [])]);
}

/** What the clean run reads back for records 1..20, with `change` applied to some. */
function records(change: (r: ReadbackRecord) => ReadbackRecord | null = (r) => r): ReadbackRecord[] {
  const out: ReadbackRecord[] = [];
  for (let seq = 1; seq <= 20; seq++) {
    const r = change(found('vm1', seq, seq < 10 ? VM1_ON_N2 : VM1_ON_N1));
    if (r) out.push(r);
  }
  return out;
}

describe('no-lost-acked-writes', () => {
  it('passes the clean run, whose 20 acknowledged records all read back from their writers', () => {
    const r = noLostAckedWrites(cleanRun());
    expect(r).toMatchObject({
      verdict: 'pass',
      details: 'All 20 acknowledged records read back intact, each from the writer that acknowledged it.',
    });
  });

  it('fails when an acknowledged record is missing from the read-back', () => {
    const r = noLostAckedWrites(withReadback(cleanRun(), readback(25_000, 'vm1', 20, [5], [], records())));
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain('vm1 lost 1 of 20 acknowledged records: #5 missing');
    expect(r.offending).toContainEqual(expect.objectContaining({ f: 'write', phase: 'ok', seq: 5 }));
  });

  it('fails when an acknowledged record reads back wrong', () => {
    const rb = readback(25_000, 'vm1', 20, [], [{ seq: 7, reason: 'crc: mismatch' }], records());
    const r = noLostAckedWrites(withReadback(cleanRun(), rb));
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain('#7 crc: mismatch');
  });

  it('fails when a record was rewritten under the same sequence number by a new writer', () => {
    // Record 9, acknowledged by vm1 on blade 2, was lost; vm1 restarted on N1 wrote a record 9 of its own.
    const rewritten = records((r) => (r.seq === 9 ? found('vm1', 9, VM1_ON_N1) : r));
    const r = noLostAckedWrites(withReadback(cleanRun(), readback(25_000, 'vm1', 20, [], [], rewritten)));
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(
      `#9 rewritten by ${N1} (vm1-2): the record acknowledged from HVR2NODO2 (vm1-1) is lost`,
    );
  });

  it('fails when the rewrite was acknowledged too: the original acknowledgement still counts', () => {
    const h = inOrder([...cleanRun(), ...write('vm1', 9000, 9, 20_000, 'ok', VM1_ON_N1)]);
    const rewritten = records((r) => (r.seq === 9 ? found('vm1', 9, VM1_ON_N1) : r));
    const r = noLostAckedWrites(withReadback(h, readback(25_000, 'vm1', 20, [], [], rewritten)));
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain('vm1 lost 1 of 20 acknowledged records: #9 rewritten');
  });

  it('fails when the read-back checked fewer records than were acknowledged, naming them', () => {
    const fewer = records((r) => (r.seq === 20 ? null : r));
    const r = noLostAckedWrites(withReadback(cleanRun(), readback(25_000, 'vm1', 19, [], [], fewer)));
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain('#20 not read back');
    const legacy = noLostAckedWrites(withReadback(legacyOf(cleanRun()), readback(25_000, 'vm1', 19)));
    expect(legacy.verdict).toBe('fail');
    expect(legacy.details).toContain('only 19 of 20 acknowledged records were checked');
  });

  it('accepts a slot a newer lap of the journal reused', () => {
    const lapped = records((r) => (r.seq === 1 ? { seq: 1, present: false, overwrittenBy: 4097 } : r));
    const r = noLostAckedWrites(withReadback(cleanRun(), readback(25_000, 'vm1', 20, [], [], lapped)));
    expect(r.verdict).toBe('pass');
  });

  it('is unknown for a legacy history whose read-back names no writer: a rewrite cannot be ruled out', () => {
    const r = noLostAckedWrites(legacyOf(cleanRun()));
    expect(r.verdict).toBe('unknown');
    expect(r.details).toContain('vm1: 20 record(s) read back without a writer or content hash to compare');
  });

  it('still fails a legacy history whose read-back lists a missing record', () => {
    const r = noLostAckedWrites(withReadback(legacyOf(cleanRun()), readback(25_000, 'vm1', 20, [5])));
    expect(r.verdict).toBe('fail');
  });

  it('does not count a timed-out write as lost: its outcome is unknown', () => {
    const h = withReadback(
      [...cleanRun(), ...write('vm1', 9000, 21, 24_000, 'info', VM1_ON_N1)],
      readback(25_000, 'vm1', 20, [], [], records()),
    );
    const r = noLostAckedWrites(h);
    expect(r.verdict).toBe('pass');
    expect(r.details).toContain('1 write(s) with an unknown outcome are not counted');
  });

  it('does not count a failed write as lost', () => {
    const h = withReadback(
      [...cleanRun(), ...write('vm1', 9000, 21, 24_000, 'fail', VM1_ON_N1)],
      readback(25_000, 'vm1', 20, [], [], records()),
    );
    expect(noLostAckedWrites(h).verdict).toBe('pass');
  });

  it('is unknown when a VM has acknowledged writes but no read-back', () => {
    const r = noLostAckedWrites(withReadback(cleanRun(), null));
    expect(r).toMatchObject({ verdict: 'unknown', details: 'No read-back for vm1 (20 acknowledged).' });
  });

  it('is unknown when nothing was acknowledged', () => {
    expect(noLostAckedWrites([]).verdict).toBe('unknown');
  });
});
