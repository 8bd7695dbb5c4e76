/**
 * Declarative chaos experiments (Chaos Toolkit's shape): a topology and timing, the roles to set
 * up, a steady-state hypothesis, a method of faults, actions and waits on a timeline (in sequence
 * or in parallel), and rollbacks. The rule for rollbacks is one: they always run when the method
 * ends — passed, failed or interrupted — after every fault the run made has been lifted.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { FAULT_KINDS } from '../orchestrator/faults/kinds.js';

const duration = z
  .union([
    z.number().nonnegative(),
    z.string().regex(/^\d+(\.\d+)?(ms|s|m)$/, 'a duration such as 500ms, 5s or 2m'),
  ])
  .transform((v) => parseDuration(v));

/** "500ms", "5s", "2m" or a number of milliseconds. */
export function parseDuration(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(v);
  if (!m) throw new Error(`not a duration: ${v}`);
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000);
}

const FaultStep = z.strictObject({
  fault: z.enum(FAULT_KINDS),
  /** One host, or several. */
  target: z.string().optional(),
  targets: z.array(z.string()).optional(),
  /** For partition: groups of hosts; one-way drops only from the first group. */
  groups: z.array(z.array(z.string()).min(1)).min(2).optional(),
  oneWay: z.boolean().default(false),
  duration: duration.default(10_000),
  /** netem */
  delay: duration.optional(),
  jitter: duration.optional(),
  loss: z.number().min(0).max(100).optional(),
  rateKbit: z.number().int().positive().optional(),
  peers: z.array(z.string()).default([]),
  /** storage faults */
  lun: z.string().optional(),
  errorRate: z.number().min(0).max(1).optional(),
});

const ActionStep = z.strictObject({
  action: z.enum(['live-migrate', 'quick-migrate', 'move-csv', 'dirty-memory', 'lift-all']),
  role: z.string().optional(),
  vm: z.string().optional(),
  to: z.string().optional(),
  volume: z.string().default('Volume1'),
  pagesPerSec: z.number().int().positive().optional(),
});

const WaitStep = z.strictObject({ wait: duration });

type StepIn =
  | z.input<typeof FaultStep>
  | z.input<typeof ActionStep>
  | z.input<typeof WaitStep>
  | { parallel: StepIn[] };

export type FaultStepT = z.output<typeof FaultStep>;
export type ActionStepT = z.output<typeof ActionStep>;
export type Step = FaultStepT | ActionStepT | { wait: number } | { parallel: Step[] };

const StepSchema: z.ZodType<Step, StepIn> = z.lazy(() =>
  z.union([FaultStep, ActionStep, WaitStep, z.strictObject({ parallel: z.array(StepSchema).min(1) })]),
);

/**
 * Maps deprecated spellings of an object's keys (`aliases`: old → current) and of some keys'
 * string values (`values`: key → old → current) to the current ones, before a strict schema sees
 * the object: experiment files written before a rename keep loading. A key given in both
 * spellings is left as is, so the strict schema rejects the old one as unrecognized rather than
 * silently picking one of the two.
 */
export function renameDeprecated(
  aliases: Record<string, string>,
  values: Record<string, Record<string, string>> = {},
): (raw: unknown) => unknown {
  return (raw) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
    const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
    for (const [old, current] of Object.entries(aliases)) {
      if (old in out && !(current in out)) {
        out[current] = out[old];
        delete out[old];
      }
    }
    for (const [key, renames] of Object.entries(values)) {
      const v = out[key];
      if (typeof v === 'string' && Object.hasOwn(renames, v)) out[key] = renames[v];
    }
    return out;
  };
}

const ProbeFields = z.strictObject({
  probe: z.enum(['roles-online', 'vms-answering', 'quorum', 'csv-coordinator']),
  /** vms-answering: how many of the last 5 pings may be lost. */
  tolerance: z.number().int().min(0).default(0),
  /** csv-coordinator: the node that must coordinate the volume (any node when absent). */
  coordinator: z.string().optional(),
});

// The CSV's coordinator was once called its owner: the `csv-owner` probe and its `owner` are
// deprecated spellings of `csv-coordinator` and `coordinator`.
const Probe = z.preprocess(
  renameDeprecated({ owner: 'coordinator' }, { probe: { 'csv-owner': 'csv-coordinator' } }),
  ProbeFields,
);

const ExperimentFields = z.strictObject({
  title: z.string().min(1),
  description: z.string().default(''),
  topology: z.string().default('seed'),
  timing: z.enum(['default', 'fast']).default('fast'),
  roles: z
    .array(
      z.strictObject({
        vm: z.string(),
        node: z.string(),
        liveMigrateTo: z.string().optional(),
        dirtyPagesPerSec: z.number().int().positive().optional(),
      }),
    )
    .default([]),
  /** The node that coordinates the CSV before the method starts (the CSV is moved there). */
  csvCoordinator: z.string().optional(),
  steadyState: z.array(Probe).default([
    { probe: 'roles-online', tolerance: 0 },
    { probe: 'vms-answering', tolerance: 0 },
    { probe: 'quorum', tolerance: 0 },
  ]),
  method: z.array(StepSchema).min(1),
  rollbacks: z.array(StepSchema).default([]),
  /** Liveness: after the last fault is lifted, every role must be back within this bound. */
  settleTimeout: duration.default(30_000),
});

// `csvOwner` is the deprecated spelling of `csvCoordinator` (the CSV's coordinator was once called its owner).
const Experiment = z.preprocess(renameDeprecated({ csvOwner: 'csvCoordinator' }), ExperimentFields);

export type ExperimentSpec = z.output<typeof Experiment>;
export type ProbeSpec = z.output<typeof Probe>;

/** A bad experiment file: which file, which field, what was expected and found. */
export class ExperimentError extends Error {
  constructor(file: string, problems: string[]) {
    super(`${file}: invalid experiment\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ExperimentError';
  }
}

export function parseExperiment(text: string, file: string): ExperimentSpec {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new ExperimentError(file, [`expected valid YAML, found ${(err as Error).message.split('\n')[0]}`]);
  }
  const r = Experiment.safeParse(raw);
  if (!r.success) {
    throw new ExperimentError(
      file,
      r.error.issues.map(
        (i) =>
          `${
            i.path
              .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
              .join('')
              .replace(/^\./, '') || '(top level)'
          }: ${i.message}`,
      ),
    );
  }
  return r.data;
}

export function loadExperiment(path: string): ExperimentSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ExperimentError(path, [
      `expected a readable file, found ${(err as NodeJS.ErrnoException).code ?? err}`,
    ]);
  }
  return parseExperiment(text, path);
}

/** Every fault a method could inject, flattened, for display. */
export function faultsOf(steps: Step[]): FaultStepT[] {
  return steps.flatMap((s) => ('parallel' in s ? faultsOf(s.parallel) : 'fault' in s ? [s] : []));
}
