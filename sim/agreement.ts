/**
 * Simulation and reality agree when a chaos experiment tells the same story in both: the same
 * cluster events, logged by the same nodes, in the same order on each node (docs/simulation.md
 * §Simulation and reality). Times are left out, and so are the events whose count or presence
 * depends on timing in either world (CSV I/O modes, network interface states, configuration
 * reads, repeated witness denials). Two races that docs/design.md §Leases during arbitration
 * names as legitimate either way are folded: a cut-off node leaves the cluster for lack of quorum
 * (1177) or because it found itself fenced first, and whether it noticed its peers' silence
 * before that depends on where its heartbeat timer stood.
 */
import { type EventEntry, entriesOf, type History } from '../chaos/history.js';

/** Events that tell the story, by kind: what each names besides its node. */
const STORY: Record<string, (e: EventEntry) => unknown> = {
  'node-removed': (e) => e.data.node,
  fenced: (e) => (Array.isArray(e.data.victims) ? [...e.data.victims].sort().join('+') : ''),
  failover: (e) => e.data.role,
  'role-online': (e) => e.data.role,
  'node-joined': (e) => e.data.node,
  joined: () => '',
  left: () => '',
};

/** The three ways a node leaves the cluster, one in the story. */
const LEAVING = new Set(['quorum-lost', 'fenced-self', 'left-cluster']);

/**
 * Each node's story from the first fault on: `kind` or `kind:subject` lines in the order the
 * node logged them, a node's own removals of peers before it left dropped (the race above).
 */
export function eventStory(h: History): Record<string, string[]> {
  const from = entriesOf(h, 'fault').find((f) => f.phase === 'start')?.t ?? 0;
  const byNode = new Map<string, { kind: string; line: string }[]>();
  for (const e of entriesOf(h, 'event')) {
    if (e.t < from) continue;
    const kind = LEAVING.has(e.kind) ? 'left' : e.kind;
    const subject = STORY[kind]?.(e);
    if (subject === undefined) continue;
    const list = byNode.get(e.node) ?? [];
    list.push({ kind, line: subject === '' ? kind : `${kind}:${String(subject)}` });
    byNode.set(e.node, list);
  }
  const out: Record<string, string[]> = {};
  for (const [node, list] of [...byNode].sort(([a], [b]) => a.localeCompare(b))) {
    const left = list.findIndex((x) => x.kind === 'left');
    out[node] = list.filter((x, i) => !(x.kind === 'node-removed' && i < left)).map((x) => x.line);
  }
  return out;
}
