/**
 * The observer: the daemon's eyes on the data center, over the out-of-band channel (the root
 * namespace reaches every host over the bridge; partitions cut host-to-host traffic, never this).
 * It follows every node's event stream into one hub with the orchestrator's own events, polls
 * the chassis, the cluster, each node's paths and the controller's counters every tick, and
 * pings every clustered VM from the workstation, as the tutorial's operator does.
 */
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { Chassis__Output } from '../../services/generated/dcbox/chassis/v1/Chassis.js';
import type { ManagementModuleClient } from '../../services/generated/dcbox/chassis/v1/ManagementModule.js';
import type { ClusterClient } from '../../services/generated/dcbox/cluster/v1/Cluster.js';
import type { ClusterEvent__Output } from '../../services/generated/dcbox/cluster/v1/ClusterEvent.js';
import type { ClusterState__Output } from '../../services/generated/dcbox/cluster/v1/ClusterState.js';
import type { HyperVNodeClient } from '../../services/generated/dcbox/node/v1/HyperVNode.js';
import type { PathsResponse__Output } from '../../services/generated/dcbox/node/v1/PathsResponse.js';
import type { PingReply__Output } from '../../services/generated/dcbox/workstation/v1/PingReply.js';
import type { WorkstationClient } from '../../services/generated/dcbox/workstation/v1/Workstation.js';
import type { DcboxEvent } from '../../services/observability/events.js';
import { toDcboxEvent } from '../../services/observability/events.js';
import { metricsEndpoint } from '../../services/observability/metrics.js';
import type { CallAuth } from '../../services/transport/call-auth.js';
import { clientOptions, deadline, insecure, protos, rpc } from '../../services/transport/grpc.js';
import type { FaultView } from '../faults/faults.js';
import {
  type ClusterView,
  clusterView,
  EventHub,
  NodeCursor,
  type NodeState,
  type ObservedEvent,
  type PathStates,
  type PingTick,
  parsePrometheusText,
  pathChanges,
  SeriesStore,
  type StorageTotals,
  storageRates,
  storageTotals,
} from './model.js';

/** How often the observer polls and adds a point to the charts. */
export const TICK_MS = 500;
/** How often each VM is pinged from the workstation. */
const PING_INTERVAL_MS = 250;
/**
 * At most this many VMs are pinged (the first by name): a chart with more lines is unreadable,
 * and a thousand VMs pinged four times a second would load the workstation more than the
 * scenario under test.
 */
export const MAX_PINGED_VMS = 24;
/** A stream that ended is opened again after this long. */
const RECONNECT_MS = 1000;

/** A host as the observer sees it. */
export interface ObservedHost {
  name: string;
  component: string;
  address: string;
  grpcPort: number;
  bay?: { kind: 'blade' | 'io'; number: number };
  powered: boolean;
}

/** What the dashboard shows at one moment (served as JSON and pushed every tick). */
export interface DashboardView {
  atMs: number;
  run: {
    runId: string;
    topology: string;
    runtime: string;
    timing: string;
    startedAtMs: number;
    allowControl: boolean;
  };
  hosts: { name: string; component: string; address: string; powered: boolean }[];
  /** The first chassis's inventory (the one a single-chassis run has), or null while its MM does not answer. */
  chassis: Chassis__Output | null;
  /**
   * Every chassis, in the topology's order: the host name of its management module and its
   * inventory (null while that MM does not answer). A topology may list several chassis sharing
   * the storage (docs/domain.md §Several chassis).
   */
  allChassis: { mm: string; chassis: Chassis__Output | null }[];
  cluster: ClusterView | null;
  faults: FaultView[];
  /** VMs being pinged (at most MAX_PINGED_VMS), with the host that answered last. */
  vms: { name: string; answeredBy: string | null; ok: boolean | null }[];
  /** How many clustered VMs there are in all. */
  vmCount: number;
}

/** What the observer needs from the daemon. */
export interface ObserverDeps {
  run: DashboardView['run'];
  hosts(): ObservedHost[];
  faults(): FaultView[];
  /** The run's token and the chassis account, sent with every call (docs/security.md). */
  auth: CallAuth;
  /** What a call to one management module sends: the run's token and its own chassis's account. */
  mmAuth(mm: string): CallAuth;
}

