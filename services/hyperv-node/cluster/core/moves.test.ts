import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../../sim/cluster-harness.js';
import { Random } from '../../../actor/clock.js';
import { decideCluster } from './decide.js';
import type { ClusterMsg } from './protocol.js';
import type { ClusterState, MigrationResult } from './state.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

/** A two-node cluster with VM1 online on N2; returns N2's state. */
function ownerOfVm1(): ClusterState {
  const sim = new ClusterHarness([N1, N2]);
  sim.formWithRole('VM1', N2);
  return sim.node(N2);
}

/** Feeds messages one after the other and returns each step's effects. */
function feed(s0: ClusterState, msgs: ClusterMsg[]): { state: ClusterState; effects: unknown[][] } {
  let state = s0;
  const effects: unknown[][] = [];
  for (const msg of msgs) {
    const d = decideCluster(state, msg, { now: 0, random: new Random(1), self: state.self });
    state = d.state;
    effects.push(d.effects);
  }
  return { state, effects };
}

const figures: MigrationResult = {
  vm: 'VM1',
  from: N2,
  to: N1,
  kind: 'live',
  passes: 3,
  bytes_copied: 1000,
  duration_ms: 40,
  blackout_ms: 5,
  pass_bytes: [600, 300, 100],
  paused_at_ms: 30,
  resumed_at_ms: 35,
};

const request = (vmState: 'Running' | 'Off'): ClusterMsg => ({
  type: 'moveRequest',
  replyTo: 'm1',
  role: 'VM1',
  to: N1,
  kind: 'live',
  vmState,
});

describe('moving a role on its owner', () => {
  it('refuses a role that does not exist, or that another node owns', () => {
    const s = ownerOfVm1();
    const unknown = feed(s, [{ ...request('Running'), role: 'VM9' } as ClusterMsg]);
    expect(unknown.effects[0]).toEqual([
      { type: 'reply', replyTo: 'm1', ok: false, code: 'NOT_FOUND', message: 'no clustered role named VM9' },
    ]);
    const other = feed({ ...s, self: N1 }, [request('Running')]);
    expect(other.effects[0]).toEqual([
      {
        type: 'reply',
        replyTo: 'm1',
        ok: false,
        code: 'BAD_STATE',
        message: `VM1 is owned by ${N2}, not ${N1}`,
      },
    ]);
  });

  it('marks the move with the leader, migrates, hands the role over, then answers with the figures', () => {
    const out = feed(ownerOfVm1(), [
      request('Running'),
      { type: 'leaderAnswer', requestId: 'm1', ok: true },
      { type: 'migrated', moveId: 'm1', ok: true, result: figures },
      { type: 'leaderAnswer', requestId: 'm1', ok: true },
    ]);
    expect(out.effects[0]).toEqual([
      { type: 'askLeader', requestId: 'm1', cmd: { op: 'beginMove', role: 'VM1', to: N1, kind: 'live' } },
    ]);
    expect(out.effects[1]).toEqual([{ type: 'migrate', moveId: 'm1', role: 'VM1', to: N1, kind: 'live' }]);
    expect(out.effects[2]).toEqual([
      { type: 'askLeader', requestId: 'm1', cmd: { op: 'endMove', role: 'VM1', ok: true } },
    ]);
    expect(out.effects[3]).toEqual([
      { type: 'migrationObserved', kind: 'live', ok: true, blackoutMs: 5 },
      expect.objectContaining({ type: 'event', kind: 'migration', data: { ...figures } }),
      { type: 'reply', replyTo: 'm1', ok: true, result: figures },
    ]);
    expect(out.state.moves).toEqual({});
  });

  it('clears a failed migration with the leader and answers with the migration error', () => {
    const out = feed(ownerOfVm1(), [
      request('Running'),
      { type: 'leaderAnswer', requestId: 'm1', ok: true },
      { type: 'migrated', moveId: 'm1', ok: false, code: 'UNAVAILABLE', message: 'target gone' },
      { type: 'leaderAnswer', requestId: 'm1', ok: false, code: 'TIMEOUT', message: 'no leader' },
    ]);
    expect(out.effects[2]).toEqual([
      { type: 'migrationObserved', kind: 'live', ok: false, blackoutMs: null },
      { type: 'askLeader', requestId: 'm1', cmd: { op: 'endMove', role: 'VM1', ok: false } },
    ]);
    expect(out.effects[3]).toEqual([
      { type: 'reply', replyTo: 'm1', ok: false, code: 'UNAVAILABLE', message: 'target gone' },
    ]);
  });

  it('moves a role whose VM is not running by changing its owner only', () => {
    const out = feed(ownerOfVm1(), [
      request('Off'),
      { type: 'leaderAnswer', requestId: 'm1', ok: true },
      { type: 'leaderAnswer', requestId: 'm1', ok: true },
    ]);
    expect(out.effects[1]).toEqual([
      { type: 'askLeader', requestId: 'm1', cmd: { op: 'endMove', role: 'VM1', ok: true } },
    ]);
    expect(out.effects[2]).toEqual([
      {
        type: 'reply',
        replyTo: 'm1',
        ok: true,
        result: {
          ...figures,
          passes: 0,
          bytes_copied: 0,
          duration_ms: 0,
          blackout_ms: 0,
          pass_bytes: [],
          paused_at_ms: 0,
          resumed_at_ms: 0,
        },
      },
    ]);
  });

  it('clears a begin whose commit is in doubt with the leader before it answers (seed 32)', () => {
    const doubt = 'configuration version 17 reached only 1 of the 2 copies it needs to commit';
    const out = feed(ownerOfVm1(), [
      request('Running'),
      { type: 'leaderAnswer', requestId: 'm1', ok: false, code: 'UNAVAILABLE', message: doubt },
      { type: 'leaderAnswer', requestId: 'm1', ok: true },
    ]);
    expect(out.effects[1]).toEqual([
      { type: 'askLeader', requestId: 'm1', cmd: { op: 'endMove', role: 'VM1', ok: false } },
    ]);
    expect(out.effects[2]).toEqual([
      { type: 'reply', replyTo: 'm1', ok: false, code: 'UNAVAILABLE', message: doubt },
    ]);
    expect(out.state.moves).toEqual({});
  });

  it('passes on the leader refusing the move', () => {
    const out = feed(ownerOfVm1(), [
      request('Running'),
      {
        type: 'leaderAnswer',
        requestId: 'm1',
        ok: false,
        code: 'BAD_STATE',
        message: 'VM1 is already moving',
      },
    ]);
    expect(out.effects[1]).toEqual([
      { type: 'reply', replyTo: 'm1', ok: false, code: 'BAD_STATE', message: 'VM1 is already moving' },
    ]);
    expect(out.state.moves).toEqual({});
  });
});
