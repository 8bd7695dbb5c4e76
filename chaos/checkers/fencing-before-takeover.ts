/**
 * fencing-before-takeover: a node takes a disk only after the previous owner was preempted.
 * WSFC preempts a removed node's SCSI-3 persistent reservation keys before it brings that node's
 * disks and roles online elsewhere (docs/domain.md §Persistent reservations). Takeovers come
 * from the samples, the nodes' events and the controller's log (takeovers.ts); the fence must be
 * in the storage controller's own log: a preempt of the previous owner's key, on the LUN the
 * role's disk or the CSV lives on, by the new owner or a member of its partition, after the
 * previous owner last wrote the taken VM's disk (else last registered there) — but not before
 * it last became the role's owner: writes of a run it handed over by a planned move, which the
 * new owner then continued, need no fence — and before the takeover was seen and before the new
 * owner's first write to the taken disk, unless that write continued a planned move of the role
 * to it (continuesMove). A history without the controller's log cannot prove a
 * fence: its takeovers are `unknown` — unless the nodes' own events show no fence at all, which
 * fails as before.
 */
import {
  type EventEntry,
  entriesOf,
  type History,
  type HistoryEntry,
  type StateEntry,
  type StorageWriteEntry,
} from '../history.js';
import {
  hasControllerLog,
  type Layout,
  lastRegistration,
  layoutOf,
  preemptVictims,
  reservationsOf,
  writerOf,
  writesByVm,
} from './evidence.js';
import { samplesByNode } from './samples.js';
import { type Takeover, takeoversOf, viewAt } from './takeovers.js';
import { at, type CheckResult, offendingList } from './types.js';

/** How one takeover was judged. */
type Judgement = { ok: true } | { ok: false; why: string } | { ok: null; why: string };

/** The nodes that may fence for a takeover: the new owner and its partition, never the victim. */
function fencers(byNode: Map<string, StateEntry[]>, x: Takeover): Set<string> {
  const view = viewAt(byNode, x.to, x.t);
  const out = new Set([x.to, ...(view?.members ?? [])]);
  out.delete(x.from);
  return out;
}

/** The LUN a takeover's object lives on, from the layout. */
function lunOf(layout: Layout, x: Takeover): string | null {
  return x.kind === 'role' ? (layout.disks.get(x.name)?.lun ?? null) : (layout.volumes.get(x.name) ?? null);
}

/** The taken VM's disk writes in the controller's log, in time order (none for a CSV). */
function diskWrites(h: History, x: Takeover): readonly StorageWriteEntry[] {
  if (x.kind !== 'role') return [];
  return writesByVm(h).get(x.name) ?? [];
}

/**
 * Since when the previous owner must be fenced: its last write to the taken VM's disk before the
 * takeover was seen — the fence must cut off the instance that wrote it. A node that re-registers
 * afterwards as a member again (it rejoined, its VMs stopped) does not undo that; if it wrote the
 * disk again, no-split-brain sees the disk written by two hosts. Without a write of its own there
 * (a CSV, or a role it never wrote), since its last registration on the LUN.
 */
function fenceNeededSince(h: History, x: Takeover, registeredAt: number): number {
  const writer = writerOf(h);
  const own = diskWrites(h, x).filter((w) => w.t <= x.t && writer(w) === x.from);
  return own.at(-1)?.t ?? registeredAt;
}

/**
 * When `x.from` last became the owner of the taken role before the takeover: going back from the
 * takeover over the samples of nodes running with quorum (a stopped node's view is stale; of one
 * instant, those naming the new owner first), past those that already name the new owner, then through
 * the run that names `x.from`, the time of the sample before that run, which names another owner
 * (-infinity when there is none, or for a CSV). Its writes from before then belong to a run it
 * handed over (a planned move, a failover away and back), which needs no fence.
 */
