/**
 * Runs a chaos experiment or campaign on a fresh data center: sets up the roles, checks the
 * steady-state hypothesis, carries out the method (each fault a lease held by the orchestrator),
 * always runs the rollbacks, waits for the cluster to settle (the liveness phase), then reads back
 * every acknowledged record and judges the history with the checkers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Clients, connect } from '../orchestrator/run/clients.js';
import { ensureDcboxHome } from '../orchestrator/run/paths.js';
import { down } from '../orchestrator/run/sweep.js';
import { up } from '../orchestrator/run/up.js';
import { TIMINGS } from '../orchestrator/topology/timing.js';
import type { ClusterState__Output } from '../services/generated/dcbox/cluster/v1/ClusterState.js';
import { pollUntil } from '../services/process/poll-until.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import type { ExperimentSpec, Step } from './experiment.js';
import type { TimingFigures } from './history.js';
import { type FaultRecord, MethodRun } from './method.js';
import { anyState, type ProbeResult, probes } from './probes.js';
import { Recorder } from './recorder.js';
import { type Analysis, analyse } from './verdict.js';

/** What one run found: the checkers' analysis, the probes, the faults and where its files are. */
export interface RunReport extends Analysis {
  experiment: string;
  seed: number;
  steadyState: { before: ProbeResult[]; after: ProbeResult[] };
  faults: FaultRecord[];
  history: string;
  html: string;
  journal: string;
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How long the recorder goes on after the cluster settled: liveness-after-heal needs at least 5 s
 * of history after its stable window opens (docs/chaos.md §Liveness bound), and the window may
 * open a little after the probes pass.
 */
const TAIL_MS = 6000;

/** The start line's timing figures, from the named timing profile (none for an unknown name). */
function profileOf(timing: string): { profile?: TimingFigures } {
  const t = TIMINGS[timing];
  if (!t) return {};
  const { sameSubnetDelayMs, sameSubnetThreshold, witnessChallengeWaitMs, vmBootMs, retryPeriodOnFailureMs } =
    t;
  return {
    profile: {
      sameSubnetDelayMs,
      sameSubnetThreshold,
      witnessChallengeWaitMs,
      vmBootMs,
      retryPeriodOnFailureMs,
    },
  };
}

/** How the runner was asked to run: the experiment's name, its seed, where to say what it does. */
export interface RunOptions {
  name: string;
  seed: number;
  say: (line: string) => void;
  /** Steps run after the experiment's own method (a campaign adds its faults here). */
  extraMethod?: Step[];
}

/** The files one run leaves under ~/.dcbox/chaos/<time>-<name>/. */
interface RunPaths {
  history: string;
  html: string;
  journal: string;
}

/** What a run gathered before it is judged; whatever the failure, the report is built from this. */
interface RunState {
  recorder: Recorder | null;
  method: MethodRun | null;
  steady: RunReport['steadyState'];
  error?: string;
}

/** Sets up, runs and judges one experiment; tears the data center down after. */
export async function runExperiment(spec: ExperimentSpec, opts: RunOptions): Promise<RunReport> {
  const paths = runPaths(opts.name, new Date());
  const vms = spec.roles.map((r) => r.vm);
  const run: RunState = { recorder: null, method: null, steady: { before: [], after: [] } };
  let c: Clients | null = null;
  try {
    await up({ topology: spec.topology, timing: spec.timing, quiet: true });
    c = connect();
    opts.say(`data center up (${spec.topology}, ${spec.timing} timing)`);
    await setUpCluster(c, spec);
    opts.say(`roles online: ${vms.join(', ') || 'none'}`);
    run.recorder = new Recorder(c, paths.history, {
      seed: opts.seed,
      experiment: opts.name,
      topology: spec.topology,
      timing: spec.timing,
      ...profileOf(spec.timing),
    });
    await run.recorder.start(vms);
    await sleep(1000);
    run.steady.before = await steadyStateBefore(c, spec, vms);
    opts.say('steady state holds; running the method');
    run.method = new MethodRun(c, run.recorder, opts.say);
    await runMethod(run.method, c, spec, opts);
    run.steady.after = await settle(c, spec, vms);
    // Liveness needs a tail: the checkers judge the cluster for a while after it settled.
    opts.say(`settled; recording ${TAIL_MS / 1000} s more`);
    await sleep(TAIL_MS);
  } catch (err) {
    run.error = (err as Error).message;
    opts.say(`error: ${run.error}`);
  } finally {
    if (run.recorder)
      await run.recorder
        .finish()
        .catch((e) => opts.say(`finishing the history failed: ${(e as Error).message}`));
    c?.close();
    await down();
  }
  const analysis = run.recorder ? analyse(paths.history, { title: spec.title }) : null;
  const report = composeReport(analysis, run, opts, paths);
  writeRunFiles(spec, report, paths);
  return report;
}

/** A fresh folder for one run, named by its start time and the experiment. */
function runPaths(name: string, now: Date): RunPaths {
  const dir = join(ensureDcboxHome(), 'chaos', `${now.toISOString().replace(/[:.]/g, '-')}-${name}`);
  mkdirSync(dir, { recursive: true });
  return {
    history: join(dir, 'history.jsonl'),
    html: join(dir, 'report.html'),
    journal: join(dir, 'journal.json'),
  };
}

/** Waits for the cluster, puts the CSV on its coordinator, then brings every role online. */
async function setUpCluster(cl: Clients, spec: ExperimentSpec): Promise<void> {
  await pollUntil(() => anyState(cl), { what: 'the cluster to form', timeoutMs: 30_000, intervalMs: 100 });
  // The cluster forms on one node and the others join it a moment later: a role set up on a
  // node still joining is refused ("no leader to ask"), and one set up while two nodes each
  // believe they lead cannot commit its configuration, so wait until every node runs in the one
  // cluster that has them all.
  await pollUntil(() => everyNodeInOneCluster(cl), {
    what: 'every node to join one cluster',
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  if (spec.csvCoordinator) {
    const m = (await anyState(cl))?.node ?? '';
    await rpc((cb) =>
      cl.cluster(m).MoveCsv({ volume: 'Volume1', to: spec.csvCoordinator ?? '' }, deadline(10_000), cb),
    );
    await pollUntil(async () => (await anyState(cl))?.csv[0]?.coordinator === spec.csvCoordinator, {
      what: 'the CSV coordinator',
      timeoutMs: 10_000,
      intervalMs: 100,
    });
  }
  for (const r of spec.roles) await setUpRole(cl, r);
}

/** Whether every node's own cluster service says Running with quorum, under one leader, with all nodes members. */
async function everyNodeInOneCluster(cl: Clients): Promise<boolean> {
  const states = await Promise.all(
    cl
      .byComponent('hyperv-node')
      .map((n) =>
        rpc<ClusterState__Output>((cb) => cl.cluster(n.name).GetState({}, deadline(1000), cb)).catch(
          () => null,
        ),
      ),
  );
  const names = cl.byComponent('hyperv-node').map((n) => n.name);
  return states.every(
    (s) =>
      s?.service_state === 'Running' &&
      !!s.quorum?.has_quorum &&
      s.leader === states[0]?.leader &&
      names.every((n) => s.members.includes(n)),
  );
}

/** Makes a VM highly available and online, then starts its memory load or moves it as asked. */
async function setUpRole(cl: Clients, r: ExperimentSpec['roles'][number]): Promise<void> {
  const ha = { vm: r.vm, preferred_owners: [], allow_failback: false };
  await rpc((cb) => cl.cluster(r.node).MakeHighlyAvailable(ha, deadline(10_000), cb));
  await rpc((cb) => cl.cluster(r.node).Online({ name: r.vm }, deadline(10_000), cb));
  await pollUntil(async () => (await anyState(cl))?.roles.find((x) => x.name === r.vm)?.state === 'Online', {
    what: `${r.vm} online`,
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  if (r.dirtyPagesPerSec) {
    const load = { vm: r.vm, enabled: true, interval_ms: 0, dirty_pages_per_sec: r.dirtyPagesPerSec };
    await rpc((cb) => cl.node(r.node).SetWorkload(load, deadline(5000), cb));
  }
  if (r.liveMigrateTo) {
    const move = { role: r.vm, to: r.liveMigrateTo ?? '', live: true };
    await rpc((cb) => cl.cluster(r.node).Move(move, deadline(120_000), cb));
  }
}

/** Probes the steady state before the method; it must hold, or there is nothing to learn. */
async function steadyStateBefore(cl: Clients, spec: ExperimentSpec, vms: string[]): Promise<ProbeResult[]> {
  const before = await probes(cl, spec.steadyState, vms);
  const failed = before.filter((p) => !p.ok);
  if (failed.length)
    throw new Error(
      `the steady state does not hold before the method: ${failed.map((p) => `${p.probe} (${p.detail})`).join('; ')}`,
    );
  return before;
}

/** Runs the method; then, whatever happened, lifts every fault and runs the rollbacks. */
async function runMethod(m: MethodRun, cl: Clients, spec: ExperimentSpec, opts: RunOptions): Promise<void> {
  try {
    for (const step of [...spec.method, ...(opts.extraMethod ?? [])]) await m.runStep(step);
  } finally {
    // The one rule: rollbacks always run, after every fault this run made is lifted.
    await m.liftAll();
    await rpc((cb) => cl.orchestrator.LiftAll({}, deadline(60_000), cb)).catch(() => undefined);
    for (const step of spec.rollbacks)
      await m.runStep(step).catch((e) => opts.say(`rollback step failed: ${(e as Error).message}`));
    opts.say('rollbacks done; waiting for the cluster to settle');
  }
}

/**
 * The liveness phase: the probes once they all pass and every node is back in the one cluster
 * (what liveness-after-heal calls settled, so the tail it needs is recorded after that), or the
 * probes as they stand at the settle timeout. A node cut off by a partition may rejoin seconds
 * after the roles are back on the others (seen in CI: 6.1 s after the heal, within the liveness
 * bound; its cause is not found yet), and the tail recorded from the probes alone was too short.
 */
async function settle(cl: Clients, spec: ExperimentSpec, vms: string[]): Promise<ProbeResult[]> {
  return pollUntil(
    async () => {
      const r = await probes(cl, spec.steadyState, vms);
      return r.every((p) => p.ok) && (await everyNodeInOneCluster(cl)) ? r : null;
    },
    { what: 'every role online again', timeoutMs: spec.settleTimeout, intervalMs: 100 },
  ).catch(async () => probes(cl, spec.steadyState, vms));
}

/** The run's report: the checkers' analysis (unknown without a history) and what the run saw. */
export function composeReport(
  analysis: Analysis | null,
  run: Pick<RunState, 'method' | 'steady' | 'error'>,
  opts: Pick<RunOptions, 'name' | 'seed'>,
  paths: RunPaths,
): RunReport {
  const report: RunReport = {
    ...(analysis ?? { verdict: 'unknown', invariants: [], availability: {}, htmlText: '' }),
    experiment: opts.name,
    seed: opts.seed,
    steadyState: run.steady,
    faults: run.method?.faults ?? [],
    history: paths.history,
    html: paths.html,
    journal: paths.journal,
    ...(run.error ? { error: run.error } : {}),
  };
  // A run that broke, or a cluster that did not settle back, fails whatever the checkers said.
  if (run.error || run.steady.after.some((p) => !p.ok)) report.verdict = 'fail';
  return report;
}

/** Writes the HTML report and the journal (the spec and the report, without the HTML). */
function writeRunFiles(spec: ExperimentSpec, report: RunReport, paths: RunPaths): void {
  writeFileSync(
    paths.html,
    report.htmlText || '<!doctype html><title>no history</title><p>The run failed before recording.</p>',
  );
  const { htmlText: _html, ...journal } = report;
  writeFileSync(paths.journal, JSON.stringify({ spec, ...journal }, null, 2));
}
