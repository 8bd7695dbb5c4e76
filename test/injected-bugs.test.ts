/**
 * Injected bugs prove the checkers (docs/chaos.md): each named bug (DCBOX_INJECT_BUG,
 * services/process/injected-bugs.ts) runs one short chaos experiment on real processes (netns
 * runtime, fast timing), and the checker that guards against it says `fail`. The same experiment
 * without the bug passes: node-partition-witness in test/chaos.test.ts, storage-controller-crash
 * here. A bug name nobody knows is refused before anything starts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../chaos/checkers/types.js';
import { dcbox } from './harness.js';
import { ROOT, unmet } from './requirements.js';

/** Runs an experiment, with the bug when one is named, and returns its checkers' verdicts. */
async function run(experiment: string, seed: number, bug?: string): Promise<Map<string, CheckResult>> {
  const env: Record<string, string> = bug ? { DCBOX_INJECT_BUG: bug } : {};
  const r = await dcbox(['chaos', 'run', experiment, '--seed', String(seed), '--json'], 110_000, env);
  const report = JSON.parse(r.stdout) as { invariants: CheckResult[]; error?: string };
  expect(report.error, r.stderr).toBeUndefined();
  return new Map(report.invariants.map((i) => [i.name, i]));
}

afterAll(async () => {
  await dcbox(['down']);
});

const skip = unmet('test/injected-bugs.test.ts', [ROOT]);

describe.skipIf(!!skip)('injected bugs (netns runtime, fast timing)', () => {
  it('refuses a bug name it does not know before it starts anything', async () => {
    const r = await dcbox(['up'], 30_000, { DCBOX_INJECT_BUG: 'no-such-bug' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('DCBOX_INJECT_BUG=no-such-bug names no injectable bug');
  });

  const cases = [
    {
      bug: 'failover-without-fencing',
      experiment: 'node-partition-witness',
      checker: 'fencing-before-takeover',
    },
    { bug: 'answer-after-quorum-loss', experiment: 'node-partition-witness', checker: 'no-split-brain' },
    { bug: 'ack-before-durable', experiment: 'storage-controller-crash', checker: 'no-lost-acked-writes' },
    // witness-without-arbitration is proven in the simulation only
    // (services/hyperv-node/cluster/core/injected-bugs.test.ts): on real processes the survivor's
    // fence often refuses the buggy node's writes before two quorums are ever sampled.
    { bug: 'stale-config-on-rejoin', experiment: 'node-partition-witness', checker: 'no-split-brain' },
  ];
  for (const c of cases) {
    it(`${c.checker} fails ${c.experiment} with the bug ${c.bug}`, async () => {
      const verdicts = await run(c.experiment, 11, c.bug);
      const v = verdicts.get(c.checker);
      console.log(`${c.bug} (${c.experiment}, seed 11): ${c.checker} ${v?.verdict}: ${v?.details}`);
      expect(v?.verdict, v?.details).toBe('fail');
    }, 120_000);
  }

  it('passes storage-controller-crash without a bug: every acknowledged write reads back', async () => {
    const verdicts = await run('storage-controller-crash', 11);
    expect([...verdicts.values()].filter((v) => v.verdict === 'fail')).toEqual([]);
    expect(verdicts.get('no-lost-acked-writes')?.verdict).toBe('pass');
  }, 120_000);
});
