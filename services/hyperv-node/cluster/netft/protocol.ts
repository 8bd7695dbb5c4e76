/**
 * The messages between a node's cluster service (main thread, netft.ts) and its heartbeat
 * thread (worker.ts).
 */
import type { StandingView } from './standing.js';

/** What the heartbeat thread is started with. */
export interface NetFtWorkerData {
  natsUrl: string;
  /** The NATS connection's name. */
  name: string;
  token?: string;
  /** The subject this node's heartbeats arrive on (subjects.clusterHeartbeat). */
  subject: string;
  /** How long the thread waits for the service's answer to a heartbeat before it answers itself. */
  standInMs: number;
  /** The hang countdown (hang-watch.ts) and the period of its timer. */
  hangTimeoutMs: number;
  tickMs: number;
}

/** From the cluster service to its heartbeat thread; every message is also a check-in. */
export type ToNetFt =
  /** The service's answer to heartbeat `id`, and from now on the view to stand in with. */
  | { type: 'answer'; id: number; standing: StandingView }
  /** A check-in with nothing else. */
  | { type: 'alive' }
  /** Send a heartbeat request (the encoded view) and report its answer as result `id`. */
  | { type: 'send'; id: number; subject: string; data: Uint8Array; timeoutMs: number }
  | { type: 'stop' };

/** From the heartbeat thread to the cluster service. */
export type FromNetFt =
  /** The thread listens for heartbeats (its subscription reached the server). */
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  /** A peer's heartbeat (its encoded view), to answer with `answer` of the same id. */
  | { type: 'request'; id: number; data: Uint8Array }
  /** The answer to `send` `id`: the peer's encoded view, or null when it did not answer in time. */
  | { type: 'result'; id: number; data: Uint8Array | null }
  /** The hang countdown ran out: the thread stopped answering and sending heartbeats. */
  | { type: 'hung'; silentMs: number }
  /** The service checked in again after a hang: the heartbeats go on. */
  | { type: 'recovered'; hungMs: number };
