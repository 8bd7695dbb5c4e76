/**
 * CSV coordination: which node coordinates each Cluster Shared Volume.
 */
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
