/**
 * The docker runtime (`dcbox up --runtime docker`, fast timing): every host a container on a
 * labelled network, the orchestrator on the Docker host. The seed scenario passes as it does in
 * network namespaces, and a partition between the two node containers — iptables rules applied
 * from the Docker host inside their network namespaces — gives the netns runtime's quorum outcome
 * (test/cluster.test.ts). Afterwards nothing of the runs is left but the cached base image.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DOCKER } from '../orchestrator/containers/docker-cli.js';
import { ensureAppImage } from '../orchestrator/containers/image.js';
import { CONTAINER_DIR } from '../orchestrator/containers/names.js';
import type { Clients } from '../orchestrator/run/clients.js';
import type { ClusterEvent__Output } from '../services/generated/dcbox/cluster/v1/ClusterEvent.js';
import type { ClusterState__Output } from '../services/generated/dcbox/cluster/v1/ClusterState.js';
import { pollUntil } from '../services/process/poll-until.js';
import { deadline, projectRoot, rpc } from '../services/transport/grpc.js';
import { leftInDocker } from './docker-env.js';
import { clients, dcbox, dcboxOk } from './harness.js';
import { httpsRequest } from './https-client.js';
import { composeCommand, DOCKER_COMPOSE, DOCKER_ENGINE, unmet } from './requirements.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';
const skip = unmet('test/containers.test.ts', [DOCKER_ENGINE]);

let c: Clients | null = null;

const state = (node: string) =>
  rpc<ClusterState__Output>((cb) => (c as Clients).cluster(node).GetState({}, deadline(2000), cb));
const events = (node: string) =>
  rpc<{ events: ClusterEvent__Output[] }>((cb) =>
    (c as Clients).cluster(node).Events({ since_index: 0 }, deadline(2000), cb),
  ).then((r) => r.events);

afterEach(async () => {
  c?.close();
  c = null;
  if (!skip) await dcbox(['down']);
});

afterAll(async () => {
  if (skip) return;
  const { sweepDataCenters } = await import('../orchestrator/testing/index.js');
  await sweepDataCenters({ images: true });
  expect(leftInDocker()).toEqual({ containers: [], networks: [], images: ['dcbox-base:local'] });
});

describe.skipIf(!!skip)('the docker runtime (containers, fast timing)', () => {
  it('passes the seed scenario with every host in a container', async () => {
    const r = await dcbox(
      ['scenario', 'run', 'seed', '--timing', 'fast', '--runtime', 'docker', '--json'],
      110_000,
    );
    const report = JSON.parse(r.stdout);
    expect(report.checks.length).toBeGreaterThan(0);
    expect(report.checks.filter((x: { ok: boolean }) => !x.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.powerOff).toMatchObject({
      csvCoordinatorBefore: N2,
      csvCoordinatorAfter: N1,
      quorumAfter: { hasQuorum: true, votes: 2, needed: 2 },
      quorumLostEvents: 0,
    });
    expect(r.code).toBe(0);
  });

  it('keeps quorum on the side of the witness owner in a partition between the node containers, as in namespaces', async () => {
    await dcbox(['down']);
    await dcboxOk(['up', '--runtime', 'docker', '--timing', 'fast']);
    const status = JSON.parse(await dcboxOk(['status', '--json']));
    expect(status.run.runtime).toBe('docker');
    expect(status.run.hosts).toHaveLength(8);
    expect(status.run.hosts.every((h: { address: string }) => h.address.startsWith('198.19.'))).toBe(true);
    c = clients();
    await pollUntil(
      async () => {
        const s = await state(N1);
        return s.service_state === 'Running' && s.members.length === 2 && s.quorum?.witness_owner === N1;
      },
      { what: 'the cluster to form with the witness', timeoutMs: 20_000 },
    );
    const cl = c;
    await rpc((cb) =>
      cl
        .cluster(N2)
        .MakeHighlyAvailable(
          { vm: 'VirtualMachine1', preferred_owners: [], allow_failback: false },
          deadline(10_000),
          cb,
        ),
    );
    await rpc((cb) => cl.cluster(N2).Online({ name: 'VirtualMachine1' }, deadline(10_000), cb));
    await pollUntil(
      async () =>
        (await state(N1)).roles.some(
          (r) => r.name === 'VirtualMachine1' && r.owner === N2 && r.state === 'Online',
        ),
      { what: 'VirtualMachine1 online on HVR2NODO2', timeoutMs: 20_000 },
    );

    await dcboxOk(['partition', N1, N2]);
    // The witness decides between the two halves and its owner defends it: HVR2NODO1, which
    // held it before the partition, keeps quorum as it does in namespaces (test/cluster.test.ts);
    // the other leaves: it stops its cluster service for lack of quorum (Event 1177), or, when the
    // survivor's preempt refuses its VM's writes before its own arbitration is denied, it leaves
    // as fenced — the two ways 2008 R2 stops a node's VMs, see
    // docs/design.md §Leases during arbitration; which comes first is a race of the clocks.
    // What each node said last, so that a timeout shows why neither side gave up.
    const seen: Record<string, unknown> = {};
    const said = async (node: string) => {
      const s = await state(node);
      seen[node] = {
        service: s.service_state,
        members: s.members,
        quorum: s.quorum,
        roles: s.roles.map((r) => `${r.name}@${r.owner}:${r.state}`),
      };
      return s.service_state;
    };
    const [winner, loser] = await pollUntil(
      async (): Promise<[string, string] | null> => {
        const out = (service: string) => service === 'Stopped' || service === 'Fenced';
        if (out(await said(N2))) return [N1, N2];
        if (out(await said(N1))) return [N2, N1];
        return null;
      },
      { what: 'one node to lose quorum', timeoutMs: 60_000 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nlast states: ${JSON.stringify(seen)}`);
    });
    expect(winner).toBe(N1);
    const [kept, lost] = [await state(winner), await state(loser)];
    expect([kept.service_state, kept.quorum?.has_quorum, lost.quorum?.has_quorum]).toEqual([
      'Running',
      true,
      false,
    ]);
    // Stopped logs 1177; fenced logs that it found itself fenced.
    const left = (await events(loser)).filter((e) => e.event_id === 1177 || e.kind === 'fenced-self');
    expect(left.length, JSON.stringify(seen)).toBeGreaterThan(0);
    expect((await events(winner)).some((e) => e.event_id === 1135)).toBe(true);
    expect((await events(winner)).some((e) => e.kind === 'fenced')).toBe(true);
    await pollUntil(
      async () =>
        (await state(winner)).roles.some(
          (r) => r.name === 'VirtualMachine1' && r.owner === winner && r.state === 'Online',
        ),
      { what: `VirtualMachine1 online on ${winner}`, timeoutMs: 20_000 },
    );

    await dcboxOk(['heal']);
    await pollUntil(
      async () =>
        (await state(loser)).service_state === 'Running' && (await state(winner)).members.length === 2,
      { what: `${loser} to rejoin`, timeoutMs: 20_000 },
    );
  });
});

const compose =
  skip || unmet('docker-compose.yml in test/containers.test.ts', [DOCKER_COMPOSE]) ? null : composeCommand();

describe.skipIf(!compose)('docker-compose.yml (the seed topology)', () => {
  const project = 'dcbox-compose-test';
  const run = (...args: string[]) => {
    const [cmd, ...rest] = compose as string[];
    return execFileSync(cmd as string, [...rest, '-p', project, ...args], {
      cwd: projectRoot,
      env: { ...process.env, DCBOX_TIMING: 'fast' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  };
  const health = () =>
    execFileSync(
      DOCKER,
      [
        'ps',
        '-a',
        '--filter',
        `label=com.docker.compose.project=${project}`,
        '--format',
        '{{.Label "com.docker.compose.service"}} {{.Status}}',
      ],
      { encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean);
  // Redfish serves HTTPS with the MM's own certificate, read from its container to trust it.
  // The image has node and no shell or coreutils: node reads the file.
  const mmCa = () =>
    run(
      'exec',
      '-T',
      'mm',
      'node',
      '-e',
      'process.stdout.write(require("fs").readFileSync(process.argv[1]))',
      `${CONTAINER_DIR}/data/tls/redfish-cert.pem`,
    );
  const redfish = (path: string, body?: unknown) =>
    httpsRequest(`https://198.19.63.11:8000/redfish/v1/${path}`, {
      method: body ? 'POST' : 'GET',
      headers: {
        authorization: `Basic ${Buffer.from('USERID:PASSW0RD').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: body ? JSON.stringify(body) : undefined,
      ca: mmCa(),
    });

  it('comes up healthy; a blade powered off through Redfish is a killed container, powered on a healthy one', async () => {
    await ensureAppImage(projectRoot);
    try {
      run('up', '-d');
      await pollUntil(
        () => {
          const h = health();
          return h.length === 9 && h.every((l) => l.includes('(healthy)'));
        },
        { what: 'all nine containers healthy', timeoutMs: 90_000, intervalMs: 1000 },
      );
      const dashboard = (await (await fetch('http://127.0.0.1:8080/api/state')).json()) as {
        view: { run: { topology: string } };
      };
      expect(dashboard.view.run.topology).toBe('seed');

      const off = await redfish('Systems/blade2/Actions/ComputerSystem.Reset', { ResetType: 'ForceOff' });
      expect(off.status, off.text).toBeLessThan(300);
      expect(health().find((l) => l.startsWith('hvr2nodo2 '))).toMatch(/Exited \(137\)/);
      const on = await redfish('Systems/blade2/Actions/ComputerSystem.Reset', { ResetType: 'On' });
      expect(on.status, on.text).toBeLessThan(300);
      expect((JSON.parse((await redfish('Systems/blade2')).text) as { PowerState: string }).PowerState).toBe(
        'On',
      );
      // Powered on is a fresh container: wait for Docker's health check to pass, not for a
      // fixed time, before saying it is up.
      const up = await pollUntil(
        () => health().find((l) => l.startsWith('hvr2nodo2 ') && l.includes('(healthy)')) ?? null,
        { what: 'hvr2nodo2 healthy again', timeoutMs: 60_000, intervalMs: 500 },
      );
      expect(up).toMatch(/^hvr2nodo2 Up/);
    } finally {
      run('down', '--volumes', '--remove-orphans');
    }
    expect(health()).toEqual([]);
    const networks = execFileSync(
      DOCKER,
      ['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`],
      { encoding: 'utf8' },
    );
    expect(networks.trim()).toBe('');
  });
});
