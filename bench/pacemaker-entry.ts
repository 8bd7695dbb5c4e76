/**
 * The `failoverVsPacemaker` row: dcbox's time from the power-off to the role's start on the
 * survivor (Event 1201, before the emulated guest boots) over Pacemaker's time from the kill to
 * the Dummy's start on its survivor, at a corosync token chosen so both detections match. Pure:
 * the sessions' samples in, the row out.
 */
import type { Samples } from './session-support.js';
import { type Entry, ratioOf, usable } from './verdict.js';

/** The goal: dcbox's recovery machinery no slower than a real stack's by more than failoverRatio's margin. */
export const VS_PACEMAKER_GOAL = 1.3;
/** How far apart the two detections may be for the comparison to count as like with like. */
export const DETECTION_TOLERANCE = 0.15;

/**
 * Every setting that differs between the two sides, for the note: the comparison is only as fair
 * as this list says.
 */
export const DIFFERENCES = [
  'fencing: dcbox preempts the lost node’s SCSI-3 reservations and waits out its lease; Pacemaker runs with stonith-enabled=false (nothing fences)',
  'quorum: dcbox is Node and Disk Majority (a disk witness arbitrated on the Quorum LUN); Pacemaker is votequorum two_node (wait_for_all), no witness',
  'detection: dcbox SameSubnetDelay 1000 ms × SameSubnetThreshold 5 heartbeats over NATS; corosync totem token T, consensus 1.2 × T, knet on a veth',
  'the resource: dcbox restarts a VM (its configuration and memory on the survivor, the CSV taken over); Pacemaker starts ocf:pacemaker:Dummy (touches a file), monitor 10 s',
  'the survivor leads in both: dcbox’s lowest id (HVR2NODO1), Pacemaker’s DC (the Dummy placed on the other node by a location score of 100)',
  'Pacemaker’s first CIB sets dc-deadtime 2 s so a fresh cluster elects its DC in ~5 s instead of ~20 s (the start only, not the failover)',
  'power loss: dcbox SIGKILLs the blade’s process group through the MM and the backplane; Pacemaker’s node gets SIGKILL for every process at once from the bench',
];

type Median = (key: string) => number | null;

const num = (s: Samples | null | undefined, k: string): number | null =>
  typeof s?.[k] === 'number' ? (s[k] as number) : null;

function fmt(n: number | null): string {
  return n === null ? '—' : String(Math.round(n));
}

/** The row; `pcmk` is null when the session did not run (a quick run, or no dcbox detection). */
export function pacemakerEntry(
  quick: boolean,
  runs: number,
  seedMedian: Median,
  pcmk: { samples: Samples | null; error?: string } | null,
): Entry {
  const base: Entry = {
    key: 'failoverVsPacemaker',
    figure: null,
    unit: '×',
    baseline: null,
    baselineUnit: 'ms (Pacemaker: kill → Dummy started)',
    baselineRequired: true,
    ratio: null,
    goal: `≤ ${VS_PACEMAKER_GOAL}, detections within ${DETECTION_TOLERANCE * 100} %`,
    met: false,
    runs: 0,
    note: '',
  };
  if (quick)
    return { ...base, baselineRequired: false, note: 'skipped in --quick (npm test needs no Pacemaker)' };
  const missing = pcmk?.samples?.missing;
  if (typeof missing === 'string')
    return { ...base, baselineRequired: false, note: `not measured: ${missing}` };
  const s = pcmk?.samples ?? null;
  if (!s) return { ...base, note: `not measured: ${pcmk?.error ?? 'no dcbox detection to match'}` };
  const dcbox = {
    detection: seedMedian('detectionMs'),
    recovery: seedMedian('recoveryMs'),
    start: seedMedian('roleStartMs'),
    failover: seedMedian('failoverMs'),
  };
  const p = {
    detection: num(s, 'pcmkDetectionMs'),
    recovery: num(s, 'pcmkRecoveryMs'),
    start: num(s, 'pcmkStartMs'),
  };
  const ratio = ratioOf(dcbox.start, p.start);
  const apart = detectionsApart(dcbox.detection, p.detection);
  const matched = apart !== null && apart <= DETECTION_TOLERANCE;
  return {
    ...base,
    figure: ratio,
    baseline: p.start,
    ratio,
    met: ratio !== null && ratio <= VS_PACEMAKER_GOAL && matched,
    runs: Math.min(runs, num(s, 'reps') ?? 0),
    note: [
      `dcbox: power-off → Event 1201 on the survivor = detection ${fmt(dcbox.detection)} + recovery ${fmt(dcbox.recovery)} = ${fmt(dcbox.start)} ms; to a VM that answers ${fmt(dcbox.failover)} ms.`,
      `Pacemaker ${s.pacemakerVersion ?? ''} / corosync ${s.corosyncVersion ?? ''}, token ${num(s, 'tokenMs') ?? '?'} ms: kill → Dummy started = detection ${fmt(p.detection)} + recovery ${fmt(p.recovery)} = ${fmt(p.start)} ms (each run: ${s.pcmkRuns ?? '?'}).`,
      apart === null
        ? 'Detections: not both measured.'
        : `Detections ${matched ? 'match' : 'DO NOT match'}: ${Math.round(apart * 100)} % apart.`,
      `Settings that differ: ${DIFFERENCES.join('; ')}.`,
    ].join(' '),
  };
}

/** |a − b| / a, or null when either is missing or a is not a usable baseline. */
export function detectionsApart(dcbox: number | null, pcmk: number | null): number | null {
  if (!usable(dcbox) || !usable(pcmk)) return null;
  return Math.abs(pcmk - dcbox) / dcbox;
}
