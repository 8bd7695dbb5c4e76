/**
 * What a CsvVolume is built from, and what the modules that talk to the coordinator read of it.
 * Types only: csv-volume.ts re-exports them, so importers keep importing from there.
 */
import type { Clock } from '../../actor/clock.js';
import type { Timing } from '../../process/config.js';
import type { Logger } from '../../process/log.js';
import type { NatsConnection } from '../../transport/nats.js';
import type { IoResult, StorageOp } from '../mpio.js';
import type { RedirectAdmission } from './core.js';

/** What a CSV needs below it: Multipath has exactly this shape. */
export interface BlockDevice {
  io(lun: string, op: StorageOp): Promise<IoResult>;
}

/** Everything a CsvVolume is built from. */
export interface CsvVolumeOptions {
  /** The cluster's name (settings.cluster), part of the NATS subjects. */
  cluster: string;
  /** This node's name. */
  node: string;
  /** The volume's name, e.g. Volume1. */
  volume: string;
  /** The LUN under it, e.g. CSV1. */
  lun: string;
  /** The volume's path on every node, e.g. C:\ClusterStorage\Volume1. */
  path: string;
  /**
   * The LUN's size: the first coordinator lays out the data area to it. 0 while the storage has
   * not said (a node that boots while the storage is down): set it later with setLunSize.
   */
  lunSizeBytes: number;
  /** This node's MPIO (or any device with the same io()). */
  device: BlockDevice;
  nc: NatsConnection;
  timing: Timing;
  log: Logger;
  /** The clock of the I/O core (its probe timer and event times); the system clock by default. */
  clock?: Clock;
  /**
   * How long a metadata request or redirected I/O waits for a coordinator to answer while
   * coordination moves; by default twice the time the cluster takes to notice a dead node
   * (SameSubnetDelay × SameSubnetThreshold, docs/domain.md §Heartbeats).
   */
  coordinatorWaitMs?: number;
  /**
   * What the coordinator does with a redirected I/O from a node, sent in its view of `epoch`
   * (csv/core.ts admitRedirect): performs it for a member, refuses it for a node outside the
   * running cluster as this node knows it, or has a member reconnect (ask again stamped with its
   * view now) when the stamp is from before its last departure. Everything is performed without
   * it (tests of the volume alone).
   */
  admitRedirect?: (node: string, epoch?: number) => RedirectAdmission;
  /** The epoch of this node's membership view now, stamped on its redirected I/O. */
  epoch?: () => number;
}

/**
 * What sending a request to the coordinator reads of its volume: the options, the bounds of one
 * request and of the wait for a coordinator, whether the volume is stopping, and who coordinates.
 */
export interface ForwardContext {
  readonly opts: CsvVolumeOptions;
  readonly requestTimeoutMs: number;
  readonly coordinatorWaitMs: number;
  stopped(): boolean;
  coordinator(): string | null;
}
