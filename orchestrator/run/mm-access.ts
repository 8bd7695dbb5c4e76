/**
 * How people and tools reach the management module of the run that is up: its AMM CLI over
 * telnet and its Redfish service, read from the MM's own config with the rules the MM uses
 * (services/management-module/endpoints.ts), and whether the factory default account is in use;
 * and the account itself, which the MM's gRPC API asks of the CLI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ProtocolEndpoints,
  protocolEndpoints,
  redfishCertificatePath,
  usesDefaultCredentials,
} from '../../services/management-module/endpoints.js';
import type { MmSettings, ServiceConfig } from '../../services/process/config.js';
import { hostDir } from './paths.js';
import type { RunState } from './state.js';

/** The MM's endpoints as `dcbox status` prints them. */
export interface MmAccess {
  host: string;
  endpoints: ProtocolEndpoints;
  /** The Redfish service root URL. */
  redfish: string;
  /**
   * The MM's self-signed Redfish certificate in the run's folder, which a client names as its CA
   * (`curl --cacert`); null when Redfish is plain HTTP.
   */
  redfishCa: string | null;
  defaultCredentials: boolean;
}

/** An MM's config as the daemon wrote it, or null when it cannot be read. */
function readMmConfig(host: string): ServiceConfig<MmSettings> | null {
  try {
    return JSON.parse(readFileSync(join(hostDir(host), 'config.json'), 'utf8')) as ServiceConfig<MmSettings>;
  } catch {
    return null;
  }
}

/**
 * The config of the run's MM `host` (its first when none is named), or null when the run has no
 * such MM or its config cannot be read.
 */
function mmConfig(state: RunState, host?: string): { host: string; cfg: ServiceConfig<MmSettings> } | null {
  const mm = state.hosts.find(
    (h) => h.component === 'management-module' && (!host || h.name.toLowerCase() === host.toLowerCase()),
  );
  if (!mm) return null;
  const cfg = readMmConfig(mm.name);
  return cfg ? { host: mm.name, cfg } : null;
}

/**
 * The management module of a chassis named by its name (as in the topology) or its MM's host
 * name, whatever the case; null when the run has no such chassis. A run of several chassis
 * (docs/domain.md §Several chassis) has one MM per chassis.
 */
export function mmHostOfChassis(state: RunState, chassis: string): string | null {
  const key = chassis.toLowerCase();
  for (const h of state.hosts.filter((x) => x.component === 'management-module')) {
    if (h.name.toLowerCase() === key) return h.name;
    if (readMmConfig(h.name)?.settings.chassisName.toLowerCase() === key) return h.name;
  }
  return null;
}

/**
 * The chassis account the MM's gRPC API asks for (as telnet and Redfish do), read from the
 * config of MM `host` (the run's first when none is named) in the run's folder; null when it
 * cannot be read (the call is then refused).
 */
export function mmCredentials(state: RunState, host?: string): { username: string; password: string } | null {
  return mmConfig(state, host)?.cfg.settings.credentials ?? null;
}

/** The MM's endpoints, or null when the run has no MM or its config cannot be read. */
export function mmAccess(state: RunState): MmAccess | null {
  const found = mmConfig(state);
  if (!found) return null;
  const { host, cfg } = found;
  try {
    const e = protocolEndpoints(cfg, cfg.settings);
    return {
      host,
      endpoints: e,
      redfish: `${e.redfish.tls ? 'https' : 'http'}://${e.redfish.address}:${e.redfish.port}/redfish/v1/`,
      redfishCa: e.redfish.tls ? redfishCertificatePath(cfg.dataDir) : null,
      defaultCredentials: usesDefaultCredentials(cfg.settings.credentials),
    };
  } catch {
    return null;
  }
}

/** The lines `dcbox status` prints under the chassis table. */
export function mmAccessLines(a: MmAccess | null): string[] {
  if (!a) return [];
  const lines = [
    `management module ${a.host}: AMM CLI telnet ${a.endpoints.telnet.address} ${a.endpoints.telnet.port}, Redfish ${a.redfish}`,
  ];
  if (a.redfishCa) lines.push(`Redfish certificate (self-signed, trust it as the CA): ${a.redfishCa}`);
  if (a.defaultCredentials)
    lines.push(
      'warning: the management module uses the factory default account USERID / PASSW0RD; set chassis.managementModule.credentials in the topology',
    );
  return lines;
}
