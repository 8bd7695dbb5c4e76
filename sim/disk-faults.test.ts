/**
 * Slow and failing I/O through the controller core's own fault hook, and each host's clock
 * drifting at its own rate: a storage-slow fault makes the VMs' writes take its delay, a
 * storage-errors fault fails a share of them (never losing an acknowledged one), and a timer on a
 * drifting host lasts its length on that host's clock.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { OpEntry } from '../chaos/history.js';
import { parseTopology, resolveTopology } from '../orchestrator/topology/topology.js';
import type { Decide } from '../services/actor/actor.js';
import { SimActor } from './actor.js';
import { CLOCK_DRIFT_PPM_MAX, drawClockRate } from './datacenter.js';
import type { PlannedFault } from './faults.js';
import { SimHost } from './host.js';
import { SimRandom } from './random.js';
import { runSimulation } from './run.js';
import { Scheduler } from './scheduler.js';

const FILE = new URL('../topologies/seed.yaml', import.meta.url).pathname;
const topology = resolveTopology(parseTopology(readFileSync(FILE, 'utf8'), FILE), FILE, 'fast');

/** Each write's invoke and completion, by op id, within [from, to). */
function writes(history: ReturnType<typeof runSimulation>['history'], from: number, to: number) {
  const ops = history.filter((e): e is OpEntry => e.type === 'op' && e.f === 'write');
  const invoked = new Map(ops.filter((o) => o.phase === 'invoke').map((o) => [o.id, o.t]));
  return ops
    .filter((o) => o.phase !== 'invoke' && o.t >= from && o.t < to)
    .map((o) => ({ phase: o.phase, ms: o.t - (invoked.get(o.id) ?? o.t), error: o.error ?? '' }));
}

const run = (faults: PlannedFault[]) => runSimulation({ seed: 4, topology, durationMs: 40_000, faults });

describe('slow and failing storage', () => {
  it('slows every write of the LUN by the fault’s delay while it lasts, and only then', () => {
    const r = run([{ kind: 'storage-slow', targets: ['CSV1'], atMs: 20_000, durationMs: 5_000 }]);
    const during = writes(r.history, 20_500, 25_000);
    const after = writes(r.history, 27_000, 40_000);
    expect(during.length).toBeGreaterThan(5);
    expect(during.every((w) => w.phase === 'ok' && w.ms >= 200)).toBe(true);
    expect(after.every((w) => w.ms < 50)).toBe(true);
    expect(r.report.invariants.filter((i) => i.verdict === 'fail')).toEqual([]);
  });

  it('fails a share of the writes while a storage-errors fault lasts, and loses no acknowledged one', () => {
    const r = run([{ kind: 'storage-errors', targets: ['CSV1'], atMs: 20_000, durationMs: 5_000 }]);
    const during = writes(r.history, 20_000, 25_000);
    const failed = during.filter((w) => w.phase !== 'ok');
    expect(failed.length).toBeGreaterThan(3);
    expect(failed.length).toBeLessThan(during.length);
    expect(writes(r.history, 26_000, 40_000).every((w) => w.phase === 'ok')).toBe(true);
    expect(r.report.invariants.find((i) => i.name === 'no-lost-acked-writes')?.verdict).toBe('pass');
  });
});

describe('clock drift', () => {
  it('draws every host its own rate within the bound, the same for the same seed', () => {
    const draw = (seed: number) => {
      const random = new SimRandom(seed);
      return Array.from({ length: 8 }, () => drawClockRate(random));
    };
    const rates = draw(9);
    expect(draw(9)).toEqual(rates);
    expect(new Set(rates).size).toBeGreaterThan(4);
    for (const r of rates) expect(Math.abs(r - 1)).toBeLessThanOrEqual(CLOCK_DRIFT_PPM_MAX * 1e-6);
  });

  it('runs a timer of a drifting host for its length on that host’s clock', () => {
    const sched = new Scheduler();
    const host = new SimHost('N');
    host.clockRate = 1 + 200e-6;
    const seen: { local: number; world: number }[] = [];
    type Msg = { type: 'go' } | { type: 'fired' };
    const decide: Decide<null, Msg, { type: 'startTimer'; id: string; ms: number; msg: Msg }> = (
      s,
      msg,
      ctx,
    ) => {
      seen.push({ local: ctx.now, world: sched.now });
      return {
        state: s,
        effects:
          msg.type === 'go' ? [{ type: 'startTimer', id: 't', ms: 10_000, msg: { type: 'fired' } }] : [],
      };
    };
    const actor = new SimActor({ sched, random: new SimRandom(1) }, host, 'a', decide, null, () => {});
    actor.send({ type: 'go' });
    sched.runUntil(20_000);
    // 10 s of the fast host's clock is 2 ms less of the world's.
    expect(seen[1]?.local).toBeCloseTo(10_000, 6);
    expect(seen[1]?.world).toBeCloseTo(10_000 / (1 + 200e-6), 6);
    expect(10_000 - (seen[1]?.world ?? 0)).toBeGreaterThan(1.9);
  });
});
