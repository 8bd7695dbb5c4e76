/**
 * The shell every service process runs in: config, logger, NATS connection, a gRPC server with
 * health, reflection and the Host service (info and echo over the emulated network), module
 * heartbeats to the management module, and a clean stop on SIGTERM/SIGINT. A service's main.ts
 * only wires its adapters into this.
 *
 * services/process holds the process shell of every service. Files: config.ts (the service
 * config the orchestrator writes, read once at start, adapter), log.ts (structured JSON logs on
 * stderr, adapter), root.ts (finding the project root, adapter), this file (the shell, adapter).
 */
import type * as grpc from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { type Clock, systemClock } from '../actor/clock.js';
import { DcboxError } from '../actor/errors.js';
import { makeRegistry, metricsEndpoint, startMetricsServer } from '../observability/metrics.js';
import {
  type GrpcServer,
  type Protos,
  protos,
  setProcessRunToken,
  startGrpcServer,
  unary,
  waitServing,
} from '../transport/grpc.js';
import { connectNats, decodeJson, encodeJson, type NatsConnection } from '../transport/nats.js';
import { subjects } from '../transport/subjects.js';
import { codeCacheOutcome } from './code-cache.js';
import { endpoint, type ServiceConfig } from './config.js';
import { loadServiceConfig } from './load-config.js';
import { type Logger, makeLogger } from './log.js';

/** dcbox's version, as Host.Info and the metrics' labels report it. */
export const VERSION = '0.1.0';

/** What a service's setup gets from the shell: its config, NATS, logger, metrics and clock. */
export interface ServiceContext<S> {
  cfg: ServiceConfig<S>;
  nc: NatsConnection;
  log: Logger;
  /** The process's Prometheus registry, served as /metrics: adapters register their metrics here. */
  metrics: Registry;
  /** The process's clock: adapters read the time here, never from Date.now, so tests can pass their own. */
  clock: Clock;
  /** Adds a stop hook, run in reverse order on SIGTERM. */
  onStop(fn: () => Promise<void> | void): void;
}

/** A service as runService runs it: the proto packages it needs and how to build its gRPC services. */
export interface ServiceDefinition<S> {
  /**
   * The proto packages its setup uses, loaded before it waits for the hosts it depends on, so
   * that the setup itself is short once they serve.
   */
  packages?: (keyof Protos['dcbox'])[];
  /** Builds the service's gRPC services once NATS is connected. */
  setup(
    ctx: ServiceContext<S>,
  ): Promise<{ definition: grpc.ServiceDefinition; name: string; impl: grpc.UntypedServiceImplementation }[]>;
}

/** Echoes another host over NATS: the request crosses the emulated network both ways. */
export async function echoHost(nc: NatsConnection, target: string, timeoutMs: number, clock: Clock) {
  const started = process.hrtime.bigint();
  try {
    const msg = await nc.request(subjects.hostEcho(target), encodeJson({ at: clock.now() }), {
      timeout: timeoutMs,
    });
    const reply = decodeJson<{ host: string }>(msg.data);
    return {
      ok: true,
      responder: reply.host,
      rtt_us: Number((process.hrtime.bigint() - started) / 1000n),
      error: '',
    };
  } catch (err) {
    return { ok: false, responder: '', rtt_us: 0, error: (err as Error).message };
  }
}

/**
 * Waits until the services of the hosts named in DCBOX_AWAIT serve. The daemon spawns every
 * process of a run at once and names there what each one depends on (topology dependsOn), so a
 * blade sets up its paths once its RSSMs serve while its modules load alongside theirs.
 */
async function awaitHosts(cfg: ServiceConfig<unknown>, log: Logger, clock: Clock): Promise<void> {
  const names = (process.env.DCBOX_AWAIT ?? '').split(',').filter(Boolean);
  if (names.length === 0) return;
  const started = clock.now();
  await Promise.all(
    names.map(async (name) => {
      const h = endpoint(cfg, name);
      while (!(await waitServing(`${h.address}:${h.grpcPort}`, { timeoutMs: 60_000 })))
        log('warn', 'still waiting for a host this one depends on', { host: name });
    }),
  );
  log('info', 'the hosts this one depends on serve', { hosts: names, waitedMs: clock.now() - started });
}

/**
 * A service's `main.ts`: runs it as the process's program. A start that fails ends the process
 * with its error and exit code 1, as a rejected top-level await would; the bundles are CommonJS
 * (scripts/bundle.mjs), which has no top-level await.
 */