function ownerSince(byNode: Map<string, StateEntry[]>, x: Takeover): number {
  if (x.kind !== 'role') return Number.NEGATIVE_INFINITY;
  const newOwnerFirst = (s: StateEntry) => (s.roles[x.name]?.owner === x.to ? 0 : 1);
  const owners = [...byNode.values()]
    .flat()
    .filter((s) => s.t <= x.t && s.service === 'Running' && s.hasQuorum && s.roles[x.name]?.owner)
    // Newest first; of one instant, those naming the new owner first: the observer samples every
    // node at once, and a member not yet told of the takeover still names the old owner there,
    // which would date the old owner's run from the takeover itself (four-node seed 9).
    .sort((a, b) => b.t - a.t || newOwnerFirst(a) - newOwnerFirst(b));
  let inRun = false;
  for (const s of owners) {
    const owner = s.roles[x.name]!.owner;
    if (owner === x.from) inRun = true;
    else if (inRun || owner !== x.to) return inRun ? s.t : Number.NEGATIVE_INFINITY;
  }
  return Number.NEGATIVE_INFINITY;
}

/** The new owner's first write to the taken VM's disk after `since` (infinity for a CSV). */
function firstWriteOfNewOwner(h: History, x: Takeover, since: number): number {
  const writer = writerOf(h);
  return diskWrites(h, x).find((w) => w.t > since && writer(w) === x.to)?.t ?? Number.POSITIVE_INFINITY;
}

/**
 * Whether the new owner's writes from `firstNew` on (all after the previous owner's last write)
 * continue a planned move that the takeover then completed: the leader logged a move of the role
 * from the previous owner to the new one before them. A quick migration's source saves its VM and
 * the target restores and runs it before the move's end commits the new owner; a source that dies
 * in between leaves its role to a failover to the very node that already runs it (found by the
 * simulation's swarm, seed 670 of the default timing). The fence is still due before the takeover.
 */
function continuesMove(h: History, x: Takeover, firstNew: number): boolean {
  if (x.kind !== 'role' || !Number.isFinite(firstNew)) return false;
  return entriesOf(h, 'event').some(
    (e) =>
      e.kind === 'move-started' &&
      e.t <= firstNew &&
      e.data.role === x.name &&
      e.data.from === x.from &&
      e.data.to === x.to,
  );
}

/** Judges a takeover against the controller's reservation log. */
function judgeByController(
  h: History,
  byNode: Map<string, StateEntry[]>,
  layout: Layout,
  x: Takeover,
): Judgement {
  const lun = lunOf(layout, x);
  if (!lun) return { ok: null, why: `no layout line says which LUN ${x.what} lives on` };
  const log = reservationsOf(h);
  const registered = lastRegistration(log, x.from, lun, x.t);
  const needed = fenceNeededSince(h, x, registered);
  const since = Math.max(needed, ownerSince(byNode, x));
  const firstNew = firstWriteOfNewOwner(h, x, since);
  const deadline = continuesMove(h, x, firstNew) ? x.t : Math.min(x.t, firstNew);
  const allowed = fencers(byNode, x);
  const preempts = log.filter(
    (r) => r.action === 'preempt' && r.t <= deadline && preemptVictims(log, r).includes(x.from),
  );
  // A preempt in the same millisecond as the victim's last write still comes after it: the
  // controller finishes the victim's writes in flight before the preempt takes effect, and never
  // acknowledges a preempted initiator's write afterwards.
  if (preempts.some((p) => p.lun === lun && p.t >= since && allowed.has(p.initiator.host)))
    return { ok: true };
  // Preempted after its last registration and its last write there, it stayed fenced: the
  // controller refuses every write of a key it removed until that key registers again, so no
  // fresh preempt is due for an ownership it gained since (four-node seed 32: a move's end gave
  // the role to a node that had been removed and fenced, and a failover took it from there
  // before it ever registered again).
  const keyGone = Math.max(needed, registered);
  if (preempts.some((p) => p.lun === lun && p.t >= keyGone && allowed.has(p.initiator.host)))
    return { ok: true };
  const near = preempts.filter((p) => p.t >= since);
  const wrong = near.find((p) => p.lun !== lun) ?? near.find((p) => !allowed.has(p.initiator.host));
  const why = wrong
    ? ` (the preempt at ${at(wrong.t)} was by ${wrong.initiator.host} on ${wrong.lun}, which does not count)`
    : '';
  return {
    ok: false,
    why: `no preempt of ${x.from}'s key on ${lun} in the controller's log before ${at(deadline)}${why}`,
  };
}

