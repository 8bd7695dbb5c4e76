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
export function takeUnreachableCsv(s: ClusterState): ClusterState {
  if (!injected(s.bugs, 'csv-takeover-without-handoff') || s.service !== 'Running') return s;
  // injected bug csv-takeover-without-handoff: a member that misses a heartbeat of a volume's
  // coordinator makes itself the coordinator on its own, without the cluster deciding (a regroup
  // that removes the coordinator) and without the coordinator handing the volume over. Only its
  // own configuration changes, so during a short cut both nodes coordinate at once.
  let config = s.config;
  for (const v of Object.values(config.csv)) {
    const c = v.coordinator;
    if (c && c !== s.self && s.members.includes(c) && (s.peers[c]?.missed ?? 0) > 0)
      config = { ...config, csv: { ...config.csv, [v.volume]: { ...v, coordinator: s.self } } };
  }
  return config === s.config ? s : { ...s, config };
}
