/**
 * The history of a chaos run, in Jepsen's model: a JSON Lines file in which every client
 * operation appears as an invoke and a completion (ok, fail, or info when its outcome is
 * unknown — a timed-out operation is never counted as failed), next to the faults, the cluster
 * events the nodes logged and samples of each node's own view — and, from observers that are not
 * the component judged, the storage controller's log of acknowledged writes and reservation
 * changes, the VM workload's writes as they happen and a read-back of every record. The checkers
 * read only this. docs/chaos.md §History describes every line; older histories, which lack the
 * independent evidence, still parse (the checkers then say `unknown` where they needed it).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { RECORDED_FAULT_KINDS, type RecordedFaultKind } from '../orchestrator/faults/kinds.js';

/** Milliseconds since the run started; every line has it. */
interface Stamped {
  t: number;
}

/** The first and last line of a run. */
export interface RunEntry extends Stamped {
  type: 'run';
  phase: 'start' | 'end';
  seed: number;
  experiment: string;
  topology: string;
  timing: string;
  /** Wall-clock epoch milliseconds, to line the history up with logs. */
  at: number;
  /** The timing profile's figures the liveness bound derives from (absent: look `timing` up). */
  profile?: TimingFigures;
}

/** The figures of a timing profile that bound detection, arbitration and a VM's restart. */
export interface TimingFigures {
  sameSubnetDelayMs: number;
  sameSubnetThreshold: number;
  witnessChallengeWaitMs: number;
  vmBootMs: number;
  /**
   * RetryPeriodOnFailure: a role left Failed by its failover threshold (Event 1254) is tried
   * again only this long after (docs/domain.md §Resources and groups). Absent in older histories.
   */
  retryPeriodOnFailureMs?: number;
}

/** How a client operation went: invoke, then ok, fail (surely did not happen) or info (unknown). */
export type OpPhase = 'invoke' | 'ok' | 'fail' | 'info';

/**
 * A client operation. Pings run as process `ping:<vm>` and carry on ok the host that answered
 * and, where the recorder knows it, `answeredAt`: when that host sent the answer, on the
 * history's clock (a reply lost on the way and retransmitted arrives long after it was sent);
 * disk writes run as process `disk:<vm>` and carry the record's sequence number. A write streamed
 * from the VM's workload as it happens (invoke when issued, ok/fail/info when answered) also
 * carries its writer: `host`, the VM instance's `incarnation` and the record's content `hash`;
 * writes of older histories were polled from the node's status and have neither.
 */
export interface OpEntry extends Stamped {
  type: 'op';
  process: string;
  f: 'ping' | 'write';
  phase: OpPhase;
  /** Pairs an invoke with its completion. */
  id: number;
  vm: string;
  host?: string;
  /** When the answering host sent a ping's answer (ms, the history's clock), if recorded. */
  answeredAt?: number;
  seq?: number;
  error?: string;
  /** The writing VM instance (a new one each time the VM starts, on whatever host). */
  incarnation?: string;
  /** The hash of the record's content as written, to match it in the controller's log. */
  hash?: string;
}

/** A fault injected (start) or lifted (end); start and end share the id. */
export interface FaultEntry extends Stamped {
  type: 'fault';
  phase: 'start' | 'end';
  id: string;
  kind: RecordedFaultKind;
  targets: string[];
  detail: Record<string, unknown>;
}

/**
 * A cluster event as a node logged it: node-removed (1135), quorum-lost (1177), cluster-formed,
 * joined, left-cluster, fenced-self, fenced (data.victims), csv-coordinator (data.volume, coordinator,
 * previous, reason), failover (data.role, from, to), role-online, move-started, move-completed,
 * witness-arbitrated, and more. The shape of data depends on the kind, so checkers read it
 * defensively.
 */
export interface EventEntry extends Stamped {
  type: 'event';
  node: string;
  kind: string;
  eventId: number;
  message: string;
  data: Record<string, unknown>;
}

