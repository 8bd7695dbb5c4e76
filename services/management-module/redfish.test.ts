import { describe, expect, it } from 'vitest';
import type { ChassisView, PowerRequest } from './amm-cli.js';
import type { BayView } from './core.js';
import { credentialsMatch, protocolEndpoints, usesDefaultCredentials } from './endpoints.js';
import { type RedfishRequest, RedfishService } from './redfish.js';

function bay(number: number, host: string, power: string): BayView {
  return {
    kind: 'blade',
    number,
    present: true,
    host,
    name: host,
    power,
    health: 'ok',
    last_heartbeat_ms_ago: 0,
    module_type: 'blade',
    drives: 0,
  };
}

const empty = (number: number): BayView => ({ ...bay(number, '', ''), present: false, name: '' });

/** A Redfish service over a two-blade chassis, recording what it asked the MM to do. */
function service(opts: { powerFails?: string; powerWaits?: Promise<void> } = {}) {
  const calls: string[] = [];
  let now = 0;
  const chassis: ChassisView = {
    name: 'BCS-DCBOX',
    model: 'IBM BladeCenter S',
    blades: [bay(1, 'HVR2NODO1', 'On'), bay(2, 'HVR2NODO2', 'On'), empty(3)],
    io_modules: [],
    storage_modules: [],
  };
  let tokens = 0;
  const svc = new RedfishService({
    chassis: () => chassis,
    credentials: { username: 'USERID', password: 'PASSW0RD' },
    power: async (r: PowerRequest) => {
      calls.push(`power ${r.kind} ${r.bay} ${r.action}`);
      await opts.powerWaits;
      if (opts.powerFails) throw new Error(opts.powerFails);
    },
    login: (user, ok) => calls.push(`login ${user} ${ok}`),
    now: () => now,
    newToken: () => `token-${++tokens}`,
    delay: async (ms) => {
      calls.push(`delay ${ms}`);
    },
    loginFailDelayMs: 1000,
    sessionTimeoutS: 60,
  });
  return { svc, calls, advance: (ms: number) => (now += ms) };
}

const BASIC = `Basic ${Buffer.from('USERID:PASSW0RD').toString('base64')}`;

function req(
  method: string,
  path: string,
  body = '',
  headers: Record<string, string> = { authorization: BASIC },
): RedfishRequest {
  return { method, path, headers, body };
}

/** The one ExtendedInfo MessageId of an error body, after checking the body's shape. */
function messageId(body: unknown): string {
  const e = (
    body as { error: { code: string; message: string; '@Message.ExtendedInfo': { MessageId: string }[] } }
  ).error;
  expect(e.code).toMatch(/^Base\.1\.\d+\.GeneralError$/);
  expect(typeof e.message).toBe('string');
  expect(e['@Message.ExtendedInfo']).toHaveLength(1);
  return e['@Message.ExtendedInfo'][0]?.MessageId.replace(/^Base\.1\.\d+\./, '') as string;
}

