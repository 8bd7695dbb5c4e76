/**
 * The node logs its own CSV access changes: the CSV core's mode changes, as a volume reports
 * them, reach the node's cluster event log with the Windows event IDs of docs/domain.md §Event IDs
 * (5121 redirected, 5120 paused, 5142 offline, 0 back to Direct) and validate as v1 events.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../actor/actor.js';
import type { Clock } from '../../actor/clock.js';
import { parseEvent } from '../../observability/events.js';
import {
  type CsvEffect,
  type CsvModeChange,
  type CsvMsg,
  type CsvState,
  decideCsv,
  initialCsv,
} from '../csv/core.js';
import type { IoResult } from '../mpio.js';
import { ClusterEventLog, logCsvModes } from './event-log.js';
import type { ClusterCsv } from './ports.js';

const NODE = 'HVR2NODO2';
const allDown: IoResult = { ok: false, code: 'ALL_PATHS_DOWN', message: 'every path to LUN CSV1 failed' };

/** One volume on this node: the real CSV core, reporting its mode changes as CsvVolume.onEvent does. */
class CoreVolume implements ClusterCsv {
  readonly core = new Simulation<CsvState, CsvMsg, CsvEffect>(
    decideCsv,
    initialCsv({ volume: 'Volume1', lun: 'CSV1', self: NODE, probePeriodMs: 60_000 }),
    { self: NODE },
  );
  private readonly listeners = new Set<(c: CsvModeChange) => void>();

  send(msg: CsvMsg): void {
    for (const e of this.core.send(msg))
      if (e.type === 'modeChanged') for (const cb of this.listeners) cb(e.change);
  }
  onEvent(cb: (c: CsvModeChange) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
  setCoordinator(node: string | null): void {
    this.send({ type: 'setCoordinator', node });
  }
  pause(): void {
    this.send({ type: 'pause' });
  }
  resume(): void {
    this.send({ type: 'resume' });
  }
  /** Nothing is sent through this volume here: it is always drained. */
  drained(): Promise<void> {
    return Promise.resolve();
  }
  setOnline(online: boolean): void {
    this.send({ type: 'setOnline', online });
  }
  mode(): string {
    return this.core.state.paused ? 'Paused' : this.core.state.access;
  }
}

const clock: Clock = { now: () => 1000 };

describe('CSV access changes in the node event log', () => {
  it('logs Direct→Redirected as 5121, a pause as 5120, back to Direct as 0 and offline as 5142', () => {
    const log = new ClusterEventLog(NODE, clock, () => {});
    const volume = new CoreVolume();
    const stop = logCsvModes(log, [volume], () => 'CSV1');
    volume.setCoordinator('HVR2NODO1');
    // This node's paths fail: its I/O goes to the coordinator.
    volume.send({ type: 'io', ioId: 'a', lun: 'CSV1', op: { kind: 'read', offset: 0, length: 512 } });
    volume.send({ type: 'ioDone', ioId: 'a', result: allDown });
    // A coordinator change pauses the volume; the probe finds the paths back.
    volume.pause();
    volume.resume();
    volume.send({ type: 'probeDone', ok: true, detail: 'rssm3 Active' });
    volume.setOnline(false);

    const events = log.since(0);
    expect(events.map((e) => [e.event_id, e.kind, JSON.parse(e.data_json).mode])).toEqual([
      [5121, 'csv-mode', 'Redirected'],
      [5120, 'csv-mode', 'Paused'],
      [5121, 'csv-mode', 'Redirected'],
      [0, 'csv-mode', 'Direct'],
      [5142, 'csv-mode', 'Offline'],
    ]);
    expect(events[0]?.message).toContain(
      "Cluster Shared Volume 'Volume1' ('CSV1') is no longer directly accessible from this cluster node",
    );
    expect(events[1]?.message).toContain(
      "is no longer available on this node because of 'paused for a coordinator change'",
    );
    for (const e of events)
      expect(() =>
        parseEvent({
          v: 1,
          index: e.index,
          timeMs: e.time_ms,
          node: e.node,
          eventId: e.event_id,
          kind: e.kind,
          message: e.message,
          data: JSON.parse(e.data_json),
        }),
      ).not.toThrow();

    // Once stopped (the cluster service stops), the volume's changes are no longer logged.
    stop();
    volume.setOnline(true);
    expect(log.since(0)).toHaveLength(events.length);
  });
});
