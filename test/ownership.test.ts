/**
 * Only the owner of a run controls it (docs/security.md). A run started by root is tried by an
 * unprivileged user of the same machine: the CLI's status, partition, kill, power and down, and
 * raw gRPC calls to the orchestrator (its control socket and its backplane port), the management
 * module and a node, and a connection to a host's NATS server. Every one is refused with a message that names the owner, never a stack
 * trace, and the run is untouched; health checks stay open. The owner's own calls go on.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlSocketPath } from '../orchestrator/run/paths.js';
import { readState } from '../orchestrator/run/state.js';
import { deadline, projectRoot, rpc } from '../services/transport/grpc.js';
import { clients, dcbox, dcboxOk } from './harness.js';
import { ROOT, unmet } from './requirements.js';

const skip = unmet('test/ownership.test.ts', [ROOT]);

const USER = 'dcbox-test-user';

/** A user with no home and no login, made once for these tests. */
function ensureUser(): void {
  if (spawnSync('id', [USER]).status === 0) return;
  execFileSync('useradd', ['-M', '-r', '-s', '/usr/sbin/nologin', USER]);
}

/** Runs a command as the unprivileged user; its output as a person would see it. */
function asUser(argv: string[], timeoutMs = 60_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('runuser', ['-u', USER, '--', ...argv], {
    encoding: 'utf8',
    timeout: timeoutMs,
    // No DCBOX_HOME or XDG_RUNTIME_DIR of root's: the user finds their own folder by themselves.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/' },
    cwd: '/',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A copy of dcbox the user can read: the repository itself when they can, else dist, bin, the
 * protos, the topologies and package.json copied to a folder open to all, with node_modules
 * linked (the tests need only that the user can load the CLI and @grpc/grpc-js).
 */
function readableRoot(scratch: string): string {
  if (asUser(['node', join(projectRoot, 'bin', 'dcbox.js'), '--help']).code === 0) return projectRoot;
  const root = join(scratch, 'dcbox');
  for (const part of ['dist', 'bin', 'proto', 'topologies', 'package.json'])
    cpSync(join(projectRoot, part), join(root, part), { recursive: true });
  symlinkSync(join(projectRoot, 'node_modules'), join(root, 'node_modules'));
  execFileSync('chmod', ['-R', 'a+rX', root]);
  if (asUser(['node', join(root, 'bin', 'dcbox.js'), '--help']).code !== 0)
    throw new Error(`${USER} cannot run dcbox even from ${root}: is node_modules readable by all?`);
  return root;
}

/**
 * A script that makes raw gRPC calls, with no token and (to the MM) the right chassis account,
 * and prints each outcome as JSON: what a user who read the protos could try.
 */
function rawCallScript(root: string): string {
  const grpcJs = pathToFileURL(join(root, 'dist', 'services', 'transport', 'grpc.js')).href;
  return `
import { protos, insecure, CLIENT_OPTIONS, deadline, checkHealth } from '${grpcJs}';
import * as grpc from '${pathToFileURL(join(root, 'node_modules', '@grpc', 'grpc-js', 'build', 'src', 'index.js')).href}';
const [what, target] = process.argv.slice(2);
const p = protos().dcbox;
const md = new grpc.Metadata();
md.set('authorization', 'Basic ' + Buffer.from('USERID:PASSW0RD').toString('base64'));
const calls = {
  orchestrator: (cb) => new p.orchestrator.v1.Orchestrator(target, insecure(), CLIENT_OPTIONS).Status({}, deadline(5000), cb),
  backplane: (cb) => new p.orchestrator.v1.Backplane(target, insecure(), CLIENT_OPTIONS).SetPower({ host: 'HVR2NODO1', on: false }, deadline(5000), cb),
  mm: (cb) => new p.chassis.v1.ManagementModule(target, insecure(), CLIENT_OPTIONS).Power({ kind: 'blade', bay: 1, action: 'off' }, md, deadline(5000), cb),
  node: (cb) => new p.node.v1.HyperVNode(target, insecure(), CLIENT_OPTIONS).StopVm({ name: 'VM1' }, deadline(5000), cb),
};
if (what === 'nats') {
  const { createRequire } = await import('node:module');
  const { connect } = createRequire(import.meta.url)('${join(root, 'node_modules', '@nats-io', 'transport-node')}');
  try {
    const nc = await connect({ servers: target, timeout: 5000, reconnect: false });
    nc.publish('dcbox.v1.chassis.hb.HVR2NODO1', '{}');
    await nc.close();
    console.log(JSON.stringify({ code: 'OK' }));
  } catch (err) {
    console.log(JSON.stringify({ code: 'REFUSED', details: String(err.message ?? err) }));
  }
  process.exit(0);
}
if (what === 'sas') {
  const { SasClient } = await import('${pathToFileURL(join(root, 'dist', 'services', 'sas', 'channel.js')).href}');
  const [address, port] = target.split(':');
  const c = new SasClient({ peer: 'storage', address, timeoutMs: 3000, discover: async () => Number(port) });
  try {
    await c.write('CSV1', { host: 'HVR2NODO1', port: 'rssm3' }, 0, Buffer.alloc(4096));
    console.log(JSON.stringify({ code: 'OK' }));
  } catch (err) {
    console.log(JSON.stringify({ code: err.code ?? 'ERROR', details: String(err.message ?? err) }));
  }
  c.close();
  process.exit(0);
}
if (what === 'health') {
  console.log(JSON.stringify({ serving: await checkHealth(target, 5000) }));
  process.exit(0);
}
calls[what]((err) => {
  console.log(JSON.stringify(err ? { code: grpc.status[err.code], details: err.details } : { code: 'OK' }));
  process.exit(0);
});
`;
}

describe.skipIf(skip)('a run started by root, tried by another user', () => {
  let scratch = '';
  let root = '';
  let script = '';
  const cli = (...args: string[]) => asUser(['node', join(root, 'bin', 'dcbox.js'), ...args]);
  const raw = (what: string, target: string) => {
    const r = asUser(['node', script, what, target]);
    if (r.code !== 0) throw new Error(`raw call failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { code?: string; details?: string; serving?: boolean };
  };

  beforeAll(async () => {
    ensureUser();
    scratch = mkdtempSync('/tmp/dcbox-ownership-');
    chmodSync(scratch, 0o755);
    root = readableRoot(scratch);
    script = join(scratch, 'raw-call.mjs');
    writeFileSync(script, rawCallScript(root));
    chmodSync(script, 0o644);
    await dcbox(['down']);
    await dcboxOk(['up', '--timing', 'fast', '--dashboard', 'off']);
  });

  afterAll(async () => {
    await dcbox(['down']);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const refusal =
    /a dcbox run is up, but this run belongs to root \(uid 0\), not to you \(dcbox-test-user, uid \d+\): ask them, or use sudo/;

  it.each([
    ['status'],
    ['partition', 'HVR2NODO1', 'HVR2NODO2'],
    ['host', 'kill', 'storage'],
    ['power', 'off', '1'],
    ['down'],
    ['up'],
  ])('refuses `dcbox %s` naming the owner, with no stack trace', (...args) => {
    const r = cli(...args);
    console.log(`$ dcbox ${args.join(' ')}   # as ${USER}\n${r.stdout}${r.stderr}(exit ${r.code})`);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(refusal);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("cannot open the orchestrator's control socket, nor call its backplane without the token", () => {
    const socket = raw('orchestrator', `unix://${controlSocketPath}`);
    expect(socket.code).toBe('UNAVAILABLE');
    expect(socket.details).toMatch(/EACCES|permission denied/i);
    // The bridge address where the management module reaches the backplane.
    const backplane = '198.18.0.1:27100';
    expect(raw('backplane', backplane)).toMatchObject({
      code: 'UNAUTHENTICATED',
      details: expect.stringMatching(/needs this run's token/),
    });
    expect(raw('orchestrator', backplane).code).toBe('UNAUTHENTICATED');
    // The control API no longer listens on 127.0.0.1 at all.
    expect(raw('orchestrator', '127.0.0.1:27100').code).toBe('UNAVAILABLE');
    console.log(
      'raw calls to the orchestrator:',
      JSON.stringify({ socket, backplane: raw('backplane', backplane) }),
    );
  });

  it('cannot call the management module or a node, even with the chassis account, but may ask their health', () => {
    const hosts = readState()?.hosts ?? [];
    const mm = hosts.find((h) => h.component === 'management-module');
    const node = hosts.find((h) => h.name === 'HVR2NODO1');
    const mmCall = raw('mm', `${mm?.address}:${mm?.grpcPort}`);
    const nodeCall = raw('node', `${node?.address}:${node?.grpcPort}`);
    console.log('raw calls to the services:', JSON.stringify({ mm: mmCall, node: nodeCall }));
    expect(mmCall.code).toBe('UNAUTHENTICATED');
    expect(nodeCall.code).toBe('UNAUTHENTICATED');
    expect(raw('health', `${mm?.address}:${mm?.grpcPort}`).serving).toBe(true);
  });

  it("cannot send block commands on the storage controller's SAS data channel", async () => {
    const storage = readState()?.hosts.find((h) => h.component === 'storage-controller');
    const c = clients();
    try {
      const { port } = await rpc<{ port: number }>((cb) => c.storage().DataChannel({}, deadline(5000), cb));
      expect(port).toBeGreaterThan(0);
      const sas = raw('sas', `${storage?.address}:${port}`);
      console.log('raw write on the SAS data channel:', JSON.stringify(sas));
      expect(sas.code).toMatch(/UNAVAILABLE|TIMEOUT/);
    } finally {
      c.close();
    }
  });

  it("cannot publish on the run's NATS", () => {
    const node = readState()?.hosts.find((h) => h.name === 'HVR2NODO1');
    const nats = raw('nats', `nats://${node?.address}:${node?.natsPort}`);
    console.log('raw connection to NATS:', JSON.stringify(nats));
    expect(nats).toMatchObject({ code: 'REFUSED', details: expect.stringMatching(/authoriz/i) });
  });

  it('left the run as it was, and its owner still controls it', async () => {
    const state = readState();
    expect(state?.partitions).toEqual([]);
    expect(state?.hosts.every((h) => h.powered && h.pids.service)).toBe(true);
    expect(existsSync(controlSocketPath)).toBe(true);
    const status = await dcboxOk(['status']);
    expect(status).toMatch(/blade 1\s+HVR2NODO1\s+On/);
    expect(status).not.toMatch(/NOT_SERVING|exited/);
  });
});

describe.skipIf(skip)("the management module's own API", () => {
  it('refuses a call of the run without the chassis account, and counts it as a failed login', async () => {
    const { connect } = await import('../orchestrator/run/clients.js');
    const { clientOptions, deadline, insecure, protos, rpc } = await import('../services/transport/grpc.js');
    await dcbox(['down']);
    await dcboxOk(['up', '--timing', 'fast', '--dashboard', 'off']);
    try {
      const c = connect();
      const mm = c.byComponent('management-module')[0];
      const target = `${mm?.address}:${mm?.grpcPort}`;
      const wrong = new (protos().dcbox.chassis.v1.ManagementModule)(
        target,
        insecure(),
        clientOptions({ runToken: c.state.runToken, credentials: { username: 'USERID', password: 'guess' } }),
      );
      await expect(rpc((cb) => wrong.GetChassis({}, deadline(5000), cb))).rejects.toMatchObject({
        details: "login refused for user 'USERID': wrong user name or password",
      });
      wrong.close();
      // The run's own clients carry the account, read from the MM's config in the run folder.
      await rpc((cb) => c.mm().GetChassis({}, deadline(5000), cb));
      const log = await rpc<{ entries: { text: string }[] }>((cb) =>
        c.mm().GetEventLog({}, deadline(5000), cb),
      );
      expect(log.entries.map((e) => e.text)).toContain("Remote login failed for user 'USERID' from grpc");
      const metrics = await (await fetch(`http://${mm?.address}:9464/metrics`)).text();
      expect(metrics).toMatch(/^dcbox_chassis_login_failures_total 1$/m);
      c.close();
    } finally {
      await dcbox(['down']);
    }
  });
});
