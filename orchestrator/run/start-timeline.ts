/**
 * Where the time of `dcbox up` goes: the daemon notes wall-clock marks while it starts a run
 * (StartMarks, epoch milliseconds), and `dcbox up --json` prints them as a timeline in
 * milliseconds since `dcbox up` began (StartTimeline). Pure: the marks come in, the timeline
 * goes out.
 */

/** One host's marks as the daemon took them during the start (epoch ms; null: not reached). */
export interface HostStartMarks {
  name: string;
  component: string;
  /** When its NATS server was spawned (null when the runtime owns the host's processes). */
  natsStartedAtMs: number | null;
  /** When its service process (or, in docker, its container) was started. */
  serviceStartedAtMs: number | null;
  /** When it first answered grpc.health.v1 with SERVING. */
  healthyAtMs: number | null;
}

/** The marks of one start, in the order the daemon reaches them (epoch ms). */
export interface StartMarks {
  /** The daemon began the run: it had loaded and been handed the topology by `dcbox up`. */
  daemonStartedAtMs: number;
  /** The hosts' network (namespaces, bridge, veths) and folders were made. */
  networkReadyAtMs: number | null;
  /** The daemon had loaded the rest of itself and served its control API and the dashboard. */
  controlServedAtMs: number | null;
  hosts: HostStartMarks[];
  /** Every service was healthy: `dcbox up` is ready. */
  allHealthyAtMs: number;
}

/** One host on the timeline, in ms since `dcbox up` began. */
export interface HostTimeline {
  name: string;
  component: string;
  natsStartedMs: number | null;
  serviceStartedMs: number | null;
  healthyMs: number | null;
  /** From its service's start to healthy (null when either is missing). */
  startToHealthyMs: number | null;
}

/** The start of a run, in ms since `dcbox up` began: the `timeline` of `dcbox up --json`. */
export interface StartTimeline {
  /** `dcbox up` had loaded and began to start the run (the CLI's own load before it). */
  upCalledMs: number;
  daemonStartedMs: number;
  networkReadyMs: number | null;
  controlServedMs: number | null;
  /** Each host in the topology's order. */
  hosts: HostTimeline[];
  /** Every service healthy: the moment `dcbox up` is ready. */
  allHealthyMs: number;
  /** The host that became healthy last, which the whole start waited for. */
  lastHealthy: string | null;
  /**
   * The first 'cluster-formed' event of the run's cluster, when it had formed by the time
   * `dcbox up` looked (after every service was healthy); null when it had not, or has no cluster.
   */
  clusterFormedMs: number | null;
}

/** What startTimeline needs besides the daemon's marks (all epoch ms). */
export interface TimelineOrigins {
  /** When `dcbox up` began: the time 0 of the timeline. */
  originMs: number;
  /** When `up()` was called, after the CLI had loaded. */
  upCalledAtMs: number;
  /** The first cluster-formed event's time, or null. */
  clusterFormedAtMs: number | null;
}

/** The timeline of a start from the daemon's marks, relative to when `dcbox up` began. */
export function startTimeline(marks: StartMarks, origins: TimelineOrigins): StartTimeline {
  const rel = (at: number | null): number | null => (at === null ? null : Math.round(at - origins.originMs));
  const hosts = marks.hosts.map((h) => ({
    name: h.name,
    component: h.component,
    natsStartedMs: rel(h.natsStartedAtMs),
    serviceStartedMs: rel(h.serviceStartedAtMs),
    healthyMs: rel(h.healthyAtMs),
    startToHealthyMs:
      h.serviceStartedAtMs === null || h.healthyAtMs === null
        ? null
        : Math.round(h.healthyAtMs - h.serviceStartedAtMs),
  }));
  const healthy = marks.hosts.filter((h) => h.healthyAtMs !== null);
  const last = healthy.reduce<HostStartMarks | null>(
    (a, h) => (a === null || (h.healthyAtMs as number) > (a.healthyAtMs as number) ? h : a),
    null,
  );
  return {
    upCalledMs: rel(origins.upCalledAtMs) as number,
    daemonStartedMs: rel(marks.daemonStartedAtMs) as number,
    networkReadyMs: rel(marks.networkReadyAtMs),
    controlServedMs: rel(marks.controlServedAtMs),
    hosts,
    allHealthyMs: rel(marks.allHealthyAtMs) as number,
    lastHealthy: last?.name ?? null,
    clusterFormedMs: rel(origins.clusterFormedAtMs),
  };
}

/** The earliest 'cluster-formed' event's time among the events of every node (epoch ms), or null. */
export function firstFormedAtMs(events: { kind: string; time_ms: number | string }[]): number | null {
  const times = events.filter((e) => e.kind === 'cluster-formed').map((e) => Number(e.time_ms));
  return times.length ? Math.min(...times) : null;
}

/** The timeline on one line per step, for `dcbox up` without --json. */
export function formatTimeline(t: StartTimeline): string[] {
  const s = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(2)} s`);
  const byHealthy = [...t.hosts].sort((a, b) => (a.healthyMs ?? Infinity) - (b.healthyMs ?? Infinity));
  return [
    `daemon ${s(t.daemonStartedMs)}, network ${s(t.networkReadyMs)}, control API and dashboard ${s(t.controlServedMs)}`,
    `healthy: ${byHealthy.map((h) => `${h.name} ${s(h.healthyMs)}`).join(', ')}`,
    `cluster formed ${t.clusterFormedMs === null ? 'not yet' : s(t.clusterFormedMs)}`,
  ];
}
