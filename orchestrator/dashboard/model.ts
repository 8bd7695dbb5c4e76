/**
 * The dashboard's pure core: the merged event stream with its positions, the live time series
 * (ping round trips and losses per VM, storage IOPS and latency), and the changes the
 * orchestrator observes on a node (path state, CSV access) turned into events. No I/O and no
 * clock here: the observer (observer.ts) feeds it what it polled and when.
 */
import type { DcboxEvent, EventKind } from '../../services/observability/events.js';

/** One event of the merged stream with its position. */
export interface Positioned {
  seq: number;
  event: DcboxEvent;
}

/**
 * The merged stream: every node's events and the orchestrator's own, each given a position in
 * the order they arrived. It keeps the newest `max` and wakes its followers on each new one.
 */
export class EventHub {
  private readonly kept: Positioned[] = [];
  private next = 1;
  private readonly followers = new Set<(p: Positioned) => void>();

  constructor(private readonly max = 5000) {}

  /** Appends an event and returns its position. */
  append(event: DcboxEvent): number {
    const p = { seq: this.next++, event };
    this.kept.push(p);
    if (this.kept.length > this.max) this.kept.splice(0, this.kept.length - this.max);
    for (const f of this.followers) f(p);
    return p.seq;
  }

  /** The kept events after a position, oldest first. */
  after(seq: number): Positioned[] {
    return this.kept.filter((p) => p.seq > seq);
  }

  /** Calls `f` for every event appended from now on; returns the function that stops it. */
  follow(f: (p: Positioned) => void): () => void {
    this.followers.add(f);
    return () => this.followers.delete(f);
  }

  /** The position the next event will get, less one: the newest so far. */
  get last(): number {
    return this.next - 1;
  }
}

/**
 * Which events of a node's log are new, across that node's restarts: its indexes start at 1
 * again after a power cycle, so an event is new when it is later than the newest seen, or as
 * late with a higher index.
 */
export class NodeCursor {
  private timeMs = -1;
  private index = 0;

  /** True (and remembered) when the event comes after everything seen from this node. */
  admit(e: { index: number; timeMs: number }): boolean {
    const later = e.timeMs > this.timeMs || (e.timeMs === this.timeMs && e.index > this.index);
    if (!later) return false;
    this.timeMs = e.timeMs;
    this.index = e.index;
    return true;
  }

  /** The index to watch from: the newest admitted. */
  get lastIndex(): number {
    return this.index;
  }
}

/** The ping replies of one VM that arrived during one tick. */
export interface PingTick {
  ok: number;
  lost: number;
  /** Sum of the round trips of the answered pings, in ms. */
  rttSumMs: number;
}

/** What the observer measured over one tick. */
export interface Sample {
  /** End of the tick, ms since the epoch. */
  atMs: number;
  pings: Record<string, PingTick>;
  /** Block commands per second at the controller, all LUNs, or null when it did not answer. */
  iops: number | null;
  /** Mean latency of those commands in ms, or null when there were none. */
  latencyMs: number | null;
}

/**
 * Columns for the charts, aligned on one time axis (seconds, as uPlot wants it). Per VM: `rtt`
 * is the mean round trip of the tick (null when nothing answered), `lost` the pings lost.
 */
export interface Series {
  t: number[];
  rtt: Record<string, (number | null)[]>;
  lost: Record<string, (number | null)[]>;
  iops: (number | null)[];
  latencyMs: (number | null)[];
}

/** The live series, the newest `max` ticks. */
export class SeriesStore {
  readonly series: Series = { t: [], rtt: {}, lost: {}, iops: [], latencyMs: [] };

  constructor(private readonly max = 1200) {}

