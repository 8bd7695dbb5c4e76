/**
 * Faults as leases, held by the orchestrator daemon (docs/design.md §Hosts and networks, §Chaos): each injected fault has an
 * expiry and is lifted then even if the chaos runner that asked for it died. Power and RSSM pulls
 * go through the management module, as a person or a fencing agent would do them. This folder
 * holds only this module; the daemon (daemon/daemon.ts) gives it its dependencies (FaultDeps).
 */
import { DcboxError } from '../../services/actor/errors.js';
import { fromServiceError } from '../../services/transport/grpc-errors.js';
import type { HostAddress, NetemSpec, Runtime } from '../runtime/types.js';
import { FAULT_KINDS, type FaultKind } from './kinds.js';

export { FAULT_KINDS, type FaultKind };

export interface FaultRequest {
  kind: string;
  hosts: string[];
  groups: { hosts: string[] }[];
  one_way: boolean;
  duration_ms: number;
  netem?: { delay_ms: number; jitter_ms: number; loss_percent: number; rate_kbit: number } | null;
  peers: string[];
  lun: string;
  delay_ms: number;
  error_rate: number;
}

export interface FaultView {
  id: string;
  kind: string;
  targets: string[];
  started_at_ms: number;
  expires_at_ms: number;
  detail: string;
  status: 'active' | 'lifted' | 'expired';
}

/** What the leases need from the daemon. */
export interface FaultDeps {
  runtime: Runtime;
  address(host: string): HostAddress;
  component(host: string): string;
  /** The host's bay and the management module of its chassis (several chassis may share a run). */
  bayOf(host: string): { kind: 'blade' | 'io'; number: number; managementModule?: string } | undefined;
  pids(host: string): number[];
  setPower(host: string, on: boolean): Promise<void>;
  /**
   * Power through a management module (the run's first when none is named): kind blade or io,
   * action on or off.
   */
  mmPower(kind: 'blade' | 'io', bay: number, action: 'on' | 'off', managementModule?: string): Promise<void>;
  storageFault(
    lun: string,
    kind: 'slow' | 'errors' | 'none',
    delayMs: number,
    errorRate: number,
    durationMs: number,
  ): Promise<void>;
  hostsOf(component: string): string[];
  /** Told of every lease that began or ended (the event stream logs it). */
  changed?(view: FaultView): void;
}

/** The longest lease: a fault never outlives this, whatever was asked. */
export const LEASE_MAX_MS = 10 * 60_000;
const LEASE_DEFAULT_MS = 60_000;

/** What applying a fault did: its targets, a description, and how to undo it. */
interface Applied {
  targets: string[];
  detail: string;
  lift: () => Promise<void>;
}

interface Lease {
  view: FaultView;
  lift: () => Promise<void>;
  timer: NodeJS.Timeout;
}

export class FaultLeases {
  private readonly leases = new Map<string, Lease>();
  private readonly done: FaultView[] = [];
  private next = 1;

  constructor(private readonly deps: FaultDeps) {}

  list(): FaultView[] {
    return [...[...this.leases.values()].map((l) => l.view), ...this.done.slice(-200)];
  }

  async inject(req: FaultRequest): Promise<FaultView> {
    if (!(FAULT_KINDS as readonly string[]).includes(req.kind))
      throw new DcboxError(
        'INVALID_ARGUMENT',
        `unknown fault kind ${JSON.stringify(req.kind)} (kinds: ${FAULT_KINDS.join(', ')})`,
      );
    const kind = req.kind as FaultKind;
    const durationMs = Math.min(req.duration_ms > 0 ? req.duration_ms : LEASE_DEFAULT_MS, LEASE_MAX_MS);
    const id = `f${this.next++}`;
    const { targets, detail, lift } = await this.apply(kind, req, id, durationMs);
    const now = Date.now();
    const view: FaultView = {
      id,
      kind,
      targets,
      started_at_ms: now,
      expires_at_ms: now + durationMs,
      detail,
      status: 'active',
    };
    const timer = setTimeout(() => void this.lift(id, 'expired').catch(() => undefined), durationMs);
    timer.unref();
    this.leases.set(id, { view, lift, timer });
    this.deps.changed?.(view);
    return view;
  }

