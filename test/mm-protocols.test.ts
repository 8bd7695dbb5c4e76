/**
 * The management module as real datacenter tools drive it (netns runtime, fast timing): the AMM
 * CLI over telnet the way fence_bladecenter speaks it, and Redfish with DMTF's redfishtool plus
 * raw HTTP for the error cases. A power-off really kills the blade and the cluster reacts.
 */
import { execFile } from 'node:child_process';
import { type Socket, connect as tcpConnect } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clients } from '../orchestrator/run/clients.js';
import { type MmAccess, mmAccess } from '../orchestrator/run/mm-access.js';
import { alive, readState } from '../orchestrator/run/state.js';
import type { ClusterState__Output } from '../services/generated/dcbox/cluster/v1/ClusterState.js';
import { pollUntil } from '../services/process/poll-until.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { clients, dcbox, dcboxOk } from './harness.js';
import { httpsRequest } from './https-client.js';
import { REDFISHTOOL, ROOT, unmet } from './requirements.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';
const VM = 'VirtualMachine1';

let c: Clients | null = null;
let mm: MmAccess;

const clusterState = (node: string) =>
  rpc<ClusterState__Output>((cb) => (c as Clients).cluster(node).GetState({}, deadline(2000), cb));

function hostPids(name: string): number[] {
  const h = readState()?.hosts.find((x) => x.name === name);
  return [h?.pids.nats, h?.pids.service].filter((p): p is number => !!p);
}

/** A telnet client that waits for text the way pexpect does in the fence agents. */
class Telnet {
  private buf = '';
  private readonly waiters: (() => void)[] = [];
  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      // Drop telnet negotiation (IAC sequences): the agent's pexpect sees only text.
      this.buf += d.toString('latin1').replace(/\xff[\xfb-\xfe]./gs, '');
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(address: string, port: number): Promise<Telnet> {
    return new Promise((resolve, reject) => {
      const s = tcpConnect(port, address, () => resolve(new Telnet(s)));
      s.once('error', reject);
    });
  }

