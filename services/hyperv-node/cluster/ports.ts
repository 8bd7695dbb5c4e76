/**
 * What the cluster adapter needs of the node's other parts: the VM manager, each Cluster Shared
 * Volume and the metrics. main.ts wires them in.
 */
import type { VmSpec } from '../../process/config.js';
import type { CsvModeChangeFacts } from './core/event-catalog.js';
import type { MigrationResult, VmState } from './core/state.js';

/** What the cluster needs of the VM manager. */
export interface ClusterVms {
  defineVm(spec: VmSpec): Promise<unknown>;
  removeVm(name: string): Promise<void>;
  start(name: string): Promise<unknown>;
  turnOff(name: string): Promise<unknown>;
  save(name: string): Promise<unknown>;
  stateOf(name: string): VmState;
  specOf(name: string): VmSpec | null;
  liveMigrate(name: string, to: string): Promise<MigrationResult>;
  quickMigrate(name: string, to: string): Promise<MigrationResult>;
}

/** What a Cluster Shared Volume layer must offer the cluster. */
export interface ClusterCsv {
  setCoordinator(node: string | null): void;
  pause(): void;
  resume(): void;
  /** Offline while this node is out of the cluster: its held and retried I/O fails. */
  setOnline(online: boolean): void;
  /** Resolves once no I/O through the volume is unanswered (before the node registers again). */
  drained(): Promise<void>;
  mode(): string;
  /** Calls cb on every change of the volume's mode on this node; returns a function that stops it. */
  onEvent(cb: (change: CsvModeChangeFacts) => void): () => void;
}

/** What the cluster adapter reports to its metrics: heartbeats and migrations as they happen. */
export interface ClusterObserver {
  heartbeat(peer: string, answered: boolean): void;
  migration(kind: 'live' | 'quick', ok: boolean, blackoutMs: number | null): void;
}
