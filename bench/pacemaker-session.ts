/**
 * The `pacemaker` session: `reps` failovers of a fresh two-node Pacemaker cluster (pacemaker.ts)
 * at one corosync token, as samples for bench.ts. When the packages are missing it says so in
 * its samples (`missing`) instead of measuring, so the entry reads "not measured", never a pass.
 */
import {
  type PcmkFailover,
  pacemakerFailover,
  pacemakerLeftovers,
  pacemakerMissing,
  pacemakerVersions,
} from './pacemaker.js';
import type { Samples } from './session-support.js';
import { medianOf } from './verdict.js';

/** Runs the comparison `reps` times with `tokenMs`; medians and every run's figures. */
export async function pacemakerSession(tokenMs: number, reps: number): Promise<Samples> {
  const missing = pacemakerMissing();
  if (missing) return { missing };
  const runs: PcmkFailover[] = [];
  for (let i = 0; i < reps; i++) runs.push(await pacemakerFailover(tokenMs));
  const left = pacemakerLeftovers();
  if (left.length) throw new Error(`the Pacemaker comparison left ${left.join(', ')}`);
  const med = (k: 'detectionMs' | 'recoveryMs' | 'startMs') => medianOf(runs.map((r) => r[k])) as number;
  return {
    tokenMs,
    reps,
    pcmkDetectionMs: med('detectionMs'),
    pcmkRecoveryMs: med('recoveryMs'),
    pcmkStartMs: med('startMs'),
    pcmkRuns: runs
      .map(
        (r) =>
          `${Math.round(r.detectionMs)}+${Math.round(r.recoveryMs)} ms${r.survivorWasDc ? '' : ' (survivor not DC)'}`,
      )
      .join(', '),
    pcmkFormedMs: medianOf(runs.map((r) => r.formedMs)) as number,
    leftovers: 0,
    ...pacemakerVersions(),
  };
}