describe('Redfish router', () => {
  it('serves the service root without authentication, with the links clients walk', async () => {
    const { svc } = service();
    const res = await svc.handle(req('GET', '/redfish/v1/', '', {}));
    expect(res.status).toBe(200);
    expect(res.headers['OData-Version']).toBe('4.0');
    expect(res.body).toMatchObject({
      Id: 'RootService',
      Systems: { '@odata.id': '/redfish/v1/Systems' },
      Managers: { '@odata.id': '/redfish/v1/Managers' },
      SessionService: { '@odata.id': '/redfish/v1/SessionService' },
      Links: { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } },
    });
    expect((await svc.handle(req('GET', '/redfish/v1', '', {}))).status).toBe(200);
    expect((await svc.handle(req('GET', '/redfish', '', {}))).body).toEqual({ v1: '/redfish/v1/' });
  });

  it('answers 401 NoValidSession without credentials or with a wrong password, delayed and counted', async () => {
    const { svc, calls } = service();
    const none = await svc.handle(req('GET', '/redfish/v1/Systems', '', {}));
    expect(none.status).toBe(401);
    expect(messageId(none.body)).toBe('NoValidSession');
    expect(calls).toEqual([]);
    const wrong = await svc.handle(
      req('GET', '/redfish/v1/Systems', '', {
        authorization: `Basic ${Buffer.from('USERID:nope').toString('base64')}`,
      }),
    );
    expect(wrong.status).toBe(401);
    expect(calls).toEqual(['login USERID false', 'delay 1000']);
    // An unknown URI without credentials is a 401 too: the tree is not shown to strangers.
    expect((await svc.handle(req('GET', '/redfish/v1/Nope', '', {}))).status).toBe(401);
  });

  it('lists one ComputerSystem per installed blade with PowerState, Boot and the Reset action', async () => {
    const { svc } = service();
    const coll = await svc.handle(req('GET', '/redfish/v1/Systems'));
    expect(coll.body).toMatchObject({
      'Members@odata.count': 2,
      Members: [{ '@odata.id': '/redfish/v1/Systems/blade1' }, { '@odata.id': '/redfish/v1/Systems/blade2' }],
    });
    const sys = await svc.handle(req('GET', '/redfish/v1/Systems/blade2'));
    expect(sys.body).toMatchObject({
      Id: 'blade2',
      Name: 'HVR2NODO2',
      PowerState: 'On',
      Boot: { BootSourceOverrideEnabled: 'Disabled' },
      Actions: {
        '#ComputerSystem.Reset': {
          target: '/redfish/v1/Systems/blade2/Actions/ComputerSystem.Reset',
          'ResetType@Redfish.AllowableValues': [
            'On',
            'ForceOff',
            'GracefulShutdown',
            'ForceRestart',
            'PowerCycle',
          ],
        },
      },
    });
    for (const path of [
      '/redfish/v1/Chassis',
      '/redfish/v1/Chassis/chassis',
      '/redfish/v1/Managers',
      '/redfish/v1/Managers/mm1',
      '/redfish/v1/SessionService',
    ])
      expect((await svc.handle(req('GET', path))).status, path).toBe(200);
  });

  it('answers 404 ResourceMissingAtURI for unknown URIs and empty bays', async () => {
    const { svc } = service();
    for (const path of [
      '/redfish/v1/Nope',
      '/redfish/v1/Systems/blade3',
      '/redfish/v1/Systems/blade1/Bios',
      '/index.html',
    ]) {
      const res = await svc.handle(req('GET', path));
      expect(res.status, path).toBe(404);
      expect(messageId(res.body)).toBe('ResourceMissingAtURI');
    }
  });

  it('answers 405 with Allow for a method the resource does not take', async () => {
    const { svc } = service();
    const res = await svc.handle(req('DELETE', '/redfish/v1/Systems/blade1'));
    expect(res.status).toBe(405);
    expect(res.headers.Allow).toBe('GET');
    expect(messageId(res.body)).toBe('OperationNotAllowed');
    expect(
      (await svc.handle(req('GET', '/redfish/v1/Systems/blade1/Actions/ComputerSystem.Reset'))).status,
    ).toBe(405);
  });

  it('maps resets to the backplane and answers 204', async () => {
    const { svc, calls } = service();
    const reset = (type: string) =>
      svc.handle(
        req(
          'POST',
          '/redfish/v1/Systems/blade2/Actions/ComputerSystem.Reset',
          JSON.stringify({ ResetType: type }),
        ),
      );
    for (const t of ['ForceOff', 'On', 'ForceRestart', 'PowerCycle'])
      expect((await reset(t)).status).toBe(204);
    expect(calls).toEqual([
      'power blade 2 off',
      'power blade 2 on',
      'power blade 2 cycle',
      'power blade 2 cycle',
    ]);
  });

  it("runs a GracefulShutdown, the AMM's soft power off, as a task: 202 at once, its monitor 202 until the OS is down, then 204", async () => {
    let osDown = () => {};
    const good = service({ powerWaits: new Promise<void>((r) => (osDown = r)) });
    const path = '/redfish/v1/Systems/blade2/Actions/ComputerSystem.Reset';
    const body = JSON.stringify({ ResetType: 'GracefulShutdown' });
    const accepted = await good.svc.handle(req('POST', path, body));
    expect(accepted.status).toBe(202);
    const monitor = accepted.headers.Location as string;
    expect(monitor).toBe('/redfish/v1/TaskService/Tasks/1/Monitor');
    expect(accepted.body).toMatchObject({ TaskState: 'Running', TaskMonitor: monitor });
    // One soft power off, nothing else: the MM asks no cluster to move anything.
    expect(good.calls).toEqual(['power blade 2 softoff']);
    expect((await good.svc.handle(req('GET', monitor))).status).toBe(202);
    const tasks = await good.svc.handle(req('GET', '/redfish/v1/TaskService/Tasks'));
    expect(tasks.body).toMatchObject({ Members: [{ '@odata.id': '/redfish/v1/TaskService/Tasks/1' }] });
    osDown();
    await new Promise((r) => setImmediate(r));
    expect((await good.svc.handle(req('GET', monitor))).status).toBe(204);
    const task = await good.svc.handle(req('GET', '/redfish/v1/TaskService/Tasks/1'));
    expect(task.body).toMatchObject({
      TaskState: 'Completed',
      TaskStatus: 'OK',
      PercentComplete: 100,
      Payload: { TargetUri: path, HttpOperation: 'POST' },
    });
  });

  it('ends the task of a GracefulShutdown whose OS did not shut down in Exception, its monitor answering the error', async () => {
    const bad = service({ powerFails: 'the operating system did not shut down within 120 s' });
    const path = '/redfish/v1/Systems/blade2/Actions/ComputerSystem.Reset';
    const res = await bad.svc.handle(req('POST', path, JSON.stringify({ ResetType: 'GracefulShutdown' })));
    expect(res.status).toBe(202);
    await new Promise((r) => setImmediate(r));
    const end = await bad.svc.handle(req('GET', res.headers.Location as string));
    expect(end.status).toBe(500);
    expect(JSON.stringify(end.body)).toMatch(/did not shut down within 120 s/);
    const task = await bad.svc.handle(req('GET', '/redfish/v1/TaskService/Tasks/1'));
    expect(task.body).toMatchObject({ TaskState: 'Exception', TaskStatus: 'Critical' });
    expect(JSON.stringify(task.body)).toMatch(/did not shut down within 120 s/);
    // A task that does not exist, or a path below the monitor, is not found.
    expect((await bad.svc.handle(req('GET', '/redfish/v1/TaskService/Tasks/9'))).status).toBe(404);
    expect((await bad.svc.handle(req('GET', '/redfish/v1/TaskService/Tasks/1/Monitor/x'))).status).toBe(404);
    expect((await bad.svc.handle(req('DELETE', '/redfish/v1/TaskService'))).status).toBe(405);
  });

  it('rejects malformed JSON, an unknown ResetType and a missing ResetType with 400 and the message of each', async () => {
    const { svc, calls } = service();
    const path = '/redfish/v1/Systems/blade1/Actions/ComputerSystem.Reset';
    const malformed = await svc.handle(req('POST', path, '{"ResetType": '));
    expect(malformed.status).toBe(400);
    expect(messageId(malformed.body)).toBe('MalformedJSON');
    const unknown = await svc.handle(req('POST', path, '{"ResetType":"Explode"}'));
    expect(unknown.status).toBe(400);
    expect(messageId(unknown.body)).toBe('PropertyValueNotInList');
    expect(JSON.stringify(unknown.body)).toContain('"MessageArgs":["Explode","ResetType"]');
    const missing = await svc.handle(req('POST', path, '{}'));
    expect(missing.status).toBe(400);
    expect(messageId(missing.body)).toBe('ActionParameterMissing');
    expect(calls).toEqual([]);
  });

  it('reports a failed power change as a 500 with the reason', async () => {
    const { svc } = service({ powerFails: 'the backplane is unreachable' });
    const res = await svc.handle(
      req('POST', '/redfish/v1/Systems/blade1/Actions/ComputerSystem.Reset', '{"ResetType":"On"}'),
    );
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).toContain('the backplane is unreachable');
  });

  it('creates a session with 201, X-Auth-Token and Location, lets the token in, and logs out with DELETE', async () => {
    const { svc, calls } = service();
    const created = await svc.handle(
      req('POST', '/redfish/v1/SessionService/Sessions', '{"UserName":"USERID","Password":"PASSW0RD"}', {}),
    );
    expect(created.status).toBe(201);
    expect(created.headers).toMatchObject({
      'X-Auth-Token': 'token-1',
      Location: '/redfish/v1/SessionService/Sessions/1',
    });
    expect(created.body).toMatchObject({ Id: '1', UserName: 'USERID' });
    expect(calls).toEqual(['login USERID true']);
    const token = { 'x-auth-token': 'token-1' };
    expect((await svc.handle(req('GET', '/redfish/v1/Systems', '', token))).status).toBe(200);
    expect(
      (await svc.handle(req('GET', '/redfish/v1/SessionService/Sessions', '', token))).body,
    ).toMatchObject({
      Members: [{ '@odata.id': '/redfish/v1/SessionService/Sessions/1' }],
    });
    expect((await svc.handle(req('DELETE', '/redfish/v1/SessionService/Sessions/1', '', token))).status).toBe(
      204,
    );
    expect((await svc.handle(req('GET', '/redfish/v1/Systems', '', token))).status).toBe(401);
    expect(svc.openSessions()).toBe(0);
  });

  it('refuses a session for wrong credentials or a malformed body', async () => {
    const { svc, calls } = service();
    const wrong = await svc.handle(
      req('POST', '/redfish/v1/SessionService/Sessions', '{"UserName":"USERID","Password":"x"}', {}),
    );
    expect(wrong.status).toBe(401);
    expect(wrong.headers['X-Auth-Token']).toBeUndefined();
    expect(calls).toEqual(['login USERID false', 'delay 1000']);
    expect((await svc.handle(req('POST', '/redfish/v1/SessionService/Sessions', 'nope', {}))).status).toBe(
      400,
    );
    const missing = await svc.handle(
      req('POST', '/redfish/v1/SessionService/Sessions', '{"UserName":"USERID"}', {}),
    );
    expect(messageId(missing.body)).toBe('PropertyMissing');
  });

  it('expires a session idle longer than SessionTimeout, and keeps a used one alive', async () => {
    const { svc, advance } = service();
    const login = () =>
      svc.handle(
        req('POST', '/redfish/v1/SessionService/Sessions', '{"UserName":"USERID","Password":"PASSW0RD"}', {}),
      );
    const a = (await login()).headers['X-Auth-Token'] as string;
    const b = (await login()).headers['X-Auth-Token'] as string;
    advance(40_000);
    expect((await svc.handle(req('GET', '/redfish/v1/Systems', '', { 'x-auth-token': b }))).status).toBe(200);
    advance(40_000);
    expect((await svc.handle(req('GET', '/redfish/v1/Systems', '', { 'x-auth-token': a }))).status).toBe(401);
    expect((await svc.handle(req('GET', '/redfish/v1/Systems', '', { 'x-auth-token': b }))).status).toBe(200);
    expect(svc.openSessions()).toBe(1);
  });
});