/** The cluster service's state on one node, as in the real Cluster Service. */
export type ServiceState = 'Running' | 'Joining' | 'Stopped' | 'Fenced';

/**
 * A sample of one node's own view, taken out of band every ~200 ms. A node that did not answer
 * produces no sample: a gap is "unknown", not "down".
 */
export interface StateEntry extends Stamped {
  type: 'state';
  node: string;
  service: ServiceState;
  epoch: number;
  members: string[];
  hasQuorum: boolean;
  leader: string;
  /** Volume → the coordinator this node believes in ('' for none). */
  csv: Record<string, string>;
  roles: Record<string, { owner: string; state: string }>;
}

/** What the read-back found in one record's slot. */
export interface ReadbackRecord {
  seq: number;
  /** Whether a valid record with this sequence number is in its slot. */
  present: boolean;
  /** Who wrote the record found, as the record itself says. */
  writer?: string;
  incarnation?: string;
  /** The hash of the content read. */
  hash?: string;
  /** A newer lap of the journal legitimately reused the slot for this sequence number. */
  overwrittenBy?: number;
}

/**
 * At the end of a run, every acknowledged record of one VM read back from the storage. Newer
 * recorders add `records`, one per record read, with its content hash and writer; without them a
 * rewritten sequence number cannot be told from the acknowledged original.
 */
export interface ReadbackEntry extends Stamped {
  type: 'readback';
  vm: string;
  checked: number;
  missing: number[];
  bad: { seq: number; reason: string }[];
  records?: ReadbackRecord[];
}

/** An I_T nexus as the storage controller names it: the host and the port (RSSM) used. */
export interface InitiatorRef {
  host: string;
  port: string;
}

/** One write the storage controller acknowledged, from the controller's own log. */
export interface StorageWriteEntry extends Stamped {
  type: 'storage-write';
  initiator: InitiatorRef;
  lun: string;
  offset: number;
  length: number;
  /** The hash of the data written. */
  hash: string;
}

/** A persistent-reservation change the storage controller carried out. */
export type ReservationAction = 'register' | 'unregister' | 'reserve' | 'release' | 'preempt';

/**
 * A persistent-reservation change from the controller's own log: who (initiator) did what with
 * which key on which LUN. A preempt names the victim's key and, when the controller knew them,
 * the hosts whose registrations it removed.
 */
export interface ReservationEntry extends Stamped {
  type: 'reservation';
  action: ReservationAction;
  initiator: InitiatorRef;
  lun: string;
  key: string;
  victim?: { key: string; hosts?: string[] };
}

/**
 * Where things live on the storage, as the recorder found them: each CSV's LUN and each VM's
 * disk (a byte range of a LUN). The checkers map the controller's writes to VMs with it.
 */
export interface LayoutEntry extends Stamped {
  type: 'layout';
  volumes?: Record<string, string>;
  disks?: Record<string, { lun: string; offset: number; size: number }>;
}

/**
 * The witness's own record of who won it, sampled from the witness itself (the arbiter, not a
 * node) every ~200 ms: the owner it granted the vote to, the epoch of that grant and whether it
 * can reach its medium. A witness that did not answer leaves a gap.
 */
export interface WitnessEntry extends Stamped {
  type: 'witness';
  owner: string;
  epoch: number;
  status: string;
}

/** One line of a history. */
export type HistoryEntry =
  | RunEntry
  | OpEntry
  | FaultEntry
  | EventEntry
  | StateEntry
  | ReadbackEntry
  | StorageWriteEntry
  | ReservationEntry
  | LayoutEntry
  | WitnessEntry;

/** A whole history, in file order. */
export type History = readonly HistoryEntry[];

/** A history file that does not follow the format, with every bad line as file:line. */
export class HistoryError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid history\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'HistoryError';
  }
}

const t = z.number().finite().nonnegative();
const record = z.record(z.string(), z.unknown());

