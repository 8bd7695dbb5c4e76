/**
 * One migration's timeline on one side, for its log line: named marks in milliseconds since the
 * start, the process's CPU time and V8's garbage collections meanwhile. The copy rate of a
 * move is judged against iperf3 (bench/lm-session.ts); this says where a slow move's time went.
 */
import { type PerformanceEntry, PerformanceObserver, performance } from 'node:perf_hooks';

/** A pause at least this long is listed with its time. */
const GC_LONG_MS = 5;

/** Marks, CPU and GC pauses of one migration on one side. */
export class PhaseLog {
  private readonly t0 = performance.now();
  private readonly cpu0 = process.cpuUsage();
  private readonly marks: Record<string, number> = {};
  private gcCount = 0;
  private gcMs = 0;
  private gcMaxMs = 0;
  /** The long pauses: [start in ms since the start, ms paused]. */
  private readonly gcLong: [number, number][] = [];
  private readonly gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as PerformanceEntry[]) {
      this.gcCount++;
      this.gcMs += e.duration;
      this.gcMaxMs = Math.max(this.gcMaxMs, e.duration);
      if (e.duration >= GC_LONG_MS)
        this.gcLong.push([Math.round(e.startTime - this.t0), Math.round(e.duration)]);
    }
  });

  constructor() {
    this.gc.observe({ entryTypes: ['gc'] });
  }

  /** Notes that `name` happened now (a later mark of the same name gets a suffix). */
  mark(name: string): void {
    let key = name;
    for (let i = 2; key in this.marks; i++) key = `${name}#${i}`;
    this.marks[key] = Math.round(performance.now() - this.t0);
  }

  /** Stops watching the GC (a migration that failed logs no timeline). */
  stop(): void {
    this.gc.disconnect();
  }

  /** The fields of the log line; stops watching the GC. */
  fields(): Record<string, unknown> {
    this.stop();
    const cpu = process.cpuUsage(this.cpu0);
    return {
      marks_ms: this.marks,
      cpu_user_ms: Math.round(cpu.user / 1000),
      cpu_system_ms: Math.round(cpu.system / 1000),
      gc_count: this.gcCount,
      gc_ms: Math.round(this.gcMs),
      gc_max_ms: Math.round(this.gcMaxMs),
      gc_long: this.gcLong,
    };
  }
}
