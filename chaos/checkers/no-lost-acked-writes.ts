/**
 * no-lost-acked-writes: every record a VM's disk acknowledged reads back intact, in its place,
 * from the storage controller at the end. A write that failed (surely not written) or whose
 * outcome is unknown (info: timed out, indefinite) may or may not be there, so it never counts
 * as lost — the distinction Jepsen's checkers rely on.
 */
import { entriesOf, type History, type HistoryEntry, type OpEntry, type ReadbackEntry } from '../history.js';
import { type CheckResult, offendingList } from './types.js';

/** Checks the read-back of every acknowledged write. */
export function noLostAckedWrites(h: History): CheckResult {
  const name = 'no-lost-acked-writes';
  const acked = new Map<string, Map<number, OpEntry>>();
  let uncertain = 0;
  for (const op of entriesOf(h, 'op')) {
    if (op.f !== 'write' || op.seq === undefined) continue;
    if (op.phase === 'info') uncertain++;
    if (op.phase !== 'ok') continue;
    const seqs = acked.get(op.vm) ?? new Map<number, OpEntry>();
    seqs.set(op.seq, op);
    acked.set(op.vm, seqs);
  }
  if (acked.size === 0)
    return { name, verdict: 'unknown', details: 'The history has no acknowledged writes to read back.' };
  const readbacks = new Map<string, ReadbackEntry>();
  for (const r of entriesOf(h, 'readback')) readbacks.set(r.vm, r);
  const lost: string[] = [];
  const unread: string[] = [];
  const offending: HistoryEntry[] = [];
  let total = 0;
  for (const [vm, seqs] of [...acked].sort(([a], [b]) => a.localeCompare(b))) {
    total += seqs.size;
    const r = readbacks.get(vm);
    if (!r) {
      unread.push(`${vm} (${seqs.size} acknowledged)`);
      continue;
    }
    const missing = new Set(r.missing);
    const bad = new Map(r.bad.map((b) => [b.seq, b.reason]));
    const gone: string[] = [];
    for (const [seq, op] of [...seqs].sort(([a], [b]) => a - b)) {
      if (missing.has(seq)) gone.push(`#${seq} missing`);
      else if (bad.has(seq)) gone.push(`#${seq} ${bad.get(seq)}`);
      else continue;
      offending.push(op);
    }
    if (gone.length > 0) {
      offending.push(r);
      lost.push(
        `${vm} lost ${gone.length} of ${seqs.size} acknowledged records: ${gone.slice(0, 10).join(', ')}${gone.length > 10 ? ', …' : ''}`,
      );
    }
  }
  const note = uncertain > 0 ? ` ${uncertain} write(s) with an unknown outcome are not counted.` : '';
  if (lost.length > 0)
    return {
      name,
      verdict: 'fail',
      details: lost.join('. ') + '.' + note,
      offending: offendingList(offending),
    };
  if (unread.length > 0)
    return { name, verdict: 'unknown', details: `No read-back for ${unread.join(', ')}.${note}` };
  return { name, verdict: 'pass', details: `All ${total} acknowledged records read back intact.${note}` };
}
