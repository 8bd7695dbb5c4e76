/**
 * `dcbox/testing` as another project's vitest suite would use it, inside this repository (the
 * README's example, docs/examples/consumer.test.ts, runs in a real other project in
 * test/package.test.ts): it imports the helper by the package's name, starts the seed data
 * center in containers, powers off a blade through the management module's Redfish service and
 * waits for the cluster to bring the blade's role back on the other node. Afterwards nothing of
 * the run is left in Docker but the cached base image.
 */
import { type DataCenter, startDataCenter, sweepDataCenters } from 'dcbox/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../services/process/poll-until.js';
import { leftInDocker } from './docker-env.js';
import { type HttpAnswer, httpsRequest } from './https-client.js';
import { DOCKER_ENGINE, unmet } from './requirements.js';

/** A unary gRPC call as a promise. */
function call<T>(fn: (cb: (err: Error | null, res?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res as T))));
}

/** A Redfish request with the MM's account, over HTTPS trusting the MM's certificate alone. */
function redfish(dc: DataCenter, path: string, body?: unknown): Promise<HttpAnswer> {
  const { username, password } = dc.mm.credentials;
  return httpsRequest(new URL(path, dc.mm.redfish).href, {
    method: body ? 'POST' : 'GET',
    headers: {
      authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: body ? JSON.stringify(body) : undefined,
    ca: dc.mm.redfishCa,
  });
}

const skip = unmet('test/containers-example.test.ts', [DOCKER_ENGINE]);

afterAll(async () => {
  if (skip) return;
  await sweepDataCenters({ images: true });
  expect(leftInDocker()).toEqual({ containers: [], networks: [], images: ['dcbox-base:local'] });
});

describe.skipIf(!!skip)('dcbox/testing: the seed data center in containers', () => {
  it('brings the role of a blade powered off through Redfish back on the other node', async () => {
    await using dc = await startDataCenter({ timing: 'fast' });
    const cluster = dc.clients.cluster('HVR2NODO1');
    const state = () =>
      call<{ members: unknown[]; roles: { name: string; owner: string; state: string }[] }>((cb) =>
        cluster.GetState({}, cb),
      );
    const node2 = dc.clients.cluster('HVR2NODO2');
    // Formed once both nodes see both members: the calls below go to HVR2NODO2.
    await pollUntil(
      async () =>
        (await state()).members.length === 2 &&
        (await call<{ members: unknown[] }>((cb) => node2.GetState({}, cb))).members.length === 2,
      { what: 'the cluster to form', timeoutMs: 30_000, intervalMs: 100 },
    );

    // VirtualMachine1 is defined on HVR2NODO2 (topologies/seed.yaml): make it a clustered role there.
    await call((cb) =>
      node2.MakeHighlyAvailable({ vm: 'VirtualMachine1', preferred_owners: [], allow_failback: false }, cb),
    );
    await call((cb) => node2.Online({ name: 'VirtualMachine1' }, cb));
    await pollUntil(
      async () =>
        (await state()).roles.some(
          (r) => r.name === 'VirtualMachine1' && r.owner === 'HVR2NODO2' && r.state === 'Online',
        ),
      { what: 'VirtualMachine1 online on HVR2NODO2', timeoutMs: 30_000, intervalMs: 100 },
    );

    const reset = await redfish(dc, 'Systems/blade2/Actions/ComputerSystem.Reset', { ResetType: 'ForceOff' });
    expect(reset.status).toBeLessThan(300);
    const blade2 = JSON.parse((await redfish(dc, 'Systems/blade2')).text) as { PowerState: string };
    expect(dc.mm.redfish).toMatch(/^https:/);
    expect(blade2.PowerState).toBe('Off');

    const back = await pollUntil(
      async () =>
        (await state()).roles.find(
          (r) => r.name === 'VirtualMachine1' && r.owner === 'HVR2NODO1' && r.state === 'Online',
        ),
      { what: 'VirtualMachine1 online again on HVR2NODO1', timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(back.owner).toBe('HVR2NODO1');
  });

  it('cuts, freezes and kills hosts: a partition of the blades keeps quorum on one side, a killed blade rejoins', async () => {
    await using dc = await startDataCenter({ timing: 'fast', dashboard: false });
    const state = (node: string) =>
      call<{
        service_state: string;
        members: unknown[];
        quorum: { has_quorum: boolean; witness_owner: string } | null;
      }>((cb) => dc.clients.cluster(node).GetState({}, cb));
    // Formed, and the witness held by a member: before that, both halves of a partition would
    // race for it and either could win. Which member holds it depends on which container came up
    // first: a blade that hears no peer for the threshold forms alone with the witness's vote and
    // keeps the witness when the other joins (cluster/core/regroup.ts tryForm).
    await pollUntil(
      async () => {
        const s = await state('HVR2NODO1');
        return s.members.length === 2 && ['HVR2NODO1', 'HVR2NODO2'].includes(s.quorum?.witness_owner ?? '');
      },
      { what: 'the cluster to form with the witness', timeoutMs: 30_000, intervalMs: 100 },
    );

    expect(await dc.partition([['HVR2NODO1'], ['HVR2NODO2']])).toEqual([
      'HVR2NODO1 -x-> HVR2NODO2',
      'HVR2NODO2 -x-> HVR2NODO1',
    ]);
    // Exactly one side keeps quorum (the witness's owner, unless its defense came too late); the
    // other stops its cluster service.
    const [kept, lost] = await pollUntil(
      async () => {
        const [one, two] = [await state('HVR2NODO1'), await state('HVR2NODO2')];
        if (two.service_state === 'Stopped') return [one, two];
        if (one.service_state === 'Stopped') return [two, one];
        return null;
      },
      { what: 'one side to lose quorum', timeoutMs: 30_000, intervalMs: 100 },
    );
    expect([kept.quorum?.has_quorum, lost.quorum?.has_quorum]).toEqual([true, false]);
    await dc.heal();
    await pollUntil(
      async () =>
        (await state('HVR2NODO1')).service_state === 'Running' &&
        (await state('HVR2NODO2')).service_state === 'Running',
      { what: 'both nodes running again', timeoutMs: 30_000, intervalMs: 100 },
    );

    await dc.freeze('HVR2NODO2');
    await pollUntil(async () => (await state('HVR2NODO1')).members.length === 1, {
      what: 'HVR2NODO1 to see HVR2NODO2 gone',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    await dc.thaw('HVR2NODO2');
    await dc.kill('HVR2NODO2');
    await dc.start('HVR2NODO2');
    await pollUntil(async () => (await state('HVR2NODO1')).members.length === 2, {
      what: 'HVR2NODO2 to rejoin after its restart',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
  });
});
