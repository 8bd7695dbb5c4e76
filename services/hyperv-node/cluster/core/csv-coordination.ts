/**
 * CSV coordination: which node coordinates each Cluster Shared Volume.
 */
import { injected } from '../../../process/injected-bugs.js';
import type { ClusterState } from './state.js';

/** Gives every CSV without a coordinator to the leader, once no fencing is pending. */
export function assignCsvCoordinators(s: ClusterState): ClusterState {
  if (s.fencing) return s;
  let config = s.config;
  for (const v of Object.values(config.csv)) {
    if (!v.coordinator || !s.members.includes(v.coordinator))
      config = { ...config, csv: { ...config.csv, [v.volume]: { ...v, coordinator: s.self } } };
  }
  return config === s.config ? s : { ...s, config: { ...config, version: config.version + 1 } };
}

/**
 * Only with the injected bug csv-takeover-without-handoff (services/process/injected-bugs.ts):
 * see the branch below. Without it the state is returned as it is.
 */
export function takeUnreachableCsv(s: ClusterState, now: number): ClusterState {
  if (!injected(s.bugs, 'csv-takeover-without-handoff') || s.service !== 'Running') return s;
  // injected bug csv-takeover-without-handoff: a member that has not heard a volume's
  // coordinator for more than a heartbeat interval and a half makes itself the coordinator on its
  // own, without the cluster deciding (a regroup that removes the coordinator) and without the
  // coordinator handing the volume over. Only its own configuration changes, so during a short
  // cut both nodes coordinate at once. (Counting missed heartbeats instead left a window of a few
  // milliseconds at a tick, and a CI run missed it.)
  let config = s.config;
  for (const v of Object.values(config.csv)) {
    const c = v.coordinator;
    const heard = s.peers[c ?? '']?.lastOkAt ?? now;
    if (c && c !== s.self && s.members.includes(c) && now - heard > 1.5 * s.delayMs)
      config = { ...config, csv: { ...config.csv, [v.volume]: { ...v, coordinator: s.self } } };
  }
  return config === s.config ? s : { ...s, config };
}