describe('MM endpoints and account', () => {
  it('uses 23 and 8000 (HTTPS) on a host of its own, and free ports above the gRPC port on 127.0.0.1', () => {
    expect(protocolEndpoints({ address: '198.18.0.14', grpcPort: 50051 }, {})).toEqual({
      telnet: { address: '198.18.0.14', port: 23 },
      redfish: { address: '198.18.0.14', port: 8000, tls: true },
    });
    const local = protocolEndpoints({ address: '127.0.0.1', grpcPort: 47240 }, {});
    expect([local.telnet.port, local.redfish.port]).toEqual([47243, 47244]);
    expect(
      protocolEndpoints({ address: '127.0.0.1', grpcPort: 1 }, { telnetPort: 2323, redfishTls: false }),
    ).toMatchObject({
      telnet: { port: 2323 },
      redfish: { port: 5, tls: false },
    });
  });

  it('knows the factory default account and compares logins exactly', () => {
    expect(usesDefaultCredentials({ username: 'USERID', password: 'PASSW0RD' })).toBe(true);
    expect(usesDefaultCredentials({ username: 'USERID', password: 's3cret' })).toBe(false);
    const account = { username: 'USERID', password: 'PASSW0RD' };
    expect(credentialsMatch(account, 'USERID', 'PASSW0RD')).toBe(true);
    expect(credentialsMatch(account, 'USERID', 'PASSWORD')).toBe(false);
    expect(credentialsMatch(account, 'userid', 'PASSW0RD')).toBe(false);
    expect(credentialsMatch(account, 'USERID', '')).toBe(false);
  });
});
