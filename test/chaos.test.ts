/**
 * Chaos on real processes (netns runtime, fast timing): shipped experiments and a seeded
 * campaign pass their checkers, and a runner killed halfway leaves nothing behind once its
 * leases expire and `dcbox down` runs. The whole library runs with `dcbox chaos run <name>`; the
 * suite runs a representative subset to stay within its time budget (README, Tests).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isClean, leftovers } from '../orchestrator/run/sweep.js';
import { pollUntil } from '../services/process/poll-until.js';
import { projectRoot } from '../services/transport/grpc.js';
import { dcbox, dcboxOk } from './harness.js';
import { ROOT, unmet } from './requirements.js';

/** Processes of any dcbox run that are stopped (SIGSTOP): a frozen host left behind. */
function stoppedProcesses(): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const env = readFileSync(`/proc/${e}/environ`, 'latin1');
      if (!env.includes('DCBOX_RUN=')) continue;
      if (/^\d+ \(.*\) T/.test(readFileSync(`/proc/${e}/stat`, 'utf8'))) out.push(Number(e));
    } catch {
      // Gone while we looked.
    }
  }
  return out;
}

/** The run's namespaces: their qdiscs and rules exist only as long as they do. */
function dcboxNamespaces(): string {
  return readdirSync('/run/netns', { withFileTypes: true })
    .filter((d) => d.name.startsWith('dcbox-'))
    .map((d) => d.name)
    .join(',');
}

afterAll(async () => {
  await dcbox(['down']);
});

const skip = unmet('test/chaos.test.ts', [ROOT]);

describe.skipIf(!!skip)('chaos (netns runtime, fast timing)', () => {
  for (const name of ['node-partition-witness']) {
    it(`passes the ${name} experiment with every checker`, async () => {
      const r = await dcbox(['chaos', 'run', name, '--seed', '11', '--json'], 170_000);
      const report = JSON.parse(r.stdout);
      expect(report.invariants.length).toBeGreaterThan(0);
      expect(report.invariants.filter((i: { verdict: string }) => i.verdict !== 'pass')).toEqual([]);
      expect(report.verdict).toBe('pass');
      expect(r.code).toBe(0);
      expect(readFileSync(report.html, 'utf8')).toContain('<svg');
      expect(isClean(leftovers())).toBe(true);
    }, 180_000);
  }

  it('passes a 30 s seeded campaign of kills, freezes and partitions, and plans the same schedule from the same seed', async () => {
    const plan = async () =>
      JSON.parse(
        (
          await dcboxOk(['chaos', 'campaign', '--seed', '3', '--duration', '30s', '--plan', '--json'])
        ).toString(),
      ).plan;
    expect(await plan()).toEqual(await plan());
    const r = await dcbox(
      [
        'chaos',
        'campaign',
        '--seed',
        '3',
        '--duration',
        '30s',
        '--faults',
        'kill,freeze,partition',
        '--json',
      ],
      170_000,
    );
    const report = JSON.parse(r.stdout);
    expect(report.plan.length).toBeGreaterThan(3);
    expect(report.invariants.length).toBeGreaterThan(0);
    expect(report.invariants.filter((i: { verdict: string }) => i.verdict !== 'pass')).toEqual([]);
    expect(report.verdict).toBe('pass');
  }, 180_000);

  it('leaves no frozen process, namespace, rule or qdisc behind when the runner is killed halfway', async () => {
    const runner = spawn(
      process.execPath,
      [join(projectRoot, 'bin', 'dcbox.js'), 'chaos', 'run', 'gray-failure-freeze', '--seed', '4'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    runner.stdout.on('data', (d) => {
      out += d;
    });
    runner.stderr.on('data', (d) => {
      err += d;
    });
    await pollUntil(() => out.includes('injected') || runner.exitCode !== null, {
      what: 'the freeze to be injected',
      timeoutMs: 100_000,
      intervalMs: 100,
    });
    expect(runner.exitCode, `the runner ended before injecting the freeze:\n${out}\n${err}`).toBeNull();
    expect(stoppedProcesses().length).toBeGreaterThan(0);
    runner.kill('SIGKILL');
    // The freeze was a lease of 4 s (+5 s margin): the orchestrator thaws it by itself.
    await pollUntil(() => stoppedProcesses().length === 0, {
      what: 'the lease to thaw the frozen host',
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    expect(dcboxNamespaces()).not.toBe('');
    await dcboxOk(['down']);
    expect(stoppedProcesses()).toEqual([]);
    expect(dcboxNamespaces()).toBe('');
    expect(isClean(leftovers())).toBe(true);
    // The runner killed above has exited and closed its pipes before the test ends.
    if (runner.exitCode === null && runner.signalCode === null) await once(runner, 'exit');
  }, 120_000);
});
