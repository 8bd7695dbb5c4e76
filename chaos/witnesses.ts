/**
 * The recorder's independent witnesses, followed as they happen: the storage controller's own log
 * of acknowledged writes and reservation changes (Storage.WatchLog) and each node's log of its
 * VMs' record writes (HyperVNode.WatchWrites), turned into history lines (docs/chaos.md §History).
 * Both streams are opened from the start of the run and opened again when they break (a node
 * killed, the controller restarted); a restarted process starts its sequence again, which the
 * boot id tells apart.
 */
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { Clients } from '../orchestrator/run/clients.js';
import type { WriteEvent__Output } from '../services/generated/dcbox/node/v1/WriteEvent.js';
import type { ControllerLogEntry__Output } from '../services/generated/dcbox/storage/v1/ControllerLogEntry.js';

/** Where the witnesses' lines go: the recorder. */
export interface WitnessSink {
  /** Writes a history line stamped at `at` (wall-clock ms; before the run: at its start). */
  writeAt(at: number, entry: Record<string, unknown>): void;
  /** The run's start, wall-clock ms. */
  readonly startedAt: number;
  /** A fresh op id, shared with the pings. */
  nextOp(): number;
  /** True once the recorder is finishing: no stream is opened again. */
  closing(): boolean;
  /** Keeps a stream so finish() can cancel it. */
  track(stream: ClientReadableStream<unknown>): void;
  /** Counts lines a witness dropped before the recorder read them. */
  missed(source: string, count: number): void;
}

/** The last seq seen per boot of a process, so a stream opened again does not repeat lines. */
class Positions {
  private readonly last = new Map<string, number>();
  /** Whether this line is new; remembers it. */
  fresh(boot: string, seq: number): boolean {
    if (seq <= (this.last.get(boot) ?? 0)) return false;
    this.last.set(boot, seq);
    return true;
  }
}

/** Opens a stream, and opens it again `retryMs` after it breaks, until the recorder closes. */
function follow<T>(
  sink: WitnessSink,
  open: () => ClientReadableStream<T>,
  onData: (m: T) => void,
  retryMs: number,
): void {
  const start = () => {
    if (sink.closing()) return;
    const stream = open();
    sink.track(stream as ClientReadableStream<unknown>);
    stream.on('data', onData);
    let reopened = false;
    const again = () => {
      if (reopened) return;
      reopened = true;
      setTimeout(start, retryMs);
    };
    stream.on('error', again);
    stream.on('end', again);
  };
  start();
}

/** The history line of one line of the controller's log (null for a write before the run). */
export function controllerLine(
  m: ControllerLogEntry__Output,
  startedAt: number,
): Record<string, unknown> | null {
  const initiator = { host: m.initiator?.host ?? '', port: m.initiator?.port ?? '' };
  if (m.kind === 'write') {
    // Writes from before the run (the cluster's formation) judge nothing; registrations do.
    if (Number(m.time_ms) < startedAt) return null;
    const length = m.length;
    return { type: 'storage-write', initiator, lun: m.lun, offset: Number(m.offset), length, hash: m.hash };
  }
  if (m.kind !== 'reservation') return null;
  const line: Record<string, unknown> = {
    type: 'reservation',
    action: m.action,
    initiator,
    lun: m.lun,
    key: m.key,
  };
  if (m.action === 'preempt') line.victim = { key: m.victim_key, hosts: m.victim_hosts };
  return line;
}

/** Follows the storage controller's log from its oldest line kept. */
export function followControllerLog(c: Clients, sink: WitnessSink): void {
  const seen = new Positions();
  const storage = c.storage();
  follow<ControllerLogEntry__Output>(
    sink,
    () => storage.WatchLog({ after_seq: 0 }),
    (m) => {
      if (m.kind === 'missed') return sink.missed('storage controller', Number(m.missed));
      if (!seen.fresh(m.boot_id, Number(m.seq))) return;
      const line = controllerLine(m, sink.startedAt);
      if (line) sink.writeAt(Number(m.time_ms), line);
    },
    500,
  );
}

/** An acknowledged record as the read-back needs it: where it was written, by whom, what. */
export interface AckedRecord {
  lun: string;
  offset: number;
  host: string;
  incarnation: string;
  hash: string;
}

/**
 * Follows one node's workload writes: each becomes an op line (invoke, then ok/fail/info) with
 * its writer and content hash; acknowledged ones are handed to `acked` for the read-back. A write
 * issued before the run is left out, its completion too.
 */
export function followNodeWrites(
  c: Clients,
  node: string,
  sink: WitnessSink,
  acked: (vm: string, seq: number, rec: AckedRecord) => void,
): void {
  const seen = new Positions();
  const ids = new Map<string, number>();
  const client = c.node(node);
  follow<WriteEvent__Output>(
    sink,
    () => client.WatchWrites({ after_seq: 0 }),
    (m) => {
      if (m.phase === 'missed') return sink.missed(node, Number(m.missed));
      if (!seen.fresh(m.boot_id, Number(m.seq))) return;
      const key = `${m.boot_id}/${m.write_id}`;
      if (m.phase === 'invoke') {
        if (Number(m.time_ms) < sink.startedAt) return;
        ids.set(key, sink.nextOp());
      }
      const id = ids.get(key);
      if (id === undefined) return;
      if (m.phase !== 'invoke') ids.delete(key);
      const seq = Number(m.record_seq);
      sink.writeAt(Number(m.time_ms), {
        type: 'op',
        process: `disk:${m.vm}`,
        f: 'write',
        phase: m.phase,
        id,
        vm: m.vm,
        seq,
        host: m.host,
        incarnation: m.incarnation,
        hash: m.hash,
        ...(m.error ? { error: m.error } : {}),
      });
      if (m.phase === 'ok')
        acked(m.vm, seq, {
          lun: m.lun,
          offset: Number(m.offset),
          host: m.host,
          incarnation: m.incarnation,
          hash: m.hash,
        });
    },
    200,
  );
}
