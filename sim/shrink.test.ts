/**
 * Shrinking: ddmin finds a 1-minimal failing subset, and a failing seed's schedule shrinks to
 * fewer, shorter faults and fewer operator's moves that still fail the same checker, written as an experiment file that
 * the chaos runner's parser accepts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { faultsOf, parseExperiment } from '../chaos/experiment.js';
import { parseTopology, resolveTopology } from '../orchestrator/topology/topology.js';
import { parseInjectedBugs } from '../services/process/injected-bugs.js';
import { runSimulation } from './run.js';
import { experimentOf } from './schedule-file.js';
import { ddmin, shrink } from './shrink.js';

describe('ddmin', () => {
  it('finds the two elements that together cause the failure, testing far fewer than every subset', () => {
    let tests = 0;
    const fails = (s: number[]) => {
      tests++;
      return s.includes(3) && s.includes(7);
    };
    expect(ddmin([1, 2, 3, 4, 5, 6, 7, 8], fails)).toEqual([3, 7]);
    expect(tests).toBeLessThan(40);
  });

  it('finds a single cause, and nothing when the failure needs no element at all', () => {
    expect(ddmin([1, 2, 3, 4, 5], (s) => s.includes(4))).toEqual([4]);
    expect(ddmin([1, 2, 3], () => true)).toEqual([]);
  });
});

describe('shrinking a failing seed', () => {
  const FILE = new URL('../topologies/seed.yaml', import.meta.url).pathname;
  const topology = resolveTopology(parseTopology(readFileSync(FILE, 'utf8'), FILE), FILE, 'fast');
  const bug = 'failover-without-fencing';

  it('keeps the checker failing with fewer or shorter faults, and writes a replayable experiment', {
    timeout: 120_000,
  }, () => {
    const s = shrink({ seed: 6, topology, durationMs: 60_000, bugs: parseInjectedBugs(bug) });
    expect(s.checker).toBe('fencing-before-takeover');
    expect(s.before.faults.length).toBeGreaterThan(s.after.faults.length);
    expect(s.after.faults.length).toBe(1);
    // The seed's mix has operator's moves on; the fencing bug needs none of them.
    expect(s.before.moves.length).toBeGreaterThan(0);
    expect(s.after.moves).toEqual([]);
    expect(s.after.durationMs).toBeLessThan(s.before.durationMs);
    // The shrunk schedule, run again, still fails that checker; without the bug it passes it.
    const again = (b?: string) =>
      runSimulation({
        seed: 6,
        topology,
        durationMs: s.after.durationMs,
        faults: s.after.faults,
        moves: s.after.moves,
        mix: { kinds: s.mix.kinds, network: s.after.network },
        bugs: parseInjectedBugs(b),
      }).report.invariants.find((i) => i.name === s.checker)?.verdict;
    expect(again(bug)).toBe('fail');
    expect(again()).not.toBe('fail');
    const spec = parseExperiment(experimentOf(s, topology, { topologyName: 'seed', bug }), 'shrunk.yaml');
    expect(spec.timing).toBe('fast');
    expect(spec.roles.map((r) => r.vm).sort()).toEqual(['VirtualMachine1', 'VirtualMachine2']);
    expect(faultsOf(spec.method).map((f) => [f.fault, f.duration])).toEqual(
      s.after.faults.map((f) => [f.kind, f.durationMs]),
    );
  });

  it('refuses a seed that does not fail', () => {
    expect(() => shrink({ seed: 2, topology, durationMs: 20_000 })).toThrow(/does not fail/);
  });
});

describe('a shrunk schedule as an experiment file', () => {
  const FILE = new URL('../topologies/seed.yaml', import.meta.url).pathname;
  const topology = resolveTopology(parseTopology(readFileSync(FILE, 'utf8'), FILE), FILE, 'default');

  it('puts each fault at its offset from the first, a one-way partition as its groups, and names the bug', () => {
    const network = { lossRate: 0.004, duplicateRate: 0, reorderRate: 0, jitterMs: 1 };
    const text = experimentOf(
      {
        seed: 9,
        checker: 'no-split-brain',
        details: 'VM1 answered from two hosts. And more.',
        before: { faults: [], moves: [], network, durationMs: 600_000 },
        after: {
          faults: [
            { kind: 'partition', targets: ['HVR2NODO2'], oneWay: true, atMs: 5000, durationMs: 3000 },
            { kind: 'storage-crash', targets: [], atMs: 9500, durationMs: 1500 },
          ],
          moves: [
            { role: 'VirtualMachine1', kind: 'live', atMs: 7000 },
            { role: 'VirtualMachine2', kind: 'quick', atMs: 8000 },
          ],
          network,
          durationMs: 40_000,
        },
        mix: { kinds: ['partition', 'storage-crash', 'live-migrate'], network },
        runs: 7,
        moveOutcomes: [
          { move: { role: 'VirtualMachine1', kind: 'live', atMs: 7000 }, to: 'HVR2NODO2', ok: true },
          {
            move: { role: 'VirtualMachine2', kind: 'quick', atMs: 8000 },
            to: 'HVR2NODO1',
            ok: false,
            error: 'refused',
          },
        ],
      },
      topology,
      { topologyName: 'seed', bug: 'ack-before-durable' },
    );
    expect(text).toContain('DCBOX_INJECT_BUG=ack-before-durable dcbox chaos run <this file> --seed 9');
    const spec = parseExperiment(text, 'shrunk.yaml');
    expect(spec.timing).toBe('default');
    expect(spec.description).toContain(
      'VM1 answered from two hosts. The simulated network also had lossRate 0.004',
    );
    expect(spec.description).toContain("with 1 operator's move(s)");
    expect(spec.description).toContain('1 move(s) the simulation refused are not replayed.');
    expect(spec.method).toEqual([
      { fault: 'partition', groups: [['HVR2NODO2'], ['HVR2NODO1']], oneWay: true, duration: 3000, peers: [] },
      { wait: 2000 },
      { action: 'live-migrate', role: 'VirtualMachine1', to: 'HVR2NODO2', volume: 'Volume1' },
      { wait: 2500 },
      { fault: 'storage-crash', duration: 1500, oneWay: false, peers: [] },
      { wait: 3500 },
    ]);
  });
});
