/**
 * Resource and group policies of Windows Server 2008 R2 failover clustering (docs/domain.md §Resources and groups):
 * restart in place (RestartThreshold 3 in RestartPeriod 15 min, then fail the group over), the
 * group failover threshold (nodes − 1 in FailoverPeriod 6 h), and where a group goes.
 */

/** RestartThreshold default (docs/domain.md §Resources and groups). */
export const RESTART_THRESHOLD = 3;
/** RestartPeriod default: 900000 ms (docs/domain.md §Resources and groups). */
export const RESTART_PERIOD_MS = 900_000;
/** FailoverPeriod default: 6 hours (docs/domain.md §Resources and groups). */
export const FAILOVER_PERIOD_MS = 6 * 3600_000;

/** What to do after a resource failed, given the restarts it already had (RestartAction = 2, the default). */
export function afterResourceFailure(
  restartTimes: readonly number[],
  now: number,
): { action: 'restart' | 'failover'; recent: number[] } {
  const recent = restartTimes.filter((t) => now - t < RESTART_PERIOD_MS);
  return { action: recent.length < RESTART_THRESHOLD ? 'restart' : 'failover', recent };
}

/** FailoverThreshold 0xFFFFFFFF means "number of nodes − 1" (docs/domain.md §Resources and groups). */
export function failoverThreshold(nodesInCluster: number): number {
  return Math.max(nodesInCluster - 1, 0);
}

/** Whether a group may fail over once more, given its failovers so far. */
export function mayFailOver(
  failoverTimes: readonly number[],
  now: number,
  nodesInCluster: number,
): { allowed: boolean; recent: number[] } {
  const recent = failoverTimes.filter((t) => now - t < FAILOVER_PERIOD_MS);
  return { allowed: recent.length < failoverThreshold(nodesInCluster), recent };
}

/**
 * Where a group goes when it must leave `from`: its first preferred owner that is up, otherwise
 * the up node running the fewest groups (ties broken by node id order), never `from` itself.
 */
export function chooseTarget(opts: {
  from: string | null;
  up: readonly string[];
  preferredOwners: readonly string[];
  groupsPerNode: Readonly<Record<string, number>>;
}): string | null {
  const candidates = opts.up.filter((n) => n !== opts.from);
  for (const p of opts.preferredOwners) if (candidates.includes(p)) return p;
  let best: string | null = null;
  for (const n of candidates)
    if (best === null || (opts.groupsPerNode[n] ?? 0) < (opts.groupsPerNode[best] ?? 0)) best = n;
  return best;
}

/** Whether a group should fail back to a preferred owner that is up (AutoFailbackType Allow, no window). */
export function failbackTarget(opts: {
  owner: string;
  up: readonly string[];
  preferredOwners: readonly string[];
  allowFailback: boolean;
}): string | null {
  if (!opts.allowFailback || opts.preferredOwners.length === 0) return null;
  const best = opts.preferredOwners.find((p) => opts.up.includes(p));
  return best && best !== opts.owner ? best : null;
}