/** Judges a takeover by the nodes' own fenced events: they can only show that no fence happened. */
function judgeByEvents(events: EventEntry[], byNode: Map<string, StateEntry[]>, x: Takeover): Judgement {
  if (events.length === 0) return { ok: null, why: 'the history has no cluster events either' };
  const allowed = fencers(byNode, x);
  let fenced = false;
  for (const e of events) {
    if (e.t > x.t) break;
    if (e.kind === 'fenced' && Array.isArray(e.data.victims) && e.data.victims.includes(x.from))
      fenced ||= allowed.has(e.node);
    else if (
      (e.kind === 'joined' && e.node === x.from) ||
      (e.kind === 'node-joined' && e.data.node === x.from) ||
      (e.kind === 'cluster-formed' && Array.isArray(e.data.members) && e.data.members.includes(x.from))
    )
      fenced = false;
  }
  if (!fenced)
    return { ok: false, why: `without fencing ${x.from} first (not even by the nodes' own events)` };
  return { ok: null, why: "only the nodes' own fenced events say it was fenced" };
}

/** Checks that every takeover follows a fence of the node it takes from. */
export function fencingBeforeTakeover(h: History): CheckResult {
  const name = 'fencing-before-takeover';
  const byNode = samplesByNode(h);
  const layout = layoutOf(h);
  const found = takeoversOf(h, byNode, layout);
  const controller = hasControllerLog(h);
  // Events of one instant (fenced and failover come from one decision) keep file order.
  const events = entriesOf(h, 'event')
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.t - b.e.t || a.i - b.i)
    .map((x) => x.e);
  const failed: string[] = [];
  const unsure: string[] = [
    ...found.undetermined.map((u) => `${u}, and nothing says whether it was a takeover`),
  ];
  const offending: HistoryEntry[] = [];
  for (const x of found.takeovers) {
    const j = controller ? judgeByController(h, byNode, layout, x) : judgeByEvents(events, byNode, x);
    const line = `${x.to} took ${x.what} from ${x.from} at ${at(x.t)} (seen in the ${x.source})`;
    if (j.ok === false) {
      failed.push(`${line} ${j.why}`);
      offending.push(x.entry);
    } else if (j.ok === null) unsure.push(`${line}: ${j.why}`);
  }
  return verdictOf(name, failed, unsure, offending, found.takeovers.length, found.observations, controller);
}

function verdictOf(
  name: string,
  failed: string[],
  unsure: string[],
  offending: HistoryEntry[],
  takeovers: number,
  observations: number,
  controller: boolean,
): CheckResult {
  const list = (xs: string[]) => xs.slice(0, 5).join('. ') + (xs.length > 5 ? ` (${xs.length} in all)` : '');
  if (failed.length > 0)
    return { name, verdict: 'fail', details: list(failed), offending: offendingList(offending) };
  if (unsure.length > 0)
    return {
      name,
      verdict: 'unknown',
      details: `${list(unsure)}.${controller ? '' : ' The history has no storage controller log, so no fence can be proven.'}`,
    };
  if (takeovers > 0)
    return {
      name,
      verdict: 'pass',
      details: `All ${takeovers} takeover(s) followed a preempt of the previous owner's key in the controller's log.`,
    };
  if (observations === 0 && !controller)
    return {
      name,
      verdict: 'unknown',
      details:
        'The history has no sample of a node with quorum naming an owner and no controller log, so no takeover can be judged.',
    };
  return {
    name,
    verdict: 'pass',
    details: `No disk or role changed hands from a removed node (${observations} ownership observations${controller ? ', and the controller log' : ''}).`,
  };
}
