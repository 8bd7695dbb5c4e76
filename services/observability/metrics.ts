/**
 * Prometheus metrics of a dcbox process (docs/design.md §Interfaces): one registry per process, served as
 * `/metrics` over plain HTTP on the host's own address, and the `dcbox_info` metric that says
 * which version, topology, seed, host and component answered. Names follow the Prometheus
 * conventions: the `dcbox_` prefix, base units (seconds, bytes), `_total` on counters, and no
 * label that grows without bound (no VM sequence numbers, no request ids).
 *
 * The scrape goes over the out-of-band channel (docs/design.md §Hosts and networks): in the netns runtime the host's
 * address sits on the bridge, which partitions never cut, so the observer keeps seeing a host
 * that the emulated network has cut off.
 */
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** The metrics port in the netns runtime: every host has its own address (the node_exporter-style default). */
export const METRICS_PORT = 9464;
/**
 * In the local runtime every host shares 127.0.0.1 and takes ten ports from its gRPC port
 * (+1, +2 NATS; +3, +4 the MM's telnet and Redfish: management-module/endpoints.ts), so
 * /metrics takes +5.
 */
export const LOCAL_METRICS_OFFSET = 5;

/** Where a host serves /metrics: pure, so `dcbox up` writes the same targets into prometheus.yml. */
export function metricsEndpoint(cfg: { address: string; grpcPort: number }): {
  address: string;
  port: number;
} {
  const local = cfg.address === '127.0.0.1';
  return { address: cfg.address, port: local ? cfg.grpcPort + LOCAL_METRICS_OFFSET : METRICS_PORT };
}

/** What `dcbox_info` says about the process. */
export interface InfoLabels {
  version: string;
  topology: string;
  seed: string;
  host: string;
  component: string;
}

/**
 * A fresh registry with the process metrics of prom-client (CPU, RSS, event-loop lag, GC) under
 * the `dcbox_` prefix and `dcbox_info{version,topology,seed,host,component} 1`.
 */
export function makeRegistry(info: InfoLabels, opts: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'dcbox_' });
  const g = new Gauge({
    name: 'dcbox_info',
    help: 'Which dcbox process this is: version, topology, seed, host and component (always 1).',
    labelNames: ['version', 'topology', 'seed', 'host', 'component'],
    registers: [registry],
  });
  g.set({ ...info }, 1);
  return registry;
}

/** Serves GET /metrics from the registry; anything else is 404. Resolves once listening. */
export function startMetricsServer(registry: Registry, address: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/**
 * Sets a "state set" gauge: one series per possible state, 1 for the current one and 0 for the
 * others, so a dashboard can both show the state and count series in a given state.
 */
export function setStateSet<L extends string>(
  g: Gauge<L>,
  labels: Partial<Record<L, string>>,
  stateLabel: L,
  states: readonly string[],
  current: string,
): void {
  for (const st of states)
    g.set({ ...labels, [stateLabel]: st } as Partial<Record<L, string>>, st === current ? 1 : 0);
}

/**
 * What breaks the naming rules in a registry (empty when all is well): every name matches
 * ^dcbox_[a-z0-9_]+$, counters end in _total, time is in seconds (no ms, no milliseconds).
 */
export async function metricNameProblems(registry: Registry): Promise<string[]> {
  const problems: string[] = [];
  for (const m of await registry.getMetricsAsJSON()) {
    if (!/^dcbox_[a-z0-9_]+$/.test(m.name)) problems.push(`${m.name}: not dcbox_[a-z0-9_]+`);
    if (String(m.type) === 'counter' && !m.name.endsWith('_total'))
      problems.push(`${m.name}: a counter without _total`);
    if (/(^|_)(ms|milliseconds|msec)(_|$)/.test(m.name)) problems.push(`${m.name}: time must be in seconds`);
    if (!m.help) problems.push(`${m.name}: no help text`);
  }
  return problems;
}