  async lift(id: string, status: 'lifted' | 'expired' = 'lifted'): Promise<FaultView> {
    const lease = this.leases.get(id);
    if (!lease) {
      const old = this.done.find((d) => d.id === id);
      if (old) return old;
      throw new DcboxError('NOT_FOUND', `no fault ${id}`);
    }
    this.leases.delete(id);
    clearTimeout(lease.timer);
    await lease.lift();
    const view = { ...lease.view, status, expires_at_ms: Date.now() };
    this.done.push(view);
    this.deps.changed?.(view);
    return view;
  }

  async liftAll(): Promise<FaultView[]> {
    const out: FaultView[] = [];
    for (const id of [...this.leases.keys()])
      out.push(
        await this.lift(id).catch((e) => ({
          id,
          kind: '',
          targets: [],
          started_at_ms: 0,
          expires_at_ms: 0,
          detail: String(e),
          status: 'lifted' as const,
        })),
      );
    return out;
  }

  private requireHosts(req: FaultRequest, component?: string): string[] {
    if (req.hosts.length === 0)
      throw new DcboxError('INVALID_ARGUMENT', `a ${req.kind} fault needs at least one host`);
    for (const h of req.hosts) {
      this.deps.address(h);
      if (component && this.deps.component(h) !== component)
        throw new DcboxError('INVALID_ARGUMENT', `${h} is a ${this.deps.component(h)}, not a ${component}`);
    }
    return req.hosts;
  }

  /** Carries out one fault; returns its targets, what it did and how to undo it. */
  private async apply(kind: FaultKind, req: FaultRequest, id: string, durationMs: number): Promise<Applied> {
    switch (kind) {
      case 'kill':
      case 'storage-crash':
      case 'witness-loss':
        return this.cutPower(kind, req);
      case 'freeze':
        return this.freeze(req);
      case 'power-off':
      case 'rssm-pull':
        return this.bayPower(kind, req);
      case 'partition':
        return this.partition(req, id);
      case 'netem':
        return this.netem(req);
      case 'storage-slow':
      case 'storage-errors':
        return this.storageFault(kind, req, durationMs);
    }
  }

  /** SIGKILL of every process of the hosts (or of the storage controller, or the witness). */
  private async cutPower(
    kind: 'kill' | 'storage-crash' | 'witness-loss',
    req: FaultRequest,
  ): Promise<Applied> {
    const d = this.deps;
    const hosts =
      kind === 'kill'
        ? this.requireHosts(req)
        : d.hostsOf(kind === 'storage-crash' ? 'storage-controller' : 'quorum');
    if (hosts.length === 0)
      throw new DcboxError(
        'INVALID_ARGUMENT',
        `this topology has no ${kind === 'storage-crash' ? 'storage controller' : 'witness'}`,
      );
    for (const h of hosts) await d.setPower(h, false);
    return {
      targets: hosts,
      detail: `SIGKILL of every process of ${hosts.join(', ')}`,
      lift: async () => {
        for (const h of hosts) await d.setPower(h, true);
      },
    };
  }

  /** SIGSTOP of every process of the hosts; SIGCONT when lifted. */
  private async freeze(req: FaultRequest): Promise<Applied> {
    const d = this.deps;
    const hosts = this.requireHosts(req);
    const pids = hosts.flatMap((h) => d.pids(h));
    for (const p of pids) signal(p, 'SIGSTOP');
    return {
      targets: hosts,
      detail: `SIGSTOP of ${pids.length} processes`,
      lift: async () => {
        for (const p of pids) signal(p, 'SIGCONT');
      },
    };
  }

