/**
 * The one list of fault kinds. The orchestrator daemon leases the injectable kinds, a chaos
 * experiment names them in its method, and a chaos history records them together with the
 * recovery kinds that undo them; all three read the lists below, so a new kind is added here once.
 */

/** Faults the daemon can inject as a lease, and the ones an experiment's method may name. */
export const FAULT_KINDS = [
  /** SIGKILL of every process of the given hosts; lifting the lease starts them again. */
  'kill',
  /** SIGSTOP of every process of the given hosts, as a hung server; lifting sends SIGCONT. */
  'freeze',
  /** A blade powered off through the management module, as a person or fencing agent would. */
  'power-off',
  /** Traffic cut between groups of hosts, both ways or only from the first group. */
  'partition',
  /** Delay, jitter, loss or a rate limit on a host's links, optionally only towards some peers. */
  'netem',
  /** An I/O module (RSSM) pulled from its bay through the management module. */
  'rssm-pull',
  /** Every storage controller of the topology killed. */
  'storage-crash',
  /** The quorum witness killed. */
  'witness-loss',
  /** A LUN whose every I/O takes longer by a given delay. */
  'storage-slow',
  /** A LUN on which a given share of the I/O fails. */
  'storage-errors',
] as const;

/** A fault the daemon can inject. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Kinds that undo a fault rather than cause one, for when a chaos run records them as their own
 * entries instead of as the end of the fault's lease.
 */
export const RECOVERY_KINDS = [
  /** A killed host started again (undoes kill). */
  'restart',
  /** A frozen host's processes continued (undoes freeze). */
  'thaw',
  /** A blade powered on again (undoes power-off). */
  'power-on',
  /** A partition healed (undoes partition). */
  'heal',
  /** An I/O module put back in its bay (undoes rssm-pull). */
  'rssm-reinsert',
] as const;

/** A kind that undoes a fault. */
export type RecoveryKind = (typeof RECOVERY_KINDS)[number];

/** Every kind a chaos history may record: the faults and the recoveries. */
export const RECORDED_FAULT_KINDS = [...FAULT_KINDS, ...RECOVERY_KINDS] as const;

/** A kind a chaos history may record. */
export type RecordedFaultKind = (typeof RECORDED_FAULT_KINDS)[number];

/** Whether a recorded kind undoes a fault (heal, thaw…) rather than causes one. */
export function isRecoveryKind(kind: string): kind is RecoveryKind {
  return (RECOVERY_KINDS as readonly string[]).includes(kind);
}
