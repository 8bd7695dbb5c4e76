/**
 * What the daemon's entry (entry.ts) and the daemon proper (daemon.ts) share: the messages sent
 * to the `dcbox up` that started the daemon, and how the dashboard is served.
 */
import type { StartMarks } from '../run/start-timeline.js';
import type { ResolvedTopology } from '../topology/topology.js';

/** What `dcbox up` sends the daemon it forked, once the machine is ready for a run. */
export interface StartMessage {
  type: 'start';
  /** The topology `dcbox up` loaded, checked and resolved (with its timing profile). */
  topology: ResolvedTopology;
}

/** Messages the daemon sends to the `dcbox up` that started it. */
export type DaemonMessage =
  | { type: 'progress'; text: string }
  | { type: 'ready'; elapsedMs: number; dashboard: DashboardInfo | null; marks: StartMarks }
  | { type: 'failed'; error: string };

/** Where the dashboard is served, and the token its controls need (null: read-only). */
export interface DashboardInfo {
  url: string;
  token: string | null;
  /** Why it is not served, when it is not. */
  error?: string;
}

/** How the daemon serves the dashboard. */
export interface DashboardSetting {
  /** host:port, or null for no dashboard. */
  listen: string | null;
  allowControl: boolean;
}
