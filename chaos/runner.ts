/**
 * Runs a chaos experiment or campaign on a fresh data center: sets up the roles, checks the
 * steady-state hypothesis, carries out the method (each fault a lease held by the orchestrator),
 * always runs the rollbacks, waits for the cluster to settle (the liveness phase), then reads back
 * every acknowledged record and judges the history with the checkers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Clients, connect } from '../orchestrator/run/clients.js';
import { DCBOX_HOME } from '../orchestrator/run/paths.js';
import { down } from '../orchestrator/run/sweep.js';
import { up } from '../orchestrator/run/up.js';
import { fromServiceError } from '../services/actor/errors.js';
import type { ClusterState__Output } from '../services/generated/dcbox/cluster/v1/ClusterState.js';
import type { MoveResponse__Output } from '../services/generated/dcbox/cluster/v1/MoveResponse.js';
import type { Fault__Output } from '../services/generated/dcbox/orchestrator/v1/Fault.js';
import type { PingReply__Output } from '../services/generated/dcbox/workstation/v1/PingReply.js';
import { pollUntil } from '../services/process/poll-until.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import type { ActionStepT, ExperimentSpec, FaultStepT, ProbeSpec, Step } from './experiment.js';
import { Recorder } from './recorder.js';
import { type Analysis, analyse } from './verdict.js';

export interface RunReport extends Analysis {
  experiment: string;
  seed: number;
  steadyState: { before: ProbeResult[]; after: ProbeResult[] };
  faults: {
    id: string;
    kind: string;
    targets: string[];
    startMs: number;
    endMs: number | null;
    detail: string;
  }[];
  history: string;
  html: string;
  journal: string;
  error?: string;
}

export interface ProbeResult {
  probe: string;
  ok: boolean;
  detail: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function anyState(c: Clients): Promise<ClusterState__Output | null> {
  for (const n of c.byComponent('hyperv-node')) {
    const s = await rpc<ClusterState__Output>((cb) =>
      c.cluster(n.name).GetState({}, deadline(1000), cb),
    ).catch(() => null);
    if (s?.service_state === 'Running' && s.quorum?.has_quorum) return s;
  }
  return null;
}

/** Runs the steady-state probes once. */
async function probes(c: Clients, specs: ProbeSpec[], vms: string[]): Promise<ProbeResult[]> {
  const out: ProbeResult[] = [];
  const s = await anyState(c);
  for (const p of specs) {
    switch (p.probe) {
      case 'roles-online': {
        const off = s
          ? s.roles.filter((r) => r.state !== 'Online').map((r) => `${r.name} ${r.state}`)
          : ['no node with quorum'];
        out.push({
          probe: p.probe,
          ok: off.length === 0,
          detail: off.length ? off.join(', ') : `${s?.roles.length ?? 0} roles online`,
        });
        break;
      }
      case 'quorum':
        out.push({
          probe: p.probe,
          ok: !!s,
          detail: s
            ? `${s.quorum?.votes} of ${s.quorum?.total} votes on ${s.members.join(', ')}`
            : 'no node has quorum',
        });
        break;
      case 'csv-owner': {
        const owner = s?.csv[0]?.owner ?? '';
        out.push({
          probe: p.probe,
          ok: !!owner && (!p.owner || owner === p.owner),
          detail: `coordinator ${owner || 'none'}`,
        });
        break;
      }
      case 'vms-answering':
        for (const vm of vms) {
          const replies = await new Promise<PingReply__Output[]>((resolve) => {
            const got: PingReply__Output[] = [];
            const st = c.workstation().Ping({ vm, count: 5, interval_ms: 100, timeout_ms: 500 });
            st.on('data', (r: PingReply__Output) => got.push(r));
            st.on('end', () => resolve(got));
            st.on('error', () => resolve(got));
          });
          const lost = replies.filter((r) => !r.ok).length + (5 - replies.length);
          out.push({ probe: `${p.probe}:${vm}`, ok: lost <= p.tolerance, detail: `${lost} of 5 pings lost` });
        }
        break;
    }
  }
  return out;
}

/** Turns a fault step into the orchestrator's request; the lease outlives the step by a margin. */
function faultRequest(step: FaultStepT) {
  const hosts = step.targets ?? (step.target ? [step.target] : []);
  return {
    kind: step.fault,
    hosts,
    groups: (step.groups ?? []).map((g) => ({ hosts: g })),
    one_way: step.oneWay,
    // The runner lifts the fault at its duration; the orchestrator's lease is the safety net.
    duration_ms: step.duration + 5000,
    netem: {
      delay_ms: step.delay ?? 0,
      jitter_ms: step.jitter ?? 0,
      loss_percent: step.loss ?? 0,
      rate_kbit: step.rateKbit ?? 0,
    },
    peers: step.peers,
    lun: step.lun ?? '',
    delay_ms: step.delay ?? 0,
    error_rate: step.errorRate ?? 0,
  };
}

