/**
 * The in-step invariants fire on states and logs broken on purpose, stay quiet on the sound ones,
 * and stop a run at the step that broke one, naming it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../chaos/history.js';
import { parseTopology, resolveTopology } from '../orchestrator/topology/topology.js';
import { type ClusterState, initialCluster } from '../services/hyperv-node/cluster/core/state.js';
import { InvariantMonitor } from './invariants.js';
import { runSimulation } from './run.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

/** A node Running with a valid lease until 10 s, coordinating Volume1 if asked to. */
function running(self: string, coordinates: boolean, version = 3): ClusterState {
  const s = initialCluster({
    cluster: 'c',
    self,
    nodes: [
      { name: N1, id: 1 },
      { name: N2, id: 2 },
    ],
    model: 'node-and-disk-majority',
    delayMs: 1000,
    threshold: 5,
    defendMs: 1000,
    witnessKeepsConfig: true,
    csv: [{ volume: 'Volume1', lun: 'lun1', path: 'C:\\ClusterStorage\\Volume1' }],
    saved: null,
    now: 0,
  });
  const csv = { Volume1: { ...s.config.csv.Volume1!, coordinator: coordinates ? self : N1 } };
  return {
    ...s,
    service: 'Running',
    members: [N1, N2],
    leader: N1,
    leaseUntil: 10_000,
    config: { ...s.config, version, csv },
  };
}

const view = (name: string, state: ClusterState | null) => ({ name, state });
const init = (host: string) => ({ host, port: 'p1' });

describe('the in-step invariants', () => {
  it('one-coordinator: two nodes coordinating a volume with valid leases, not one whose lease lapsed', () => {
    const m = new InvariantMonitor();
    expect(m.check([view(N1, running(N1, true)), view(N2, running(N2, false))], [], 5000)).toBeNull();
    expect(m.check([view(N1, running(N1, true)), view(N2, running(N2, true))], [], 5000)).toEqual({
      invariant: 'one-coordinator',
      details: `${N1} and ${N2} both coordinate Volume1 with their leases valid`,
    });
    const lapsed = { ...running(N1, true), leaseUntil: 4000 };
    expect(
      new InvariantMonitor().check([view(N1, lapsed), view(N2, running(N2, true))], [], 5000),
    ).toBeNull();
  });

  it('config-version-monotonic: a node whose version goes back, even across a restart', () => {
    const m = new InvariantMonitor();
    expect(m.check([view(N1, running(N1, true, 5))], [], 0)).toBeNull();
    expect(m.check([view(N1, null)], [], 0)).toBeNull();
    expect(m.check([view(N1, running(N1, true, 4))], [], 0)).toMatchObject({
      invariant: 'config-version-monotonic',
      details: `${N1}'s configuration went back from version 5 to 4`,
    });
  });

  it('members-in-nodes: a member or a leader that is not a node of the cluster', () => {
    const stranger = { ...running(N1, true), members: [N1, 'HVR2NODO9'] };
    expect(new InvariantMonitor().check([view(N1, stranger)], [], 0)?.invariant).toBe('members-in-nodes');
    const leader = { ...running(N1, true), members: [N1], leader: N2 };
    expect(new InvariantMonitor().check([view(N1, leader)], [], 0)?.invariant).toBe('members-in-nodes');
  });

  it('no-write-from-preempted-key: a write accepted from a preempted path, not once it registered again', () => {
    const reg = (t: number, host: string, key: string): HistoryEntry => ({
      t,
      type: 'reservation',
      action: 'register',
      initiator: init(host),
      lun: 'lun1',
      key,
    });
    const write = (t: number, host: string): HistoryEntry => ({
      t,
      type: 'storage-write',
      initiator: init(host),
      lun: 'lun1',
      offset: 4096,
      length: 512,
      hash: 'h',
    });
    const preempt: HistoryEntry = {
      t: 3,
      type: 'reservation',
      action: 'preempt',
      initiator: init(N1),
      lun: 'lun1',
      key: 'k1',
      victim: { key: 'k2' },
    };
    const h: HistoryEntry[] = [reg(1, N1, 'k1'), reg(2, N2, 'k2'), write(2.5, N2), preempt, write(4, N1)];
    const m = new InvariantMonitor();
    expect(m.check([], h, 0)).toBeNull();
    h.push(write(5, N2));
    expect(m.check([], h, 0)).toEqual({
      invariant: 'no-write-from-preempted-key',
      details: `the controller accepted a write to lun1 at offset 4096 from ${N2}:p1, whose key k2 was preempted`,
    });
    const again = new InvariantMonitor();
    expect(again.check([], [...h.slice(0, 5), reg(4.5, N2, 'k2'), write(5, N2)], 0)).toBeNull();
  });
});

describe('a run that breaks an invariant', () => {
  const FILE = new URL('../topologies/seed.yaml', import.meta.url).pathname;
  const topology = resolveTopology(parseTopology(readFileSync(FILE, 'utf8'), FILE), FILE, 'fast');

  it('stops at the step that broke it and names the step, the time and what broke', () => {
    // Deliberately broken: at 15 s a node's configuration is put back to version 1.
    const r = runSimulation({
      seed: 5,
      topology,
      durationMs: 40_000,
      faults: [],
      onStart: (dc) =>
        dc.world.sched.at(15_000, 'sabotage', () => {
          const node = dc.node(N2).cluster;
          node.state = { ...node.state, config: { ...node.state.config, version: 1 } };
        }),
    });
    expect(r.violation).toMatchObject({
      invariant: 'config-version-monotonic',
      atMs: 15_000,
      event: 'sabotage',
    });
    expect(r.violation?.details).toMatch(
      new RegExp(`^${N2}'s configuration went back from version \\d+ to 1$`),
    );
    expect(r.simulatedMs).toBe(15_000);
    expect(r.report.verdict).toBe('fail');
    expect(r.report.invariants[0]).toMatchObject({
      name: 'config-version-monotonic (in-step)',
      verdict: 'fail',
    });
    expect(r.report.invariants[0]?.details).toContain(`step ${r.violation?.step} at 15000.000 ms (sabotage)`);
  });

  it('runs the same schedule to its end without the sabotage, no invariant broken', () => {
    const r = runSimulation({ seed: 5, topology, durationMs: 40_000, faults: [] });
    expect(r.violation).toBeNull();
    expect(r.simulatedMs).toBe(40_000);
  });
});
