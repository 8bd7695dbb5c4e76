/**
 * A move mark whose owner no longer pursues the move (its clearing never reached the leader) is
 * ended by the leader; before, the role stayed Pending and every later move was refused until a
 * failover (simulation seed 32 of the default timing, VirtualMachine2 at 6.9 s).
 */
import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../../sim/cluster-harness.js';
import { Random } from '../../../actor/clock.js';
import { decideCluster } from './decide.js';
import type { ClusterEffectOrTimer } from './protocol.js';
import { bump, withRole } from './replication.js';
import { clearAbandonedMoves } from './stale-moves.js';
import type { ClusterState, View } from './state.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

/** The leader N1 of a formed cluster in which VM1, owned by `owner`, is marked as moving. */
function marked(owner: string): { s: ClusterState; now: number } {
  const sim = new ClusterHarness([N1, N2]);
  sim.formWithRole('VM1', owner);
  sim.run(500);
  const s0 = sim.node(N1);
  const role = s0.config.roles.VM1!;
  const to = owner === N1 ? N2 : N1;
  return { s: bump(s0, (c) => withRole(c, { ...role, moving: { to, kind: 'quick' } })), now: sim.now };
}

/** N1 with N2's last view replaced by `patch` of it. */
function seeing(s: ClusterState, patch: Partial<View>): ClusterState {
  const peer = s.peers[N2]!;
  return { ...s, peers: { ...s.peers, [N2]: { ...peer, view: { ...(peer.view as View), ...patch } } } };
}

const kinds = (effects: ClusterEffectOrTimer[]) =>
  effects.flatMap((e) => (e.type === 'event' ? [e.kind] : e.type === 'push' ? ['push'] : []));

describe('a move mark its owner no longer pursues', () => {
  it('stays while the owner shows the move under way, or has not caught up, or cannot tell', () => {
    const { s } = marked(N2);
    const v = s.config.version;
    for (const patch of [
      { configVersion: v, moves: ['VM1'] },
      { configVersion: v - 1, moves: [] },
      { configVersion: v, moves: undefined },
    ]) {
      const at = seeing(s, patch);
      expect(clearAbandonedMoves(at).state.config.roles.VM1?.moving).not.toBeNull();
    }
  });

  it('is ended as failed by the leader once the owner, caught up, shows no move of the role', () => {
    const { s } = marked(N2);
    const at = seeing(s, { configVersion: s.config.version, moves: [], runs: ['VM1'] });
    const d = clearAbandonedMoves(at);
    expect(d.state.config.roles.VM1).toMatchObject({ owner: N2, moving: null });
    expect(d.state.config.version).toBe(s.config.version + 1);
    expect(kinds(d.effects)).toEqual(['move-failed', 'push']);
  });

  it('is ended as completed when the owner runs the VM no more and the target runs it', () => {
    const { s } = marked(N2);
    const at = seeing(
      { ...s, vms: { ...s.vms, VM1: 'Running' } },
      { configVersion: s.config.version, moves: [], runs: [] },
    );
    const d = clearAbandonedMoves(at);
    expect(d.state.config.roles.VM1).toMatchObject({ owner: N1, moving: null, desired: 'Online' });
    expect(kinds(d.effects)).toEqual(['move-completed', 'push']);
  });

  it("is ended on the leader's own tick when the leader owns the role and has no move of it", () => {
    const { s, now } = marked(N1);
    expect(s.moves).toEqual({});
    const d = decideCluster(s, { type: 'tick' }, { now, random: new Random(1), self: N1 });
    expect(d.state.config.roles.VM1).toMatchObject({ owner: N1, moving: null });
    expect(kinds(d.effects)).toContain('move-failed');
  });
});