  /** Power off a blade or pull an I/O module through the management module. */
  private async bayPower(kind: 'power-off' | 'rssm-pull', req: FaultRequest): Promise<Applied> {
    const d = this.deps;
    const hosts = this.requireHosts(req, kind === 'rssm-pull' ? 'rssm' : 'hyperv-node');
    const bays = hosts.map((h) => {
      const bay = d.bayOf(h);
      if (!bay) throw new DcboxError('INVALID_ARGUMENT', `${h} does not sit in a chassis bay`);
      return bay;
    });
    // Each bay through its own chassis's management module: bay 2 of one chassis is not bay 2 of another.
    for (const b of bays) await powerWhenFree(() => d.mmPower(b.kind, b.number, 'off', b.managementModule));
    return {
      targets: hosts,
      detail: `${kind === 'rssm-pull' ? 'pulled I/O module' : 'powered off blade'} ${bays.map((b) => `${b.kind} ${b.number}`).join(', ')} through the management module`,
      lift: async () => {
        for (const b of bays)
          await powerWhenFree(() => d.mmPower(b.kind, b.number, 'on', b.managementModule));
      },
    };
  }

  /** A partition tagged with the fault's id, so that lifting it removes only its rules. */
  private async partition(req: FaultRequest, id: string): Promise<Applied> {
    const d = this.deps;
    const groups = req.groups.map((g) => g.hosts);
    if (groups.length < 2)
      throw new DcboxError('INVALID_ARGUMENT', 'a partition needs at least two groups of hosts');
    const all = groups.flat().map((h) => d.address(h));
    let cut: string[];
    try {
      cut = d.runtime.partition(all, groups, req.one_way, `dcbox-${id}`);
    } catch (err) {
      throw new DcboxError('REFUSED', (err as Error).message, { cause: err });
    }
    return {
      targets: groups.flat(),
      detail: `${req.one_way ? 'one-way ' : ''}partition ${groups.map((g) => g.join(',')).join(' | ')} (${cut.length} directions cut)`,
      lift: async () => d.runtime.unpartition(all, `dcbox-${id}`),
    };
  }

  /** Degrades the hosts' links (towards some peers, or all traffic). */
  private async netem(req: FaultRequest): Promise<Applied> {
    const d = this.deps;
    const hosts = this.requireHosts(req);
    const n = req.netem;
    const spec: NetemSpec = {
      delayMs: n?.delay_ms ?? 0,
      jitterMs: n?.jitter_ms ?? 0,
      lossPercent: n?.loss_percent ?? 0,
      rateKbit: n?.rate_kbit ?? 0,
    };
    const peers = req.peers.map((p) => d.address(p));
    let details: string[];
    try {
      details = hosts.map((h) => d.runtime.netem(d.address(h), spec, peers));
    } catch (err) {
      for (const h of hosts) d.runtime.clearNetem(d.address(h));
      throw new DcboxError('REFUSED', (err as Error).message, { cause: err });
    }
    return {
      targets: hosts,
      detail: details.join('; '),
      lift: async () => {
        for (const h of hosts) d.runtime.clearNetem(d.address(h));
      },
    };
  }

  /** Slows a LUN's I/O or makes some of it fail, on the storage controller. */
  private async storageFault(
    kind: 'storage-slow' | 'storage-errors',
    req: FaultRequest,
    durationMs: number,
  ): Promise<Applied> {
    const d = this.deps;
    if (!req.lun) throw new DcboxError('INVALID_ARGUMENT', `a ${kind} fault needs a LUN`);
    const k = kind === 'storage-slow' ? 'slow' : 'errors';
    await d.storageFault(req.lun, k, req.delay_ms || 200, req.error_rate || 0.2, durationMs);
    return {
      targets: [req.lun],
      detail:
        kind === 'storage-slow'
          ? `LUN ${req.lun}: +${req.delay_ms || 200} ms per I/O`
          : `LUN ${req.lun}: ${(req.error_rate || 0.2) * 100}% of I/O fail`,
      lift: async () => d.storageFault(req.lun, 'none', 0, 0, 0),
    };
  }
}

/** Sends a signal to a process group, or to the process when it leads none. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // The process is gone: nothing to freeze or thaw.
    }
  }
}

/**
 * A power request through the management module, asked again while the bay is busy with another
 * (the power-on that lifted the last fault on it, say): the AMM refuses one request per bay at
 * a time and says to try again when it ends. Found by a seeded campaign whose two pulls of one
 * RSSM came 400 ms apart. Gives up after 60 s, as the request's own deadline does.
 */
async function powerWhenFree(power: () => Promise<void>): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      return await power();
    } catch (err) {
      if (fromServiceError(err).code !== 'BAD_STATE' || Date.now() >= until) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