/** Sets up, runs and judges one experiment; tears the data center down after. */
export async function runExperiment(
  spec: ExperimentSpec,
  opts: { name: string; seed: number; say: (line: string) => void; extraMethod?: Step[] },
): Promise<RunReport> {
  const say = opts.say;
  const dir = join(DCBOX_HOME, 'chaos', `${new Date().toISOString().replace(/[:.]/g, '-')}-${opts.name}`);
  mkdirSync(dir, { recursive: true });
  const historyPath = join(dir, 'history.jsonl');
  const htmlPath = join(dir, 'report.html');
  const journalPath = join(dir, 'journal.json');
  const faults: RunReport['faults'] = [];
  const active = new Map<string, { fault: Fault__Output; timer: NodeJS.Timeout }>();
  let recorder: Recorder | null = null;
  let c: Clients | null = null;
  const vms = spec.roles.map((r) => r.vm);
  const steady: RunReport['steadyState'] = { before: [], after: [] };
  let error: string | undefined;

  const lift = async (id: string) => {
    const a = active.get(id);
    if (!a || !c) return;
    active.delete(id);
    clearTimeout(a.timer);
    const cl = c;
    await rpc((cb) => cl.orchestrator.LiftFault({ id }, deadline(60_000), cb)).catch((e) =>
      say(`lifting ${id} failed: ${fromServiceError(e).message}`),
    );
    const rec = faults.find((f) => f.id === id);
    if (rec && recorder) {
      rec.endMs = recorder.t();
      recorder.fault('end', id, rec.kind, rec.targets, { detail: rec.detail });
    }
    say(`lifted ${id} (${a.fault.kind})`);
  };

  const runStep = async (step: Step): Promise<void> => {
    const cl = c as Clients;
    if ('parallel' in step) {
      await Promise.all(step.parallel.map(runStep));
      return;
    }
    if ('wait' in step) {
      await sleep(step.wait);
      return;
    }
    if ('fault' in step) {
      const f = await rpc<Fault__Output>((cb) =>
        cl.orchestrator.InjectFault(faultRequest(step), deadline(60_000), cb),
      );
      const startMs = recorder?.t() ?? 0;
      faults.push({ id: f.id, kind: f.kind, targets: f.targets, startMs, endMs: null, detail: f.detail });
      recorder?.fault('start', f.id, f.kind, f.targets, { detail: f.detail, durationMs: step.duration });
      say(`injected ${f.id}: ${f.kind} ${f.targets.join(', ')} — ${f.detail} (for ${step.duration} ms)`);
      const timer = setTimeout(() => void lift(f.id), step.duration);
      active.set(f.id, { fault: f, timer });
      return;
    }
    await runAction(cl, step as ActionStepT);
  };

  const runAction = async (cl: Clients, a: ActionStepT) => {
    const s = await anyState(cl);
    const member = s?.node ?? cl.byComponent('hyperv-node')[0]?.name ?? '';
    recorder?.write({
      type: 'event',
      node: 'runner',
      kind: 'action',
      eventId: 0,
      message: `${a.action} ${a.role ?? a.vm ?? ''} ${a.to ?? ''}`.trim(),
      data: { ...a },
    });
    switch (a.action) {
      case 'live-migrate':
      case 'quick-migrate': {
        const r = await rpc<MoveResponse__Output>((cb) =>
          cl
            .cluster(member)
            .Move(
              { role: a.role ?? '', to: a.to ?? '', live: a.action === 'live-migrate' },
              deadline(180_000),
              cb,
            ),
        );
        say(
          `${a.action} ${a.role} -> ${a.to}: ${r.migration?.passes} passes, blackout ${r.migration?.blackout_ms} ms`,
        );
        return;
      }
      case 'move-csv':
        await rpc((cb) =>
          cl.cluster(member).MoveCsv({ volume: a.volume, to: a.to ?? '' }, deadline(15_000), cb),
        );
        return;
      case 'dirty-memory': {
        const owner = s?.roles.find((r) => r.name === (a.vm ?? a.role))?.owner ?? member;
        await rpc((cb) =>
          cl.node(owner).SetWorkload(
            {
              vm: a.vm ?? a.role ?? '',
              enabled: true,
              interval_ms: 0,
              dirty_pages_per_sec: a.pagesPerSec ?? 20_000,
            },
            deadline(5000),
            cb,
          ),
        );
        return;
      }
      case 'lift-all':
        for (const id of [...active.keys()]) await lift(id);
        return;
    }
  };

  try {
    await up({ topology: spec.topology, timing: spec.timing, quiet: true });
    c = connect();
    const cl = c;
    say(`data center up (${spec.topology}, ${spec.timing} timing)`);
    await pollUntil(() => anyState(cl), { what: 'the cluster to form', timeoutMs: 30_000, intervalMs: 100 });
    if (spec.csvOwner) {
      const m = (await anyState(cl))?.node ?? '';
      await rpc((cb) =>
        cl.cluster(m).MoveCsv({ volume: 'Volume1', to: spec.csvOwner ?? '' }, deadline(10_000), cb),
      );
      await pollUntil(async () => (await anyState(cl))?.csv[0]?.owner === spec.csvOwner, {
        what: 'the CSV coordinator',
        timeoutMs: 10_000,
        intervalMs: 100,
      });
    }
    for (const r of spec.roles) {
      await rpc((cb) =>
        cl
          .cluster(r.node)
          .MakeHighlyAvailable(
            { vm: r.vm, preferred_owners: [], allow_failback: false },
            deadline(10_000),
            cb,
          ),
      );
      await rpc((cb) => cl.cluster(r.node).Online({ name: r.vm }, deadline(10_000), cb));
      await pollUntil(
        async () => (await anyState(cl))?.roles.find((x) => x.name === r.vm)?.state === 'Online',
        { what: `${r.vm} online`, timeoutMs: 30_000, intervalMs: 100 },
      );
      if (r.dirtyPagesPerSec)
        await rpc((cb) =>
          cl
            .node(r.node)
            .SetWorkload(
              { vm: r.vm, enabled: true, interval_ms: 0, dirty_pages_per_sec: r.dirtyPagesPerSec },
              deadline(5000),
              cb,
            ),
        );
      if (r.liveMigrateTo)
        await rpc((cb) =>
          cl
            .cluster(r.node)
            .Move({ role: r.vm, to: r.liveMigrateTo ?? '', live: true }, deadline(120_000), cb),
        );
    }
    say(`roles online: ${vms.join(', ') || 'none'}`);
    recorder = new Recorder(cl, historyPath, {
      seed: opts.seed,
      experiment: opts.name,
      topology: spec.topology,
      timing: spec.timing,
    });
    recorder.start(vms);
    await sleep(1000);
    steady.before = await probes(cl, spec.steadyState, vms);
    const failedBefore = steady.before.filter((p) => !p.ok);
    if (failedBefore.length)
      throw new Error(
        `the steady state does not hold before the method: ${failedBefore.map((p) => `${p.probe} (${p.detail})`).join('; ')}`,
      );
    say('steady state holds; running the method');
    try {
      for (const step of [...spec.method, ...(opts.extraMethod ?? [])]) await runStep(step);
    } finally {
      // The one rule: rollbacks always run, after every fault this run made is lifted.
      for (const id of [...active.keys()]) await lift(id);
      await rpc((cb) => cl.orchestrator.LiftAll({}, deadline(60_000), cb)).catch(() => undefined);
      for (const step of spec.rollbacks)
        await runStep(step).catch((e) => say(`rollback step failed: ${(e as Error).message}`));
      say('rollbacks done; waiting for the cluster to settle');
    }
    const settled = await pollUntil(
      async () => {
        const r = await probes(cl, spec.steadyState, vms);
        return r.every((p) => p.ok) ? r : null;
      },
      { what: 'every role online again', timeoutMs: spec.settleTimeout, intervalMs: 100 },
    ).catch(async () => probes(cl, spec.steadyState, vms));
    steady.after = settled;
    await sleep(500);
  } catch (err) {
    error = (err as Error).message;
    say(`error: ${error}`);
  } finally {
    if (recorder)
      await recorder.finish(vms).catch((e) => say(`finishing the history failed: ${(e as Error).message}`));
    c?.close();
    await down();
  }
  const analysis = recorder
    ? analyse(historyPath, { settleTimeoutMs: spec.settleTimeout, title: spec.title })
    : null;
  const report: RunReport = {
    ...(analysis ?? { verdict: 'unknown', invariants: [], availability: {}, htmlText: '' }),
    experiment: opts.name,
    seed: opts.seed,
    steadyState: steady,
    faults,
    history: historyPath,
    html: htmlPath,
    journal: journalPath,
    ...(error ? { error } : {}),
  };
  if (error || steady.after.some((p) => !p.ok))
    report.verdict = report.verdict === 'fail' || error ? 'fail' : report.verdict;
  if (steady.after.some((p) => !p.ok)) report.verdict = 'fail';
  writeFileSync(
    htmlPath,
    report.htmlText || '<!doctype html><title>no history</title><p>The run failed before recording.</p>',
  );
  const { htmlText: _html, ...journal } = report;
  writeFileSync(journalPath, JSON.stringify({ spec, ...journal }, null, 2));
  return report;
}
