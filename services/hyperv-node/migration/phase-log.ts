/**
 * One migration's timeline on one side, for its log line: named marks in milliseconds since the
 * start, and the process's CPU time meanwhile. The copy rate of a move is judged against iperf3
 * (bench/lm-session.ts); this says where a slow move's time went.
 *
 * No GC observer: watching V8's collections (perf_hooks 'gc' entries) showed pauses of up to
 * 100 ms at the target's 1 GiB allocation, but it also slowed the migrations it watched enough
 * to fail the 300 ms stall window of the quick-migration test now and then.
 */
import { performance } from 'node:perf_hooks';

/** Marks and CPU of one migration on one side. */
export class PhaseLog {
  private readonly t0 = performance.now();
  private readonly cpu0 = process.cpuUsage();
  private readonly marks: Record<string, number> = {};

  /** Notes that `name` happened now (a later mark of the same name gets a suffix). */
  mark(name: string): void {
    let key = name;
    for (let i = 2; key in this.marks; i++) key = `${name}#${i}`;
    this.marks[key] = Math.round(performance.now() - this.t0);
  }

  /** The fields of the log line. */
  fields(): Record<string, unknown> {
    const cpu = process.cpuUsage(this.cpu0);
    return {
      marks_ms: this.marks,
      cpu_user_ms: Math.round(cpu.user / 1000),
      cpu_system_ms: Math.round(cpu.system / 1000),
    };
  }
}