export function serviceMain<S>(def: ServiceDefinition<S>): void {
  runService(def).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

/**
 * Runs a service process: config, NATS, /metrics, its gRPC services, heartbeats, clean stop.
 * `clock` is the time every adapter of the process reads (ServiceContext.clock).
 */
export async function runService<S>(def: ServiceDefinition<S>, clock: Clock = systemClock): Promise<void> {
  const cfg = loadServiceConfig<S>();
  const log = makeLogger(cfg.host, cfg.component);
  setProcessRunToken(cfg.runToken);
  if (!cfg.runToken) log('warn', 'no run token in the config: this host answers any gRPC caller');
  const stops: (() => Promise<void> | void)[] = [];
  const started = clock.now();
  // Where the start's time went, in ms since the process began (the serving line's phasesMs).
  const phasesMs: Record<string, number> = { loaded: Math.round(performance.now()) };
  const phase = (name: string) => {
    phasesMs[name] = Math.round(performance.now());
  };

  const nc = await connectNats(cfg.natsUrl, `${cfg.component}:${cfg.host}`, undefined, cfg.runToken);
  watchNats(nc, log);
  stops.push(answerEchoesAndHeartbeat(cfg, nc, clock));
  phase('nats');
  const { metrics, metricsUrl, stop: stopMetrics } = await serveMetrics(cfg);
  stops.push(stopMetrics);

  const p = protos();
  for (const pkg of ['common' as const, ...(def.packages ?? [])]) void p.dcbox[pkg];
  phase('protos');
  await awaitHosts(cfg, log, clock);
  phase('awaited');

  const ctx: ServiceContext<S> = { cfg, nc, log, metrics, clock, onStop: (fn) => stops.push(fn) };
  const own = await def.setup(ctx);
  phase('setUp');
  const server: GrpcServer = await startGrpcServer(
    cfg.address,
    cfg.grpcPort,
    [
      {
        definition: p.dcbox.common.v1.Host.service,
        name: 'dcbox.common.v1.Host',
        impl: hostService(cfg, nc, clock, started),
      },
      ...own,
    ],
    { runToken: cfg.runToken },
  );
  server.setServing(true);
  log('info', 'serving', {
    grpc: `${cfg.address}:${server.port}`,
    nats: cfg.natsUrl,
    metrics: metricsUrl,
    pid: process.pid,
    // How long the start took since the process began, and how much CPU it used (startupMs).
    startMs: Math.round(performance.now()),
    cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
    // Whether the bundle's compiled code came from V8's code cache (services/process/code-cache.ts).
    codeCache: codeCacheOutcome() ?? 'no bundle',
    // When each step of the start ended: modules loaded, NATS connected, protos loaded, the
    // hosts it depends on serving, its own setup done.
    phasesMs,
  });
  stopOnSignals(server, nc, stops, log);
}

/** Answers echoes addressed to this host and publishes its module heartbeats; returns the stop. */
function answerEchoesAndHeartbeat(cfg: ServiceConfig<unknown>, nc: NatsConnection, clock: Clock): () => void {
  nc.subscribe(subjects.hostEcho(cfg.host), {
    callback: (_err, msg) => {
      msg.respond(encodeJson({ host: cfg.host }));
    },
  });
  const hb = setInterval(() => {
    try {
      nc.publish(
        subjects.chassisHeartbeat(cfg.host),
        encodeJson({ host: cfg.host, component: cfg.component, at: clock.now() }),
      );
    } catch {
      // A connection that closed: watchNats says why and stops the process.
    }
  }, cfg.timing.moduleHeartbeatMs);
  return () => clearInterval(hb);
}

/**
 * Logs the NATS connection's losses and recoveries, and stops the process when the connection
 * closes for good on an error: a service without NATS cannot do its part, and a process that
 * exits is one its supervisor sees (a stop's drain closes it without an error).
 */
function watchNats(nc: NatsConnection, log: Logger): void {
  void (async () => {
    for await (const s of nc.status()) {
      if (
        s.type === 'disconnect' ||
        s.type === 'reconnect' ||
        s.type === 'staleConnection' ||
        s.type === 'error'
      )
        log('warn', `NATS connection: ${s.type}`, { ...('error' in s ? { error: String(s.error) } : {}) });
    }
  })();
  void nc.closed().then((err) => {
    if (!err) return;
    log('error', 'the NATS connection closed: the service stops', { error: String(err) });
    process.exit(1);
  });
}

/** Serves the process's Prometheus registry as /metrics. */
async function serveMetrics(cfg: ServiceConfig<unknown>) {
  const metrics = makeRegistry({
    version: VERSION,
    topology: cfg.topology ?? '',
    seed: String(cfg.seed),
    host: cfg.host,
    component: cfg.component,
  });
  const at = metricsEndpoint(cfg);
  const server = await startMetricsServer(metrics, at.address, at.port);
  return {
    metrics,
    metricsUrl: `http://${at.address}:${at.port}/metrics`,
    stop: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}

/** The dcbox.common.v1.Host service every process serves: who it is, and echo to another host. */
function hostService(cfg: ServiceConfig<unknown>, nc: NatsConnection, clock: Clock, startedMs: number) {
  return {
    Info: unary(() => ({
      name: cfg.host,
      address: cfg.address,
      component: cfg.component,
      pid: process.pid,
      rss_bytes: process.memoryUsage.rss(),
      uptime_ms: clock.now() - startedMs,
      version: VERSION,
    })),
    Echo: unary(async (req: { target_host: string; timeout_ms: number }) => {
      if (!req.target_host) throw new DcboxError('INVALID_ARGUMENT', 'target_host is required');
      return echoHost(nc, req.target_host, req.timeout_ms || 1000, clock);
    }),
  };
}

/** On SIGTERM or SIGINT: stop serving, run the stop hooks in reverse order, drain NATS, exit. */
function stopOnSignals(
  server: GrpcServer,
  nc: NatsConnection,
  stops: (() => Promise<void> | void)[],
  log: Logger,
): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', 'stopping', { signal });
    server.setServing(false);
    for (const fn of stops.reverse()) await fn();
    await server.shutdown();
    await nc.drain().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
