/**
 * The MM's Redfish service, without sockets: a router from a request (method, path, headers,
 * body) to a response (status, headers, JSON body). The tree is the minimum DMTF clients need
 * (DOMAIN.md §7): the service root, Systems (one ComputerSystem per blade, with the Reset
 * action), Chassis, Managers and the SessionService with its Sessions. Power goes through the
 * same core path as the gRPC Power; the HTTP server in redfish-server.ts only carries bytes.
 */
import { createHash } from 'node:crypto';
import { DcboxError } from '../actor/errors.js';
import type { ChassisView, PowerRequest } from './amm-cli.js';
import type { BayView } from './core.js';
import { credentialsMatch } from './endpoints.js';

/** A request as the router sees it; header names in lower case. */
export interface RedfishRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body: string;
}

/** A response: no body for 204. */
export interface RedfishResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** What the router needs from the MM. */
export interface RedfishDeps {
  chassis(): ChassisView;
  credentials: { username: string; password: string };
  /** A power change through the core; resolves once the backplane did it. */
  power(req: PowerRequest): Promise<void>;
  /** Moves every cluster role owned by the node away (live), before a graceful shutdown. */
  drain(host: string): Promise<void>;
  /** Records a login (the core counts failures and logs both). */
  login(user: string, ok: boolean): void;
  now(): number;
  /** A fresh, unguessable session token. */
  newToken(): string;
  delay(ms: number): Promise<void>;
  loginFailDelayMs: number;
  sessionTimeoutS: number;
}

/** The Base message registry version our messages cite. */
const BASE = 'Base.1.8';
/** Sessions open at once; a login past this is refused with SessionLimitExceeded. */
export const SESSIONS_MAX = 64;

/** The ResetTypes we map to the backplane (DOMAIN.md §7 lists the whole enum). */
export const RESET_TYPES = ['On', 'ForceOff', 'GracefulShutdown', 'ForceRestart', 'PowerCycle'] as const;
type ResetType = (typeof RESET_TYPES)[number];

const ROOT = '/redfish/v1';
const SYSTEMS = `${ROOT}/Systems`;
const CHASSIS_ID = 'chassis';
const MANAGER_ID = 'mm1';
const SESSIONS = `${ROOT}/SessionService/Sessions`;

interface Session {
  id: string;
  token: string;
  user: string;
  lastUsedMs: number;
}

const link = (id: string) => ({ '@odata.id': id });

/** One Redfish message for @Message.ExtendedInfo. */
interface Message {
  MessageId: string;
  Message: string;
  MessageArgs: string[];
  Severity: 'OK' | 'Warning' | 'Critical';
  Resolution: string;
  RelatedProperties?: string[];
}

/** A Redfish error response: {"error":{"code","message","@Message.ExtendedInfo":[…]}} (DOMAIN.md §7). */
export function redfishError(
  status: number,
  m: Message,
  headers: Record<string, string> = {},
): RedfishResponse {
  return {
    status,
    headers,
    body: {
      error: {
        code: `${BASE}.GeneralError`,
        message: 'A general error has occurred. See ExtendedInfo for more information.',
        '@Message.ExtendedInfo': [
          { '@odata.type': '#Message.v1_1_1.Message', ...m, MessageSeverity: m.Severity },
        ],
      },
    },
  };
}