/** Follows, polls and pings; holds the hub and the series the dashboard serves. */
export class Observer {
  readonly hub = new EventHub();
  readonly series = new SeriesStore();
  private view: DashboardView;
  private ownIndex = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly closers: (() => void)[] = [];
  private readonly tickListeners = new Set<() => void>();
  private readonly paths = new Map<string, PathStates>();
  private storage: { totals: StorageTotals; atMs: number } | null = null;
  private readonly pingers = new Map<string, ClientReadableStream<PingReply__Output>>();
  private readonly ticks = new Map<string, PingTick>();
  private readonly lastReply = new Map<string, PingReply__Output>();
  /** Made on first use (start), not with the observer: building the clients loads four proto
   * packages, ~0.25 s of CPU that `dcbox up` would otherwise spend while the hosts start. */
  private made: {
    mm: Map<string, ManagementModuleClient>;
    cluster: Map<string, ClusterClient>;
    node: Map<string, HyperVNodeClient>;
    workstation: WorkstationClient | null;
  } | null = null;

  constructor(private readonly deps: ObserverDeps) {
    this.view = {
      atMs: Date.now(),
      run: deps.run,
      hosts: [],
      chassis: null,
      allChassis: [],
      cluster: null,
      faults: [],
      vms: [],
      vmCount: 0,
    };
  }

  private get clients(): NonNullable<Observer['made']> {
    if (this.made) return this.made;
    const p = protos();
    const hosts = this.deps.hosts();
    const target = (h: ObservedHost) => `${h.address}:${h.grpcPort}`;
    const mms = hosts.filter((h) => h.component === 'management-module');
    const ws = hosts.find((h) => h.component === 'workstation');
    const nodes = hosts.filter((h) => h.component === 'hyperv-node');
    // Only the management module's API takes the chassis account; the others the token alone.
    const withToken = clientOptions({ runToken: this.deps.auth.runToken });
    this.made = {
      mm: new Map(
        mms.map((m) => [
          m.name,
          new p.dcbox.chassis.v1.ManagementModule(
            target(m),
            insecure(),
            clientOptions(this.deps.mmAuth(m.name)),
          ),
        ]),
      ),
      cluster: new Map(
        nodes.map((n) => [n.name, new p.dcbox.cluster.v1.Cluster(target(n), insecure(), withToken)]),
      ),
      node: new Map(
        nodes.map((n) => [n.name, new p.dcbox.node.v1.HyperVNode(target(n), insecure(), withToken)]),
      ),
      workstation: ws ? new p.dcbox.workstation.v1.Workstation(target(ws), insecure(), withToken) : null,
    };
    return this.made;
  }

  /** The newest view. */
  current(): DashboardView {
    return this.view;
  }

  /** Calls `f` after every tick (a new view and a new point); returns the function that stops it. */
  onTick(f: () => void): () => void {
    this.tickListeners.add(f);
    return () => this.tickListeners.delete(f);
  }

