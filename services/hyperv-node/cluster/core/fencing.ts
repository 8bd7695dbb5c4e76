/**
 * Fencing before takeover: the leader preempts the removed nodes' reservation keys, waits until
 * their leases surely expired, then takes over their CSVs and roles.
 */
import { assignCsvCoordinators } from './csv-coordination.js';
import { csvCoordinatorChanged, fenced, fenceFailed } from './event-catalog.js';
import type { ClusterDecision, ClusterEffectOrTimer, ClusterMsg } from './protocol.js';
import { push } from './replication.js';
import { failOver } from './role-policies.js';
import { reconcile } from './roles.js';
import { type ClusterState, freshWindow, leaseMs } from './state.js';

/** Marks the CSVs whose coordinator was removed as moving (coordinator null: nodes pause I/O). */
export function startFencing(s: ClusterState, removed: string[], now: number): ClusterState {
  const victims = [...new Set([...(s.fencing?.victims ?? []), ...removed])];
  // Roles of a removed node restart elsewhere only after its lease surely expired: it last
  // answered at lastOkAt and could renew at most freshWindow later, for leaseMs more.
  const safeAt = Math.max(
    now,
    ...victims.map((v) => (s.peers[v]?.lastOkAt ?? now) + freshWindow(s) + leaseMs(s)),
  );
  let config = s.config;
  const csvPrevious: Record<string, string> = { ...(s.fencing?.csvPrevious ?? {}) };
  for (const v of Object.values(config.csv)) {
    if (v.coordinator && victims.includes(v.coordinator)) {
      csvPrevious[v.volume] = v.coordinator;
      config = { ...config, csv: { ...config.csv, [v.volume]: { ...v, coordinator: null } } };
    }
  }
  if (config !== s.config) config = { ...config, version: config.version + 1 };
  return { ...s, config, fencing: { victims, safeAt, fenced: false, busy: true, csvPrevious } };
}

/** The storage answered the fencing: retry it, or take over once the removed nodes' leases expired. */
export function onFenceDone(
  s0: ClusterState,
  msg: Extract<ClusterMsg, { type: 'fenceDone' }>,
  now: number,
): ClusterDecision {
  if (!s0.fencing) return { state: s0, effects: [] };
  if (!msg.ok) {
    return {
      state: { ...s0, fencing: { ...s0.fencing, busy: false } },
      effects: [fenceFailed(msg.victims, msg.error)],
    };
  }
  const victims = s0.fencing.victims;
  const s: ClusterState = { ...s0, fencing: { ...s0.fencing, fenced: true, busy: false } };
  const done = fenced(victims);
  if (now < s.fencing!.safeAt)
    return {
      state: s,
      effects: [
        done,
        { type: 'startTimer', id: 'fenceSafe', ms: s.fencing!.safeAt - now, msg: { type: 'fenceSafe' } },
      ],
    };
  const t = takeOver(s, now);
  return { state: t.state, effects: [done, ...t.effects] };
}

/** After fencing, and once the removed nodes' leases surely expired: take their disks and roles. */
export function takeOver(s0: ClusterState, now: number): ClusterDecision {
  if (!s0.fencing?.fenced || s0.leader !== s0.self || s0.service !== 'Running' || !s0.quorum.has)
    return { state: s0, effects: [] };
  const victims = s0.fencing.victims;
  const previous = s0.fencing.csvPrevious;
  let s: ClusterState = { ...s0, fencing: null };
  const effects: ClusterEffectOrTimer[] = [];
  const before = s.config.csv;
  s = assignCsvCoordinators(s);
  for (const v of Object.values(s.config.csv)) {
    if (before[v.volume]?.coordinator !== v.coordinator)
      effects.push(
        csvCoordinatorChanged(
          v,
          v.coordinator,
          previous[v.volume] ?? before[v.volume]?.coordinator ?? null,
          'takeover',
        ),
      );
  }
  const fo = failOver(s, victims, now);
  s = fo.state;
  effects.push(...fo.effects);
  const r = reconcile(s, now);
  return { state: r.state, effects: [...effects, ...push(r.state), ...r.effects] };
}
