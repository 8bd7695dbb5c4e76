/**
 * Shrinking a failing seed (docs/simulation.md §Shrink): the schedule that failed is reduced to
 * the fewest faults, operator's moves and network impairments, then the shortest fault durations and run, that
 * still fail the same checker — each candidate judged by running it in simulation. The
 * reduction is delta debugging: Zeller and Hildebrandt's ddmin ("Simplifying and Isolating
 * Failure-Inducing Input", IEEE Transactions on Software Engineering 28(2), 2002), which finds
 * a 1-minimal subset — removing any single element makes the failure go away. Then each fault
 * is made shorter, the quiet lead-in before the first fault cut and the run ended sooner, each
 * step kept only while the run still fails. The result is
 * written as a chaos experiment (experiment-file.ts) that `dcbox chaos run` replays on real
 * processes.
 *
 * A candidate runs the same seed with its faults given rather than drawn: the plan is drawn from
 * a stream of its own (run.ts planRandom), so the full schedule given back is the original run
 * byte for byte, and every candidate differs from it only by what was taken out.
 */
import type { ResolvedTopology } from '../orchestrator/topology/topology.js';
import { type InjectedBugs, NO_BUGS } from '../services/process/injected-bugs.js';
import type { FaultMix, PlannedFault } from './faults.js';
import type { MoveOutcome, PlannedMove } from './moves.js';
import { runSimulation } from './run.js';
import { firstFailure } from './swarm.js';

/** What can be taken out of a failing run: one fault, one operator's move, or one network impairment. */
export type Element =
  | { type: 'fault'; fault: PlannedFault }
  | { type: 'move'; move: PlannedMove }
  | { type: 'network'; rate: 'lossRate' | 'duplicateRate' | 'reorderRate'; value: number };

/** A schedule under test: faults, operator's moves, the network's impairments and how long the run lasts. */
export interface Candidate {
  faults: PlannedFault[];
  moves: PlannedMove[];
  network: FaultMix['network'];
  durationMs: number;
}

/** What a shrink is given. */
export interface ShrinkOptions {
  seed: number;
  topology: ResolvedTopology;
  durationMs: number;
  bugs?: InjectedBugs;
  /** Called with each candidate's verdict, to show progress. */
  onTry?: (c: Candidate, fails: boolean) => void;
}

/** A shrink's result: the failure kept, the schedules before and after, and what it cost. */
export interface Shrunk {
  seed: number;
  checker: string;
  details: string;
  before: Candidate;
  after: Candidate;
  mix: FaultMix;
  /** Candidates simulated (the original run included). */
  runs: number;
  /** Where each move of `after` went when it was asked, and whether it was carried out. */
  moveOutcomes: MoveOutcome[];
}

/**
 * ddmin: a 1-minimal subset of `items` for which `fails` holds, given that it holds for all of
 * them. Splits into n parts, tries each part and each complement, refines n when neither fails.
 */
export function ddmin<T>(items: readonly T[], fails: (subset: T[]) => boolean): T[] {
  let current = [...items];
  let n = 2;
  while (current.length >= 2) {
    const size = Math.ceil(current.length / n);
    const parts: T[][] = [];
    for (let i = 0; i < current.length; i += size) parts.push(current.slice(i, i + size));
    const part = parts.find((p) => fails(p));
    if (part) {
      current = part;
      n = 2;
      continue;
    }
    const complement = parts.map((_, i) => parts.flatMap((p, j) => (j === i ? [] : p))).find((c) => fails(c));
    if (complement) {
      current = complement;
      n = Math.max(n - 1, 2);
      continue;
    }
    if (n >= current.length) break;
    n = Math.min(current.length, 2 * n);
  }
  if (current.length === 1 && fails([])) return [];
  return current;
}

/** The elements of a run: its faults in order, its moves in order, then each network impairment that is on. */
function elementsOf(c: Candidate): Element[] {
  const out: Element[] = c.faults.map((fault) => ({ type: 'fault', fault }));
  for (const move of c.moves) out.push({ type: 'move', move });
  for (const rate of ['lossRate', 'duplicateRate', 'reorderRate'] as const)
    if (c.network[rate] > 0) out.push({ type: 'network', rate, value: c.network[rate] });
  return out;
}

/** The candidate made of some elements of `base`. */
function fromElements(base: Candidate, elements: Element[]): Candidate {
  const network = { ...base.network, lossRate: 0, duplicateRate: 0, reorderRate: 0 };
  for (const e of elements) if (e.type === 'network') network[e.rate] = e.value;
  const faults = elements.flatMap((e) => (e.type === 'fault' ? [e.fault] : []));
  const moves = elements.flatMap((e) => (e.type === 'move' ? [e.move] : []));
  return { ...base, faults, moves, network };
}

