/**
 * The ClusterLabs fence agents that ship with Debian (fence-agents) drive the management module
 * as they drive a real AMM: fence_bladecenter logs in over telnet through the real telnet client
 * and runs status, list, off, on and reboot; fence_redfish speaks HTTPS to the Redfish service,
 * trusting the MM's self-signed certificate as its CA, and runs status, off and on. An off really
 * kills the blade, and the cluster fails the role over to the survivor (netns runtime, fast
 * timing). Evidence comes from outside the MM: the blade's processes are gone, and the survivor's
 * cluster service reports the role.
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
const FENCE_REDFISH = '/usr/sbin/fence_redfish';
const skip = unmet('test/fence-agents.test.ts', [ROOT, FENCE_AGENTS]);

let c: Clients;
let mm: MmAccess;

const clusterState = (node: string) =>
  rpc<ClusterState__Output>((cb) => c.cluster(node).GetState({}, deadline(2000), cb));

/**
 * Runs fence_bladecenter against the MM's telnet CLI; resolves with its exit code and output.
 * `--power-wait=1`: the agent's 10 s default waits for a real AMM's lag, and the emulated one has
 * acted when it answers OK (the AMM CLI in docs/protocol.md); the agent checks the status after
 * each command all the same.
 */
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
    '--power-wait=1',
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

/** Exit code and output of a fence agent run. */
function ran(p: Promise<{ stdout: string; stderr: string }>) {
  return p.then(
    (r) => ({ code: 0, out: `${r.stdout}${r.stderr}` }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? -1,
      out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
    }),
  );
}

/**
 * Runs fence_redfish against the MM's Redfish service for one blade. The agent has no CA option:
 * with --ssl-secure it verifies through python-requests, which takes the CA file from
 * REQUESTS_CA_BUNDLE, here the MM's own certificate (or none, to see verification refuse).
 */
function fenceRedfish(action: string, bay: number, ca: 'mm' | 'system' = 'mm') {
  const r = mm.endpoints.redfish;
  const args = ['-a', r.address, '-u', String(r.port), '-l', 'USERID', '-p', 'PASSW0RD', '--ssl-secure'];
  args.push(`--systems-uri=/redfish/v1/Systems/blade${bay}`, '-o', action);
  const env = { ...process.env };
  if (ca === 'mm') env.REQUESTS_CA_BUNDLE = mm.redfishCa ?? '';
  else delete env.REQUESTS_CA_BUNDLE;
  return ran(promisify(execFile)(FENCE_REDFISH, args, { timeout: 90_000, env }));
}

function bladePids(node = N2): number[] {
  const h = readState()?.hosts.find((x) => x.name === node);
  return [h?.pids.nats, h?.pids.service].filter((p): p is number => !!p);
}

describe.skipIf(skip)(
  'Debian fence_bladecenter and fence_redfish against the AMM (netns runtime, fast timing)',
  () => {
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

    it('fence_redfish reads the status over HTTPS, trusting the MM certificate, and refuses an unknown one', async () => {
      expect(mm.redfish).toMatch(/^https:/);
      expect(await fenceRedfish('status', 1)).toEqual({ code: 0, out: 'Status: ON\n' });
      expect(await fenceRedfish('status', 2)).toEqual({ code: 0, out: 'Status: ON\n' });
      const unknown = await fenceRedfish('status', 1, 'system');
      expect(unknown.code).not.toBe(0);
      expect(unknown.out).toMatch(/CERTIFICATE_VERIFY_FAILED|certificate verify failed/i);
    });

    it('fence_redfish powers the blade off, and the role fails over to the survivor; on brings it back', async () => {
      // fence_bladecenter's off failed VirtualMachine1 over to HVR2NODO1 (no failback): fence it.
      await pollUntil(async () => (await clusterState(N2)).roles.find((x) => x.name === VM)?.owner === N1, {
        what: `${VM} on ${N1}`,
        timeoutMs: 30_000,
      });
      const pids = bladePids(N1);
      expect(pids).toHaveLength(2);
      expect(await fenceRedfish('off', 1)).toEqual({ code: 0, out: 'Success: Powered OFF\n' });
      expect(pids.filter(alive)).toEqual([]);
      expect((await fenceRedfish('status', 1)).out).toBe('Status: OFF\n');
      await pollUntil(
        async () =>
          (await clusterState(N2)).roles.find((x) => x.name === VM && x.owner === N2)?.state === 'Online',
        { what: `${VM} to fail over to ${N2}`, timeoutMs: 30_000 },
      );
      expect(await fenceRedfish('on', 1)).toEqual({ code: 0, out: 'Success: Powered ON\n' });
      await pollUntil(async () => (await clusterState(N2)).members.length === 2, {
        what: `${N1} to rejoin the cluster`,
        timeoutMs: 30_000,
      });
    });
  },
);