  /**
   * Starts following every node's events and, for a dashboard, polling and pinging; returns at
   * once. A poll that takes long (a big cluster on a busy machine) stretches the tick to four
   * times its duration, so that watching never takes more than a quarter of the time.
   */
  start(opts: { poll: boolean } = { poll: true }): void {
    for (const name of this.clients.cluster.keys()) this.followNode(name);
    if (!opts.poll) return;
    const tick = () => {
      if (this.stopped) return;
      const t0 = Date.now();
      void this.poll()
        .catch(() => undefined)
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, Math.max(TICK_MS, 4 * (Date.now() - t0)));
        });
    };
    tick();
  }

  /** Stops every stream and timer and closes the clients. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const close of this.closers) close();
    for (const s of this.pingers.values()) s.cancel();
    for (const c of this.made?.mm.values() ?? []) c.close();
    for (const c of this.made?.cluster.values() ?? []) c.close();
    for (const c of this.made?.node.values() ?? []) c.close();
    this.made?.workstation?.close();
  }

  /** Logs an event of the orchestrator's own into the stream. */
  log(kind: DcboxEvent['kind'], node: string, message: string, data: Record<string, unknown>): void {
    const e = {
      v: 1 as const,
      index: ++this.ownIndex,
      timeMs: Date.now(),
      node,
      eventId: 0,
      kind,
      message,
      source: 'orchestrator' as const,
      data,
    } as DcboxEvent;
    this.hub.append(e);
  }

  /** A host's power was cut or restored. */
  power(h: ObservedHost, on: boolean): void {
    const where = h.bay ? `${h.bay.kind === 'blade' ? 'blade bay' : 'I/O bay'} ${h.bay.number}` : 'its host';
    this.log('power', h.name, `${h.name} (${where}) powered ${on ? 'on' : 'off'}`, {
      host: h.name,
      component: h.component,
      bay: h.bay ?? null,
      on,
    });
  }

  /** A fault lease began or ended. */
  fault(f: FaultView): void {
    const node = f.targets[0] ?? 'orchestrator';
    if (f.status === 'active')
      this.log('fault-injected', node, `fault ${f.id} ${f.kind} on ${f.targets.join(', ')}: ${f.detail}`, {
        id: f.id,
        fault: f.kind,
        targets: f.targets,
        detail: f.detail,
        expiresAtMs: f.expires_at_ms,
      });
    else
      this.log('fault-lifted', node, `fault ${f.id} ${f.kind} ${f.status}`, {
        id: f.id,
        fault: f.kind,
        targets: f.targets,
        status: f.status,
      });
  }

  private followNode(name: string): void {
    const client = this.clients.cluster.get(name) as ClusterClient;
    const cursor = new NodeCursor();
    let stream: ClientReadableStream<ClusterEvent__Output> | null = null;
    const open = () => {
      if (this.stopped) return;
      // WatchEvents replays the node's whole log first; the cursor keeps only what is new,
      // also after the node restarted and began counting from 1 again.
      const s = client.WatchEvents({ since_index: 0 });
      stream = s;
      s.on('data', (wire: ClusterEvent__Output) => {
        let e: DcboxEvent;
        try {
          e = toDcboxEvent(wire);
        } catch {
          return; // A node of another version: its events are not part of a v1 stream.
        }
        if (cursor.admit(e)) this.hub.append({ ...e, source: 'node' });
      });
      let again = false;
      const reconnect = () => {
        if (again || this.stopped) return;
        again = true;
        setTimeout(open, RECONNECT_MS).unref();
      };
      s.on('error', reconnect);
      s.on('end', reconnect);
    };
    open();
    this.closers.push(() => stream?.cancel());
  }

  /** One tick: ask every service, log what changed, follow the VMs, record the view. */
  private async poll(): Promise<void> {
    const hosts = this.deps.hosts();
    const { chassis, byNode, paths, storage } = await this.askAll(hosts);
    this.logChanges(paths);
    const cluster = clusterView(byNode);
    this.syncPingers(cluster);
    this.record(hosts, chassis, cluster, storage);
    for (const f of this.tickListeners) f();
  }

  /** Every chassis, each powered node's cluster state and paths, and the storage totals (null: no answer). */
  private async askAll(hosts: ObservedHost[]) {
    const powered = new Set(hosts.filter((h) => h.powered).map((h) => h.name));
    const ask = <T>(f: Parameters<typeof rpc<T>>[0]): Promise<T | null> => rpc<T>(f).catch(() => null);
    const [chassis, states, paths, storage] = await Promise.all([
      Promise.all(
        [...this.clients.mm].map(async ([mm, c]) => ({
          mm,
          chassis: await ask<Chassis__Output>((cb) => c.GetChassis({}, deadline(TICK_MS * 2), cb)),
        })),
      ),
      Promise.all(
        [...this.clients.cluster].map(async ([name, c]) => [
          name,
          powered.has(name)
            ? await ask<ClusterState__Output>((cb) => c.GetState({}, deadline(TICK_MS * 2), cb))
            : null,
        ]),
      ),
      Promise.all(
        [...this.clients.node].map(async ([name, c]) => [
          name,
          powered.has(name)
            ? await ask<PathsResponse__Output>((cb) => c.ListPaths({}, deadline(TICK_MS * 2), cb))
            : null,
        ]),
      ),
      this.storageTotals(hosts),
    ]);
    const byNode = Object.fromEntries(states) as Record<string, NodeState | null>;
    return { chassis, byNode, paths: paths as [string, PathsResponse__Output | null][], storage };
  }

  /** Logs the path states that changed since the last tick. */
  private logChanges(paths: [string, PathsResponse__Output | null][]): void {
    const observed: ObservedEvent[] = [];
    for (const [name, r] of paths) {
      if (!r) continue;
      const next: PathStates = {};
      for (const d of r.disks) for (const p of d.paths) next[`${d.lun}/${p.name}`] = p.state;
      observed.push(...pathChanges(name, this.paths.get(name), next));
      this.paths.set(name, next);
    }
    // CSV access changes are logged by the nodes themselves (csv-mode, Events 5120/5121/5142).
    for (const o of observed) this.log(o.kind, o.node, o.message, o.data);
  }

  /** Records the tick's chart points and the view the dashboard shows. */
  private record(
    hosts: ObservedHost[],
    chassis: DashboardView['allChassis'],
    cluster: ClusterView | null,
    storage: StorageTotals | null,
  ): void {
    const now = Date.now();
    let rates: { iops: number | null; latencyMs: number | null } = { iops: null, latencyMs: null };
    if (storage && this.storage)
      rates = storageRates(this.storage.totals, storage, (now - this.storage.atMs) / 1000);
    this.storage = storage ? { totals: storage, atMs: now } : null;
    const pings = Object.fromEntries(this.ticks);
    this.ticks.clear();
    for (const vm of this.pingers.keys()) pings[vm] ??= { ok: 0, lost: 0, rttSumMs: 0 };
    this.series.push({ atMs: now, pings, ...rates });
    this.view = {
      atMs: now,
      run: this.deps.run,
      hosts: hosts.map((h) => ({
        name: h.name,
        component: h.component,
        address: h.address,
        powered: h.powered,
      })),
      chassis: chassis[0]?.chassis ?? null,
      allChassis: chassis,
      cluster,
      faults: this.deps.faults().filter((f) => f.status === 'active'),
      vms: [...this.pingers.keys()].sort().map((name) => {
        const r = this.lastReply.get(name);
        return { name, answeredBy: r?.ok ? r.host : null, ok: r ? r.ok : null };
      }),
      vmCount: cluster?.roles.length ?? 0,
    };
  }

  private async storageTotals(hosts: ObservedHost[]): Promise<StorageTotals | null> {
    const st = hosts.find((h) => h.component === 'storage-controller' && h.powered);
    if (!st) return null;
    const m = metricsEndpoint(st);
    try {
      const res = await fetch(`http://${m.address}:${m.port}/metrics`, {
        signal: AbortSignal.timeout(TICK_MS * 2),
      });
      if (!res.ok) return null;
      return storageTotals(parsePrometheusText(await res.text()));
    } catch {
      return null;
    }
  }

  /** One ping stream per clustered VM, as long as the role exists. */
  private syncPingers(cluster: ClusterView | null): void {
    const ws = this.clients.workstation;
    if (!ws || !cluster) return;
    const vms = new Set(
      cluster.roles
        .map((r) => r.vm || r.name)
        .sort()
        .slice(0, MAX_PINGED_VMS),
    );
    for (const vm of vms) {
      if (this.pingers.has(vm)) continue;
      const start = () => {
        if (this.stopped) return;
        const s = ws.Ping({ vm, count: 0, interval_ms: PING_INTERVAL_MS, timeout_ms: 1000 });
        this.pingers.set(vm, s);
        s.on('data', (r: PingReply__Output) => {
          const t = this.ticks.get(vm) ?? { ok: 0, lost: 0, rttSumMs: 0 };
          if (r.ok) {
            t.ok++;
            t.rttSumMs += r.rtt_us / 1000;
          } else t.lost++;
          this.ticks.set(vm, t);
          this.lastReply.set(vm, r);
        });
        let again = false;
        const reconnect = () => {
          if (again || this.stopped || this.pingers.get(vm) !== s) return;
          again = true;
          setTimeout(start, RECONNECT_MS).unref();
        };
        s.on('error', reconnect);
        s.on('end', reconnect);
      };
      start();
    }
    for (const [vm, s] of this.pingers) {
      if (vms.has(vm)) continue;
      this.pingers.delete(vm);
      s.cancel();
    }
  }
}