// Loose objects keep fields the recorder adds beyond the format (e.g. csvMode on samples).
const Run = z.looseObject({
  t,
  type: z.literal('run'),
  phase: z.enum(['start', 'end']),
  seed: z.number(),
  experiment: z.string(),
  topology: z.string(),
  timing: z.string(),
  at: z.number(),
  profile: z
    .looseObject({
      sameSubnetDelayMs: z.number().nonnegative(),
      sameSubnetThreshold: z.number().nonnegative(),
      witnessChallengeWaitMs: z.number().nonnegative(),
      vmBootMs: z.number().nonnegative(),
      retryPeriodOnFailureMs: z.number().nonnegative().optional(),
    })
    .optional(),
});

const Op = z.looseObject({
  t,
  type: z.literal('op'),
  process: z.string().min(1),
  f: z.enum(['ping', 'write']),
  phase: z.enum(['invoke', 'ok', 'fail', 'info']),
  id: z.number().int(),
  vm: z.string().min(1),
  host: z.string().optional(),
  answeredAt: z.number().optional(),
  seq: z.number().int().nonnegative().optional(),
  error: z.string().optional(),
  incarnation: z.string().optional(),
  hash: z.string().optional(),
});

const Fault = z.looseObject({
  t,
  type: z.literal('fault'),
  phase: z.enum(['start', 'end']),
  id: z.string().min(1),
  kind: z.enum(RECORDED_FAULT_KINDS),
  targets: z.array(z.string()),
  detail: record,
});

const Event = z.looseObject({
  t,
  type: z.literal('event'),
  node: z.string(),
  kind: z.string().min(1),
  eventId: z.number().int(),
  message: z.string(),
  data: record,
});

const State = z.looseObject({
  t,
  type: z.literal('state'),
  node: z.string().min(1),
  service: z.enum(['Running', 'Joining', 'Stopped', 'Fenced']),
  epoch: z.number(),
  members: z.array(z.string()),
  hasQuorum: z.boolean(),
  leader: z.string(),
  csv: z.record(z.string(), z.string()),
  roles: z.record(z.string(), z.looseObject({ owner: z.string(), state: z.string() })),
});

const Readback = z.looseObject({
  t,
  type: z.literal('readback'),
  vm: z.string().min(1),
  checked: z.number().int().nonnegative(),
  missing: z.array(z.number().int()),
  bad: z.array(z.looseObject({ seq: z.number().int(), reason: z.string() })),
  records: z
    .array(
      z.looseObject({
        seq: z.number().int(),
        present: z.boolean(),
        writer: z.string().optional(),
        incarnation: z.string().optional(),
        hash: z.string().optional(),
        overwrittenBy: z.number().int().optional(),
      }),
    )
    .optional(),
});

const Initiator = z.looseObject({ host: z.string().min(1), port: z.string() });

const StorageWrite = z.looseObject({
  t,
  type: z.literal('storage-write'),
  initiator: Initiator,
  lun: z.string().min(1),
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
  hash: z.string(),
});

const Reservation = z.looseObject({
  t,
  type: z.literal('reservation'),
  action: z.enum(['register', 'unregister', 'reserve', 'release', 'preempt']),
  initiator: Initiator,
  lun: z.string().min(1),
  key: z.string(),
  victim: z.looseObject({ key: z.string(), hosts: z.array(z.string()).optional() }).optional(),
});

const Layout = z.looseObject({
  t,
  type: z.literal('layout'),
  volumes: z.record(z.string(), z.string()).optional(),
  disks: z
    .record(
      z.string(),
      z.looseObject({
        lun: z.string().min(1),
        offset: z.number().int().nonnegative(),
        size: z.number().int().nonnegative(),
      }),
    )
    .optional(),
});

const Witness = z.looseObject({
  t,
  type: z.literal('witness'),
  owner: z.string(),
  epoch: z.number(),
  status: z.string(),
});

const Entry = z.discriminatedUnion('type', [
  Run,
  Op,
  Fault,
  Event,
  State,
  Readback,
  StorageWrite,
  Reservation,
  Layout,
  Witness,
]);

