/**
 * Where the recorder places a ping's answer in time: at the answering host's own stamp
 * (`answeredAt`) when that stamp can be trusted, else nowhere (the answer is then judged at the
 * workstation's receipt, as in older histories). The rule and why it cannot hide a host that
 * answered late are in docs/chaos.md §no-split-brain.
 *
 * On real processes the stamp and the ping's times are readings of one clock: every process of
 * a run reads the same kernel's wall clock (network namespaces and containers do not separate
 * it, and a Linux time namespace offsets only the monotonic and boot-time clocks), and no fault
 * kind moves a clock (orchestrator/faults/kinds.ts). A host's stamp is read after the ping was
 * sent, so with one clock it never reads earlier than the ping's invoke. One that does shows
 * that clock to be behind the workstation's — the one error that could place a late answer
 * before another host's — so no stamp is trusted again in that run. A stamp later than the
 * computed receipt (the ok's time is the send time plus the round trip rounded up, measured a
 * moment after the send) is kept at the receipt, which is where it would be judged without it.
 */

/** The first answer whose stamp read earlier than its ping was sent. */
export interface ClockMismatch {
  /** The ping's invoke, ms since the epoch on the workstation's clock. */
  invokeMs: number;
  /** The stamp the host gave, ms since the epoch on its clock. */
  answeredAtMs: number;
  host: string;
}

/** The answer times of one run's pings, and whether a clock was ever seen to disagree. */
export class AnswerStamps {
  private mismatch: ClockMismatch | null = null;

  /**
   * Where an answer of `host` to a ping invoked at `invokeMs` and received at `okMs` goes (all ms
   * since the epoch): its stamp kept within [invokeMs, okMs], or undefined when the host gave
   * none or a stamp (this one or an earlier one) read before its ping was sent.
   */
  place(host: string, invokeMs: number, okMs: number, answeredAtMs: number | undefined): number | undefined {
    if (answeredAtMs === undefined || this.mismatch) return undefined;
    if (answeredAtMs < invokeMs) {
      this.mismatch = { invokeMs, answeredAtMs, host };
      return undefined;
    }
    return Math.min(answeredAtMs, okMs);
  }

  /** The first stamp that read before its ping was sent, from when no stamp is kept; null if none. */
  firstMismatch(): ClockMismatch | null {
    return this.mismatch;
  }
}

/**
 * The run-end record of a mismatch: the ping's invoke on the history's clock, the host, and how
 * far at least its clock read behind the workstation's.
 */
export function answerClockMismatch(
  m: ClockMismatch,
  startedAt: number,
): { t: number; host: string; behindMsAtLeast: number } {
  return {
    t: Math.max(0, m.invokeMs - startedAt),
    host: m.host,
    behindMsAtLeast: m.invokeMs - m.answeredAtMs,
  };
}
