/**
 * A member that lost the leader's push is sent it again (replication.ts resendToLagging). A push
 * commits on a majority of copies (docs/domain.md §Vote arithmetic) and was never sent again, so
 * a member that missed one kept the older membership until the next change: on simulation seed
 * 11 of four-node.yaml (fast timing, 3 minutes, 1 % message loss) the push admitting HVR2NODO4
 * to HVR2NODO2 was lost, and HVR2NODO2 claimed quorum without HVR2NODO4 for 15 s
 * (no-split-brain).
 */
import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../../sim/cluster-harness.js';
import { Random } from '../../../actor/clock.js';
import { type ClusterState, decideCluster, viewOf } from './decide.js';
import type { ClusterEffect } from './protocol.js';

const [N1, N2, N3] = ['HVR2NODO1', 'HVR2NODO2', 'HVR2NODO3'];

/** A formed three-node cluster: the leader N1's state and N3's own view a moment later. */
function formed(): { leader: ClusterState; now: number; member: ReturnType<typeof viewOf> } {
  const sim = new ClusterHarness([N1, N2, N3]);
  sim.until('formed', () => [N1, N2, N3].every((n) => sim.node(n).members.length === 3));
  sim.run(1000);
  return { leader: sim.node(N1), now: sim.now, member: viewOf(sim.node(N3), sim.now) };
}

/** The pushes N1 makes when N3's heartbeat, asked at `sentAt`, answers with `view`. */
function pushesOn(leader: ClusterState, view: ReturnType<typeof viewOf>, sentAt: number, now: number) {
  const d = decideCluster(
    leader,
    { type: 'hbResult', peer: N3, ok: true, view, sentAt },
    { now, random: new Random(1), self: N1 },
  );
  return d.effects.filter((e): e is Extract<ClusterEffect, { type: 'push' }> => e.type === 'push');
}

describe('a member that lost the leader’s push', () => {
  it('is sent the leader’s membership and configuration again, and only it', () => {
    const { leader, now, member } = formed();
    expect(leader.leader).toBe(N1);
    expect(leader.pushedAt).toBeDefined();
    const lagging = { ...member, epoch: leader.epoch - 1, members: [N1, N3] };
    const again = pushesOn(leader, lagging, now, now + 1);
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ to: [N3], epoch: leader.epoch, members: leader.members, leader: N1 });
    expect(again[0]?.config.version).toBe(leader.config.version);
    // An older configuration within the same membership is sent again too.
    const oldConfig = { ...member, configVersion: leader.config.version - 1 };
    expect(pushesOn(leader, oldConfig, now, now + 1)).toHaveLength(1);
  });

  it('is not sent it again while the push may still be on its way, nor once it has it', () => {
    const { leader, now, member } = formed();
    const lagging = { ...member, epoch: leader.epoch - 1 };
    // Asked within a heartbeat interval of the push: the answer may have overtaken it.
    const soon = (leader.pushedAt ?? 0) + leader.delayMs - 1;
    expect(pushesOn({ ...leader }, lagging, soon, now + 1)).toHaveLength(0);
    expect(pushesOn(leader, member, now, now + 1)).toHaveLength(0);
  });
});
