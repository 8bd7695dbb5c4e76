/**
 * Debian's real Prometheus server against a running seed data center: the configuration that
 * `dcbox up` wrote scrapes every service and the orchestrator, and the cluster's quorum and role
 * metrics carry the values the cluster itself reports. Installs nothing: setup.sh does
 * (`prometheus` is in its package list); without the binary the test is skipped and says why, or
 * fails under DCBOX_TESTS=required (test/requirements.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clients } from '../orchestrator/run/clients.js';
import { prometheusConfigPath } from '../orchestrator/run/paths.js';
import { readState } from '../orchestrator/run/state.js';
import { pollUntil } from '../services/process/poll-until.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { clients, dcbox, dcboxOk, freePort, roleOnline, seedClusterFormed } from './harness.js';
import { PROMETHEUS, unmet } from './requirements.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';
const ROLE = 'VirtualMachine1';

const skip = unmet('test/prometheus.test.ts', [PROMETHEUS]);

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

describe.skipIf(!!skip)('Prometheus scrapes the seed data center (fast timing)', () => {
  let c: Clients | null = null;
  let prom: ChildProcess | null = null;
  let promLog = '';
  let dataDir = '';
  let api = '';

  const query = async (q: string): Promise<Sample[]> => {
    const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; data: { result: Sample[] }; error?: string };
    if (body.status !== 'success') throw new Error(`query ${q}: ${body.error}`);
    return body.data.result;
  };
  /** The value of each series of a query, by the label given. */
  const byLabel = async (q: string, label: string) =>
    Object.fromEntries((await query(q)).map((s) => [s.metric[label], Number(s.value[1])]));

  beforeAll(async () => {
    await dcbox(['down']);
    await dcboxOk(['up', '--timing', 'fast']);
    c = clients();
    await seedClusterFormed(c);
    // A role made highly available and brought online, as test/cluster.test.ts does.
    await roleOnline(c, ROLE, N2);

    dataDir = mkdtempSync(join(tmpdir(), 'dcbox-prometheus-'));
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    prom = spawn(
      'prometheus',
      [
        `--config.file=${prometheusConfigPath}`,
        `--storage.tsdb.path=${dataDir}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prom.stdout?.on('data', (d) => {
      promLog += d;
    });
    prom.stderr?.on('data', (d) => {
      promLog += d;
    });
    await pollUntil(async () => (await fetch(`${api}/-/ready`).catch(() => null))?.ok, {
      what: 'prometheus to be ready',
      timeoutMs: 15_000,
      intervalMs: 200,
    }).catch((err) => {
      throw new Error(`${(err as Error).message}\n${promLog.slice(-2000)}`);
    });
  });

  afterAll(async () => {
    c?.close();
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom?.once('exit', r));
      prom.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (prom.exitCode === null) prom.kill('SIGKILL');
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await dcbox(['down']);
  });

  it('prints where the Prometheus configuration is', async () => {
    expect(await dcboxOk(['status'])).toContain(`prometheus config: ${prometheusConfigPath}`);
  });

  it('finds every service of the topology and the orchestrator up', async () => {
    const hosts = (readState()?.hosts ?? []).map((h) => h.name);
    expect(hosts.length).toBeGreaterThan(5);
    type Target = { labels: Record<string, string>; health: string; lastError: string };
    const targets = await pollUntil(
      async () => {
        const res = await fetch(`${api}/api/v1/targets?state=active`);
        const body = (await res.json()) as { data: { activeTargets: Target[] } };
        const t = body.data.activeTargets;
        return t.length === hosts.length + 1 && t.every((x) => x.health === 'up') ? t : null;
      },
      { what: 'every target scraped and up', timeoutMs: 15_000, intervalMs: 250 },
    );
    expect(targets.map((t) => t.labels.host ?? t.labels.component).sort()).toEqual(
      [...hosts, 'orchestrator'].sort(),
    );
    const info = await byLabel('dcbox_info', 'host');
    expect(Object.keys(info).sort()).toEqual([...hosts, 'orchestrator'].sort());
  });

  it('reads the quorum, membership, witness, CSV and role metrics with the values the cluster has', async () => {
    await pollUntil(async () => (await query('dcbox_cluster_quorum_votes')).length === 2, {
      what: 'node metrics scraped',
      timeoutMs: 10_000,
      intervalMs: 250,
    });
    expect(await byLabel('dcbox_cluster_quorum_votes', 'host')).toEqual({ [N1]: 3, [N2]: 3 });
    expect(await byLabel('dcbox_cluster_quorum_votes_needed', 'host')).toEqual({ [N1]: 2, [N2]: 2 });
    expect(await byLabel('dcbox_cluster_members', 'host')).toEqual({ [N1]: 2, [N2]: 2 });
    expect(await byLabel('dcbox_cluster_witness_owner_info', 'owner')).toEqual({ [N1]: 1 });
    expect(Number((await query('sum(dcbox_csv_coordinator)'))[0]?.value[1])).toBe(1);
    expect(await byLabel(`dcbox_cluster_role_state{role="${ROLE}",state="Online"}`, 'host')).toEqual({
      [N1]: 1,
      [N2]: 1,
    });
    expect(await byLabel('dcbox_chassis_bay_power_state{kind="blade",state="On"}', 'bay')).toEqual({
      1: 1,
      2: 1,
    });
    expect(Number((await query('sum(dcbox_storage_io_total{result="ok"})'))[0]?.value[1])).toBeGreaterThan(0);
    expect(await byLabel('dcbox_faults_injected_total{kind="kill"}', 'kind')).toEqual({ kill: 0 });
  });

  it('counts a live migration and observes its blackout in seconds', async () => {
    const cl = c as Clients;
    await rpc((cb) => cl.cluster(N1).Move({ role: ROLE, to: N1, live: true }, deadline(60_000), cb));
    const sum = async (q: string) => Number((await query(`sum(${q})`))[0]?.value[1] ?? 0);
    await pollUntil(async () => (await sum('dcbox_migrations_total{kind="live",result="ok"}')) === 1, {
      what: 'the migration scraped',
      timeoutMs: 10_000,
      intervalMs: 250,
    });
    expect(await sum('dcbox_migration_blackout_seconds_count{kind="live"}')).toBe(1);
    // The blackout is milliseconds (docs/design.md §Quality bars), well under the histogram's 10 s top bucket.
    expect(await sum('dcbox_migration_blackout_seconds_sum')).toBeLessThan(10);
    // Both nodes' configurations name the new owner once the leader's push reached them.
    await pollUntil(
      async () => {
        const owned = await byLabel(`dcbox_cluster_role_owned{role="${ROLE}"}`, 'host');
        return owned[N1] === 1 && owned[N2] === 0;
      },
      { what: 'both nodes to see the role on N1', timeoutMs: 10_000, intervalMs: 250 },
    );
  });
});
