/**
 * The cluster adapter's persistent reservations (adapter): registering this node's key,
 * reserving the shared LUNs it takes over, and fencing removed nodes by preempting their keys.
 */
import { DcboxError } from '../../actor/errors.js';
import type { NodeSettings } from '../../process/config.js';
import { type InjectedBugs, injected, NO_BUGS } from '../../process/injected-bugs.js';
import { type IoResult, reservationKey, type StorageOp } from '../mpio.js';

/** What the cluster needs from the node's storage: block I/O and reservations through MPIO. */
export interface ClusterDisks {
  io(lun: string, op: StorageOp): Promise<IoResult>;
}

/** This node's reservation work on the shared disks, through MPIO. */
export class ClusterReservations {
  /** This node's reservation key. */
  readonly key: string;

  constructor(
    private readonly settings: NodeSettings,
    private readonly disks: ClusterDisks,
    /** The bug the process runs with (injected-bugs.ts); none by default. */
    private readonly bugs: InjectedBugs = NO_BUGS,
  ) {
    this.key = reservationKey(settings.nodeId);
  }

  /** The LUNs a node takes over, so the ones it fences: every CSV and the disk witness. */
  sharedLuns(): string[] {
    const s = this.settings;
    return [...new Set([...s.sharedVolumes.map((v) => v.lun), ...(s.witnessLun ? [s.witnessLun] : [])])];
  }

  /** Reserves a LUN for this node's key unless someone holds it already. */
  async ensureReserved(lun: string): Promise<void> {
    const keys = await this.disks.io(lun, { kind: 'readKeys' });
    if (!keys.ok) throw new DcboxError(keys.code, keys.message);
    const holder = (keys.prState as { reservation_key?: string } | undefined)?.reservation_key;
    if (holder) return;
    const r = await this.disks.io(lun, { kind: 'reserve', key: this.key });
    if (!r.ok && r.code !== 'RESERVATION_CONFLICT') throw new DcboxError(r.code, r.message);
  }

  /** Preempts the victims' keys on every shared disk (docs/domain.md §Cluster Shared Volumes, fencing with persistent reservations). */
  async fence(victims: string[], mayFence: () => boolean = () => true): Promise<void> {
    // injected bug failover-without-fencing: reports the victims fenced without preempting their
    // keys, so the takeover that follows leaves the removed node able to write its old disks.
    if (injected(this.bugs, 'failover-without-fencing')) return;
    // A preempt is refused to an initiator that is not registered: register first (idempotent),
    // and only while this node may still fence. A registration gives a preempted node back its
    // access to the disk: a leader that removed two of three peers, began fencing them and lost
    // quorum in the same instant (the third was gone too) registered its key again after the new
    // majority had preempted it, and kept the disks it no longer owned (four-node seed 23).
    await this.register(() => {
      if (!mayFence()) throw new DcboxError('BAD_STATE', 'fencing abandoned: this node lost quorum');
    });
    const ids = new Map(this.settings.clusterNodes.map((n) => [n.name, n.nodeId]));
    for (const lun of this.sharedLuns()) {
      if (lun !== this.settings.witnessLun) await this.ensureReserved(lun);
      for (const v of victims) {
        const id = ids.get(v);
        if (id === undefined) continue;
        if (!mayFence()) throw new DcboxError('BAD_STATE', `fencing ${v} abandoned: this node lost quorum`);
        const r = await this.disks.io(lun, { kind: 'preempt', key: this.key, victimKey: reservationKey(id) });
        if (!r.ok) throw new DcboxError(r.code, `preempting ${v} on ${lun}: ${r.message}`);
      }
    }
  }

  /** Registers this node's key on every LUN it uses, before its roles run again; `check` may stop it before each. */
  async register(check: () => void = () => {}): Promise<void> {
    for (const lun of this.settings.luns) {
      check();
      const r = await this.disks.io(lun, { kind: 'register', key: this.key });
      if (!r.ok) throw new DcboxError(r.code, `registering on ${lun}: ${r.message}`);
    }
  }
}
