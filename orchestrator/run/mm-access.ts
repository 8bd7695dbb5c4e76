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

/** The MM's config as the daemon wrote it, or null when the run has no MM or it cannot be read. */
function mmConfig(state: RunState): { host: string; cfg: ServiceConfig<MmSettings> } | null {
  const mm = state.hosts.find((h) => h.component === 'management-module');
  if (!mm) return null;
  try {
    const cfg = JSON.parse(
      readFileSync(join(hostDir(mm.name), 'config.json'), 'utf8'),
    ) as ServiceConfig<MmSettings>;
    return { host: mm.name, cfg };
  } catch {
    return null;
  }
}

/**
 * The chassis account the MM's gRPC API asks for (as telnet and Redfish do), read from its
 * config in the run's folder; null when it cannot be read (the call is then refused).
 */
export function mmCredentials(state: RunState): { username: string; password: string } | null {
  return mmConfig(state)?.cfg.settings.credentials ?? null;
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
