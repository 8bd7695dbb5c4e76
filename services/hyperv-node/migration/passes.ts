/**
 * When a live migration stops copying while the VM runs and pauses it (docs/domain.md §Live migration): after
 * each pass the source looks at how many pages the guest dirtied meanwhile and how fast the
 * copy went. A pure decision, so its rules are tested with made-up numbers.
 */

/** 2008 R2 makes at most 10 copy passes while the VM runs, then suspends it anyway (docs/domain.md §Live migration). */
export const PASS_LIMIT = 10;
/**
 * Stop-and-copy once the pages left would take at most this long to send at the measured rate:
 * the blackout is described as "milliseconds" (docs/domain.md §Live migration).
 */
export const STOP_COPY_BUDGET_MS = 5;
/** A dirty set this small always goes in the stop-and-copy, whatever the rate. */
export const STOP_COPY_MIN_PAGES = 64;

/** One finished copy pass. */
export interface PassResult {
  pages: number;
  bytes: number;
  /** Wall time the pass took, including waits for the stream to drain. */
  ms: number;
}

/** The limits of the decision; the defaults are the constants above. */
export interface PassPolicy {
  passLimit: number;
  stopCopyBudgetMs: number;
  stopCopyMinPages: number;
}

export const DEFAULT_POLICY: PassPolicy = {
  passLimit: PASS_LIMIT,
  stopCopyBudgetMs: STOP_COPY_BUDGET_MS,
  stopCopyMinPages: STOP_COPY_MIN_PAGES,
};

/** What the source does next. */
export type NextStep =
  | { step: 'pass'; pass: number }
  | { step: 'stop-and-copy'; reason: 'converged' | 'pass-limit'; estimatedMs: number | null };

/**
 * The copy rate measured so far, in bytes per millisecond, over every pass (large passes weigh
 * most); null while nothing took measurable time.
 */
export function measuredRate(done: readonly PassResult[]): number | null {
  let bytes = 0;
  let ms = 0;
  for (const p of done) {
    bytes += p.bytes;
    ms += p.ms;
  }
  return ms > 0 && bytes > 0 ? bytes / ms : null;
}

/** How long sending this many pages would take at the measured rate, or null when unknown. */
export function estimatedCopyMs(pages: number, pageSize: number, done: readonly PassResult[]): number | null {
  const rate = measuredRate(done);
  return rate === null ? null : (pages * pageSize) / rate;
}

/**
 * Decides after pass `done.length` (passes are numbered from 1; the first copies all memory)
 * given the pages dirtied since that pass took its snapshot of the dirty set.
 */
export function nextStep(
  done: readonly PassResult[],
  dirtyPages: number,
  pageSize: number,
  policy: PassPolicy = DEFAULT_POLICY,
): NextStep {
  if (done.length === 0) return { step: 'pass', pass: 1 };
  const estimatedMs = estimatedCopyMs(dirtyPages, pageSize, done);
  if (
    dirtyPages <= policy.stopCopyMinPages ||
    (estimatedMs !== null && estimatedMs <= policy.stopCopyBudgetMs)
  )
    return { step: 'stop-and-copy', reason: 'converged', estimatedMs };
  if (done.length >= policy.passLimit) return { step: 'stop-and-copy', reason: 'pass-limit', estimatedMs };
  return { step: 'pass', pass: done.length + 1 };
}