/** Shrinks a failing seed; throws when the seed does not fail. */
export function shrink(opts: ShrinkOptions): Shrunk {
  const bugs = opts.bugs ?? NO_BUGS;
  const original = runSimulation({
    seed: opts.seed,
    topology: opts.topology,
    durationMs: opts.durationMs,
    bugs,
  });
  const failure = firstFailure(original.report);
  if (!failure)
    throw new Error(`seed ${opts.seed} does not fail (${original.report.verdict}): nothing to shrink`);
  const before: Candidate = {
    faults: original.faults,
    moves: original.plannedMoves,
    network: original.mix.network,
    durationMs: opts.durationMs,
  };
  // Each candidate's verdict, and for a failing one what the checker said and its moves' outcomes.
  const cache = new Map<string, string | null>([[JSON.stringify(before), failure.details]]);
  const outcomes = new Map<string, MoveOutcome[]>([[JSON.stringify(before), original.moves]]);
  let runs = 1;
  const fails = (c: Candidate): boolean => {
    const key = JSON.stringify(c);
    const known = cache.get(key);
    if (known !== undefined) return known !== null;
    runs++;
    const r = runSimulation({
      seed: opts.seed,
      topology: opts.topology,
      durationMs: c.durationMs,
      bugs,
      faults: c.faults,
      moves: c.moves,
      mix: { kinds: original.mix.kinds, network: c.network },
    });
    const found = r.report.invariants.find((i) => i.name === failure.checker && i.verdict === 'fail');
    cache.set(key, found?.details ?? null);
    outcomes.set(key, r.moves);
    opts.onTry?.(c, found !== undefined);
    return found !== undefined;
  };
  let best = fromElements(
    before,
    ddmin(elementsOf(before), (els) => fails(fromElements(before, els))),
  );
  if (!fails(best)) best = before;
  best = shortenFaults(best, fails);
  best = shiftEarlier(best, fails);
  best = shortenRun(best, fails);
  const key = JSON.stringify(best);
  const details = cache.get(key) ?? failure.details;
  const moveOutcomes = outcomes.get(key) ?? [];
  return {
    seed: opts.seed,
    checker: failure.checker,
    details,
    before,
    after: best,
    mix: original.mix,
    runs,
    moveOutcomes,
  };
}

/** The shortest a shrunk fault may last: shorter ones are below what a real fault can resolve. */
const MIN_FAULT_MS = 500;

/** Halves each fault's duration while the run still fails, then tries the last half step back. */
function shortenFaults(c: Candidate, fails: (c: Candidate) => boolean): Candidate {
  let best = c;
  for (let i = 0; i < best.faults.length; i++) {
    let step = Math.floor((best.faults[i] as PlannedFault).durationMs / 2);
    while (step >= 250) {
      const f = best.faults[i] as PlannedFault;
      const durationMs = f.durationMs - step;
      if (durationMs >= MIN_FAULT_MS) {
        const faults = best.faults.map((g, j) => (j === i ? { ...g, durationMs } : g));
        const next = { ...best, faults };
        if (fails(next)) {
          best = next;
          continue;
        }
      }
      step = Math.floor(step / 2);
    }
  }
  return best;
}

/** The earliest a shifted schedule may start: the simulation's own faults start there (run.ts). */
const EARLIEST_FAULT_MS = 5000;

/**
 * Moves every fault earlier by one amount, keeping their spacing, while the run still fails: the
 * quiet lead-in before the first fault goes (a real run's method starts as soon as its steady
 * state holds), halving the shift each time it no longer fails.
 */
function shiftEarlier(c: Candidate, fails: (c: Candidate) => boolean): Candidate {
  const first = Math.min(...c.faults.map((f) => f.atMs));
  if (!Number.isFinite(first)) return c;
  let best = c;
  let step = first - EARLIEST_FAULT_MS;
  while (step >= 1000) {
    const next = {
      ...best,
      faults: best.faults.map((f) => ({ ...f, atMs: f.atMs - step })),
      moves: best.moves.map((m) => ({ ...m, atMs: Math.max(EARLIEST_FAULT_MS, m.atMs - step) })),
      durationMs: best.durationMs - step,
    };
    if (Math.min(...next.faults.map((f) => f.atMs)) >= EARLIEST_FAULT_MS && fails(next)) best = next;
    else step = Math.floor(step / 2);
  }
  return best;
}

/** Cuts the run short: down to just after its last fault ends and its last move is asked, by halving what comes after. */
function shortenRun(c: Candidate, fails: (c: Candidate) => boolean): Candidate {
  const floor = Math.max(
    1000,
    ...c.faults.map((f) => f.atMs + f.durationMs + 1000),
    ...c.moves.map((m) => m.atMs + 1000),
  );
  let best = c;
  let step = Math.floor((best.durationMs - floor) / 2);
  while (step >= 1000) {
    const next = { ...best, durationMs: best.durationMs - step };
    if (next.durationMs >= floor && fails(next)) best = next;
    else step = Math.floor(step / 2);
  }
  return best;
}
