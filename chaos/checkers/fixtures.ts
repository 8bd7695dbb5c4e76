/**
 * Hand-made histories for the checkers' and the report's unit tests: small builders for each
 * kind of line, and one clean run of the seed scenario (blade 2 powered off and back) that every
 * checker must pass. Tests break it in one place each to prove a checker catches that violation.
 * `legacyOf` strips the independent evidence, giving a history like the ones the recorder wrote
 * before the storage controller's log and the streamed writes were recorded.
 */

import type { RecordedFaultKind } from '../../orchestrator/faults/kinds.js';
import type {
  EventEntry,
  FaultEntry,
  HistoryEntry,
  LayoutEntry,
  OpEntry,
  ReadbackEntry,
  ReadbackRecord,
  ReservationAction,
  ReservationEntry,
  RunEntry,
  StateEntry,
  StorageWriteEntry,
} from '../history.js';

/** The first or last line of a run. */
export function runLine(t: number, phase: 'start' | 'end'): RunEntry {
  return {
    t,
    type: 'run',
    phase,
    seed: 42,
    experiment: 'seed-power-off',
    topology: 'seed',
    timing: 'fast',
    at: 1_700_000_000_000 + t,
  };
}

/** A ping invoked at `t` and answered by `host` at `okT`, which sent it at `answeredAt` if given. */
export function ping(
  vm: string,
  id: number,
  t: number,
  okT: number,
  host: string,
  answeredAt?: number,
): OpEntry[] {
  const process = `ping:${vm}`;
  const ok: OpEntry = { t: okT, type: 'op', process, f: 'ping', phase: 'ok', id, vm, host };
  if (answeredAt !== undefined) ok.answeredAt = answeredAt;
  return [{ t, type: 'op', process, f: 'ping', phase: 'invoke', id, vm }, ok];
}

/** A ping invoked at `t` that failed or timed out at `endT`. */
export function lostPing(
  vm: string,
  id: number,
  t: number,
  endT: number,
  phase: 'fail' | 'info' = 'info',
): OpEntry[] {
  const process = `ping:${vm}`;
  return [
    { t, type: 'op', process, f: 'ping', phase: 'invoke', id, vm },
    {
      t: endT,
      type: 'op',
      process,
      f: 'ping',
      phase,
      id,
      vm,
      error: phase === 'fail' ? 'unreachable' : 'timed out',
    },
  ];
}

/** Which VM instance wrote a record: its host and incarnation. */
export interface Writer {
  host: string;
  incarnation: string;
}

/** The content hash the fixtures give record `seq` of `vm` written by `incarnation`. */
export function recordHash(vm: string, seq: number, incarnation: string): string {
  return `${vm}#${seq}@${incarnation}`;
}

/**
 * A disk write of record `seq`, completed one millisecond later; with a writer, streamed as the
 * workload issued it (host, incarnation and content hash), else as an older history polled it.
 */
export function write(
  vm: string,
  id: number,
  seq: number,
  t: number,
  phase: 'ok' | 'fail' | 'info' = 'ok',
  writer?: Writer,
): OpEntry[] {
  const process = `disk:${vm}`;
  const who = writer
    ? { host: writer.host, incarnation: writer.incarnation, hash: recordHash(vm, seq, writer.incarnation) }
    : {};
  return [
    { t, type: 'op', process, f: 'write', phase: 'invoke', id, vm, seq, ...who },
    { t: t + 1, type: 'op', process, f: 'write', phase, id, vm, seq, ...who },
  ];
}

/** The LUN of the seed's CSV, and where each fixture VM's disk lives on it. */
export const LUN = 'LUN1';
export const DISKS = {
  vm1: { lun: LUN, offset: 1 << 20, size: 1 << 20 },
  vm2: { lun: LUN, offset: 2 << 20, size: 1 << 20 },
};

/** Bytes per journal record in the fixtures. */
const RECORD_BYTES = 512;

/** Where things live on the storage. */
export function layout(t: number, disks: LayoutEntry['disks'] = DISKS): LayoutEntry {
  return { t, type: 'layout', volumes: { Volume1: LUN }, disks };
}

