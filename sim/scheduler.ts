/**
 * The simulation's clock and event queue: a binary min-heap of timed events ordered by time,
 * then by the order they were scheduled in (a stable tie-break, so two events due at the same
 * millisecond always run in the same order for a seed). Nothing runs unless the queue says so:
 * simulated time jumps from one event to the next.
 */

/** One scheduled event. */
interface SimEvent {
  at: number;
  seq: number;
  label: string;
  run: () => void;
}

/** Called for every event run, to trace a run (dcbox sim replay). */
export type TraceSink = (at: number, label: string) => void;

/** The simulated clock and its queue of events. */
export class Scheduler {
  /** Simulated milliseconds since the run began. */
  now = 0;
  /** Events run so far. */
  steps = 0;
  /**
   * Set when a run stopped because its events stopped moving the clock: more than
   * `maxStepsAtInstant` in a row at one simulated instant (a livelock: something reschedules
   * itself at once, forever), or more than `maxSteps` in all. Either would hang the run.
   */
  stalled: string | null = null;
  maxStepsAtInstant = 200_000;
  maxSteps = Number.POSITIVE_INFINITY;
  private atInstant = 0;
  private readonly heap: SimEvent[] = [];
  private seq = 0;
  private readonly cancelled = new Set<number>();

  constructor(private readonly trace: TraceSink | null = null) {}

  /** Schedules `run` at `at` (never before now); returns an id for cancel. */
  at(at: number, label: string, run: () => void): number {
    const ev: SimEvent = { at: Math.max(at, this.now), seq: ++this.seq, label, run };
    this.push(ev);
    return ev.seq;
  }

  /** Schedules `run` `ms` from now. */
  after(ms: number, label: string, run: () => void): number {
    return this.at(this.now + ms, label, run);
  }

  /** Cancels a scheduled event; an event already run or cancelled is ignored. */
  cancel(id: number): void {
    this.cancelled.add(id);
  }

  /** Events waiting (cancelled ones included until they reach the top). */
  get pending(): number {
    return this.heap.length;
  }

  /** Runs every event due up to `until` in order, then sets the clock to `until`. */
  runUntil(until: number, stop: () => boolean = () => false): void {
    while (this.heap.length > 0 && (this.heap[0] as SimEvent).at <= until) {
      const ev = this.pop();
      if (this.cancelled.delete(ev.seq)) continue;
      this.atInstant = ev.at === this.now ? this.atInstant + 1 : 1;
      this.now = ev.at;
      this.steps++;
      if (this.atInstant > this.maxStepsAtInstant || this.steps > this.maxSteps) {
        this.stalled =
          this.steps > this.maxSteps
            ? `more than ${this.maxSteps} events in ${this.now.toFixed(3)} simulated ms`
            : `more than ${this.maxStepsAtInstant} events in a row at one instant (next: ${ev.label})`;
        return;
      }
      this.trace?.(ev.at, ev.label);
      ev.run();
      if (stop()) return;
    }
    this.now = Math.max(this.now, until);
  }

  private less(a: SimEvent, b: SimEvent): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(ev: SimEvent): void {
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i] as SimEvent, h[parent] as SimEvent)) break;
      [h[i], h[parent]] = [h[parent] as SimEvent, h[i] as SimEvent];
      i = parent;
    }
  }

  private pop(): SimEvent {
    const h = this.heap;
    const top = h[0] as SimEvent;
    const last = h.pop() as SimEvent;
    if (h.length === 0) return top;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l] as SimEvent, h[m] as SimEvent)) m = l;
      if (r < h.length && this.less(h[r] as SimEvent, h[m] as SimEvent)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as SimEvent, h[i] as SimEvent];
      i = m;
    }
    return top;
  }
}
