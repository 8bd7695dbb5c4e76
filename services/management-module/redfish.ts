/**
 * The MM's Redfish service, without sockets: a router from a request (method, path, headers,
 * body) to a response (status, headers, JSON body). The tree is the minimum DMTF clients need
 * (docs/domain.md §Redfish): the service root, Systems (one ComputerSystem per blade, with the Reset
 * action), Chassis, Managers, the SessionService with its Sessions, and the TaskService a
 * GracefulShutdown runs in (redfish-tasks.ts). Power goes through the
 * same core path as the gRPC Power; the HTTP server in redfish-server.ts only carries bytes.
 */
import { DcboxError } from '../actor/errors.js';
import type { ChassisView, PowerRequest } from './amm-cli.js';
import type { BayView } from './core.js';
import { credentialsMatch } from './endpoints.js';
import { errors, type RedfishResponse } from './redfish-errors.js';
import {
  CHASSIS_ID,
  chassisBody,
  collection,
  MANAGER_ID,
  managerBody,
  RESET_TYPES,
  type ResetType,
  ROOT,
  SESSIONS,
  type Session,
  SYSTEMS,
  serviceRootBody,
  sessionBody,
  sessionServiceBody,
  systemBody,
  systemId,
} from './redfish-resources.js';
import { RedfishTasks } from './redfish-tasks.js';

/** A request as the router sees it; header names in lower case. */
export interface RedfishRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body: string;
}

/** What the router needs from the MM. */
export interface RedfishDeps {
  chassis(): ChassisView;
  credentials: { username: string; password: string };
  /** A power change through the core; resolves once the backplane did it. */
  power(req: PowerRequest): Promise<void>;
  /** Records a login (the core counts failures and logs both). */
  login(user: string, ok: boolean): void;
  now(): number;
  /** A fresh, unguessable session token. */
  newToken(): string;
  delay(ms: number): Promise<void>;
  loginFailDelayMs: number;
  sessionTimeoutS: number;
}

/** Sessions open at once; a login past this is refused with SessionLimitExceeded. */
export const SESSIONS_MAX = 64;

export { type RedfishResponse, redfishError } from './redfish-errors.js';
export { RESET_TYPES } from './redfish-resources.js';

/** The Redfish service of one MM. Sessions live in memory, as on a real management controller. */
export class RedfishService {
  private readonly sessions = new Map<string, Session>();
  private nextSessionId = 1;
  private readonly tasks: RedfishTasks;

  constructor(private readonly deps: RedfishDeps) {
    this.tasks = new RedfishTasks(() => deps.now());
  }

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
    // The version document and the service root are open to all (docs/domain.md §Redfish); so is the
    // POST that creates a session.
    if (path === '/redfish') return only(method, ['GET'], path, () => ok({ v1: `${ROOT}/` }));
    if (path === ROOT) return only(method, ['GET'], path, () => ok(serviceRootBody(this.deps.chassis())));
    if (path === SESSIONS && method === 'POST') return this.createSession(req.body);
    if (!path.startsWith(`${ROOT}/`)) return errors.notFound(req.path);
    const who = await this.authenticate(req);
    if (!who) return errors.noValidSession();

