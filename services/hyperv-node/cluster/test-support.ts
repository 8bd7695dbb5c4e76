/**
 * What the cluster simulation's tests share: failing a node in one of the ways a blade fails, and
 * the survivor check that a role on another node runs on, uninterrupted, at every 5 ms step.
 */
import { expect } from 'vitest';
import { type ClusterState, initialCluster, leaseValid, localResourceState } from './core/decide.js';
import type { RoleConfig } from './core/state.js';

/**
 * What the helpers drive: sim/cluster-harness.ts (described here, not imported: nothing in
 * services/ but a test imports sim/).
 */
export interface Sim {
  readonly now: number;
  readonly events: { at: number; node: string; kind: string }[];
  node(name: string): ClusterState;
  answering(vm: string): string[];
  run(ms: number): void;
  freeze(name: string): void;
  thaw(name: string): void;
  powerOff(name: string): void;
  powerOn(name: string): void;
}

/** How a node fails: its power goes off, its process is killed (and restarts), or it freezes (and thaws). */
export type Failure = 'power-off' | 'kill' | 'freeze';

/** Every way a node fails, in the order the tests try them. */
export const FAILURES: Failure[] = ['power-off', 'kill', 'freeze'];

/**
 * Fails `node` and returns how it recovers: power-off stays off; kill restarts the process when
 * the returned function is called; freeze thaws then.
 */
export function fail(sim: Sim, node: string, how: Failure): () => void {
  if (how === 'freeze') {
    sim.freeze(node);
    return () => sim.thaw(node);
  }
  sim.powerOff(node);
  return how === 'kill' ? () => sim.powerOn(node) : () => {};
}

/**
 * Steps the simulation 5 ms at a time for `ms`, asserting at every step that the survivor's lease
 * holds, its role `vm` stays Online and the VM answers from the survivor alone.
 */
export function expectSurvivorUninterrupted(sim: Sim, survivor: string, ms: number, vm = 'VM1'): void {
  expectRolesUninterrupted(sim, { [vm]: survivor }, ms);
}

/**
 * Steps the simulation 5 ms at a time for `ms`, asserting at every step, for every role of `roles`
 * (VM → the survivor that runs it), that the survivor's lease holds, the role stays Online there
 * and its VM answers from that survivor alone. `others` are VMs that may be failing over: at most
 * one node answers for each at any step.
 */
export function expectRolesUninterrupted(
  sim: Sim,
  roles: Record<string, string>,
  ms: number,
  others: string[] = [],
): void {
  for (let t = 0; t < ms; t += 5) {
    sim.run(5);
    const at = () => `at ${sim.now} ms: ${sim.events.map((e) => `${e.at} ${e.node} ${e.kind}`).join('; ')}`;
    for (const [vm, survivor] of Object.entries(roles)) {
      const s = sim.node(survivor);
      const role = s.config.roles[vm];
      if (!leaseValid(s, sim.now)) expect.fail(`lease of ${survivor} lapsed ${at()}`);
      const state = role && localResourceState(s, role);
      if (state !== 'Online') expect.fail(`${vm} on ${survivor} is ${state} ${at()}`);
      const who = sim.answering(vm);
      if (who.join() !== survivor) expect.fail(`${vm} answered by [${who.join()}] ${at()}`);
    }
    for (const vm of others) {
      const who = sim.answering(vm);
      if (who.length > 1) expect.fail(`${vm} answered by [${who.join()}] ${at()}`);
    }
  }
}

/**
 * A fresh core of the seed's two-node cluster (Node and Disk Majority, the default timing), as
 * `self` sees it at time 0, for tests that drive one core by hand.
 */
export function twoNodeCore(self: string): ClusterState {
  return initialCluster({
    cluster: 'C',
    self,
    nodes: [
      { name: 'HVR2NODO1', id: 1 },
      { name: 'HVR2NODO2', id: 2 },
    ],
    model: 'node-and-disk-majority',
    delayMs: 1000,
    threshold: 5,
    defendMs: 1000,
    challengeWaitMs: 3000,
    retryPeriodMs: 3_600_000,
    witnessKeepsConfig: true,
    csv: [],
    saved: null,
    now: 0,
  });
}

/**
 * A fresh core of a Node and Disk Majority cluster of `names` at the fast timing (250 ms × 4), as
 * `self` sees it at time 0, for tests that set a moment of its life by hand.
 */
export function fastCore(self: string, names: string[]): ClusterState {
  return initialCluster({
    cluster: 'C',
    self,
    nodes: names.map((name, i) => ({ name, id: i + 1 })),
    model: 'node-and-disk-majority',
    delayMs: 250,
    threshold: 4,
    defendMs: 250,
    witnessKeepsConfig: true,
    csv: [],
    saved: null,
    now: 0,
  });
}

/** A clustered role `vm` owned by `owner`, meant Online: a 64 MiB VM with its 64 MiB disk on CSV1. */
export function onlineRole(vm: string, owner: string): RoleConfig {
  return {
    name: vm,
    vm: {
      name: vm,
      memoryMiB: 64,
      diskPath: `C:\\ClusterStorage\\Volume1\\${vm}\\${vm}.vhd`,
      lun: 'CSV1',
      diskOffsetBytes: 64 << 20,
      diskSizeBytes: 64 << 20,
      switchName: 'VMs',
      node: owner,
    },
    owner,
    preferredOwners: [],
    allowFailback: false,
    desired: 'Online',
    moving: null,
    failovers: [],
    failed: false,
  };
}
