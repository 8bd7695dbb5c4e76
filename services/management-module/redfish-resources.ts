/**
 * The Redfish resource bodies of the MM: the service root, the ComputerSystem of a blade, the
 * Chassis, the Manager, the SessionService and its Sessions, as DMTF clients read them. Pure:
 * each is a function of the chassis view.
 */
import { createHash } from 'node:crypto';
import type { ChassisView } from './amm-cli.js';
import type { BayView } from './core.js';

/** The ResetTypes we map to the backplane (docs/domain.md §Redfish lists the whole enum). */
export const RESET_TYPES = ['On', 'ForceOff', 'GracefulShutdown', 'ForceRestart', 'PowerCycle'] as const;
/** One of the ResetTypes we carry out. */
export type ResetType = (typeof RESET_TYPES)[number];

/** The Redfish tree's root. */
export const ROOT = '/redfish/v1';
/** The ComputerSystem collection: one member per blade present. */
export const SYSTEMS = `${ROOT}/Systems`;
/** The Id of the one Chassis, the enclosure. */
export const CHASSIS_ID = 'chassis';
/** The Id of the one Manager, the AMM. */
export const MANAGER_ID = 'mm1';
/** The Session collection: POST here logs in. */
export const SESSIONS = `${ROOT}/SessionService/Sessions`;

/** A login session, kept in memory as on a real management controller. */
export interface Session {
  id: string;
  token: string;
  user: string;
  lastUsedMs: number;
}

const link = (id: string) => ({ '@odata.id': id });

/** A stable UUID for the service root, derived from the chassis name. */
function uuidOf(name: string): string {
  const h = createHash('sha1').update(`dcbox:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The ComputerSystem Id of a blade. */
export const systemId = (b: BayView) => `blade${b.number}`;

/** Redfish PowerState of a bay (docs/domain.md §Redfish: On, Off, PoweringOn, PoweringOff, Paused). */
function powerState(b: BayView): string | null {
  return b.power === 'On' || b.power === 'Off' ? b.power : null;
}

function status(b: BayView) {
  const health = b.health === 'no communication' ? 'Critical' : b.health === 'unknown' ? 'Warning' : 'OK';
  return { State: b.power === 'Off' ? 'StandbyOffline' : 'Enabled', Health: health };
}

/** The service root: where a client finds every collection and the login URI. */
export function serviceRootBody(c: ChassisView) {
  return {
    '@odata.id': `${ROOT}/`,
    '@odata.type': '#ServiceRoot.v1_5_0.ServiceRoot',
    Id: 'RootService',
    Name: 'Root Service',
    RedfishVersion: '1.6.0',
    UUID: uuidOf(c.name),
    Systems: link(SYSTEMS),
    Chassis: link(`${ROOT}/Chassis`),
    Managers: link(`${ROOT}/Managers`),
    SessionService: link(`${ROOT}/SessionService`),
    Tasks: link(`${ROOT}/TaskService`),
    // redfishtool finds the login URI here (Links.Sessions).
    Links: { Sessions: link(SESSIONS) },
  };
}

/** The ComputerSystem of one blade, with its Reset action. */
export function systemBody(b: BayView) {
  const uri = `${SYSTEMS}/${systemId(b)}`;
  return {
    '@odata.id': uri,
    '@odata.type': '#ComputerSystem.v1_13_0.ComputerSystem',
    Id: systemId(b),
    Name: b.name || b.host,
    HostName: b.host,
    SystemType: 'Physical',
    Manufacturer: 'IBM',
    Model: 'BladeCenter blade (emulated)',
    PowerState: powerState(b),
    Status: status(b),
    Boot: {
      BootSourceOverrideEnabled: 'Disabled',
      BootSourceOverrideTarget: 'None',
      'BootSourceOverrideTarget@Redfish.AllowableValues': ['None', 'Pxe', 'Hdd'],
    },
    Actions: {
      '#ComputerSystem.Reset': {
        target: `${uri}/Actions/ComputerSystem.Reset`,
        'ResetType@Redfish.AllowableValues': [...RESET_TYPES],
      },
    },
    Links: {
      Chassis: [link(`${ROOT}/Chassis/${CHASSIS_ID}`)],
      ManagedBy: [link(`${ROOT}/Managers/${MANAGER_ID}`)],
    },
  };
}

/** The one Chassis: the BladeCenter S enclosure. */
export function chassisBody(c: ChassisView) {
  const blades = c.blades.filter((b) => b.present);
  return {
    '@odata.id': `${ROOT}/Chassis/${CHASSIS_ID}`,
    '@odata.type': '#Chassis.v1_14_0.Chassis',
    Id: CHASSIS_ID,
    Name: c.name,
    ChassisType: 'Enclosure',
    Manufacturer: 'IBM',
    Model: c.model,
    PowerState: 'On',
    Status: { State: 'Enabled', Health: 'OK' },
    Links: {
      ComputerSystems: blades.map((b) => link(`${SYSTEMS}/${systemId(b)}`)),
      ManagedBy: [link(`${ROOT}/Managers/${MANAGER_ID}`)],
    },
  };
}

/** The one Manager: the AMM itself. */
export function managerBody(c: ChassisView) {
  return {
    '@odata.id': `${ROOT}/Managers/${MANAGER_ID}`,
    '@odata.type': '#Manager.v1_10_0.Manager',
    Id: MANAGER_ID,
    Name: 'Advanced Management Module',
    ManagerType: 'EnclosureManager',
    Model: `${c.model} AMM (emulated)`,
    Status: { State: 'Enabled', Health: 'OK' },
    Links: {
      ManagerForServers: c.blades.filter((b) => b.present).map((b) => link(`${SYSTEMS}/${systemId(b)}`)),
      ManagerForChassis: [link(`${ROOT}/Chassis/${CHASSIS_ID}`)],
    },
  };
}

/** The SessionService, with the session timeout. */
export function sessionServiceBody(sessionTimeoutS: number) {
  return {
    '@odata.id': `${ROOT}/SessionService`,
    '@odata.type': '#SessionService.v1_1_8.SessionService',
    Id: 'SessionService',
    Name: 'Session Service',
    ServiceEnabled: true,
    SessionTimeout: sessionTimeoutS,
    Sessions: link(SESSIONS),
  };
}

/** One session as GET of its URI shows it. */
export function sessionBody(s: Session) {
  return {
    '@odata.id': `${SESSIONS}/${s.id}`,
    '@odata.type': '#Session.v1_3_0.Session',
    Id: s.id,
    Name: `Session ${s.id}`,
    UserName: s.user,
  };
}

/** A resource collection of the given members. */
export function collection(uri: string, name: string, type: string, members: string[]) {
  return {
    '@odata.id': uri,
    '@odata.type': type,
    Name: name,
    Members: members.map(link),
    'Members@odata.count': members.length,
  };
}
