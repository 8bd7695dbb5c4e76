/**
 * Prometheus metrics of the storage controller (docs/design.md §Interfaces): block I/O per LUN — operations
 * (IOPS is their rate), bytes and latency from the request's arrival to its durable reply — and
 * the reservation conflicts it refused (a fenced initiator, docs/domain.md §Persistent reservations). The gRPC handlers
 * report each finished command here; the core knows nothing of it.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

/** A block command kind as the metrics label it. */
export type IoKind = 'read' | 'write';

/** What the Storage handlers report when a command finishes. */
export interface StorageObserver {
  /** A data read or write finished: `code` is null on success, else the error code it failed with. */
  io(lun: string, kind: IoKind, bytes: number, seconds: number, code: string | null): void;
  /** A command was refused with RESERVATION_CONFLICT. */
  conflict(lun: string, command: string): void;
}

/** Registers the controller's metrics and returns the observer its handlers feed. */
export function storageMetrics(registry: Registry): StorageObserver {
  const registers = [registry];
  const ops = new Counter({
    name: 'dcbox_storage_io_total',
    help: 'Block reads and writes the controller finished, per LUN and result (IOPS is the rate).',
    labelNames: ['lun', 'op', 'result'],
    registers,
  });
  const bytes = new Counter({
    name: 'dcbox_storage_io_bytes_total',
    help: 'Bytes read and written (durably) per LUN.',
    labelNames: ['lun', 'op'],
    registers,
  });
  const latency = new Histogram({
    name: 'dcbox_storage_io_latency_seconds',
    help: 'Time from a block command reaching the controller to its reply (a write once durable).',
    labelNames: ['lun', 'op'],
    // fdatasync on a local disk takes about a millisecond; a slow-I/O fault adds hundreds.
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const conflicts = new Counter({
    name: 'dcbox_storage_reservation_conflicts_total',
    help: 'Commands refused with RESERVATION CONFLICT (the initiator is not registered: fenced), per LUN.',
    labelNames: ['lun', 'command'],
    registers,
  });
  return {
    io(lun, kind, n, seconds, code) {
      ops.inc({ lun, op: kind, result: code === null ? 'ok' : code.toLowerCase() });
      if (code !== null) return;
      bytes.inc({ lun, op: kind }, n);
      latency.observe({ lun, op: kind }, seconds);
    },
    conflict(lun, command) {
      conflicts.inc({ lun, command });
    },
  };
}
