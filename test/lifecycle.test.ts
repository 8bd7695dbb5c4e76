/**
 * A run's life from the outside: bad topologies are refused with their errors, `dcbox down`
 * leaves nothing behind (checked on the machine, not assumed), it sweeps what a crashed run
 * left, the local runtime refuses partitions with the reason, and `npm run dev` runs it all from
 * TypeScript.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDir } from '../orchestrator/run/paths.js';
import { serviceLogLines } from '../orchestrator/run/service-log.js';
import type { StartTimeline } from '../orchestrator/run/start-timeline.js';
import { readState } from '../orchestrator/run/state.js';
import { isClean, leftovers } from '../orchestrator/run/sweep.js';
import { pollUntil } from '../services/process/poll-until.js';
import { projectRoot } from '../services/transport/grpc.js';
import { dcbox, dcboxOk } from './harness.js';
import { ROOT, unmet } from './requirements.js';

/** What the machine itself says, independently of dcbox's own sweep code. */
function machineTraces(): { netns: string; bridge: boolean; rules: string; processes: string } {
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.startsWith('dcbox-'))
    .join(',');
  let bridge = true;
  try {
    execFileSync('ip', ['link', 'show', 'dcbox0'], { stdio: 'ignore' });
  } catch {
    bridge = false;
  }
  const rules = execFileSync('iptables-save', { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes('dcbox'))
    .join(',');
  const processes = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(join(runDir, 'hosts')) || /orchestrator\/daemon\/entry\.c?js/.test(l))
    .join(',');
  return { netns, bridge, rules, processes };
}

afterAll(async () => {
  await dcbox(['down']);
});

describe('topology errors at dcbox up', () => {
  it('names the file, line, field, expectation and finding, with no stack trace, and starts nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcbox-topo-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      readFileSync(join(projectRoot, 'topologies', 'seed.yaml'), 'utf8').replace(
        'policy: failover-only',
        'policy: roundrobin',
      ),
    );
    const r = await dcbox(['up', file, '--runtime', 'local']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /bad\.yaml:\d+: nodes\[0\]\.mpio\.policy: expected one of "failover-only", "round-robin", found "roundrobin"/,
    );
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(readState()).toBeNull();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a topology that does not exist', async () => {
    const r = await dcbox(['up', 'no-such-topology']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no topology no-such-topology');
  });
});

/**
 * `dcbox up --json`'s timeline (README): every host of the seed with its marks in the order a
 * start reaches them, the host the start waited for last, and the cluster's formation after the
 * nodes' processes began. Whether the cluster formed before every service was healthy (the MM
 * may be the last) is a race of the start, so clusterFormedMs may be null.
 */
function expectStartTimeline(t: StartTimeline): void {
  expect(t.hosts.map((h) => h.name).sort()).toEqual(
    ['HVR2NODO1', 'HVR2NODO2', 'mm', 'quorum', 'rssm3', 'rssm4', 'storage', 'workstation'].sort(),
  );
  expect(t.upCalledMs).toBeGreaterThan(0);
  expect(t.daemonStartedMs).toBeGreaterThanOrEqual(t.upCalledMs);
  expect(t.networkReadyMs).toBeGreaterThanOrEqual(t.daemonStartedMs);
  for (const h of t.hosts) {
    expect(h.natsStartedMs).toBeGreaterThanOrEqual(t.networkReadyMs as number);
    expect(h.serviceStartedMs).toBeGreaterThanOrEqual(t.networkReadyMs as number);
    expect(h.healthyMs).toBeGreaterThan(h.serviceStartedMs as number);
    expect(h.healthyMs).toBeLessThanOrEqual(t.allHealthyMs);
    expect(h.startToHealthyMs).toBe((h.healthyMs as number) - (h.serviceStartedMs as number));
  }
  const last = t.hosts.find((h) => h.name === t.lastHealthy);
  expect(last?.healthyMs).toBe(Math.max(...t.hosts.map((h) => h.healthyMs as number)));
  const nodes = t.hosts.filter((h) => h.component === 'hyperv-node');
  if (t.clusterFormedMs !== null)
    expect(t.clusterFormedMs).toBeGreaterThan(Math.max(...nodes.map((h) => h.serviceStartedMs as number)));
}

/** `dcbox up` with `env`; what each host's service said of its code cache (its `serving` line). */
async function upWithCache(env: Record<string, string>): Promise<Record<string, string>> {
  const r = await dcbox(['up', '--timing', 'fast'], 120_000, env);
  expect(r.code, r.stderr).toBe(0);
  const said: Record<string, string> = {};
  for (const host of readdirSync(join(runDir, 'hosts'))) {
    const serving = serviceLogLines(host, (l) => l.msg === 'serving').at(-1);
    said[`${serving?.component}/${host}`] = String(serving?.codeCache);
  }
  expect(Object.keys(said)).toHaveLength(8);
  return said;
}

/** The code cache's name for a host's service bundle (`hyperv-node/HVR2NODO1` → `hyperv-node-main`). */
const kindOf = (componentHost: string) => `${componentHost.split('/')[0]}-main`;

const skip = unmet('the netns part of test/lifecycle.test.ts', [ROOT]);