  /** Adds one tick; a VM seen for the first time gets a column filled with nulls before it. */
  push(s: Sample): void {
    const n = this.series.t.length;
    for (const vm of Object.keys(s.pings)) {
      if (!this.series.rtt[vm]) {
        this.series.rtt[vm] = new Array(n).fill(null);
        this.series.lost[vm] = new Array(n).fill(null);
      }
    }
    this.series.t.push(s.atMs / 1000);
    for (const vm of Object.keys(this.series.rtt)) {
      const p = s.pings[vm];
      this.series.rtt[vm]?.push(p && p.ok > 0 ? round(p.rttSumMs / p.ok, 3) : null);
      this.series.lost[vm]?.push(p ? p.lost : null);
    }
    this.series.iops.push(s.iops === null ? null : round(s.iops, 1));
    this.series.latencyMs.push(s.latencyMs === null ? null : round(s.latencyMs, 3));
    if (this.series.t.length > this.max) {
      const cut = this.series.t.length - this.max;
      this.series.t.splice(0, cut);
      for (const col of [
        ...Object.values(this.series.rtt),
        ...Object.values(this.series.lost),
        this.series.iops,
        this.series.latencyMs,
      ])
        col.splice(0, cut);
    }
  }
}

/** The points after time `tSec` (seconds), every column cut the same way. */
export function seriesAfter(series: Series, tSec: number): Series {
  let i = series.t.length;
  while (i > 0 && (series.t[i - 1] as number) > tSec) i--;
  const cut = <T>(col: T[]) => col.slice(i);
  const each = (cols: Record<string, (number | null)[]>) =>
    Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, cut(v)]));
  return {
    t: cut(series.t),
    rtt: each(series.rtt),
    lost: each(series.lost),
    iops: cut(series.iops),
    latencyMs: cut(series.latencyMs),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** One sample line of the Prometheus text format. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parses the Prometheus text exposition format (version 0.0.4) as prom-client writes it:
 * comments skipped, `name{a="b",c="d"} value`. Escaped quotes inside label values are kept.
 */
export function parsePrometheusText(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[3]) {
      for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
        labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const value = Number(m[4]);
    if (!Number.isNaN(value)) out.push({ name: m[1] as string, labels, value });
  }
  return out;
}

/** The storage controller's totals that IOPS and latency come from. */
export interface StorageTotals {
  ops: number;
  latencySumS: number;
  latencyCount: number;
}

/** Sums the controller's I/O counters over every LUN and operation. */
export function storageTotals(samples: PromSample[]): StorageTotals {
  const sum = (name: string) => samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);
  return {
    ops: sum('dcbox_storage_io_total'),
    latencySumS: sum('dcbox_storage_io_latency_seconds_sum'),
    latencyCount: sum('dcbox_storage_io_latency_seconds_count'),
  };
}

/**
 * IOPS and mean latency between two readings. A controller that restarted (its counters went
 * down) gives no figure for that tick rather than a negative one.
 */
export function storageRates(
  prev: StorageTotals,
  next: StorageTotals,
  seconds: number,
): { iops: number | null; latencyMs: number | null } {
  const ops = next.ops - prev.ops;
  const count = next.latencyCount - prev.latencyCount;
  if (ops < 0 || count < 0 || seconds <= 0) return { iops: null, latencyMs: null };
  return {
    iops: ops / seconds,
    latencyMs: count > 0 ? ((next.latencySumS - prev.latencySumS) / count) * 1000 : null,
  };
}

/** An event the orchestrator logs itself, before it gets its index and time. */
export interface ObservedEvent {
  kind: Extract<EventKind, 'path-state'>;
  node: string;
  message: string;
  data: Record<string, unknown>;
}

/** Path states of one node, by "lun/path". */
export type PathStates = Record<string, string>;

/**
 * The path changes between two readings of a node's paths. The first reading of a node (no
 * previous) logs nothing: it is where the observer starts, not a change.
 */
