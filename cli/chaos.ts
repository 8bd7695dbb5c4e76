/**
 * `dcbox chaos run|campaign|list`: declarative experiments and seeded campaigns, each on a fresh
 * data center, judged by the checkers over the recorded history.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import {
  CAMPAIGN_FAULTS,
  type CampaignFault,
  campaignExperiment,
  MAX_CONCURRENT_FAULTS,
} from '../chaos/campaign.js';
import { loadExperiment, parseDuration } from '../chaos/experiment.js';
import { type RunReport, runExperiment } from '../chaos/runner.js';
import { UsageError } from '../orchestrator/run/up.js';
import { projectRoot } from '../services/transport/grpc.js';
import { printJson, progress } from './util.js';

function printReport(r: RunReport): void {
  console.log('');
  console.log(
    `${r.experiment} (seed ${r.seed}): ${r.verdict.toUpperCase()}${r.error ? ` — ${r.error}` : ''}`,
  );
  for (const i of r.invariants) console.log(`  [${i.verdict}] ${i.name}: ${i.details}`);
  for (const p of [
    ...r.steadyState.before.map((x) => ({ ...x, when: 'before' })),
    ...r.steadyState.after.map((x) => ({ ...x, when: 'after' })),
  ])
    console.log(`  [${p.ok ? 'pass' : 'fail'}] steady state ${p.when}: ${p.probe} — ${p.detail}`);
  for (const [vm, a] of Object.entries(r.availability))
    console.log(`  ${vm}: ${a.lostPings} pings lost, longest outage ${a.downtimeMs} ms`);
  console.log(`  history ${r.history}`);
  console.log(`  report  ${r.html}`);
}

function seedOf(text: string | undefined): number {
  if (text === undefined) return Math.floor(Math.random() * 2 ** 31);
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--seed must be a non-negative integer, got ${text}`);
  return n;
}

/** Where the shipped experiments live; `dcbox chaos run <name>` looks there. */
export const EXPERIMENTS_DIR = join(projectRoot, 'chaos', 'experiments');

function addList(chaos: Command): void {
  chaos
    .command('list')
    .description('the shipped experiments')
    .action(() => {
      for (const f of readdirSync(EXPERIMENTS_DIR)
        .filter((x) => x.endsWith('.yaml'))
        .sort()) {
        const spec = loadExperiment(join(EXPERIMENTS_DIR, f));
        console.log(`${f.padEnd(32)} ${spec.title}`);
      }
    });
}

function addRun(chaos: Command): void {
  chaos
    .command('run')
    .description('run one experiment file on a fresh data center')
    .argument('<experiment>', 'a YAML file, or the name of one in chaos/experiments/')
    .option('--seed <n>', 'the seed (printed; replays the run)')
    .option('--json', 'print one JSON object')
    .action(async (file: string, o: { seed?: string; json?: boolean }) => {
      const path =
        file.endsWith('.yaml') || file.includes('/') ? file : join(EXPERIMENTS_DIR, `${file}.yaml`);
      const spec = loadExperiment(path);
      const seed = seedOf(o.seed);
      if (!o.json) console.log(`${spec.title} — seed ${seed}`);
      const r = await runExperiment(spec, { name: basename(path, '.yaml'), seed, say: progress(o.json) });
      if (o.json) printJson(r);
      else printReport(r);
      process.exitCode = r.verdict === 'pass' ? 0 : 1;
    });
}

type CampaignOptions = {
  seed?: string;
  duration: string;
  kinds?: string;
  faults?: string;
  overlap?: boolean;
  oneWay?: boolean;
  plan?: boolean;
  json?: boolean;
};

/**
 * The fault kinds of `--kinds` (or of `--faults`, its earlier spelling), each checked against the
 * ones a campaign knows; every kind when neither is given.
 */
function faultKinds(o: CampaignOptions): CampaignFault[] {
  if (o.kinds !== undefined && o.faults !== undefined)
    throw new UsageError('--faults is the earlier spelling of --kinds: give one of them');
  const text = o.kinds ?? o.faults;
  if (text === undefined) return [...CAMPAIGN_FAULTS];
  const faults = text.split(',').map((f) => f.trim()) as CampaignFault[];
  for (const f of faults)
    if (!(CAMPAIGN_FAULTS as readonly string[]).includes(f))
      throw new UsageError(`unknown fault kind ${f} (kinds: ${CAMPAIGN_FAULTS.join(', ')})`);
  return faults;
}

/** Draws the schedule, prints it, and unless `--plan` runs it and prints the verdict. */
async function campaign(o: CampaignOptions): Promise<void> {
  const seed = seedOf(o.seed);
  const faults = faultKinds(o);
  const { spec, plan } = campaignExperiment(
    {
      seed,
      durationMs: parseDuration(o.duration),
      faults,
      nodes: ['HVR2NODO1', 'HVR2NODO2'],
      rssms: ['rssm3', 'rssm4'],
      luns: ['CSV1', 'Quorum'],
      witnessLun: 'Quorum',
      overlap: o.overlap ?? false,
      oneWay: o.oneWay ?? false,
    },
    [
      { vm: 'VirtualMachine1', node: 'HVR2NODO2' },
      { vm: 'VirtualMachine2', node: 'HVR2NODO2', liveMigrateTo: 'HVR2NODO1' },
    ],
  );
  if (!o.json) {
    console.log(
      `campaign seed ${seed}: ${plan.length} faults over ${o.duration} (replay with --seed ${seed})`,
    );
    for (const f of plan)
      console.log(`  +${(f.atMs / 1000).toFixed(1)}s ${f.kind} ${JSON.stringify(f.step)}`);
  }
  if (o.plan) {
    if (o.json)
      printJson({ seed, kinds: faults, overlap: o.overlap ?? false, oneWay: o.oneWay ?? false, plan });
    return;
  }
  const r = await runExperiment(spec, { name: `campaign-${seed}`, seed, say: progress(o.json) });
  if (o.json) printJson({ ...r, plan });
  else printReport(r);
  process.exitCode = r.verdict === 'pass' ? 0 : 1;
}

function addCampaign(chaos: Command): void {
  chaos
    .command('campaign')
    .description('a random fault schedule drawn from a seed, then a healing phase')
    .option('--seed <n>', 'the seed: the same seed replays the same schedule')
    .option('--duration <d>', 'how long faults are drawn for', '120s')
    .option(
      '--kinds <kinds>',
      `the fault kinds drawn, comma-separated (default: all of ${CAMPAIGN_FAULTS.join(',')})`,
    )
    .option('--faults <kinds>', 'the earlier spelling of --kinds')
    .option(
      '--overlap',
      `faults may overlap in time (at most ${MAX_CONCURRENT_FAULTS} at once, a majority of votes kept)`,
    )
    .option('--one-way', "partitions may be one-way (only one side's traffic dropped)")
    .option('--plan', 'print the schedule and stop')
    .option('--json', 'print one JSON object')
    .action(campaign);
}

/** Registers `dcbox chaos list|run|campaign`. */
export function addChaosCommands(cli: Command): void {
  const chaos = cli
    .command('chaos')
    .description('chaos experiments and seeded campaigns, with invariant checkers');
  addList(chaos);
  addRun(chaos);
  addCampaign(chaos);
}
