/**
 * fencing-before-takeover: a node takes a disk only after the previous owner was preempted.
 * WSFC preempts a removed node's SCSI-3 persistent reservation keys before it brings that node's
 * disks and roles online elsewhere (docs/domain.md §Persistent reservations), so every takeover of a CSV and every
 * failover of a role from node P must follow a `fenced` event whose victims include P — one
 * logged after P last (re)joined, since a returning node registers its keys again.
 */
import { type EventEntry, entriesOf, type History, type HistoryEntry } from '../history.js';
import { at, type CheckResult, offendingList } from './types.js';

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** The nodes an event shows as (back) in the cluster, whose keys are registered again. */
function rejoined(e: EventEntry): string[] {
  if (e.kind === 'joined') return [e.node];
  if (e.kind === 'node-joined') return strings([e.data.node]);
  if (e.kind === 'cluster-formed') return strings(e.data.members);
  return [];
}

/** A takeover that needs the previous owner fenced first. */
interface Takeover {
  event: EventEntry;
  from: string;
  what: string;
}

/** Checks that every takeover follows a fence of the node it takes from. */
export function fencingBeforeTakeover(h: History): CheckResult {
  const name = 'fencing-before-takeover';
  // Events of one instant (fenced and csv-coordinator come from one decision) keep file order.
  const events = entriesOf(h, 'event')
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.t - b.e.t || a.i - b.i)
    .map((x) => x.e);
  if (events.length === 0) {
    // No events at all: either nothing was taken over, or the recorder never reached the nodes.
    // The nodes' own samples tell which: with samples and no events, nothing changed hands.
    if (entriesOf(h, 'state').length === 0)
      return {
        name,
        verdict: 'unknown',
        details: 'The history has neither cluster events nor state samples, so no takeover can be judged.',
      };
    return {
      name,
      verdict: 'pass',
      details: 'No disk or role changed hands: the nodes reported no takeover.',
    };
  }
  /** Node → the fenced event that preempted it since it last joined. */
  const fencedBy = new Map<string, EventEntry>();
  const problems: string[] = [];
  const offending: HistoryEntry[] = [];
  let takeovers = 0;
  for (const e of events) {
    if (e.kind === 'fenced') {
      for (const v of strings(e.data.victims)) fencedBy.set(v, e);
      continue;
    }
    for (const n of rejoined(e)) fencedBy.delete(n);
    const t = takeoverOf(e);
    if (!t) continue;
    takeovers++;
    if (fencedBy.has(t.from)) continue;
    problems.push(`${e.node} took ${t.what} from ${t.from} at ${at(e.t)} without fencing ${t.from} first`);
    offending.push(e);
  }
  if (problems.length > 0)
    return {
      name,
      verdict: 'fail',
      details: problems.slice(0, 5).join('. ') + (problems.length > 5 ? ` (${problems.length} in all)` : ''),
      offending: offendingList(offending),
    };
  return {
    name,
    verdict: 'pass',
    details:
      takeovers === 0
        ? `${events.length} events, no takeover from another node to judge.`
        : `All ${takeovers} takeover(s) followed a fence of the previous owner.`,
  };
}

function takeoverOf(e: EventEntry): Takeover | null {
  if (e.kind === 'csv-coordinator' && e.data.reason === 'takeover') {
    const from = str(e.data.previous);
    const to = str(e.data.coordinator);
    if (!from || from === to) return null;
    return { event: e, from, what: `CSV ${String(e.data.volume)}` };
  }
  if (e.kind === 'failover') {
    const from = str(e.data.from);
    if (!from) return null;
    return { event: e, from, what: `role ${String(e.data.role)}` };
  }
  return null;
}