export function pathChanges(node: string, prev: PathStates | undefined, next: PathStates): ObservedEvent[] {
  if (!prev) return [];
  const out: ObservedEvent[] = [];
  for (const [key, state] of Object.entries(next)) {
    const before = prev[key] ?? null;
    if (before === state) continue;
    const [lun, path] = key.split('/') as [string, string];
    out.push({
      kind: 'path-state',
      node,
      message: `path ${path} to ${lun} on ${node}: ${before ?? 'new'} → ${state}`,
      data: { lun, path, state, previous: before },
    });
  }
  return out;
}

/** A node's cluster state as the dashboard needs it (a subset of Cluster.GetState). */
export interface NodeState {
  node: string;
  service_state: string;
  leader: string;
  membership_epoch: number | string;
  nodes: { name: string; state: string; missed_heartbeats: number }[];
  quorum: {
    model: string;
    has_quorum: boolean;
    votes: number;
    needed: number;
    total: number;
    witness_owner: string;
    witness_epoch: number | string;
    witness_status: string;
    arbitrating: boolean;
  } | null;
  csv: { volume: string; coordinator: string; modes: { node: string; mode: string }[] }[];
  roles: { name: string; owner: string; state: string; vm: string }[];
}

/** The cluster panel: one view of the cluster, from the node best placed to know. */
export interface ClusterView {
  /** The node whose state the view shows (the leader with quorum when there is one). */
  from: string;
  leader: string;
  epoch: number;
  nodes: { name: string; membership: string; service: string; leader: boolean; missed: number }[];
  quorum: {
    model: string;
    hasQuorum: boolean;
    votes: number;
    needed: number;
    total: number;
    witnessOwner: string;
    witnessEpoch: number;
    witnessStatus: string;
    arbitrating: boolean;
  } | null;
  csv: { volume: string; coordinator: string; modes: Record<string, string> }[];
  roles: { name: string; vm: string; owner: string; state: string }[];
}

/**
 * Chooses whose view to show — a running leader with quorum, else any node with quorum, else
 * any node that answered — and marks each node's own service state: a node that did not answer
 * is "no communication", as the AMM says of a silent blade. Each node's CSV access is taken from
 * the node itself, which knows it first. Null when no node answered.
 */
export function clusterView(states: Record<string, NodeState | null>): ClusterView | null {
  const answered = Object.values(states).filter((s): s is NodeState => s !== null);
  const best =
    answered.find((s) => s.service_state === 'Running' && s.leader === s.node && s.quorum?.has_quorum) ??
    answered.find((s) => s.quorum?.has_quorum) ??
    answered[0];
  if (!best) return null;
  const names = [...new Set([...best.nodes.map((n) => n.name), ...Object.keys(states)])].sort();
  return {
    from: best.node,
    leader: best.leader,
    epoch: Number(best.membership_epoch),
    nodes: names.map((name) => {
      const own = states[name];
      const seen = best.nodes.find((n) => n.name === name);
      return {
        name,
        membership: seen?.state ?? 'Down',
        service: own ? own.service_state : 'no communication',
        leader: best.leader === name,
        missed: seen?.missed_heartbeats ?? 0,
      };
    }),
    quorum: best.quorum
      ? {
          model: best.quorum.model,
          hasQuorum: best.quorum.has_quorum,
          votes: best.quorum.votes,
          needed: best.quorum.needed,
          total: best.quorum.total,
          witnessOwner: best.quorum.witness_owner,
          witnessEpoch: Number(best.quorum.witness_epoch),
          witnessStatus: best.quorum.witness_status,
          arbitrating: best.quorum.arbitrating,
        }
      : null,
    csv: best.csv.map((v) => {
      const modes: Record<string, string> = {};
      for (const m of v.modes) modes[m.node] = m.mode;
      for (const [name, own] of Object.entries(states)) {
        const mine = own?.csv.find((c) => c.volume === v.volume)?.modes.find((m) => m.node === name);
        if (mine) modes[name] = mine.mode;
      }
      return { volume: v.volume, coordinator: v.coordinator, modes };
    }),
    roles: best.roles.map((r) => ({ name: r.name, vm: r.vm, owner: r.owner, state: r.state })),
  };
}
