/**
 * The cluster service's end of its heartbeat thread (worker.ts): starts the thread, sends the
 * core's heartbeats through it, hands each peer's heartbeat to the service and the service's
 * answer back, and checks in with the thread's hang watch (hang-watch.ts).
 */
import type { Worker } from 'node:worker_threads';
import type { NodeSettings, ServiceConfig } from '../../../process/config.js';
import type { Logger } from '../../../process/log.js';
import { startThread } from '../../../process/thread.js';
import { decodeJson, encodeJson } from '../../../transport/nats.js';
import { subjects } from '../../../transport/subjects.js';
import type { View } from '../core/state.js';
import type { FromNetFt, NetFtWorkerData, ToNetFt } from './protocol.js';
import type { StandingView } from './standing.js';

/**
 * How long the service may stop checking in before it is taken as hung, in heartbeat delays:
 * 60 s at the default 1 s delay, 15 s at the fast profile's 250 ms (docs/domain.md §Heartbeats,
 * hang detection).
 */
export const HANG_TIMEOUT_DELAYS = 60;

export interface NetFtOptions {
  natsUrl: string;
  token?: string;
  /** The NATS connection's name. */
  name: string;
  /** The subject this node's heartbeats arrive on. */
  subject: string;
  /** SameSubnetDelay: the hang watch's period, and a quarter of it the service's time to answer. */
  delayMs: number;
  /**
   * A peer's heartbeat arrived: hands its view to the core and returns this node's answer; null
   * while the service has not started (the heartbeat goes unanswered).
   */
  onHeartbeat: (view: View | null) => StandingView | null;
  log: Logger;
  /** The thread failed or exited while the service runs: the node can no longer heartbeat. */
  onFailure: (err: Error) => void;
}

/**
 * Starts a node's heartbeat thread (cfg's NATS and SameSubnetDelay); `answer` is the cluster
 * service's (ClusterService.answerHeartbeat). A thread that fails stops the node: without it the
 * node can no longer heartbeat, and its peers would remove it while it still ran its VMs.
 */
export function startNodeNetFt(
  cfg: ServiceConfig<NodeSettings>,
  log: Logger,
  answer: (view: View | null) => StandingView | null,
): NetFt {
  return new NetFt({
    natsUrl: cfg.natsUrl,
    ...(cfg.runToken ? { token: cfg.runToken } : {}),
    name: `${cfg.component}:${cfg.host}`,
    subject: subjects.clusterHeartbeat(cfg.settings.cluster, cfg.host),
    delayMs: cfg.timing.sameSubnetDelayMs,
    onHeartbeat: answer,
    log,
    onFailure: (err) => {
      log('error', 'the heartbeat thread failed: the node stops', { error: err.message });
      process.exit(1);
    },
  });
}

/** A node's heartbeat thread, seen from its cluster service. */
export class NetFt {
  private readonly worker: Worker;
  private readonly results = new Map<number, (data: Uint8Array | null) => void>();
  private nextId = 1;
  private readonly alive: NodeJS.Timeout;
  private stopped = false;
  /** Resolves once the thread listens for heartbeats; rejects if it fails first. */
  readonly ready: Promise<void>;
  private onReady: (err?: Error) => void = () => {};

  constructor(private readonly opts: NetFtOptions) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.onReady = (err) => (err ? reject(err) : resolve());
    });
    const workerData: NetFtWorkerData = {
      natsUrl: opts.natsUrl,
      name: `${opts.name}:netft`,
      ...(opts.token ? { token: opts.token } : {}),
      subject: opts.subject,
      standInMs: Math.max(20, Math.round(opts.delayMs / 4)),
      hangTimeoutMs: HANG_TIMEOUT_DELAYS * opts.delayMs,
      tickMs: opts.delayMs,
    };
    // A small heap: the thread holds a NATS connection and one view (docs/design.md §Heartbeat thread).
    this.worker = startThread('services/hyperv-node/cluster/netft/worker', {
      workerData,
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 },
    });
    this.worker.on('message', (m: FromNetFt) => this.onMessage(m));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`the heartbeat thread exited (code ${code})`)));
    this.alive = setInterval(() => this.post({ type: 'alive' }), opts.delayMs);
    this.alive.unref();
  }

  /** Sends this node's view to a peer: resolves with the peer's view, or null when it did not answer. */
  heartbeat(subject: string, view: View, timeoutMs: number): Promise<View | null> {
    const id = this.nextId++;
    return new Promise<Uint8Array | null>((resolve) => {
      this.results.set(id, resolve);
      this.post({ type: 'send', id, subject, data: encodeJson(view), timeoutMs });
    }).then((data) => (data ? decodeJson<View>(data) : null));
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.alive);
    this.post({ type: 'stop' });
    for (const resolve of this.results.values()) resolve(null);
    this.results.clear();
  }

  private onMessage(m: FromNetFt): void {
    switch (m.type) {
      case 'request': {
        const standing = this.opts.onHeartbeat(parseView(m.data));
        if (standing) this.post({ type: 'answer', id: m.id, standing });
        return;
      }
      case 'result':
        this.results.get(m.id)?.(m.data);
        this.results.delete(m.id);
        return;
      case 'ready':
        this.onReady();
        return;
      case 'failed':
        this.fail(new Error(`the heartbeat thread cannot reach NATS: ${m.message}`));
        return;
      case 'hung':
        this.opts.log('error', 'the cluster service stopped checking in: its heartbeats stopped', {
          silentMs: m.silentMs,
        });
        return;
      case 'recovered':
        this.opts.log('warn', 'the cluster service checks in again: its heartbeats go on', {
          hungMs: m.hungMs,
        });
        return;
    }
  }

  private post(m: ToNetFt): void {
    if (!this.stopped || m.type === 'stop') this.worker.postMessage(m);
  }

  private fail(err: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.alive);
    this.onReady(err);
    this.opts.onFailure(err);
  }
}

/** A peer's view; null when the heartbeat was malformed (the peer then counts as silent). */
function parseView(data: Uint8Array): View | null {
  try {
    return decodeJson<View>(data);
  } catch {
    return null;
  }
}
