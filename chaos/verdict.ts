/**
 * Judging a recorded run: reads the history file, runs every checker over it and renders the
 * HTML report. This is the one place the runner touches the pure half (history, checkers,
 * report); a history that cannot be read makes the verdict unknown, with the reason, rather than
 * crashing a run that already finished.
 */
import { type CheckResult, check, type Verdict, type VmAvailability } from './checkers/index.js';
import { HistoryError, readHistory } from './history.js';
import { escapeHtml, renderHtml } from './report.js';

/** The judgement of a run and its HTML report. */
export interface Analysis {
  verdict: Verdict;
  invariants: CheckResult[];
  availability: Record<string, VmAvailability>;
  /** The self-contained HTML report, for the runner to write next to the history. */
  htmlText: string;
}

/** Options of a run's analysis. */
export interface AnalyseOptions {
  /**
   * Lost pings a VM on a node that kept quorum may have during one fault (default 0). The
   * liveness bound is no option here: it derives from the timing profile in the history.
   */
  survivorLostPingsMax?: number;
  /** A heading for the HTML report. */
  title?: string;
  /** A VM answering from A, then B, then A again within this long is on two hosts (default 2000). */
  switchBackWindowMs?: number;
}

/** Reads the history at `path`, checks it and renders the report. */
export function analyse(path: string, opts: AnalyseOptions = {}): Analysis {
  let history: ReturnType<typeof readHistory>;
  try {
    history = readHistory(path);
  } catch (err) {
    if (!(err instanceof HistoryError)) throw err;
    const details = err.message;
    return {
      verdict: 'unknown',
      invariants: [{ name: 'history', verdict: 'unknown', details }],
      availability: {},
      htmlText: `<!doctype html><meta charset="utf-8"><title>unreadable history</title><h1>The history could not be read</h1><pre>${escapeHtml(details)}</pre>`,
    };
  }
  const result = check(history, {
    ...(opts.survivorLostPingsMax !== undefined ? { survivorLostPingsMax: opts.survivorLostPingsMax } : {}),
    ...(opts.switchBackWindowMs !== undefined ? { switchBackWindowMs: opts.switchBackWindowMs } : {}),
  });
  return {
    ...result,
    htmlText: renderHtml(history, result, opts.title !== undefined ? { title: opts.title } : {}),
  };
}