const errors = {
  noValidSession: () =>
    redfishError(
      401,
      {
        MessageId: `${BASE}.NoValidSession`,
        Message: 'There is no valid session established with the implementation.',
        MessageArgs: [],
        Severity: 'Critical',
        Resolution:
          'Establish a session (POST /redfish/v1/SessionService/Sessions) or send HTTP Basic credentials.',
      },
      { 'WWW-Authenticate': 'Basic realm="Redfish"' },
    ),
  notFound: (uri: string) =>
    redfishError(404, {
      MessageId: `${BASE}.ResourceMissingAtURI`,
      Message: `The resource at the URI ${uri} was not found.`,
      MessageArgs: [uri],
      Severity: 'Critical',
      Resolution: 'Place a valid resource at the URI or correct the URI and resubmit the request.',
    }),
  notAllowed: (method: string, uri: string, allow: string[]) =>
    redfishError(
      405,
      {
        MessageId: `${BASE}.OperationNotAllowed`,
        Message: `The HTTP method ${method} is not allowed on ${uri}.`,
        MessageArgs: [method, uri],
        Severity: 'Critical',
        Resolution: `Use one of: ${allow.join(', ')}.`,
      },
      { Allow: allow.join(', ') },
    ),
  malformedJson: () =>
    redfishError(400, {
      MessageId: `${BASE}.MalformedJSON`,
      Message:
        'The request body submitted was malformed JSON and could not be parsed by the receiving service.',
      MessageArgs: [],
      Severity: 'Critical',
      Resolution: 'Ensure that the request body is valid JSON and resubmit the request.',
    }),
  propertyMissing: (property: string) =>
    redfishError(400, {
      MessageId: `${BASE}.PropertyMissing`,
      Message: `The property ${property} is a required property and must be included in the request.`,
      MessageArgs: [property],
      Severity: 'Warning',
      Resolution:
        'Ensure that the property is in the request body and has a valid value and resubmit the request.',
      RelatedProperties: [`/${property}`],
    }),
  actionParameterMissing: (action: string, parameter: string) =>
    redfishError(400, {
      MessageId: `${BASE}.ActionParameterMissing`,
      Message: `The action ${action} requires the parameter ${parameter} to be present in the request body.`,
      MessageArgs: [action, parameter],
      Severity: 'Critical',
      Resolution:
        'Supply the action with the required parameter in the request body when the request is resubmitted.',
      RelatedProperties: [`/${parameter}`],
    }),
  valueNotInList: (value: string, property: string, allowed: readonly string[]) =>
    redfishError(400, {
      MessageId: `${BASE}.PropertyValueNotInList`,
      Message: `The value ${value} for the property ${property} is not in the list of acceptable values.`,
      MessageArgs: [value, property],
      Severity: 'Warning',
      Resolution: `Choose a value from the enumeration list: ${allowed.join(', ')}.`,
      RelatedProperties: [`/${property}`],
    }),
  sessionLimit: () =>
    redfishError(503, {
      MessageId: `${BASE}.SessionLimitExceeded`,
      Message:
        'The session establishment failed due to the number of simultaneous sessions exceeding the limit of the implementation.',
      MessageArgs: [],
      Severity: 'Critical',
      Resolution:
        'Reduce the number of other sessions before trying to establish the session or increase the limit of simultaneous sessions (if supported).',
    }),
  failed: (status: number, id: string, message: string) =>
    redfishError(status, {
      MessageId: `${BASE}.${id}`,
      Message: message,
      MessageArgs: [],
      Severity: 'Critical',
      Resolution: 'Check the chassis with GET /redfish/v1/Systems and retry the request.',
    }),
};

