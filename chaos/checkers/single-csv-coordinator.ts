/**
 * single-csv-coordinator: at most one node coordinates a Cluster Shared Volume at any time. The
 * coordinator alone does the volume's metadata writes (docs/domain.md §Cluster Shared Volumes), so two at once could
 * corrupt it. A node claims volume V when its own sample says Running, with quorum, and that it
 * owns V.
 */
import { entriesOf, type History, type HistoryEntry, type StateEntry } from '../history.js';
import { concurrentClaims, SAMPLE_VALIDITY_MS, samplesByNode } from './samples.js';
import { at, type CheckResult, offendingList } from './types.js';

/** Tuning of single-csv-coordinator. */
export interface SingleCsvCoordinatorOptions {
  /** How long a state sample stays valid without a newer one (default 500). */
  sampleValidityMs?: number;
}

/** Checks that no two nodes claim one CSV at overlapping times. */
export function singleCsvCoordinator(h: History, opts: SingleCsvCoordinatorOptions = {}): CheckResult {
  const name = 'single-csv-coordinator';
  const samples = entriesOf(h, 'state');
  const volumes = new Set(samples.flatMap((s) => Object.keys(s.csv)));
  if (volumes.size === 0)
    return { name, verdict: 'unknown', details: 'No state sample names a Cluster Shared Volume.' };
  const byNode = samplesByNode(h);
  const problems: string[] = [];
  const offending: HistoryEntry[] = [];
  let claimed = 0;
  for (const volume of [...volumes].sort()) {
    const claims = (s: StateEntry) => s.service === 'Running' && s.hasQuorum && s.csv[volume] === s.node;
    claimed += samples.filter(claims).length;
    const clashes = concurrentClaims(byNode, claims, () => true, opts.sampleValidityMs ?? SAMPLE_VALIDITY_MS);
    if (clashes.length === 0) continue;
    const c = clashes[0]!;
    problems.push(
      `${volume} was claimed by ${c.sample.node} at ${at(c.sample.t)} while ${c.other.node} claimed it too` +
        (clashes.length > 1 ? ` (${clashes.length} such samples in all)` : ''),
    );
    for (const x of clashes) offending.push(x.sample, x.other, x.otherNext);
  }
  if (problems.length > 0)
    return { name, verdict: 'fail', details: problems.join('. '), offending: offendingList(offending) };
  if (claimed === 0)
    return {
      name,
      verdict: 'unknown',
      details: `No node with quorum ever claimed ${[...volumes].join(', ')}.`,
    };
  return {
    name,
    verdict: 'pass',
    details: `${volumes.size} volume(s), ${claimed} claiming samples: never two coordinators at once.`,
  };
}