/** The controller's log of one acknowledged write of record `seq` to `vm`'s disk. */
export function storageWrite(
  t: number,
  host: string,
  vm: keyof typeof DISKS,
  seq: number,
  hash: string,
): StorageWriteEntry {
  const d = DISKS[vm];
  return {
    t,
    type: 'storage-write',
    initiator: { host, port: 'RSSM1' },
    lun: d.lun,
    offset: d.offset + seq * RECORD_BYTES,
    length: RECORD_BYTES,
    hash,
  };
}

/** A node's reservation key in the fixtures. */
export function keyOf(node: string): string {
  return `00000000000000${node.slice(-2)}`;
}

/** The controller's log of one reservation change by `host` on `lun`. */
export function reservation(
  t: number,
  action: ReservationAction,
  host: string,
  victim?: string,
  lun = LUN,
): ReservationEntry {
  return {
    t,
    type: 'reservation',
    action,
    initiator: { host, port: 'RSSM1' },
    lun,
    key: keyOf(host),
    ...(victim ? { victim: { key: keyOf(victim) } } : {}),
  };
}

/** A streamed write and the controller's log of it, with the record's writer. */
export function loggedWrite(
  vm: keyof typeof DISKS,
  id: number,
  seq: number,
  t: number,
  writer: Writer,
): HistoryEntry[] {
  return [
    ...write(vm, id, seq, t, 'ok', writer),
    storageWrite(t, writer.host, vm, seq, recordHash(vm, seq, writer.incarnation)),
  ];
}

/** One node's view. */
export function sample(
  t: number,
  node: string,
  view: Partial<Omit<StateEntry, 't' | 'type' | 'node'>> = {},
): StateEntry {
  return {
    t,
    type: 'state',
    node,
    service: 'Running',
    epoch: 1,
    members: [],
    hasQuorum: true,
    leader: '',
    csv: {},
    roles: {},
    ...view,
  };
}

/** A node's samples every 200 ms over [from, to). */
export function samples(
  node: string,
  from: number,
  to: number,
  view: Parameters<typeof sample>[2] = {},
): StateEntry[] {
  const out: StateEntry[] = [];
  for (let t = from; t < to; t += 200) out.push(sample(t, node, view));
  return out;
}

/** A cluster event. */
export function event(
  t: number,
  node: string,
  kind: string,
  data: Record<string, unknown> = {},
  message = kind,
): EventEntry {
  return { t, type: 'event', node, kind, eventId: 0, message, data };
}

/** A fault injected or lifted. */
export function fault(
  t: number,
  phase: 'start' | 'end',
  id: string,
  kind: RecordedFaultKind,
  targets: string[],
): FaultEntry {
  return { t, type: 'fault', phase, id, kind, targets, detail: {} };
}

/** The read-back of a VM's acknowledged records, with what was found in each slot when given. */
export function readback(
  t: number,
  vm: string,
  checked: number,
  missing: number[] = [],
  bad: ReadbackEntry['bad'] = [],
  records?: ReadbackRecord[],
): ReadbackEntry {
  return { t, type: 'readback', vm, checked, missing, bad, ...(records ? { records } : {}) };
}

/** A record found intact in its slot, written by `writer`. */
export function found(vm: string, seq: number, writer: Writer): ReadbackRecord {
  return {
    seq,
    present: true,
    writer: writer.host,
    incarnation: writer.incarnation,
    hash: recordHash(vm, seq, writer.incarnation),
  };
}

/**
 * The same history as an older recorder would have written it: no controller log, no layout,
 * writes without writer or hash, read-backs without records.
 */
export function legacyOf(h: HistoryEntry[]): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const e of h) {
    if (e.type === 'storage-write' || e.type === 'reservation' || e.type === 'layout') continue;
    if (e.type === 'op' && e.f === 'write') {
      const { incarnation: _i, hash: _h, ...rest } = e;
      out.push(rest);
    } else if (e.type === 'readback') {
      const { records: _r, ...rest } = e;
      out.push(rest);
    } else out.push(e);
  }
  return out;
}

/** Sorts by time, keeping file order for equal times, as a recorder writes them. */
export function inOrder(entries: HistoryEntry[]): HistoryEntry[] {
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.t - b.e.t || a.i - b.i)
    .map((x) => x.e);
}

/** Node names of the seed topology. */
export const N1 = 'HVR2NODO1';
export const N2 = 'HVR2NODO2';

/** The VM instances of the clean run: vm1 on blade 2, then restarted on N1; vm2 on N1. */
export const VM1_ON_N2: Writer = { host: N2, incarnation: 'vm1-1' };
export const VM1_ON_N1: Writer = { host: N1, incarnation: 'vm1-2' };