describe.skipIf(!!skip)('dcbox down (netns runtime)', () => {
  it('leaves no process, namespace, bridge or rule behind', async () => {
    const up = JSON.parse(await dcboxOk(['up', '--timing', 'fast', '--json']));
    expectStartTimeline(up.timeline);
    const during = machineTraces();
    expect(during.netns.split(',')).toHaveLength(8);
    expect(during.bridge).toBe(true);
    expect(during.processes).not.toBe('');
    expect(isClean(leftovers())).toBe(false);

    const out = await dcboxOk(['down']);
    expect(out).toContain('nothing left behind');
    expect(machineTraces()).toEqual({ netns: '', bridge: false, rules: '', processes: '' });
    expect(isClean(leftovers())).toBe(true);
  });

  it("starts every process from V8's code cache once a start of the build wrote it", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'dcbox-code-cache-'));
    const env = { DCBOX_CODE_CACHE: cacheDir };
    try {
      const first = await upWithCache(env);
      expect(
        Object.values(first).every((c) => c === 'miss'),
        JSON.stringify(first),
      ).toBe(true);
      // Saved 5 s after each start (services/process/code-cache.ts): the CLI's, the daemon's,
      // each kind of service's and the heartbeat thread's.
      const bundles = [
        'cli-main',
        'daemon-entry',
        'netft-worker',
        ...new Set(Object.keys(first).map(kindOf)),
      ];
      await pollUntil(() => bundles.every((b) => readdirSync(cacheDir).some((f) => f.startsWith(`${b}.`))), {
        what: 'a code cache file for every bundle',
        timeoutMs: 15_000,
        intervalMs: 200,
      });
      await dcboxOk(['down']);
      const second = await upWithCache(env);
      expect(
        Object.values(second).every((c) => c === 'hit'),
        JSON.stringify(second),
      ).toBe(true);
    } finally {
      await dcboxOk(['down']);
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('sweeps what a crashed run left behind', async () => {
    await dcboxOk(['up', '--timing', 'fast']);
    const state = readState();
    expect(state).not.toBeNull();
    // The orchestrator dies without cleaning up; its hosts keep running.
    process.kill(state?.daemonPid as number, 'SIGKILL');
    await pollUntil(
      () => {
        try {
          process.kill(state?.daemonPid as number, 0);
          return false;
        } catch {
          return true;
        }
      },
      { what: 'the daemon to die', timeoutMs: 20_000 },
    );
    expect(machineTraces().netns).not.toBe('');
    const out = await dcboxOk(['down']);
    expect(out).toMatch(/removed \d+ processes, 8 namespaces/);
    expect(machineTraces()).toEqual({ netns: '', bridge: false, rules: '', processes: '' });
  });

  it('keeps the run folder when asked', async () => {
    await dcboxOk(['up', '--timing', 'fast']);
    await dcboxOk(['down', '--keep-data']);
    const lunFile = join(runDir, 'hosts', 'storage', 'data');
    expect(execFileSync('ls', [lunFile], { encoding: 'utf8' })).toContain('CSV1');
    expect(machineTraces()).toEqual({ netns: '', bridge: false, rules: '', processes: '' });
    await dcboxOk(['down']);
  });
});

describe('the local runtime', () => {
  it('runs every host on 127.0.0.1, powers blades, and refuses partitions with the reason', async () => {
    await dcboxOk(['up', '--runtime', 'local', '--timing', 'fast']);
    const status = JSON.parse(await dcboxOk(['status', '--json']));
    expect(status.run.runtime).toBe('local');
    expect(status.run.hosts).toHaveLength(8);
    expect(
      status.run.hosts.every(
        (h: { address: string; health: string }) => h.address === '127.0.0.1' && h.health === 'SERVING',
      ),
    ).toBe(true);
    expect(await dcboxOk(['power', 'off', '1'])).toContain('Off');
    expect(await dcboxOk(['power', 'on', '1'])).toContain('On');
    const r = await dcbox(['partition', 'HVR2NODO1', 'HVR2NODO2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not possible in the local runtime');
    expect(r.stderr).toContain('shares 127.0.0.1');
    expect(await dcboxOk(['down'])).toContain('nothing left behind');
  });
});

describe('the development loop', () => {
  /** `npm run dev -- <args>`, as a contributor types it. */
  const dev = (args: string[]) =>
    execFileSync('npm', ['run', 'dev', '--silent', '--', ...args], {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('runs the CLI, the daemon and every service from TypeScript, with no build', () => {
    dev(['up', '--runtime', 'local', '--timing', 'fast']);
    try {
      const status = JSON.parse(dev(['status', '--json']));
      expect(status.run.hosts).toHaveLength(8);
      expect(status.run.hosts.every((h: { health: string }) => h.health === 'SERVING')).toBe(true);
      // The machine's own process list says what runs: the daemon and the services from .ts.
      const args = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
      const services = args.split('\n').filter((l) => /services\/[a-z-]+\/main\.ts/.test(l));
      expect(services).toHaveLength(8);
      expect(args).toMatch(/orchestrator\/daemon\/entry\.ts/);
      expect(args).not.toMatch(/dist\/services\/[a-z-]+\/main\.js/);
    } finally {
      expect(dev(['down'])).toContain('nothing left behind');
    }
  });
});
