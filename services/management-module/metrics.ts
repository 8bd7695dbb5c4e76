/**
 * Prometheus metrics of the management module (docs/design.md §Interfaces): the power state and health of
 * every installed blade, I/O module and storage module, read from the core's chassis view at
 * scrape time.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { setStateSet } from '../observability/metrics.js';
import type { BayView } from './core.js';

const POWER_STATES = ['On', 'Off', 'Unknown'] as const;
const HEALTH_STATES = ['ok', 'off', 'no communication', 'unknown'] as const;

/** The chassis as the metrics read it: viewChassis of the core. */
export interface ChassisSource {
  chassis(): { blades: BayView[]; io_modules: BayView[]; storage_modules: BayView[] };
  /** Failed remote logins since start: telnet, Redfish and the gRPC API (the core's count). */
  loginFailures(): number;
}

/** Registers the MM's metrics. Bays are labelled by kind (blade, io, storage) and number. */
export function mmMetrics(registry: Registry, src: ChassisSource): void {
  const registers = [registry];
  const installed = () => {
    const c = src.chassis();
    return [...c.blades, ...c.io_modules, ...c.storage_modules].filter((b) => b.present);
  };
  new Gauge({
    name: 'dcbox_chassis_bay_power_state',
    help: 'Power state of each installed module as the AMM shows it (1 for the current state).',
    labelNames: ['kind', 'bay', 'state'],
    registers,
    collect() {
      for (const b of installed())
        setStateSet(this, { kind: b.kind, bay: String(b.number) }, 'state', POWER_STATES, b.power);
    },
  });
  new Gauge({
    name: 'dcbox_chassis_bay_health',
    help: 'Health of each installed module as the AMM shows it: ok, off, no communication, unknown (1 for the current one).',
    labelNames: ['kind', 'bay', 'health'],
    registers,
    collect() {
      for (const b of installed())
        setStateSet(this, { kind: b.kind, bay: String(b.number) }, 'health', HEALTH_STATES, b.health);
    },
  });
  new Counter({
    name: 'dcbox_chassis_login_failures_total',
    help: 'Remote logins the AMM refused since it started: telnet, Redfish and calls to its gRPC API without the chassis account.',
    registers,
    collect() {
      // The core keeps the count; the counter shows it as it is at scrape time.
      this.reset();
      this.inc(src.loginFailures());
    },
  });
  new Gauge({
    name: 'dcbox_chassis_bay_info',
    help: 'What each installed bay holds: its host and name (always 1).',
    labelNames: ['kind', 'bay', 'host', 'name'],
    registers,
    collect() {
      for (const b of installed())
        this.set({ kind: b.kind, bay: String(b.number), host: b.host, name: b.name }, 1);
    },
  });
}
