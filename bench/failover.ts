/**
 * The seed session's failover, measured from outside the blade that loses power: the
 * orchestrator's power event for it, then on the survivor Event 1135 (the node removed) and
 * Event 1201 (the role's VM started there, before its guest boots), then the workstation's first
 * echo the survivor answers. verdict.ts splits these into detection and recovery.
 */
import type { Clients } from '../orchestrator/run/clients.js';
import type { ClusterEvent__Output } from '../services/generated/dcbox/cluster/v1/ClusterEvent.js';
import type { StreamEvent__Output } from '../services/generated/dcbox/orchestrator/v1/StreamEvent.js';
import { pollUntil } from '../services/process/poll-until.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import type { EchoWatch } from './echo.js';
import { events } from './session-support.js';
import { type FailoverInstants, type FailoverSplit, failoverSplit } from './verdict.js';

const NODE_REMOVED = 1135;
const FAILOVER_STARTED = 1153;
const GROUP_ONLINE = 1201;

/**
 * Where the recovery's time went, from the survivor's own events (hints, not evidence): the
 * removal (1135) to its fencing of the lost node done, the wait for the lost node's lease that
 * the fenced event announced, the fenced event to the failover's start (1153: the wait and, for a
 * holder of the witness, a defence's round trip), 1153 to the VM started (1201), and 1201 to the
 * first echo answered (the guest's boot). Missing events leave NaN.
 */
export interface RecoverySteps {
  fenceMs: number;
  takeOverWaitMs: number;
  fencedToFailoverMs: number;
  failoverToStartMs: number;
  startToAnswerMs: number;
}

/**
 * Powers blade `bay` (node `victim`) off through the MM and waits until `vm` answers from
 * `survivor`; the failover's instants and their split. Fails, naming what is missing, when an
 * instant cannot be found: a missing baseline must not become an infinite ratio.
 */
export async function powerOffFailover(
  c: Clients,
  echo: EchoWatch,
  blade: { bay: number; victim: string; survivor: string },
): Promise<FailoverInstants & FailoverSplit & { steps: RecoverySteps }> {
  const { victim, survivor } = blade;
  const offAt = Date.now();
  await rpc((cb) => c.mm().Power({ kind: 'blade', bay: blade.bay, action: 'off' }, deadline(30_000), cb));
  const answeredAtMs = await pollUntil(async () => echo.firstAnswerFrom(survivor, offAt), {
    what: `${echo.vm} answering from ${survivor}`,
    timeoutMs: 120_000,
  });
  const powerOffAtMs = await pollUntil(async () => powerEventAt(c, victim, offAt), {
    what: `the orchestrator's power-off event for ${victim}`,
    timeoutMs: 10_000,
  });
  const log = await events(c, survivor);
  const removed = log.find(
    (e) => e.event_id === NODE_REMOVED && Number(e.time_ms) >= offAt && dataOf(e.data_json).node === victim,
  );
  if (!removed) throw new Error(`no Event 1135 for ${victim} on ${survivor} after the power-off`);
  const started = log.find(
    (e) =>
      e.event_id === GROUP_ONLINE &&
      Number(e.time_ms) >= Number(removed.time_ms) &&
      dataOf(e.data_json).role === echo.vm,
  );
  if (!started) throw new Error(`no Event 1201 for ${echo.vm} on ${survivor} after the removal`);
  const instants: FailoverInstants = {
    powerOffAtMs,
    removedAtMs: Number(removed.time_ms),
    roleStartedAtMs: Number(started.time_ms),
    answeredAtMs,
  };
  const split = failoverSplit(instants);
  if (typeof split === 'string') throw new Error(`the failover's instants are out of order: ${split}`);
  return { ...instants, ...split, steps: recoverySteps(log, instants, echo.vm) };
}

/** The recovery's steps on the survivor between Event 1135 and the first answer. */
function recoverySteps(log: ClusterEvent__Output[], t: FailoverInstants, vm: string): RecoverySteps {
  const after = (e: ClusterEvent__Output) => Number(e.time_ms) >= t.removedAtMs;
  const fenced = log.find((e) => e.kind === 'fenced' && after(e));
  const failover = log.find(
    (e) => e.event_id === FAILOVER_STARTED && after(e) && dataOf(e.data_json).role === vm,
  );
  const at = (e: ClusterEvent__Output | undefined) => (e ? Number(e.time_ms) : Number.NaN);
  return {
    fenceMs: at(fenced) - t.removedAtMs,
    takeOverWaitMs: Number(fenced ? (dataOf(fenced.data_json).takeOverWaitMs ?? Number.NaN) : Number.NaN),
    fencedToFailoverMs: at(failover) - at(fenced),
    failoverToStartMs: t.roleStartedAtMs - at(failover),
    startToAnswerMs: t.answeredAtMs - t.roleStartedAtMs,
  };
}

function dataOf(json: string): Record<string, unknown> {
  try {
    return json ? (JSON.parse(json) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** When the orchestrator logged `host`'s power cut (its processes killed), at or after `fromMs`. */
async function powerEventAt(c: Clients, host: string, fromMs: number): Promise<number | undefined> {
  const all = await new Promise<StreamEvent__Output[]>((resolve, reject) => {
    const got: StreamEvent__Output[] = [];
    const s = c.orchestrator.Events({ after_seq: 0, follow: false });
    s.on('data', (e: StreamEvent__Output) => got.push(e));
    s.on('end', () => resolve(got));
    s.on('error', reject);
  });
  for (const e of all) {
    const x = JSON.parse(e.json) as {
      kind?: string;
      node?: string;
      timeMs?: number;
      data?: { on?: boolean };
    };
    if (x.kind === 'power' && x.node === host && x.data?.on === false && (x.timeMs ?? 0) >= fromMs)
      return x.timeMs;
  }
  return undefined;
}