const MAX_PROBLEMS = 20;

function describe(issues: z.core.$ZodIssue[]): string {
  return issues
    .map(
      (i) =>
        `${
          i.path
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
            .join('')
            .replace(/^\./, '') || 'line'
        }: ${i.message}`,
    )
    .join('; ');
}

/**
 * Parses a history's text, validating every line; throws a HistoryError that names each bad
 * line as file:line. Blank lines are skipped.
 */
export function parseHistory(text: string, file = 'history.jsonl'): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && problems.length < MAX_PROBLEMS; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = `${file}:${i + 1}`;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      problems.push(`${where}: expected one JSON object, found invalid JSON (${(err as Error).message})`);
      continue;
    }
    const r = Entry.safeParse(raw);
    if (!r.success) {
      problems.push(`${where}: ${describe(r.error.issues)}`);
      continue;
    }
    entries.push(r.data as HistoryEntry);
  }
  if (problems.length > 0) throw new HistoryError(file, problems);
  return entries;
}

/** Reads and parses a history file. */
export function readHistory(path: string): HistoryEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HistoryError(path, [
      `expected a readable file, found ${(err as NodeJS.ErrnoException).code ?? err}`,
    ]);
  }
  return parseHistory(text, path);
}

/**
 * What `compute` derives from a history, kept per history while its length stays the same (a
 * history only grows): every checker asks for the same views, and a simulated run's history has
 * hundreds of thousands of lines. `cache` is the caller's own, one per kind of view.
 */
export function memoOf<V>(
  cache: WeakMap<History, { length: number; value: V }>,
  h: History,
  compute: (h: History) => V,
): V {
  const cached = cache.get(h);
  if (cached && cached.length === h.length) return cached.value;
  const value = compute(h);
  cache.set(h, { length: h.length, value });
  return value;
}

/** A history's entries grouped by type, from one pass. */
const byTypeCache = new WeakMap<History, { length: number; value: Map<string, HistoryEntry[]> }>();

function byType(h: History): Map<string, HistoryEntry[]> {
  const out = new Map<string, HistoryEntry[]>();
  for (const e of h) {
    const list = out.get(e.type);
    if (list) list.push(e);
    else out.set(e.type, [e]);
  }
  return out;
}

/** The entries of one type, typed, in the history's order (a fresh array the caller may sort). */
export function entriesOf<T extends HistoryEntry['type']>(
  h: History,
  type: T,
): Extract<HistoryEntry, { type: T }>[] {
  const list = memoOf(byTypeCache, h, byType).get(type);
  return (list?.slice() ?? []) as Extract<HistoryEntry, { type: T }>[];
}

/** The time of the last line (the run's length as far as the history knows). */
export function endOf(h: History): number {
  let end = 0;
  for (const e of h) end = Math.max(end, e.t);
  return end;
}

/** One line of a history's JSON Lines, the format `dcbox chaos` writes. */
function historyLine(e: HistoryEntry): string {
  return `${JSON.stringify(e)}\n`;
}

/** A history as JSON Lines (a simulated run's, to write or compare). */
export function historyJsonl(entries: readonly HistoryEntry[]): string {
  return entries.map(historyLine).join('');
}

/**
 * The first 16 hex digits of the SHA-1 of historyJsonl(entries), fed a few hundred lines at a
 * time: a swarm digests every seed's history, and building the whole text first cost a tenth of
 * a seed; one update per line cost as much as the JSON itself.
 */
export function historyDigest(entries: readonly HistoryEntry[]): string {
  const h = createHash('sha1');
  let text = '';
  for (const e of entries) {
    text += historyLine(e);
    if (text.length >= 1 << 16) {
      h.update(text);
      text = '';
    }
  }
  return h.update(text).digest('hex').slice(0, 16);
}

/** The digest of a history's JSON Lines text, as historyDigest gives it from its entries. */
export function textDigest(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16);
}
