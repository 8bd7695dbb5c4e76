/**
 * A simulated node's persistent-reservation steps through its MPIO, as the cluster adapter's
 * reservations.ts takes them: registering its key on every mapped LUN, reserving a shared LUN
 * nobody holds, and fencing — preempting the victims' keys on every shared LUN (the CSVs and the
 * disk witness's LUN) — each a chain of I/Os that stops at the first failure.
 */

import type { IoResult } from '../services/hyperv-node/mpio.js';
import { reservationKey, type StorageOp } from '../services/hyperv-node/mpio.js';
import type { NodeSettings } from '../services/process/config.js';
import { type InjectedBugs, injected } from '../services/process/injected-bugs.js';

/** What the steps need of the node. */
export interface PrNode {
  settings: NodeSettings;
  bugs: InjectedBugs;
  /** One I/O through the node's MPIO. */
  io(lun: string, op: StorageOp, done: (r: IoResult) => void): void;
}

/** One step: it calls `next` with an error, or with nothing to go on. */
export type Step = (next: (error?: string) => void) => void;

/** Steps run one after another; the first failure ends the chain. */
export function chain(steps: Step[], done: (error?: string) => void): void {
  const run = (i: number) => {
    const step = steps[i];
    if (!step) return done();
    step((error) => (error ? done(error) : run(i + 1)));
  };
  run(0);
}

function ioStep(n: PrNode, lun: string, op: StorageOp, what: string, allowed: string[] = []): Step {
  return (next) =>
    n.io(lun, op, (r) =>
      next(r.ok || allowed.includes(r.code) ? undefined : `${what} on ${lun}: ${r.code} ${r.message}`),
    );
}

/** Registers the node's key on every LUN mapped to it. */
export function registerSteps(n: PrNode): Step[] {
  const key = reservationKey(n.settings.nodeId);
  return n.settings.luns.map((lun) => ioStep(n, lun, { kind: 'register', key }, 'registering'));
}

/** Reserves a LUN for this node's key unless someone holds it already (reservations.ts). */
export function ensureReservedStep(n: PrNode, lun: string): Step {
  const key = reservationKey(n.settings.nodeId);
  return (next) =>
    n.io(lun, { kind: 'readKeys' }, (r) => {
      if (!r.ok) return next(`reading keys on ${lun}: ${r.code}`);
      if ((r.prState as { reservation_key?: string } | undefined)?.reservation_key) return next();
      ioStep(n, lun, { kind: 'reserve', key }, 'reserving', ['RESERVATION_CONFLICT'])(next);
    });
}

/** Preempts the victims' keys on every shared LUN (reservations.ts fence). */
export function fence(
  n: PrNode,
  victims: string[],
  done: (error?: string) => void,
  mayFence: () => boolean = () => true,
): void {
  // injected bug failover-without-fencing: reports the victims fenced without preempting.
  if (injected(n.bugs, 'failover-without-fencing')) {
    done();
    return;
  }
  const s = n.settings;
  const key = reservationKey(s.nodeId);
  const ids = new Map(s.clusterNodes.map((x) => [x.name, x.nodeId]));
  const shared = [
    ...new Set([...s.sharedVolumes.map((v) => v.lun), ...(s.witnessLun ? [s.witnessLun] : [])]),
  ];
  // Registered only while this node may still fence (reservations.ts fence says why).
  const abandoned = 'fencing abandoned: this node lost quorum';
  const steps: Step[] = registerSteps(n).map((step) => (next) => (mayFence() ? step(next) : next(abandoned)));
  for (const lun of shared) {
    if (lun !== s.witnessLun) steps.push(ensureReservedStep(n, lun));
    for (const v of victims) {
      const id = ids.get(v);
      if (id !== undefined)
        steps.push((next) =>
          mayFence()
            ? ioStep(n, lun, { kind: 'preempt', key, victimKey: reservationKey(id) }, `preempting ${v}`)(next)
            : next(`fencing ${v} abandoned: this node lost quorum`),
        );
    }
  }
  chain(steps, done);
}