/** The cluster events of the clean run: N1 removes N2, fences it and takes its CSV and vm1. */
function cleanEvents(): EventEntry[] {
  const removed = `Cluster node '${N2}' was removed from the active failover cluster membership.`;
  return [
    event(10, N1, 'cluster-formed', { members: [N1, N2] }),
    event(7000, N1, 'node-removed', { node: N2 }, removed),
    event(7050, N1, 'fenced', { victims: [N2] }),
    event(7050, N1, 'csv-coordinator', {
      volume: 'Volume1',
      coordinator: N1,
      previous: N2,
      reason: 'takeover',
    }),
    event(7050, N1, 'failover', { role: 'vm1', from: N2, to: N1 }),
    event(7900, N1, 'role-online', { role: 'vm1' }),
    event(17_000, N2, 'joined', { leader: N1 }),
  ];
}

/**
 * A clean run of the seed scenario: two nodes and a witness; vm1 and the CSV on N2, vm2 on N1.
 * Blade 2 is powered off at 5 s; N1 keeps quorum (2 of 3 votes), removes N2 at 7 s, preempts its
 * key at 7.04 s (the controller's log), takes the CSV and restarts vm1 by 8 s; blade 2 is back at
 * 15 s and N2 rejoins at 17 s, registering its key again; the recording goes on to 25 s.
 */
export function cleanRun(): HistoryEntry[] {
  const both = [N1, N2];
  const before = {
    members: both,
    leader: N1,
    csv: { Volume1: N2 },
    roles: { vm1: { owner: N2, state: 'Online' }, vm2: { owner: N1, state: 'Online' } },
  };
  const removed = {
    ...before,
    members: [N1],
    csv: { Volume1: '' },
    roles: { vm1: { owner: N2, state: 'Pending' }, vm2: { owner: N1, state: 'Online' } },
  };
  const failing = {
    ...before,
    members: [N1],
    csv: { Volume1: N1 },
    roles: { vm1: { owner: N1, state: 'OnlinePending' }, vm2: { owner: N1, state: 'Online' } },
  };
  const after = {
    members: [N1],
    leader: N1,
    csv: { Volume1: N1 },
    roles: { vm1: { owner: N1, state: 'Online' }, vm2: { owner: N1, state: 'Online' } },
  };
  const rejoined = { ...after, members: both };
  const e: HistoryEntry[] = [runLine(0, 'start'), layout(0)];
  e.push(...samples(N1, 0, 7000, before), ...samples(N1, 7000, 7200, removed));
  e.push(...samples(N1, 7200, 8000, failing), ...samples(N1, 8000, 17_000, after));
  e.push(...samples(N1, 17_000, 25_000, rejoined));
  e.push(...samples(N2, 100, 5000, before));
  e.push(...samples(N2, 15_100, 17_000, { ...after, service: 'Joining', hasQuorum: false, members: [] }));
  e.push(...samples(N2, 17_100, 25_000, rejoined));
  e.push(fault(5000, 'start', 'f1', 'power-off', [N2]), fault(15_000, 'end', 'f1', 'power-off', [N2]));
  e.push(reservation(1, 'register', N1), reservation(1, 'register', N2), reservation(2, 'reserve', N2));
  e.push(reservation(7040, 'preempt', N1, N2), reservation(17_000, 'register', N2));
  e.push(...cleanEvents());
  let id = 1;
  for (let t = 0; t < 25_000; t += 100) {
    e.push(...ping('vm2', id++, t, t + 1, N1));
    if (t < 5000) e.push(...ping('vm1', id++, t, t + 1, N2));
    else if (t < 8000) e.push(...lostPing('vm1', id++, t, t + 1000));
    else e.push(...ping('vm1', id++, t, t + 1, N1));
  }
  const records: ReadbackRecord[] = [];
  for (let seq = 1; seq <= 20; seq++) {
    const writer = seq < 10 ? VM1_ON_N2 : VM1_ON_N1;
    e.push(...loggedWrite('vm1', id++, seq, seq < 10 ? seq * 400 : 8000 + seq * 400, writer));
    records.push(found('vm1', seq, writer));
  }
  e.push(readback(25_000, 'vm1', 20, [], [], records));
  e.push(runLine(25_001, 'end'));
  return inOrder(e);
}
