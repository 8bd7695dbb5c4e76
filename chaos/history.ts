/**
 * The history of a chaos run, in Jepsen's model: a JSON Lines file in which every client
 * operation appears as an invoke and a completion (ok, fail, or info when its outcome is
 * unknown — a timed-out operation is never counted as failed), next to the faults, the cluster
 * events the nodes logged and samples of each node's own view. The checkers read only this.
 */
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
}

/** How a client operation went: invoke, then ok, fail (surely did not happen) or info (unknown). */
export type OpPhase = 'invoke' | 'ok' | 'fail' | 'info';

/**
 * A client operation. Pings run as process `ping:<vm>` and carry on ok the host that answered;
 * disk writes run as process `disk:<vm>` and carry the record's sequence number.
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
  seq?: number;
  error?: string;
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

/** At the end of a run, every acknowledged record of one VM read back from the storage. */
export interface ReadbackEntry extends Stamped {
  type: 'readback';
  vm: string;
  checked: number;
  missing: number[];
  bad: { seq: number; reason: string }[];
}

/** One line of a history. */
export type HistoryEntry = RunEntry | OpEntry | FaultEntry | EventEntry | StateEntry | ReadbackEntry;

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
  seq: z.number().int().nonnegative().optional(),
  error: z.string().optional(),
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
});

const Entry = z.discriminatedUnion('type', [Run, Op, Fault, Event, State, Readback]);

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

/** The entries of one type, typed. */
export function entriesOf<T extends HistoryEntry['type']>(
  h: History,
  type: T,
): Extract<HistoryEntry, { type: T }>[] {
  return h.filter((e): e is Extract<HistoryEntry, { type: T }> => e.type === type);
}

/** The time of the last line (the run's length as far as the history knows). */
export function endOf(h: History): number {
  let end = 0;
  for (const e of h) end = Math.max(end, e.t);
  return end;
}