    const at: Where = { method, path, uri: req.path, parts: path.slice(ROOT.length + 1).split('/') };
    const [top] = at.parts;
    if (top === 'Systems') return this.routeSystems(at, req.body);
    if (top === 'Chassis' && at.parts.length <= 2) return routeChassis(at, this.deps.chassis());
    if (top === 'Managers' && at.parts.length <= 2) return routeManagers(at, this.deps.chassis());
    if (top === 'SessionService') return this.routeSessions(at);
    if (top === 'TaskService')
      return only(method, ['GET'], path, () => this.tasks.get(at.parts) ?? errors.notFound(req.path));
    return errors.notFound(req.path);
  }

  /** /Systems: the blades present, each with its Reset action. */
  private routeSystems(at: Where, body: string): RedfishResponse | Promise<RedfishResponse> {
    const { method, path, parts } = at;
    const [, id, sub, action] = parts;
    const blades = this.deps.chassis().blades.filter((b) => b.present);
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
    if (!blade) return errors.notFound(at.uri);
    if (sub === undefined) return only(method, ['GET'], path, () => ok(systemBody(blade)));
    if (sub === 'Actions' && action === 'ComputerSystem.Reset' && parts.length === 4)
      return only(method, ['POST'], path, () => this.reset(blade, body, path));
    return errors.notFound(at.uri);
  }

  /** /SessionService and its Sessions: list, show, and log out by DELETE. */
  private routeSessions(at: Where): RedfishResponse | Promise<RedfishResponse> {
    const { method, path, parts } = at;
    const [, id, sub] = parts;
    if (id === undefined)
      return only(method, ['GET'], path, () => ok(sessionServiceBody(this.deps.sessionTimeoutS)));
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
      if (!s) return errors.notFound(at.uri);
      return only(method, ['GET', 'DELETE'], path, () => {
        if (method === 'GET') return ok(sessionBody(s));
        // Logout is DELETE of the session's URI (docs/domain.md §Redfish).
        this.sessions.delete(s.id);
        return { status: 204, headers: {} };
      });
    }
    return errors.notFound(at.uri);
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
    // 201 with X-Auth-Token and Location (docs/domain.md §Redfish: sushy requires the token header).
    return {
      status: 201,
      headers: { 'X-Auth-Token': s.token, Location: `${SESSIONS}/${s.id}` },
      body: sessionBody(s),
    };
  }

  /**
   * A ComputerSystem.Reset. A GracefulShutdown runs as a task: the blade's OS moves its roles away
   * before it shuts down, which takes longer than a client waits for an answer (redfishtool gives
   * up after 10 s), so it answers 202 with a task monitor (redfish-tasks.ts). The others are a
   * backplane switch and answer when it is done.
   */
  private async reset(blade: BayView, body: string, uri: string): Promise<RedfishResponse> {
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
    if (type === 'GracefulShutdown')
      return this.tasks.start(`GracefulShutdown of ${systemId(blade)}`, uri, () =>
        this.resetNow(blade, type),
      );
    return this.resetNow(blade, type as ResetType);
  }

  /** Carries a reset out and answers as it ended. */
  private async resetNow(blade: BayView, type: ResetType): Promise<RedfishResponse> {
    try {
      await this.carryOut(blade, type);
    } catch (err) {
      const e = err instanceof DcboxError ? err : new DcboxError('UNAVAILABLE', (err as Error).message);
      if (e.code === 'BAD_STATE') return errors.failed(409, 'ResourceInUse', e.message);
      return errors.failed(500, 'InternalError', e.message);
    }
    // A successful reset answers 204 with no body, as Supermicro does (docs/domain.md §Redfish).
    return { status: 204, headers: {} };
  }

  /**
   * Maps a ResetType to a power request. GracefulShutdown is the AMM's soft power off: the MM asks
   * the blade's OS to shut down and cuts the power once it has (docs/domain.md §AMM CLI); what the
   * OS does meanwhile (its cluster service moving the roles away) is the blade's business.
   */
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
        return this.deps.power(req('softoff'));
    }
  }
}

/** Where a request goes: its method, normalized path, URI as sent, and the path below the root. */
interface Where {
  method: string;
  path: string;
  uri: string;
  parts: string[];
}

/** /Chassis: the one enclosure. */
function routeChassis(at: Where, chassis: ChassisView): RedfishResponse | Promise<RedfishResponse> {
  const { method, path } = at;
  const id = at.parts[1];
  if (id === undefined)
    return only(method, ['GET'], path, () =>
      ok(
        collection(`${ROOT}/Chassis`, 'Chassis Collection', '#ChassisCollection.ChassisCollection', [
          `${ROOT}/Chassis/${CHASSIS_ID}`,
        ]),
      ),
    );
  if (id === CHASSIS_ID) return only(method, ['GET'], path, () => ok(chassisBody(chassis)));
  return errors.notFound(at.uri);
}

/** /Managers: the AMM. */
function routeManagers(at: Where, chassis: ChassisView): RedfishResponse | Promise<RedfishResponse> {
  const { method, path } = at;
  const id = at.parts[1];
  if (id === undefined)
    return only(method, ['GET'], path, () =>
      ok(
        collection(`${ROOT}/Managers`, 'Manager Collection', '#ManagerCollection.ManagerCollection', [
          `${ROOT}/Managers/${MANAGER_ID}`,
        ]),
      ),
    );
  if (id === MANAGER_ID) return only(method, ['GET'], path, () => ok(managerBody(chassis)));
  return errors.notFound(at.uri);
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
