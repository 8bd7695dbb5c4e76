/**
 * The node's cluster event log (adapter): the events the core logs, numbered, kept (the newest
 * EVENTS_MAX), written to the process log and streamed to watchers (Cluster.Events and
 * Cluster.WatchEvents), with the mode changes of the node's Cluster Shared Volumes.
 */
import type { Clock } from '../../actor/clock.js';
import type { Logger } from '../../process/log.js';
import { csvModeChanged, NODE_REMOVED_EVENT_ID, QUORUM_LOST_EVENT_ID } from './core/event-catalog.js';
import type { ClusterCsv } from './ports.js';

const EVENTS_MAX = 5000;

/** One entry of the node's cluster event log. */
export interface ClusterEventRecord {
  index: number;
  time_ms: number;
  node: string;
  event_id: number;
  kind: string;
  message: string;
  data_json: string;
}

/** The events of this node, kept in memory. */
export class ClusterEventLog {
  private readonly events: ClusterEventRecord[] = [];
  private nextIndex = 1;
  private readonly watchers = new Set<(e: ClusterEventRecord) => void>();

  constructor(
    private readonly node: string,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Appends an event, logs it, and tells the watchers. */
  record(eventId: number, kind: string, message: string, data: Record<string, unknown>): void {
    const rec: ClusterEventRecord = {
      index: this.nextIndex++,
      time_ms: this.clock.now(),
      node: this.node,
      event_id: eventId,
      kind,
      message,
      data_json: JSON.stringify(data),
    };
    this.events.push(rec);
    if (this.events.length > EVENTS_MAX) this.events.splice(0, this.events.length - EVENTS_MAX);
    this.log(
      eventId === QUORUM_LOST_EVENT_ID || eventId === NODE_REMOVED_EVENT_ID ? 'warn' : 'info',
      message,
      {
        event: kind,
        eventId,
        ...data,
      },
    );
    for (const w of this.watchers) w(rec);
  }

  /** The events after `index`, oldest first. */
  since(index: number): ClusterEventRecord[] {
    return this.events.filter((e) => e.index > index);
  }

  /** Calls `watch` with every event from now on, until the returned function is called. */
  watch(watch: (e: ClusterEventRecord) => void): () => void {
    this.watchers.add(watch);
    return () => this.watchers.delete(watch);
  }
}

/**
 * Logs every mode change of this node's Cluster Shared Volumes in its event log (Events 5121,
 * 5120, 5142, docs/domain.md §Event IDs): the node, not an observer, reports its CSV access.
 * `lunOf` names a volume's disk. Returns a function that stops it.
 */
export function logCsvModes(
  eventLog: ClusterEventLog,
  volumes: Iterable<ClusterCsv>,
  lunOf: (volume: string) => string,
): () => void {
  const stops = [...volumes].map((v) =>
    v.onEvent((change) => {
      const e = csvModeChanged(change, lunOf(change.volume));
      eventLog.record(e.eventId, e.kind, e.message, e.data);
    }),
  );
  return () => {
    for (const stop of stops) stop();
  };
}
