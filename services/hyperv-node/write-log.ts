/**
 * The node's log of its VMs' workload writes, an adapter: every record write as it is issued
 * (`invoke`) and as it is answered (`ok`, `fail` when surely not written, `info` when its outcome
 * is unknown), with the writer (this host and the VM instance's incarnation) and the record's
 * content hash. A chaos recorder follows it over HyperVNode.WatchWrites as the writes happen, so
 * an acknowledgement given a moment before the node is killed still reaches the history
 * (docs/chaos.md §History). The log is a bounded ring, always kept.
 */
import { randomBytes } from 'node:crypto';
import type { WriteEvent } from '../generated/dcbox/node/v1/WriteEvent.js';
import { FollowLog, type Sequenced } from '../observability/follow-log.js';

/** One step of a record write. */
export interface WriteStep {
  phase: 'invoke' | 'ok' | 'fail' | 'info';
  timeMs: number;
  /** Pairs an invoke with its completion. */
  writeId: number;
  vm: string;
  recordSeq: number;
  host: string;
  incarnation: string;
  hash: string;
  lun: string;
  offset: number;
  error?: string;
}

/** The writes of one node process's VMs. */
export class WriteLog {
  /** Tells a follower that the process restarted (its sequence starts again). */
  readonly bootId = randomBytes(4).toString('hex');
  readonly steps = new FollowLog<WriteStep>();
  private nextWriteId = 1;

  /**
   * The incarnation of a VM instance: this process's boot id and the run's epoch, 16 hex digits
   * — new at every start of the VM, on any host and across restarts of the node's process.
   */
  incarnation(epoch: number): string {
    return `${this.bootId}${(epoch >>> 0).toString(16).padStart(8, '0')}`;
  }

  /** Logs a write issued now; returns the function that logs its completion. */
  issued(
    step: Omit<WriteStep, 'phase' | 'writeId'>,
  ): (phase: WriteStep['phase'], timeMs: number, error?: string) => void {
    const writeId = this.nextWriteId++;
    this.steps.append({ ...step, phase: 'invoke', writeId });
    return (phase, timeMs, error) =>
      this.steps.append({ ...step, phase, writeId, timeMs, ...(error ? { error } : {}) });
  }

  /** A step as HyperVNode.WatchWrites sends it. */
  wire(e: Sequenced<WriteStep>): WriteEvent {
    const x = e.entry;
    return {
      seq: e.seq,
      boot_id: this.bootId,
      time_ms: x.timeMs,
      phase: x.phase,
      write_id: x.writeId,
      vm: x.vm,
      record_seq: x.recordSeq,
      host: x.host,
      incarnation: x.incarnation,
      hash: x.hash,
      lun: x.lun,
      offset: x.offset,
      error: x.error ?? '',
    };
  }
}
