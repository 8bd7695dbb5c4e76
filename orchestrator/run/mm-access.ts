/**
 * How people and tools reach the management module of the run that is up: its AMM CLI over
 * telnet and its Redfish service, read from the MM's own config with the rules the MM uses
 * (services/management-module/endpoints.ts), and whether the factory default account is in use.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ProtocolEndpoints,
  protocolEndpoints,
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
  defaultCredentials: boolean;
}

/** The MM's endpoints, or null when the run has no MM or its config cannot be read. */
export function mmAccess(state: RunState): MmAccess | null {
  const mm = state.hosts.find((h) => h.component === 'management-module');
  if (!mm) return null;
  try {
    const cfg = JSON.parse(
      readFileSync(join(hostDir(mm.name), 'config.json'), 'utf8'),
    ) as ServiceConfig<MmSettings>;
    const e = protocolEndpoints(cfg, cfg.settings);
    return {
      host: mm.name,
      endpoints: e,
      redfish: `${e.redfish.tls ? 'https' : 'http'}://${e.redfish.address}:${e.redfish.port}/redfish/v1/`,
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
  if (a.defaultCredentials)
    lines.push(
      'warning: the management module uses the factory default account USERID / PASSW0RD; set chassis.managementModule.credentials in the topology',
    );
  return lines;
}
