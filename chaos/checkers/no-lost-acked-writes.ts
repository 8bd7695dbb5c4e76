/**
 * no-lost-acked-writes: every record a VM's disk acknowledged reads back intact, in its place,
 * from the storage controller at the end — the very record acknowledged, not one a later writer
 * put under the same sequence number. A VM restarted after a failover continues from the newest
 * record on disk, so a lost record N is written again by the new instance; only the writer and
 * the content hash tell the two apart. A write that failed (surely not written) or whose outcome
 * is unknown (info: timed out, indefinite) may or may not be there, so it never counts as lost —
 * the distinction Jepsen's checkers rely on. The read-back must have checked as many records as
 * the history acknowledged.
 */
import {
  entriesOf,
  type History,
  type HistoryEntry,
  type OpEntry,
  type ReadbackEntry,
  type ReadbackRecord,
} from '../history.js';
import { type CheckResult, offendingList } from './types.js';

/** Each VM's acknowledged writes: seq → every distinct acknowledgement of it. */
function ackedWrites(h: History): { acked: Map<string, Map<number, OpEntry[]>>; uncertain: number } {
  const acked = new Map<string, Map<number, OpEntry[]>>();
  let uncertain = 0;
  for (const op of entriesOf(h, 'op')) {
    if (op.f !== 'write' || op.seq === undefined) continue;
    if (op.phase === 'info') uncertain++;
    if (op.phase !== 'ok') continue;
    const seqs = acked.get(op.vm) ?? new Map<number, OpEntry[]>();
    const list = seqs.get(op.seq) ?? [];
    const same = list.some(
      (o) => o.host === op.host && o.incarnation === op.incarnation && o.hash === op.hash,
    );
    if (!same) list.push(op);
    seqs.set(op.seq, list);
    acked.set(op.vm, seqs);
  }
  return { acked, uncertain };
}

/** What became of one VM's acknowledged records. */
interface VmOutcome {
  lost: string[];
  /** Records read back whose writer nothing identifies: a rewrite cannot be ruled out. */
  unverifiable: number;
  offending: HistoryEntry[];
}

/** Whether the record read is the one acknowledged; null when nothing can tell. */
function sameRecord(op: OpEntry, rec: ReadbackRecord): boolean | null {
  if (op.hash !== undefined && rec.hash !== undefined) return op.hash === rec.hash;
  if (op.incarnation !== undefined && rec.incarnation !== undefined)
    return op.incarnation === rec.incarnation && (op.host === undefined || op.host === rec.writer);
  return null;
}

/** Judges one acknowledgement against the read-back's records. */
function judgeAck(
  op: OpEntry,
  rec: ReadbackRecord | undefined,
  bad: string | undefined,
): string | null | true {
  const seq = op.seq!;
  if (bad !== undefined) return `#${seq} ${bad}`;
  if (!rec) return `#${seq} not read back`;
  if (rec.overwrittenBy !== undefined && rec.overwrittenBy > seq) return true;
  if (!rec.present) return `#${seq} missing`;
  const same = sameRecord(op, rec);
  if (same === null) return null;
  if (same) return true;
  const by = `${rec.writer ?? 'another writer'}${rec.incarnation ? ` (${rec.incarnation})` : ''}`;
  const was = `${op.host ?? '?'}${op.incarnation ? ` (${op.incarnation})` : ''}`;
  return `#${seq} rewritten by ${by}: the record acknowledged from ${was} is lost`;
}

/** What became of one VM's acknowledged records, by the read-back. */
function outcomeOf(seqs: Map<number, OpEntry[]>, r: ReadbackEntry): VmOutcome {
  const out: VmOutcome = { lost: [], unverifiable: 0, offending: [] };
  const missing = new Set(r.missing);
  const bad = new Map(r.bad.map((b) => [b.seq, b.reason]));
  const records = r.records ? new Map(r.records.map((x) => [x.seq, x])) : null;
  for (const [seq, ops] of [...seqs].sort(([a], [b]) => a - b)) {
    for (const op of ops) {
      let verdict: string | null | true;
      if (missing.has(seq)) verdict = `#${seq} missing`;
      else if (records) verdict = judgeAck(op, records.get(seq), bad.get(seq));
      else verdict = bad.has(seq) ? `#${seq} ${bad.get(seq)}` : null;
      if (verdict === null) out.unverifiable++;
      else if (verdict !== true) {
        out.lost.push(verdict);
        out.offending.push(op);
      }
    }
  }
  // Without records the read-back says only how many it checked: fewer than acknowledged is a loss.
  if (!records && r.checked < seqs.size)
    out.lost.push(`only ${r.checked} of ${seqs.size} acknowledged records were checked`);
  if (out.lost.length > 0) out.offending.push(r);
  return out;
}

/** Checks the read-back of every acknowledged write. */
export function noLostAckedWrites(h: History): CheckResult {
  const name = 'no-lost-acked-writes';
  const { acked, uncertain } = ackedWrites(h);
  if (acked.size === 0)
    return { name, verdict: 'unknown', details: 'The history has no acknowledged writes to read back.' };
  const readbacks = new Map<string, ReadbackEntry>();
  for (const r of entriesOf(h, 'readback')) readbacks.set(r.vm, r);
  const lost: string[] = [];
  const unsure: string[] = [];
  const offending: HistoryEntry[] = [];
  let total = 0;
  for (const [vm, seqs] of [...acked].sort(([a], [b]) => a.localeCompare(b))) {
    total += seqs.size;
    const r = readbacks.get(vm);
    if (!r) {
      unsure.push(`No read-back for ${vm} (${seqs.size} acknowledged)`);
      continue;
    }
    const o = outcomeOf(seqs, r);
    offending.push(...o.offending);
    if (o.lost.length > 0)
      lost.push(
        `${vm} lost ${o.lost.length} of ${seqs.size} acknowledged records: ${o.lost.slice(0, 10).join(', ')}${o.lost.length > 10 ? ', …' : ''}`,
      );
    if (o.unverifiable > 0)
      unsure.push(
        `${vm}: ${o.unverifiable} record(s) read back without a writer or content hash to compare, so a sequence number rewritten by a new writer cannot be told from the acknowledged original`,
      );
  }
  const note = uncertain > 0 ? ` ${uncertain} write(s) with an unknown outcome are not counted.` : '';
  if (lost.length > 0)
    return {
      name,
      verdict: 'fail',
      details: `${lost.join('. ')}.${note}`,
      offending: offendingList(offending),
    };
  if (unsure.length > 0) return { name, verdict: 'unknown', details: `${unsure.join('. ')}.${note}` };
  return {
    name,
    verdict: 'pass',
    details: `All ${total} acknowledged records read back intact, each from the writer that acknowledged it.${note}`,
  };
}