/** A stable UUID for the service root, derived from the chassis name. */
function uuidOf(name: string): string {
  const h = createHash('sha1').update(`dcbox:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const systemId = (b: BayView) => `blade${b.number}`;

/** Redfish PowerState of a bay (DOMAIN.md §7: On, Off, PoweringOn, PoweringOff, Paused). */
function powerState(b: BayView): string | null {
  return b.power === 'On' || b.power === 'Off' ? b.power : null;
}

function status(b: BayView) {
  const health = b.health === 'no communication' ? 'Critical' : b.health === 'unknown' ? 'Warning' : 'OK';
  return { State: b.power === 'Off' ? 'StandbyOffline' : 'Enabled', Health: health };
}

/** The Redfish service of one MM. Sessions live in memory, as on a real management controller. */
export class RedfishService {
  private readonly sessions = new Map<string, Session>();
  private nextSessionId = 1;

  constructor(private readonly deps: RedfishDeps) {}

  /** Sessions open now (expired ones are dropped first). */
  openSessions(): number {
    this.expire();
    return this.sessions.size;
  }

  /** Answers one request; never throws. */
  async handle(req: RedfishRequest): Promise<RedfishResponse> {
    let res: RedfishResponse;
    try {
      res = await this.route(req);
    } catch (err) {
      res = errors.failed(500, 'InternalError', (err as Error).message);
    }
    return {
      ...res,
      headers: {
        'OData-Version': '4.0',
        ...(res.body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
        'Cache-Control': 'no-store',
        ...res.headers,
      },
    };
  }

  private async route(req: RedfishRequest): Promise<RedfishResponse> {
    const path = normalize(req.path);
    const method = req.method.toUpperCase();
    // The version document and the service root are open to all (DOMAIN.md §7); so is the
    // POST that creates a session.
    if (path === '/redfish') return only(method, ['GET'], path, () => ok({ v1: `${ROOT}/` }));
    if (path === ROOT) return only(method, ['GET'], path, () => ok(this.serviceRoot()));
    if (path === SESSIONS && method === 'POST') return this.createSession(req.body);
    if (!path.startsWith(`${ROOT}/`)) return errors.notFound(req.path);
    const who = await this.authenticate(req);
    if (!who) return errors.noValidSession();

    const chassis = this.deps.chassis();
    const blades = chassis.blades.filter((b) => b.present);
    const parts = path.slice(ROOT.length + 1).split('/');
    const [top, id, sub, action] = parts;

    if (top === 'Systems') {
      if (id === undefined)
        return only(method, ['GET'], path, () =>
          ok(
            collection(
              SYSTEMS,
              'Computer System Collection',
              '#ComputerSystemCollection.ComputerSystemCollection',
              blades.map((b) => `${SYSTEMS}/${systemId(b)}`),
            ),
          ),
        );
      const blade = blades.find((b) => systemId(b) === id);
      if (!blade) return errors.notFound(req.path);
      if (sub === undefined) return only(method, ['GET'], path, () => ok(this.system(blade)));
      if (sub === 'Actions' && action === 'ComputerSystem.Reset' && parts.length === 4)
        return only(method, ['POST'], path, () => this.reset(blade, req.body));
      return errors.notFound(req.path);
    }
    if (top === 'Chassis' && parts.length <= 2) {
      if (id === undefined)
        return only(method, ['GET'], path, () =>
          ok(
            collection(`${ROOT}/Chassis`, 'Chassis Collection', '#ChassisCollection.ChassisCollection', [
              `${ROOT}/Chassis/${CHASSIS_ID}`,
            ]),
          ),
        );
      if (id === CHASSIS_ID) return only(method, ['GET'], path, () => ok(this.chassis(chassis)));
      return errors.notFound(req.path);
    }
    if (top === 'Managers' && parts.length <= 2) {
      if (id === undefined)
        return only(method, ['GET'], path, () =>
          ok(
            collection(`${ROOT}/Managers`, 'Manager Collection', '#ManagerCollection.ManagerCollection', [
              `${ROOT}/Managers/${MANAGER_ID}`,
            ]),
          ),
        );
      if (id === MANAGER_ID) return only(method, ['GET'], path, () => ok(this.manager(chassis)));
      return errors.notFound(req.path);
    }
    if (top === 'SessionService') {
      if (id === undefined) return only(method, ['GET'], path, () => ok(this.sessionService()));
      if (id === 'Sessions' && sub === undefined)
        return only(method, ['GET', 'POST'], path, () =>
          ok(
            collection(
              SESSIONS,
              'Session Collection',
              '#SessionCollection.SessionCollection',
              [...this.sessions.values()].map((s) => `${SESSIONS}/${s.id}`),
            ),
          ),
        );
      if (id === 'Sessions' && parts.length === 3) {
        const s = this.sessions.get(sub as string);
        if (!s) return errors.notFound(req.path);
        return only(method, ['GET', 'DELETE'], path, () => {
          if (method === 'GET') return ok(sessionBody(s));
          // Logout is DELETE of the session's URI (DOMAIN.md §7).
          this.sessions.delete(s.id);
          return { status: 204, headers: {} };
        });
      }
    }
    return errors.notFound(req.path);
  }

  private expire(): void {
    const now = this.deps.now();
    for (const [id, s] of this.sessions)
      if (now - s.lastUsedMs > this.deps.sessionTimeoutS * 1000) this.sessions.delete(id);
  }

  /** X-Auth-Token of a live session, or HTTP Basic; a wrong password is counted and answered late. */
  private async authenticate(req: RedfishRequest): Promise<string | null> {
    this.expire();
    const token = req.headers['x-auth-token'];
    if (token) {
      const s = [...this.sessions.values()].find((x) => x.token === token);
      if (!s) return null;
      s.lastUsedMs = this.deps.now();
      return s.user;
    }
    const auth = req.headers.authorization;
    const m = auth ? /^Basic\s+(\S+)$/i.exec(auth) : null;
    if (!m) return null;
    const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    if (credentialsMatch(this.deps.credentials, user, password)) return user;
    this.deps.login(user, false);
    await this.deps.delay(this.deps.loginFailDelayMs);
    return null;
  }

  private async createSession(body: string): Promise<RedfishResponse> {
    const parsed = parseJson(body);
    if (parsed === undefined || typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return errors.malformedJson();
    const { UserName, Password } = parsed as Record<string, unknown>;
    if (typeof UserName !== 'string') return errors.propertyMissing('UserName');
    if (typeof Password !== 'string') return errors.propertyMissing('Password');
    if (!credentialsMatch(this.deps.credentials, UserName, Password)) {
      this.deps.login(UserName, false);
      await this.deps.delay(this.deps.loginFailDelayMs);
      return errors.noValidSession();
    }
    this.expire();
    if (this.sessions.size >= SESSIONS_MAX) return errors.sessionLimit();
    const s: Session = {
      id: String(this.nextSessionId++),
      token: this.deps.newToken(),
      user: UserName,
      lastUsedMs: this.deps.now(),
    };
    this.sessions.set(s.id, s);
    this.deps.login(UserName, true);
    // 201 with X-Auth-Token and Location (DOMAIN.md §7: sushy requires the token header).
    return {
      status: 201,
      headers: { 'X-Auth-Token': s.token, Location: `${SESSIONS}/${s.id}` },
      body: sessionBody(s),
    };
  }

  private async reset(blade: BayView, body: string): Promise<RedfishResponse> {
    const parsed = parseJson(body);
    if (parsed === undefined || typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return errors.malformedJson();
    const type = (parsed as Record<string, unknown>).ResetType;
    if (type === undefined) return errors.actionParameterMissing('#ComputerSystem.Reset', 'ResetType');
    if (typeof type !== 'string' || !(RESET_TYPES as readonly string[]).includes(type))
      return errors.valueNotInList(
        String(typeof type === 'string' ? type : JSON.stringify(type)),
        'ResetType',
        RESET_TYPES,
      );
    try {
      await this.carryOut(blade, type as ResetType);
    } catch (err) {
      const e = err instanceof DcboxError ? err : new DcboxError('UNAVAILABLE', (err as Error).message);
      if (e.code === 'BAD_STATE') return errors.failed(409, 'ResourceInUse', e.message);
      return errors.failed(500, 'InternalError', e.message);
    }
    // A successful reset answers 204 with no body, as Supermicro does (DOMAIN.md §7).
    return { status: 204, headers: {} };
  }

  /** Maps a ResetType to the backplane: a graceful shutdown drains the node's roles first. */
  private async carryOut(blade: BayView, type: ResetType): Promise<void> {
    const req = (action: PowerRequest['action']): PowerRequest => ({
      kind: 'blade',
      bay: blade.number,
      action,
    });
    switch (type) {
      case 'On':
        return this.deps.power(req('on'));
      case 'ForceOff':
        return this.deps.power(req('off'));
      case 'ForceRestart':
      case 'PowerCycle':
        return this.deps.power(req('cycle'));
      case 'GracefulShutdown':
        if (blade.power !== 'Off') {
          try {
            await this.deps.drain(blade.host);
          } catch (err) {
            throw new DcboxError(
              'BAD_STATE',
              `GracefulShutdown of ${blade.name || blade.host} was not done: its cluster roles could not be moved away (${(err as Error).message}); use ForceOff to cut power anyway`,
            );
          }
        }
        return this.deps.power(req('off'));
    }
  }

  private serviceRoot() {
    const c = this.deps.chassis();
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
      // redfishtool finds the login URI here (Links.Sessions).
      Links: { Sessions: link(SESSIONS) },
    };
  }

  private system(b: BayView) {
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

  private chassis(c: ChassisView) {
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

  private manager(c: ChassisView) {
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

  private sessionService() {
    return {
      '@odata.id': `${ROOT}/SessionService`,
      '@odata.type': '#SessionService.v1_1_8.SessionService',
      Id: 'SessionService',
      Name: 'Session Service',
      ServiceEnabled: true,
      SessionTimeout: this.deps.sessionTimeoutS,
      Sessions: link(SESSIONS),
    };
  }
}

function sessionBody(s: Session) {
  return {
    '@odata.id': `${SESSIONS}/${s.id}`,
    '@odata.type': '#Session.v1_3_0.Session',
    Id: s.id,
    Name: `Session ${s.id}`,
    UserName: s.user,
  };
}

function collection(uri: string, name: string, type: string, members: string[]) {
  return {
    '@odata.id': uri,
    '@odata.type': type,
    Name: name,
    Members: members.map(link),
    'Members@odata.count': members.length,
  };
}

function ok(body: unknown): RedfishResponse {
  return { status: 200, headers: {}, body };
}

/** Runs the handler when the method is allowed, else answers 405 with Allow. */
function only(
  method: string,
  allow: string[],
  path: string,
  handler: () => RedfishResponse | Promise<RedfishResponse>,
): RedfishResponse | Promise<RedfishResponse> {
  if (method === 'HEAD' && allow.includes('GET')) {
    return Promise.resolve(handler()).then((r) => ({ ...r, body: undefined }));
  }
  return allow.includes(method) ? handler() : errors.notAllowed(method, path, allow);
}

/** The path without its query string and trailing slash. */
function normalize(url: string): string {
  const path = url.split('?')[0] as string;
  return path.length > 1 && path.endsWith('/') ? path.replace(/\/+$/, '') : path;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
