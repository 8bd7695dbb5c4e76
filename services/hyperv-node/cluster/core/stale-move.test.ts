/**
 * A role's owner clears the mark of a move it no longer has under way (moves.ts clearStaleMoves).
 * Default seed 59 of the simulation's swarm: HVR2NODO1, leader and owner of VirtualMachine2, began
 * a quick migration, was frozen, left the cluster on its thaw and forgot the failed move when its
 * clearing found no leader to ask; the cluster HVR2NODO2 formed kept the mark, and the role showed
 * Pending to the end of the run while its VM ran on HVR2NODO1.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../../../actor/clock.js';
import { type ClusterState, decideCluster, initialCluster } from './decide.js';
import type { ClusterDecision, ClusterMsg, Command } from './protocol.js';
import type { MoveState, VmState } from './state.js';

const [N1, N2] = ['HVR2NODO1', 'HVR2NODO2'];
const VERSION = 24;

/** HVR2NODO1, a member of {N1, N2} led by N2, owning VM1 marked as moving to N2. */
function owner(vm: VmState, moves: Record<string, MoveState> = {}): ClusterState {
  const s = initialCluster({
    cluster: 'C',
    self: N1,
    nodes: [N1, N2].map((name, i) => ({ name, id: i + 1 })),
    model: 'node-and-disk-majority',
    delayMs: 1000,
    threshold: 5,
    defendMs: 1000,
    witnessKeepsConfig: true,
    csv: [],
    saved: null,
    now: 0,
  });
  const role = {
    name: 'VM1',
    vm: {
      name: 'VM1',
      memoryMiB: 64,
      diskPath: 'C:\\ClusterStorage\\Volume1\\VM1\\VM1.vhd',
      lun: 'CSV1',
      diskOffsetBytes: 64 << 20,
      diskSizeBytes: 64 << 20,
      switchName: 'VMs',
      node: N1,
    },
    owner: N1,
    preferredOwners: [],
    allowFailback: false,
    desired: 'Online' as const,
    moving: { to: N2, kind: 'quick' as const },
    failovers: [],
    failed: false,
  };
  return {
    ...s,
    service: 'Running',
    epoch: 9,
    members: [N1, N2],
    leader: N2,
    quorum: { has: true, votes: 2, needed: 2, total: 3 },
    leaseUntil: 20_000,
    config: { version: VERSION, roles: { VM1: role }, csv: {} },
    vms: vm === 'Absent' ? {} : { VM1: vm },
    needsRegister: false,
    moves,
    peers: { ...s.peers, [N2]: { lastOkAt: 9_900, lastAskedAt: 9_900, missed: 0, down: false, view: null } },
  };
}

const decide = (s: ClusterState, msg: ClusterMsg, now = 10_000) =>
  decideCluster(s, msg, { now, random: new Random(1), self: s.self });
const asked = (d: ClusterDecision) =>
  d.effects.filter((e) => e.type === 'askLeader').map((e) => (e as { cmd: Command }).cmd);

/** The same configuration on the leader, N2. */
function leader(version = VERSION): ClusterState {
  const s = owner('Running');
  return { ...s, self: N2, leader: N2, config: { ...s.config, version } };
}

describe('the owner of a role marked as moving, with no move under way', () => {
  it('asks the leader to clear the mark while its VM runs here', () => {
    expect(asked(decide(owner('Running'), { type: 'tick' }))).toEqual([
      { op: 'endMove', role: 'VM1', ok: false, version: VERSION },
    ]);
  });

  it('asks the leader to hand the role over when its VM is gone from here', () => {
    expect(asked(decide(owner('Absent'), { type: 'tick' }))).toEqual([
      { op: 'endMove', role: 'VM1', ok: true, version: VERSION },
    ]);
  });

  it('asks nothing while its move is under way', () => {
    const move: MoveState = {
      replyTo: 'c-1',
      role: 'VM1',
      to: N2,
      kind: 'quick',
      offline: false,
      step: 'migrate',
      result: null,
      error: null,
    };
    expect(asked(decide(owner('Running', { 'c-1': move }), { type: 'tick' }))).toEqual([]);
  });
});

describe('the leader asked to clear a mark at a configuration version', () => {
  const clear = (version: number): ClusterMsg => ({
    type: 'command',
    replyTo: 'r',
    cmd: { op: 'endMove', role: 'VM1', ok: false, version },
  });

  it('clears it while its configuration is the one the owner saw', () => {
    const d = decide(leader(), clear(VERSION));
    expect(d.state.config.roles.VM1?.moving).toBeNull();
    expect(d.state.config.roles.VM1?.owner).toBe(N1);
  });

  it('leaves a mark set since alone (a late request never ends a newer move)', () => {
    const d = decide(leader(VERSION + 1), clear(VERSION));
    expect(d.state.config.roles.VM1?.moving).toEqual({ to: N2, kind: 'quick' });
    expect(d.effects).toContainEqual({ type: 'reply', replyTo: 'r', ok: true });
  });
});
