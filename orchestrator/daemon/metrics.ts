/**
 * The orchestrator's own observability: the faults it injected, as Prometheus metrics on
 * 127.0.0.1 (the workstation side, never on the emulated network), and the Prometheus
 * configuration that scrapes every service of the running topology plus the orchestrator.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { stringify } from 'yaml';
import { metricsEndpoint } from '../../services/observability/metrics.js';
import type { Component } from '../../services/process/config.js';
import { FAULT_KINDS } from '../faults/faults.js';

/** The daemon's metrics: faults injected by kind (a counter) and active by kind (a gauge). */
export interface OrchestratorMetrics {
  injected: Counter<'kind'>;
}

/**
 * Registers the fault metrics. `active` lists the kinds of the leases held now; every known kind
 * is exported (0 when none), so a dashboard sees a series before the first fault.
 */
export function orchestratorMetrics(registry: Registry, active: () => string[]): OrchestratorMetrics {
  const injected = new Counter({
    name: 'dcbox_faults_injected_total',
    help: 'Faults injected by the orchestrator, by kind (chaos annotations are built on its increases).',
    labelNames: ['kind'],
    registers: [registry],
  });
  for (const kind of FAULT_KINDS) injected.inc({ kind }, 0);
  new Gauge({
    name: 'dcbox_faults_active',
    help: 'Fault leases held now, by kind.',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const now = active();
      for (const kind of FAULT_KINDS) this.set({ kind }, now.filter((k) => k === kind).length);
    },
  });
  return { injected };
}

/** A host as the Prometheus configuration needs it. */
export interface ScrapeHost {
  name: string;
  component: Component;
  address: string;
  grpcPort: number;
}

/**
 * prometheus.yml for a run: one job per component with a target per host (labels host and
 * component), plus the orchestrator. The scrape interval follows the timing profile: 1 s keeps
 * up with the fast profile's failovers, 5 s is plenty for the real one.
 */
export function prometheusConfig(opts: {
  topology: string;
  hosts: ScrapeHost[];
  orchestrator: string;
  scrapeIntervalS: number;
}): string {
  const components = [...new Set(opts.hosts.map((h) => h.component))];
  const interval = `${opts.scrapeIntervalS}s`;
  const doc = {
    global: {
      scrape_interval: interval,
      scrape_timeout: interval,
      evaluation_interval: interval,
      external_labels: { dcbox_topology: opts.topology },
    },
    scrape_configs: [
      {
        job_name: 'dcbox-orchestrator',
        static_configs: [{ targets: [opts.orchestrator], labels: { component: 'orchestrator' } }],
      },
      ...components.map((component) => ({
        job_name: `dcbox-${component}`,
        static_configs: opts.hosts
          .filter((h) => h.component === component)
          .map((h) => {
            const m = metricsEndpoint(h);
            return { targets: [`${m.address}:${m.port}`], labels: { host: h.name, component } };
          }),
      })),
    ],
  };
  return `# Written by dcbox up for topology ${opts.topology}: every service's /metrics and the orchestrator.\n${stringify(doc)}`;
}
