/**
 * Carries out an experiment's method and rollbacks: each fault a lease asked of the orchestrator
 * and lifted by the runner at the step's duration (the lease, a few seconds longer, is the safety
 * net should the runner die), actions through the cluster's own API, waits, and steps in parallel.
 * Every fault and action goes into the run's history as it happens.
 */
import type { Clients } from '../orchestrator/run/clients.js';
import type { MoveResponse__Output } from '../services/generated/dcbox/cluster/v1/MoveResponse.js';
import type { Fault__Output } from '../services/generated/dcbox/orchestrator/v1/Fault.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { fromServiceError } from '../services/transport/grpc-errors.js';
import type { ActionStepT, FaultStepT, Step } from './experiment.js';
import { anyState } from './probes.js';
import type { Recorder } from './recorder.js';

/** A fault the run injected, as the run report lists it. */
export interface FaultRecord {
  id: string;
  kind: string;
  targets: string[];
  startMs: number;
  endMs: number | null;
  detail: string;
}

/** How much longer the orchestrator's lease lasts than the step that asked for it. */
const LEASE_MARGIN_MS = 5000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Turns a fault step into the orchestrator's request; the lease outlives the step by a margin. */
export function faultRequest(step: FaultStepT) {
  const hosts = step.targets ?? (step.target ? [step.target] : []);
  return {
    kind: step.fault,
    hosts,
    groups: (step.groups ?? []).map((g) => ({ hosts: g })),
    one_way: step.oneWay,
    // The runner lifts the fault at its duration; the orchestrator's lease is the safety net.
    duration_ms: step.duration + LEASE_MARGIN_MS,
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

/** Runs steps on one data center and keeps the faults it injected until each is lifted. */
export class MethodRun {
  /** Every fault injected, lifted or not, in the order of injection. */
  readonly faults: FaultRecord[] = [];
  private readonly active = new Map<string, { fault: Fault__Output; timer: NodeJS.Timeout }>();

  constructor(
    private readonly c: Clients,
    private readonly recorder: Recorder,
    private readonly say: (line: string) => void,
  ) {}

  /** Runs one step: a wait, a fault (its lift scheduled), an action, or steps in parallel. */
  async runStep(step: Step): Promise<void> {
    if ('parallel' in step) {
      await Promise.all(step.parallel.map((s) => this.runStep(s)));
      return;
    }
    if ('wait' in step) {
      await sleep(step.wait);
      return;
    }
    if ('fault' in step) {
      await this.inject(step);
      return;
    }
    await this.runAction(step as ActionStepT);
  }

  /** Lifts every fault still active, one after another. */
  async liftAll(): Promise<void> {
    for (const id of [...this.active.keys()]) await this.lift(id);
  }

  private async inject(step: FaultStepT): Promise<void> {
    const f = await rpc<Fault__Output>((cb) =>
      this.c.orchestrator.InjectFault(faultRequest(step), deadline(60_000), cb),
    );
    const startMs = this.recorder.t();
    this.faults.push({ id: f.id, kind: f.kind, targets: f.targets, startMs, endMs: null, detail: f.detail });
    this.recorder.fault('start', f.id, f.kind, f.targets, { detail: f.detail, durationMs: step.duration });
    this.say(`injected ${f.id}: ${f.kind} ${f.targets.join(', ')} — ${f.detail} (for ${step.duration} ms)`);
    const timer = setTimeout(() => void this.lift(f.id), step.duration);
    this.active.set(f.id, { fault: f, timer });
  }

  private async lift(id: string): Promise<void> {
    const a = this.active.get(id);
    if (!a) return;
    this.active.delete(id);
    clearTimeout(a.timer);
    await rpc((cb) => this.c.orchestrator.LiftFault({ id }, deadline(60_000), cb)).catch((e) =>
      this.say(`lifting ${id} failed: ${fromServiceError(e).message}`),
    );
    const rec = this.faults.find((f) => f.id === id);
    if (rec) {
      rec.endMs = this.recorder.t();
      this.recorder.fault('end', id, rec.kind, rec.targets, { detail: rec.detail });
    }
    this.say(`lifted ${id} (${a.fault.kind})`);
  }

  private async runAction(a: ActionStepT): Promise<void> {
    const cl = this.c;
    const s = await anyState(cl);
    const member = s?.node ?? cl.byComponent('hyperv-node')[0]?.name ?? '';
    this.recorder.write({
      type: 'event',
      node: 'runner',
      kind: 'action',
      eventId: 0,
      message: `${a.action} ${a.role ?? a.vm ?? ''} ${a.to ?? ''}`.trim(),
      data: { ...a },
    });
    switch (a.action) {
      case 'live-migrate':
      case 'quick-migrate':
        return this.migrate(member, a);
      case 'move-csv':
        await rpc((cb) =>
          cl.cluster(member).MoveCsv({ volume: a.volume, to: a.to ?? '' }, deadline(15_000), cb),
        );
        return;
      case 'dirty-memory': {
        const owner = s?.roles.find((r) => r.name === (a.vm ?? a.role))?.owner ?? member;
        const vm = a.vm ?? a.role ?? '';
        const dirty = { vm, enabled: true, interval_ms: 0, dirty_pages_per_sec: a.pagesPerSec ?? 20_000 };
        await rpc((cb) => cl.node(owner).SetWorkload(dirty, deadline(5000), cb));
        return;
      }
      case 'lift-all':
        return this.liftAll();
    }
  }

  private async migrate(member: string, a: ActionStepT): Promise<void> {
    const move = { role: a.role ?? '', to: a.to ?? '', live: a.action === 'live-migrate' };
    const r = await rpc<MoveResponse__Output>((cb) =>
      this.c.cluster(member).Move(move, deadline(180_000), cb),
    );
    this.say(
      `${a.action} ${a.role} -> ${a.to}: ${r.migration?.passes} passes, blackout ${r.migration?.blackout_ms} ms`,
    );
  }
}