  /** Sends a line with CR LF, as fence agents do. */
  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** Waits for `re`; returns the text before it (pexpect's `before`) and consumes through it. */
  async expect(re: RegExp, timeoutMs = 15_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(this.buf);
      if (m) {
        const before = this.buf.slice(0, m.index);
        this.buf = this.buf.slice(m.index + m[0].length);
        return before;
      }
      const left = until - Date.now();
      if (left <= 0)
        throw new Error(`telnet: no ${re} within ${timeoutMs} ms; got ${JSON.stringify(this.buf)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Sends a command and returns its output up to the next prompt, without the server's echo of it. */
  async command(line: string, prompt: RegExp, timeoutMs?: number): Promise<string[]> {
    this.send(line);
    const out = (await this.expect(prompt, timeoutMs)).split('\r\n').filter((l) => l !== '');
    if (out[0] !== line) throw new Error(`telnet: the server did not echo ${JSON.stringify(line)}: ${out}`);
    return out.slice(1);
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * Runs DMTF's redfishtool against the MM over HTTPS for every request (-S Always: its default
 * sends the unauthenticated service-root read over HTTP), with Basic auth unless told.
 * redfishtool never verifies the server's certificate (it passes verify=False to requests).
 */
const redfishtool = async (
  args: string[],
  auth = ['-u', 'USERID', '-p', 'PASSW0RD'],
  timeoutMs = 30_000,
): Promise<string> => {
  const r = mm.endpoints.redfish;
  const { stdout } = await promisify(execFile)(
    'redfishtool',
    ['-r', `${r.address}:${r.port}`, ...auth, '-S', 'Always', ...args],
    { timeout: timeoutMs },
  );
  return stdout;
};

const BASIC = `Basic ${Buffer.from('USERID:PASSW0RD').toString('base64')}`;

async function http(
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = { authorization: BASIC },
) {
  // Over HTTPS with the MM's certificate as the only CA: the test trusts it as a user would.
  const res = await httpsRequest(`${mm.redfish.replace(/\/redfish\/v1\/$/, '')}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body,
    caFile: mm.redfishCa,
  });
  return { status: res.status, headers: res.headers, json: res.text ? JSON.parse(res.text) : null };
}

function messageIdOf(json: {
  error?: { code?: string; '@Message.ExtendedInfo'?: { MessageId: string }[] };
}): string {
  expect(json.error?.code).toMatch(/GeneralError$/);
  return json.error?.['@Message.ExtendedInfo']?.[0]?.MessageId ?? '';
}

const skip = unmet('test/mm-protocols.test.ts', [ROOT]);
const noRedfishtool = unmet('the redfishtool tests of test/mm-protocols.test.ts', [REDFISHTOOL]);

describe.skipIf(!!skip)(
  'the management module speaks telnet and Redfish (netns runtime, fast timing)',
  () => {
    beforeAll(async () => {
      await dcbox(['down']);
      await dcboxOk(['up', '--timing', 'fast']);
      c = clients();
      mm = mmAccess(c.state) as MmAccess;
      await pollUntil(
        async () => {
          const s = await clusterState(N1);
          return s.service_state === 'Running' && s.members.length === 2 && s.csv[0]?.coordinator;
        },
        { what: 'the cluster to form', timeoutMs: 20_000 },
      );
      const cl = c;
      await rpc((cb) =>
        cl
          .cluster(N2)
          .MakeHighlyAvailable({ vm: VM, preferred_owners: [], allow_failback: false }, deadline(10_000), cb),
      );
      await rpc((cb) => cl.cluster(N2).Online({ name: VM }, deadline(10_000), cb));
      await pollUntil(
        async () => {
          const r = (await clusterState(N1)).roles.find((x) => x.name === VM);
          return r?.state === 'Online' && r.owner === N2;
        },
        { what: `${VM} online on ${N2}`, timeoutMs: 20_000 },
      );
    });

    afterAll(async () => {
      c?.close();
      c = null;
      await dcbox(['down']);
    });

    it('shows the telnet and Redfish endpoints in dcbox status and warns about the default account', async () => {
      const out = await dcboxOk(['status']);
      expect(out).toContain(
        `AMM CLI telnet ${mm.endpoints.telnet.address} 23, Redfish https://${mm.endpoints.redfish.address}:8000/redfish/v1/`,
      );
      expect(out).toContain(`Redfish certificate (self-signed, trust it as the CA): ${mm.redfishCa}`);
      expect(out).toMatch(/warning: .*factory default account USERID \/ PASSW0RD/);
    });

    it('powers a blade off and on through the telnet CLI like fence_bladecenter, and the cluster fails over and rejoins', async () => {
      const t = await Telnet.open(mm.endpoints.telnet.address, mm.endpoints.telnet.port);
      try {
        // A wrong password is refused (after the delay) and the login prompt comes back.
        await t.expect(/username: /);
        t.send('USERID');
        await t.expect(/password: /i);
        t.send('wrong');
        expect(await t.expect(/username: /)).toContain('Login failed');
        t.send('USERID');
        await t.expect(/password: /i);
        t.send('PASSW0RD');
        await t.expect(/system> /);

        const blades = (await t.command('list -l 2', /system> /)).flatMap((l) => {
          const m = /^\s*blade\[(\d+)\]\s+(.*?)\s*$/.exec(l);
          return m ? [`${m[1]}=${m[2]}`] : [];
        });
        expect(blades).toEqual([`1=${N1}`, `2=${N2}`]);

        const blade2 = /system:blade\[2\]> /;
        await t.command('env -T system:blade[2]', blade2);
        expect((await t.command('power -state', blade2)).at(-1)).toBe('On');

        const pids = hostPids(N2);
        expect(pids.length).toBe(2);
        expect(await t.command('power -off', blade2, 30_000)).toEqual(['OK']);
        expect(pids.filter(alive)).toEqual([]);
        expect((await t.command('power -state', blade2)).at(-1)).toBe('Off');
        await pollUntil(
          async () => {
            const r = (await clusterState(N1)).roles.find((x) => x.name === VM);
            return r?.owner === N1 && r.state === 'Online';
          },
          { what: `${VM} to fail over to ${N1}`, timeoutMs: 20_000 },
        );

        expect(await t.command('power -on', blade2, 30_000)).toEqual(['OK']);
        expect((await t.command('power -state', blade2)).at(-1)).toBe('On');
        await pollUntil(async () => (await clusterState(N1)).members.length === 2, {
          what: `${N2} to rejoin the cluster`,
          timeoutMs: 20_000,
        });

        await t.command('env -T system', /system> /);
        expect(await t.command('power -T system:blade[2] -state', /system> /)).toEqual(['On']);
        expect((await t.command('frobnicate', /system> /))[0]).toMatch(/not recognized/);
        t.send('exit');
      } finally {
        t.close();
      }
    });

    it.skipIf(!!noRedfishtool)('lists, powers and logs in with DMTF redfishtool', async () => {
      const systems = JSON.parse(await redfishtool(['Systems']));
      expect(systems.Members.map((m: { '@odata.id': string }) => m['@odata.id'])).toEqual([
        '/redfish/v1/Systems/blade1',
        '/redfish/v1/Systems/blade2',
      ]);
      const power = async () =>
        JSON.parse(await redfishtool(['Systems', '-I', 'blade2', 'get', '-P', 'PowerState'])).PowerState;
      expect(await power()).toBe('On');

      const pids = hostPids(N2);
      expect(pids.length).toBe(2);
      await redfishtool(['Systems', '-I', 'blade2', 'reset', 'ForceOff']);
      expect(await power()).toBe('Off');
      expect(pids.filter(alive)).toEqual([]);
      await redfishtool(['Systems', '-I', 'blade2', 'reset', 'On']);
      expect(await power()).toBe('On');
      await pollUntil(async () => (await clusterState(N1)).members.length === 2, {
        what: `${N2} to rejoin the cluster`,
        timeoutMs: 20_000,
      });

      const login = JSON.parse(await redfishtool(['SessionService', 'login']));
      expect(login.SessionLocation).toBe(`/redfish/v1/SessionService/Sessions/${login.SessionId}`);
      const token = { 'x-auth-token': login['X-Auth-Token'] as string };
      expect((await http('GET', '/redfish/v1/Systems', undefined, token)).status).toBe(200);
      await redfishtool(
        ['SessionService', 'logout', '-i', String(login.SessionId)],
        ['-A', 'Session', '-t', login['X-Auth-Token']],
      );
      expect((await http('GET', '/redfish/v1/Systems', undefined, token)).status).toBe(401);
    });

    it.skipIf(!!noRedfishtool)(
      "GracefulShutdown asks the blade's OS to shut down: its cluster service moves the role by quick migration before the power goes",
      async () => {
        // The telnet test failed VirtualMachine1 over to HVR2NODO1 (no failback).
        expect((await clusterState(N2)).roles.find((x) => x.name === VM)?.owner).toBe(N1);
        const pids = hostPids(N1);
        expect(pids.length).toBe(2);
        // The MM answers 202 with a task monitor at once: the OS shuts down only after its quick
        // migration of a 512 MiB VM through the CSV. redfishtool waits on the monitor (up to 60 s)
        // and exits 0 once it answers 204, when the blade is off.
        await redfishtool(['Systems', '-I', 'blade1', 'reset', 'GracefulShutdown'], undefined, 90_000);
        expect(pids.filter(alive)).toEqual([]);
        const tasks = (await http('GET', '/redfish/v1/TaskService/Tasks')).json.Members as {
          '@odata.id': string;
        }[];
        const task = (await http('GET', tasks[tasks.length - 1]?.['@odata.id'] ?? '')).json;
        expect(task).toMatchObject({ TaskState: 'Completed', Name: 'GracefulShutdown of blade1' });
        // The role was already moved when the power went: no failover had to bring it back. The
        // AMM event log shows the soft power off's steps: OS asked, OS down, power off.
        const role = (await clusterState(N2)).roles.find((x) => x.name === VM);
        expect(role).toMatchObject({ owner: N2, state: 'Online' });
        const log = await rpc<{ entries: { text: string }[] }>((cb) =>
          (c as Clients).mm().GetEventLog({}, deadline(3000), cb),
        );
        expect(log.entries.map((e) => e.text)).toEqual(
          expect.arrayContaining([
            `Soft power off of blade 1 (${N1}): operating system shutdown requested`,
            `blade 1 (${N1}): operating system shut down`,
            `blade 1 (${N1}) powered off`,
          ]),
        );
        // Power it on only once the survivor has removed it: a node that comes back before its
        // removal was noticed stays Joining (a cluster-core matter, outside the MM).
        await pollUntil(async () => (await clusterState(N2)).members.length === 1, {
          what: `${N2} to remove ${N1}`,
          timeoutMs: 20_000,
        });
        await redfishtool(['Systems', '-I', 'blade1', 'reset', 'On']);
        await pollUntil(async () => (await clusterState(N1)).members.length === 2, {
          what: `${N1} to rejoin the cluster`,
          timeoutMs: 20_000,
        });
      },
    );

    it('power -softoff -T blade[N] over telnet shuts the OS down, moving its role, then powers the blade off', async () => {
      // The GracefulShutdown test left VirtualMachine1 on HVR2NODO2; HVR2NODO1 has just come back
      // and must run its cluster service and see the CSV before it can take a role.
      await pollUntil(
        async () => {
          const n1 = await clusterState(N1);
          return (
            n1.service_state === 'Running' &&
            n1.members.length === 2 &&
            !!n1.csv[0]?.coordinator &&
            n1.roles.find((x) => x.name === VM)?.owner === N2
          );
        },
        { what: `${N1} to be back in the cluster with ${VM} on ${N2}`, timeoutMs: 20_000 },
      );
      const t = await Telnet.open(mm.endpoints.telnet.address, mm.endpoints.telnet.port);
      try {
        await t.expect(/username: /);
        t.send('USERID');
        await t.expect(/password: /i);
        t.send('PASSW0RD');
        await t.expect(/system> /);
        const pids = hostPids(N2);
        expect(await t.command('power -softoff -T blade[2]', /system> /, 150_000)).toEqual(['OK']);
        expect(pids.filter(alive)).toEqual([]);
        expect(await t.command('power -T system:blade[2] -state', /system> /)).toEqual(['Off']);
        expect((await clusterState(N1)).roles.find((x) => x.name === VM)).toMatchObject({
          owner: N1,
          state: 'Online',
        });
        await pollUntil(async () => (await clusterState(N1)).members.length === 1, {
          what: `${N1} to remove ${N2}`,
          timeoutMs: 20_000,
        });
        expect(await t.command('power -on -T blade[2]', /system> /, 30_000)).toEqual(['OK']);
        t.send('exit');
      } finally {
        t.close();
      }
      await pollUntil(async () => (await clusterState(N1)).members.length === 2, {
        what: `${N2} to rejoin the cluster`,
        timeoutMs: 20_000,
      });
    });

    it('answers bad Redfish requests with the right status and a Redfish error body', async () => {
      const reset = '/redfish/v1/Systems/blade1/Actions/ComputerSystem.Reset';
      const root = await http('GET', '/redfish/v1/', undefined, {});
      expect(root.status).toBe(200);
      expect(root.headers['odata-version']).toBe('4.0');

      const malformed = await http('POST', reset, '{"ResetType": ');
      expect(malformed.status).toBe(400);
      expect(messageIdOf(malformed.json)).toMatch(/MalformedJSON$/);

      const unknown = await http('POST', reset, '{"ResetType":"SelfDestruct"}');
      expect(unknown.status).toBe(400);
      expect(messageIdOf(unknown.json)).toMatch(/PropertyValueNotInList$/);

      const missing = await http('POST', reset, '{}');
      expect(missing.status).toBe(400);
      expect(messageIdOf(missing.json)).toMatch(/ActionParameterMissing$/);

      const noAuth = await http('GET', '/redfish/v1/Systems', undefined, {});
      expect(noAuth.status).toBe(401);
      expect(messageIdOf(noAuth.json)).toMatch(/NoValidSession$/);

      const nowhere = await http('GET', '/redfish/v1/Systems/blade9');
      expect(nowhere.status).toBe(404);
      expect(messageIdOf(nowhere.json)).toMatch(/ResourceMissingAtURI$/);

      const wrongMethod = await http('PUT', '/redfish/v1/Systems/blade1', '{}');
      expect(wrongMethod.status).toBe(405);
      expect(messageIdOf(wrongMethod.json)).toMatch(/OperationNotAllowed$/);

      // None of them touched the blade.
      const chassis = await rpc<{ blades: { number: number; power: string }[] }>((cb) =>
        (c as Clients).mm().GetChassis({}, deadline(3000), cb),
      );
      expect(chassis.blades.find((b) => b.number === 1)?.power).toBe('On');
    });
  },
);
