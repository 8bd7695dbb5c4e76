/**
 * Cheap invariants asserted after every step of a simulated run, beside the chaos checkers that
 * judge the whole history at the end: a broken invariant stops the run at once and names the
 * step (event index, simulated time, the event's label), so the schedule that broke it is as
 * short as it can be and the state that broke it is still there to read. They are the
 * simulation's in-line assertions, as FoundationDB's and TigerBeetle's simulators check theirs
 * after every tick:
 *
 * - one-coordinator: at most one node acts as the coordinator of a Cluster Shared Volume — a node
 *   acts while its lease holds (services/hyperv-node/cluster/core/lease.ts: its roles run and its
 *   disks are written only then) and its own configuration names it;
 * - config-version-monotonic: a node's configuration version never goes back, across restarts
 *   too (the configuration is saved on the blade's disk, docs/domain.md §Partition in time);
 * - members-in-nodes: a node's membership names only nodes of the cluster, and its leader is a
 *   member;
 * - no-write-from-preempted-key: the storage controller accepts no write from an initiator whose
 *   key was preempted on that LUN and that has not registered again (SCSI-3 persistent
 *   reservations: a preempted registrant's writes are refused, docs/domain.md §Persistent reservations);
 * - time-advances: the simulated clock moves on — no more than a bound of events at one instant
 *   or in the whole run (the scheduler stops it: sim/scheduler.ts `stalled`), so a livelock is a
 *   failing seed, not a swarm that never ends.
 */
import type { HistoryEntry } from '../chaos/history.js';
import type { ClusterState } from '../services/hyperv-node/cluster/core/decide.js';
import { leaseValid } from '../services/hyperv-node/cluster/core/lease.js';

/** The invariants, by name. */
export const STEP_INVARIANTS = [
  'one-coordinator',
  'config-version-monotonic',
  'members-in-nodes',
  'no-write-from-preempted-key',
  'time-advances',
] as const;

/** One invariant's name. */
export type StepInvariant = (typeof STEP_INVARIANTS)[number];

/** The first broken invariant of a run and the step that broke it. */
export interface Violation {
  invariant: StepInvariant;
  /** The index of the event (1 for the first the scheduler ran). */
  step: number;
  atMs: number;
  /** The label of the event that ran last. */
  event: string;
  details: string;
}

/** A node as the invariants see it: its cluster state, if its processes run and are not frozen. */
export interface NodeView {
  name: string;
  /** Null while the node is off, killed or frozen: it acts on nothing. */
  state: ClusterState | null;
}

/** A violation before it is stamped with its step. */
type Broken = { invariant: StepInvariant; details: string };

/** The invariants' memory across steps: versions seen, keys registered and preempted. */
export class InvariantMonitor {
  private readonly versions = new Map<string, number>();
  /** `lun initiator` → the key that initiator has registered on that LUN. */
  private readonly keyOf = new Map<string, string>();
  /** `lun initiator` → its key, for every registration a preempt removed and not made again. */
  private readonly preempted = new Map<string, string>();
  private seen = 0;

  /** Checks the nodes and the history lines added since the last step; the first broken, or null. */
  check(nodes: readonly NodeView[], history: readonly HistoryEntry[], now: number): Broken | null {
    for (; this.seen < history.length; this.seen++) {
      const broken = this.entry(history[this.seen] as HistoryEntry);
      if (broken) {
        this.seen++;
        return broken;
      }
    }
    return this.nodes(nodes, now);
  }

  /**
   * The storage controller's log: registrations are per initiator (each path of a node registers
   * its node's key), and a preempt removes every registration of the victim's key on the LUN.
   */
  private entry(e: HistoryEntry): Broken | null {
    if (e.type === 'reservation') {
      this.fencingChanged = true;
      const who = `${e.lun} ${e.initiator.host}:${e.initiator.port}`;
      if (e.action === 'register') {
        this.keyOf.set(who, e.key);
        this.preempted.delete(who);
      } else if (e.action === 'unregister') this.keyOf.delete(who);
      else if (e.action === 'preempt' && e.victim)
        for (const [path, key] of this.keyOf)
          if (key === e.victim.key && path.startsWith(`${e.lun} `)) {
            this.keyOf.delete(path);
            this.preempted.set(path, key);
          }
      return null;
    }
    if (e.type !== 'storage-write') return null;
    const initiator = `${e.initiator.host}:${e.initiator.port}`;
    const key = this.preempted.get(`${e.lun} ${initiator}`);
    if (key === undefined) return null;
    return {
      invariant: 'no-write-from-preempted-key',
      details: `the controller accepted a write to ${e.lun} at offset ${e.offset} from ${initiator}, whose key ${key} was preempted`,
    };
  }

  /**
   * The nodes' cluster states as last checked. States are immutable, so when no node's changed
   * and no key was registered or preempted since, nothing can have broken: a lease that lapsed
   * meanwhile only takes a coordinator away.
   */
  private lastStates: (ClusterState | null)[] = [];
  /** A registration or preempt since the last check: who may coordinate may have changed. */
  private fencingChanged = false;

  /**
   * Whether every registration of `node` on `lun` was preempted and not made again: the node was
   * fenced off the volume. A coordinator the storage refuses cannot act as one, so two
   * coordinators are a violation only while both can write — a challenger that won the witness
   * fences the old holder before it takes the volume, while the old holder's lease may still run
   * (the simulation's seed 1011; in Windows too fencing, not the lease, keeps the disk safe).
   */
  private fencedOff(node: string, lun: string): boolean {
    const mine = (path: string) => path.startsWith(`${lun} ${node}:`);
    return [...this.preempted.keys()].some(mine) && ![...this.keyOf.keys()].some(mine);
  }

  private nodes(nodes: readonly NodeView[], now: number): Broken | null {
    const same =
      nodes.length === this.lastStates.length && nodes.every((n, i) => n.state === this.lastStates[i]);
    if (same && !this.fencingChanged) return null;
    this.lastStates = nodes.map((n) => n.state);
    this.fencingChanged = false;
    const coordinators = new Map<string, string>();
    for (const { name, state: s } of nodes) {
      if (!s) continue;
      const floor = this.versions.get(name) ?? 0;
      if (s.config.version < floor)
        return {
          invariant: 'config-version-monotonic',
          details: `${name}'s configuration went back from version ${floor} to ${s.config.version}`,
        };
      this.versions.set(name, s.config.version);
      const names = s.nodes.map((n) => n.name);
      const strangers = s.members.filter((m) => !names.includes(m));
      if (strangers.length > 0 || (s.leader !== null && !s.members.includes(s.leader)))
        return {
          invariant: 'members-in-nodes',
          details: `${name}'s membership [${s.members.join(', ')}] (leader ${s.leader ?? 'none'}) is not within the cluster's nodes [${names.join(', ')}]`,
        };
      if (!leaseValid(s, now)) continue;
      for (const [volume, csv] of Object.entries(s.config.csv)) {
        if (csv.coordinator !== name || this.fencedOff(name, csv.lun)) continue;
        const other = coordinators.get(volume);
        if (other)
          return {
            invariant: 'one-coordinator',
            details: `${other} and ${name} both coordinate ${volume} with their leases valid`,
          };
        coordinators.set(volume, name);
      }
    }
    return null;
  }
}
