/**
 * Takeovers, from three kinds of evidence: ownership changes in the state samples (a role's
 * owner, a CSV's coordinator), the nodes' own failover and CSV events, and the storage
 * controller's log (a VM's disk written by a new host). A change of hands is a takeover only when
 * the previous owner had left the membership: a planned move, or a failover because a resource
 * failed while its node stayed a healthy member, needs no fence, since the cluster fences only
 * the nodes it removed (docs/domain.md §Persistent reservations).
 */
import { type EventEntry, entriesOf, type History, type HistoryEntry, type StateEntry } from '../history.js';
import { type Layout, vmOfWrite, writerOf } from './evidence.js';

/** One thing taken from a node that had left the membership. */
export interface Takeover {
  /** `role R` or `CSV V`. */
  what: string;
  /** The role's VM or the volume, to find its LUN. */
  kind: 'role' | 'csv';
  name: string;
  from: string;
  to: string;
  /** When the takeover was first seen: the fence must come before. */
  t: number;
  /** Where it was seen. */
  source: 'samples' | 'events' | 'controller';
  entry: HistoryEntry;
}

/** The takeovers found, and changes of hands whose kind the history cannot tell. */
export interface Takeovers {
  takeovers: Takeover[];
  /** Changes of hands for which nothing says whether the previous owner was still a member. */
  undetermined: string[];
  /** How many ownership observations (quorate samples naming an owner) the history has. */
  observations: number;
}

/** The latest sample of `node` at or before `t`. */
export function viewAt(byNode: Map<string, StateEntry[]>, node: string, t: number): StateEntry | null {
  let found: StateEntry | null = null;
  for (const s of byNode.get(node) ?? []) {
    if (s.t > t) break;
    found = s;
  }
  return found;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Whether an event shows `node` (back) in the cluster. */
function rejoins(e: EventEntry, node: string): boolean {
  if (e.kind === 'joined') return e.node === node;
  if (e.kind === 'node-joined') return e.data.node === node;
  if (e.kind === 'cluster-formed') return Array.isArray(e.data.members) && e.data.members.includes(node);
  return false;
}

/**
 * Whether `from` had left the membership as `to` saw it at `t`: from `to`'s latest sample, else
 * from a node-removed event since `from` last (re)joined; null when nothing tells.
 */
function removedAt(h: History, byNode: Map<string, StateEntry[]>, from: string, to: string, t: number) {
  const view = viewAt(byNode, to, t);
  if (view && view.service === 'Running') return !view.members.includes(from);
  let removed: boolean | null = null;
  for (const e of entriesOf(h, 'event')) {
    if (e.t > t) continue;
    if (rejoins(e, from)) removed = false;
    else if (e.kind === 'node-removed' && e.data.node === from) removed = true;
  }
  return removed;
}

/** Ownership changes seen by nodes with quorum: `what` passed from one node to another. */
function fromSamples(byNode: Map<string, StateEntry[]>): { found: Takeover[]; observations: number } {
  const found: Takeover[] = [];
  let observations = 0;
  for (const list of byNode.values()) {
    const last = new Map<string, string>();
    for (const s of list) {
      if (s.service !== 'Running' || !s.hasQuorum) continue;
      const owners: [string, 'role' | 'csv', string, string][] = [
        ...Object.entries(s.roles).map(
          ([r, v]) => [`role ${r}`, 'role', r, v.owner] as [string, 'role', string, string],
        ),
        ...Object.entries(s.csv).map(
          ([v, c]) => [`CSV ${v}`, 'csv', v, c] as [string, 'csv', string, string],
        ),
      ];
      for (const [what, kind, name, owner] of owners) {
        if (!owner) continue;
        observations++;
        const from = last.get(what);
        last.set(what, owner);
        if (!from || from === owner || s.members.includes(from)) continue;
        found.push({ what, kind, name, from, to: owner, t: s.t, source: 'samples', entry: s });
      }
    }
  }
  return { found, observations };
}

/** The nodes' own failover and CSV-takeover events whose previous owner had been removed. */
function fromEvents(h: History, byNode: Map<string, StateEntry[]>, undetermined: string[]): Takeover[] {
  const found: Takeover[] = [];
  for (const e of entriesOf(h, 'event')) {
    let t: Omit<Takeover, 't' | 'source' | 'entry'> | null = null;
    const from = e.kind === 'failover' ? str(e.data.from) : str(e.data.previous);
    const to = (e.kind === 'failover' ? str(e.data.to) : str(e.data.coordinator)) ?? e.node;
    if (e.kind === 'failover' && from)
      t = { what: `role ${String(e.data.role)}`, kind: 'role', name: String(e.data.role), from, to };
    if (e.kind === 'csv-coordinator' && e.data.reason === 'takeover' && from && from !== to)
      t = { what: `CSV ${String(e.data.volume)}`, kind: 'csv', name: String(e.data.volume), from, to };
    if (!t) continue;
    const removed = removedAt(h, byNode, t.from, e.node, e.t);
    if (removed === null)
      undetermined.push(`${e.node} logged that it took ${t.what} from ${t.from} at t=${Math.round(e.t)} ms`);
    if (removed) found.push({ ...t, t: e.t, source: 'events', entry: e });
  }
  return found;
}

/** A VM's disk written by a new host, from the controller's log, when the old one had been removed. */
function fromController(
  h: History,
  byNode: Map<string, StateEntry[]>,
  layout: Layout,
  undetermined: string[],
): Takeover[] {
  const found: Takeover[] = [];
  const writer = writerOf(h);
  const last = new Map<string, string>();
  for (const w of entriesOf(h, 'storage-write').sort((a, b) => a.t - b.t)) {
    const vm = vmOfWrite(layout, w);
    if (!vm) continue;
    const host = writer(w);
    const from = last.get(vm);
    last.set(vm, host);
    if (!from || from === host) continue;
    const removed = removedAt(h, byNode, from, host, w.t);
    const what = `role ${vm}`;
    if (removed === null)
      undetermined.push(`${host} wrote ${vm}'s disk after ${from} at t=${Math.round(w.t)} ms`);
    if (removed)
      found.push({ what, kind: 'role', name: vm, from, to: host, t: w.t, source: 'controller', entry: w });
  }
  return found;
}

/**
 * Every takeover the history shows, each once per source: the same change seen by several
 * nodes' samples within `mergeMs` of the first sighting counts once.
 */
export function takeoversOf(
  h: History,
  byNode: Map<string, StateEntry[]>,
  layout: Layout,
  mergeMs = 2000,
): Takeovers {
  const undetermined: string[] = [];
  const samples = fromSamples(byNode);
  const all = [
    ...samples.found,
    ...fromEvents(h, byNode, undetermined),
    ...fromController(h, byNode, layout, undetermined),
  ];
  all.sort((a, b) => a.t - b.t);
  const takeovers: Takeover[] = [];
  for (const x of all) {
    const seen = takeovers.some(
      (y) =>
        y.source === x.source &&
        y.what === x.what &&
        y.from === x.from &&
        y.to === x.to &&
        x.t - y.t < mergeMs,
    );
    if (!seen) takeovers.push(x);
  }
  return { takeovers, undetermined, observations: samples.observations };
}
