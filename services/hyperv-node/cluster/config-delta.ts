/**
 * Configuration pushes as deltas (adapter, on the wire): the Global Update Manager sends each
 * member the update, not the whole cluster database. With a thousand roles a whole configuration
 * is ~360 KB of JSON that every member parsed for every change; a delta carries the roles that
 * changed since the configuration the member last acknowledged from this leader, and the small
 * rest whole. The core still receives whole configurations: a member's adapter rebuilds one from
 * the copy it holds, and a member that does not hold that copy any more answers so, and is sent
 * the whole configuration (docs/design.md §Configuration deltas).
 */
import type { ClusterConfig, RoleConfig } from './core/state.js';

/** The changes from one configuration (`base`) to the next (`version`). */
export interface ConfigDelta {
  base: number;
  version: number;
  /** The roles added or changed, and the names of the roles removed. */
  roles: { set: Record<string, RoleConfig>; del: string[] };
  /** Everything else, whole (a few CSVs and paused nodes). */
  rest: Omit<ClusterConfig, 'version' | 'roles'>;
}

/**
 * The delta from `from` to `to`, by reference: the core changes a configuration by copying it,
 * so a role that did not change is the same object in both. Null when the delta would not
 * rebuild `to` exactly, roles in the same order (a role removed and added again between the two).
 */
export function configDelta(from: ClusterConfig, to: ClusterConfig): ConfigDelta | null {
  const set: Record<string, RoleConfig> = {};
  for (const [name, role] of Object.entries(to.roles)) if (from.roles[name] !== role) set[name] = role;
  const del = Object.keys(from.roles).filter((name) => !(name in to.roles));
  const { version, roles: _roles, ...rest } = to;
  const delta: ConfigDelta = { base: from.version, version, roles: { set, del }, rest };
  const rebuilt = Object.keys(applyDelta(from, delta).roles);
  const wanted = Object.keys(to.roles);
  return rebuilt.length === wanted.length && rebuilt.every((k, i) => k === wanted[i]) ? delta : null;
}

/** The configuration `delta` leads to from `base` (which it must have been made from). */
export function applyDelta(base: ClusterConfig, delta: ConfigDelta): ClusterConfig {
  const roles = { ...base.roles, ...delta.roles.set };
  for (const name of delta.roles.del) delete roles[name];
  return { version: delta.version, roles, ...delta.rest };
}
