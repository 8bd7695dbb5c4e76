/**
 * The ClusterLabs fence agents that ship with Debian (fence-agents) drive the management module
 * as they drive a real AMM: fence_bladecenter logs in over telnet through the real telnet client
 * and runs status, list, off, on and reboot; an off really kills the blade, and the cluster fails
 * the role over to the survivor (netns runtime, fast timing). Evidence comes from outside the MM:
 * the blade's processes are gone, and the survivor's cluster service reports the role.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clients } from '../orchestrator/run/clients.js';
import { type MmAccess, mmAccess } from '../orchestrator/run/mm-access.js';
import { alive, readState } from '../orchestrator/run/state.js';
import type { ClusterState__Output } from '../services/generated/dcbox/cluster/v1/ClusterState.js';
import { pollUntil } from '../services/process/poll-until.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { clients, dcbox, dcboxOk, roleOnline } from './harness.js';
import { FENCE_AGENTS, ROOT, unmet } from './requirements.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';
const VM = 'VirtualMachine1';
const FENCE_BLADECENTER = '/usr/sbin/fence_bladecenter';
const skip = unmet('test/fence-agents.test.ts', [ROOT, FENCE_AGENTS]);

let c: Clients;
let mm: MmAccess;

const clusterState = (node: string) =>
  rpc<ClusterState__Output>((cb) => c.cluster(node).GetState({}, deadline(2000), cb));

/** Runs fence_bladecenter against the MM's telnet CLI; resolves with its exit code and output. */
async function fenceBladecenter(action: string, password = 'PASSW0RD') {
  const t = mm.endpoints.telnet;
  const args = [
    '-a',
    t.address,
    '-u',
    String(t.port),
    '-l',
    'USERID',
    '-p',
    password,
    '-n',
    '2',
    '-o',
    action,
  ];
  return promisify(execFile)(FENCE_BLADECENTER, args, { timeout: 90_000 }).then(
    (r) => ({ code: 0, out: `${r.stdout}${r.stderr}` }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? -1,
      out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
    }),
  );
}

function bladePids(): number[] {
  const h = readState()?.hosts.find((x) => x.name === N2);
  return [h?.pids.nats, h?.pids.service].filter((p): p is number => !!p);
}

describe.skipIf(skip)('Debian fence_bladecenter against the AMM (netns runtime, fast timing)', () => {
  beforeAll(async () => {
    await dcbox(['down']);
    await dcboxOk(['up', '--timing', 'fast']);
    c = clients();
    mm = mmAccess(c.state) as MmAccess;
    await pollUntil(async () => (await clusterState(N1)).members.length === 2, {
      what: 'the cluster to form',
      timeoutMs: 20_000,
    });
    await roleOnline(c, VM, N2);
  });

  afterAll(async () => {
    c?.close();
    await dcbox(['down']);
  });

  it('reads the status and lists the blades', async () => {
    expect(await fenceBladecenter('status')).toEqual({ code: 0, out: 'Status: ON\n' });
    const list = await fenceBladecenter('list');
    expect(list.code).toBe(0);
    expect(list.out.trim().split('\n')).toEqual([`1,${N1}`, `2,${N2}`]);
  });

  it('refuses a wrong password', async () => {
    const r = await fenceBladecenter('status', 'wrong');
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('Unable to connect/login to fencing device');
  });

  it('powers the blade off, and the role fails over to the survivor', async () => {
    const pids = bladePids();
    expect(pids).toHaveLength(2);
    expect(await fenceBladecenter('off')).toEqual({ code: 0, out: 'Success: Powered OFF\n' });
    expect(pids.filter(alive)).toEqual([]);
    expect((await fenceBladecenter('status')).out).toBe('Status: OFF\n');
    await pollUntil(
      async () =>
        (await clusterState(N1)).roles.find((x) => x.name === VM && x.owner === N1)?.state === 'Online',
      { what: `${VM} to fail over to ${N1}`, timeoutMs: 30_000 },
    );
  });

  it('powers the blade on and reboots it; it rejoins the cluster each time', async () => {
    const rejoined = () =>
      pollUntil(async () => (await clusterState(N1)).members.length === 2, {
        what: `${N2} to rejoin the cluster`,
        timeoutMs: 30_000,
      });
    expect(await fenceBladecenter('on')).toEqual({ code: 0, out: 'Success: Powered ON\n' });
    await rejoined();
    const before = bladePids();
    expect(await fenceBladecenter('reboot')).toEqual({ code: 0, out: 'Success: Rebooted\n' });
    expect(before.filter(alive)).toEqual([]);
    expect((await fenceBladecenter('status')).out).toBe('Status: ON\n');
    await rejoined();
  });
});
