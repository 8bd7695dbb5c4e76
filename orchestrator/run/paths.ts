/**
 * Where a run keeps its state: one folder per machine (DCBOX_HOME, default /tmp/dcbox) with
 * the run's state.json, each host's config, NATS config, logs and data.
 */
import { join } from 'node:path';

export const DCBOX_HOME = process.env.DCBOX_HOME ?? '/tmp/dcbox';
export const runDir = join(DCBOX_HOME, 'run');
export const statePath = join(runDir, 'state.json');
export const daemonLog = join(runDir, 'orchestrator.log');
export const hostDir = (host: string) => join(runDir, 'hosts', host);

/**
 * The orchestrator's control port (CLI → daemon) and backplane (MM → daemon). This and the
 * metrics port sit below Linux's ephemeral range (32768–60999 by default) and below the local
 * runtime's hosts (LOCAL_PORT_BASE), for the same reason as those.
 */
export const CONTROL_PORT = Number(process.env.DCBOX_CONTROL_PORT ?? 27100);
/** Where the daemon serves its own Prometheus /metrics (the faults it injected), on 127.0.0.1. */
export const ORCHESTRATOR_METRICS_PORT = Number(process.env.DCBOX_METRICS_PORT ?? 27101);
/** The Prometheus configuration `dcbox up` writes for the running topology. */
export const prometheusConfigPath = join(runDir, 'prometheus.yml');
/**
 * First port of the local runtime; each host takes ten from here. Below Linux's ephemeral range
 * (32768–60999 by default), so no connection's local port nor a port-0 listener (the SAS and
 * page channels) can take a host's port before that host binds it.
 */
export const LOCAL_PORT_BASE = Number(process.env.DCBOX_PORT_BASE ?? 27200);

/** Names of what a netns run creates, so down can find and sweep them. */
export const BRIDGE = 'dcbox0';
export const NETNS_PREFIX = 'dcbox-';
export const VETH_PREFIX = 'dcbx';
export const RULE_COMMENT = 'dcbox';
