/**
 * Reading the independent evidence of a history: the storage controller's log (acknowledged
 * writes and reservation changes), the layout that maps its writes to VMs, and the timing
 * profile the run used. Shared by the checkers; every function is pure.
 */
import { TIMINGS } from '../../orchestrator/topology/timing.js';
import {
  entriesOf,
  type History,
  type LayoutEntry,
  memoOf,
  type ReservationEntry,
  type StorageWriteEntry,
  type TimingFigures,
} from '../history.js';

/** The timing figures of the run: recorded in its start line, else the named profile's. */
export function timingOf(h: History): TimingFigures | null {
  const start = entriesOf(h, 'run').find((r) => r.phase === 'start');
  if (!start) return null;
  if (start.profile) return start.profile;
  return TIMINGS[start.timing] ?? null;
}

/** Each CSV's LUN and each VM's disk, merged over every layout line (later lines win). */
export interface Layout {
  volumes: Map<string, string>;
  disks: Map<string, NonNullable<LayoutEntry['disks']>[string]>;
}

/** The layout the history recorded. */
export function layoutOf(h: History): Layout {
  const out: Layout = { volumes: new Map(), disks: new Map() };
  for (const l of entriesOf(h, 'layout')) {
    for (const [v, lun] of Object.entries(l.volumes ?? {})) out.volumes.set(v, lun);
    for (const [vm, d] of Object.entries(l.disks ?? {})) out.disks.set(vm, d);
  }
  return out;
}

/** Whether the history carries the storage controller's own log at all. */
export function hasControllerLog(h: History): boolean {
  return h.some((e) => e.type === 'storage-write' || e.type === 'reservation');
}

/** The VM whose disk a controller write falls into, or null (metadata, witness, other LUN). */
export function vmOfWrite(layout: Layout, w: StorageWriteEntry): string | null {
  for (const [vm, d] of layout.disks)
    if (d.lun === w.lun && w.offset >= d.offset && w.offset < d.offset + d.size) return vm;
  return null;
}

/**
 * The controller's writes to each VM's disk (vmOfWrite over the history's layout), each list in
 * time order (file order for equal times). Kept per history: fencing-before-takeover asks at every
 * takeover, and finding a write's VM for every write of a ten-minute history each time was a
 * tenth of the checkers' time in the simulation's swarm. Callers must not change the lists.
 */
export function writesByVm(h: History): ReadonlyMap<string, readonly StorageWriteEntry[]> {
  return memoOf(writesByVmCache, h, groupWritesByVm);
}

const writesByVmCache = new WeakMap<History, { length: number; value: Map<string, StorageWriteEntry[]> }>();

function groupWritesByVm(h: History): Map<string, StorageWriteEntry[]> {
  const layout = layoutOf(h);
  const out = new Map<string, StorageWriteEntry[]>();
  for (const w of entriesOf(h, 'storage-write')) {
    const vm = vmOfWrite(layout, w);
    if (!vm) continue;
    const list = out.get(vm);
    if (list) list.push(w);
    else out.set(vm, [w]);
  }
  for (const list of out.values()) list.sort((a, b) => a.t - b.t);
  return out;
}

/**
 * The host each controller write is attributed to. A write whose content hash matches a record a
 * VM's workload wrote is that workload's host's, even when it reached the controller through
 * another node: a node that lost its paths sends its I/O to the CSV's coordinator (redirected
 * I/O, docs/domain.md §Cluster Shared Volumes), so the initiator alone would name two hosts for
 * one writer. Any other write is its initiator's.
 */
export function writerOf(h: History): (w: StorageWriteEntry) => string {
  const byHash = memoOf(writersCache, h, writersByHash);
  return (w) => byHash.get(w.hash) ?? w.initiator.host;
}

/** Each history's writers by content hash: checkers ask for them at every takeover. */
const writersCache = new WeakMap<History, { length: number; value: Map<string, string> }>();

function writersByHash(h: History): Map<string, string> {
  const byHash = new Map<string, string>();
  for (const op of entriesOf(h, 'op'))
    if (op.f === 'write' && op.hash && op.host && op.phase !== 'fail') byHash.set(op.hash, op.host);
  return byHash;
}

/** Reservation changes in time order (file order for equal times). */
export function reservationsOf(h: History): ReservationEntry[] {
  return entriesOf(h, 'reservation')
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.t - b.e.t || a.i - b.i)
    .map((x) => x.e);
}

/**
 * The hosts a preempt fenced: the ones the controller named, else every host that registered
 * the victim key on that LUN before the preempt (on any LUN when none did there: a node's key is
 * the same on every LUN, so a preempt on the wrong LUN still names its victim).
 */
export function preemptVictims(log: ReservationEntry[], p: ReservationEntry): string[] {
  if (p.action !== 'preempt' || !p.victim) return [];
  if (p.victim.hosts && p.victim.hosts.length > 0) return p.victim.hosts;
  const onLun = new Set<string>();
  const anywhere = new Set<string>();
  for (const r of log) {
    if (r.t > p.t || r === p) break;
    if (r.action !== 'register' || r.key !== p.victim.key) continue;
    anywhere.add(r.initiator.host);
    if (r.lun === p.lun) onLun.add(r.initiator.host);
  }
  return [...(onLun.size > 0 ? onLun : anywhere)];
}

/** The last time `host` registered a key on `lun` at or before `t` (-Infinity if never). */
export function lastRegistration(log: ReservationEntry[], host: string, lun: string, t: number): number {
  let last = Number.NEGATIVE_INFINITY;
  for (const r of log) {
    if (r.t > t) break;
    if (r.action === 'register' && r.lun === lun && r.initiator.host === host) last = r.t;
  }
  return last;
}
