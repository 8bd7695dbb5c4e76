/**
 * A VM held paused after a migration whose end is unknown (the resume order reached the target,
 * its answer did not come back) stays held while the target may run it, and is released — turned
 * off, then booted cold so its journal scan reads what the target wrote — once the target is
 * known not to run it. Before, nothing released it: the role showed Online on the source for good
 * while its VM answered nothing (simulation seeds 34, 51 and 83 of the fast timing).
 */
import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../../sim/cluster-harness.js';
import { Random } from '../../../actor/clock.js';
import { decideCluster } from './decide.js';
import { viewOf } from './heartbeat-view.js';
import type { ClusterDecision, ClusterMsg } from './protocol.js';
import { groupState } from './roles.js';
import { arbitrationMs, type ClusterState, leaseMs } from './state.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

/** N1 (leader, owner of VM1) and N2 of a formed cluster, and the time they were taken at. */
function formed(): { s: ClusterState; peer: ClusterState; now: number } {
  const sim = new ClusterHarness([N1, N2]);
  sim.formWithRole('VM1', N1);
  sim.run(500);
  return { s: sim.node(N1), peer: sim.node(N2), now: sim.now };
}

const ctx = (now: number) => ({ now, random: new Random(1), self: N1 });
const step = (s: ClusterState, msg: ClusterMsg, now: number): ClusterDecision =>
  decideCluster(s, msg, ctx(now));
const vmOps = (d: ClusterDecision) =>
  d.effects.flatMap((e) => (e.type === 'vm' && e.name === 'VM1' ? [e.op] : []));
/** N2 answers a heartbeat N1 sent at `sentAt`, its view listing the clustered VMs it runs. */
const answer = (peer: ClusterState, now: number, sentAt: number, runs: string[]): ClusterMsg => ({
  type: 'hbResult',
  peer: N2,
  ok: true,
  view: { ...viewOf(peer, now), runs },
  sentAt,
});

describe('a VM held paused after a migration whose end is unknown', () => {
  it('stays held, its role Pending, while the target may run it', () => {
    const { s, peer, now } = formed();
    const held = step(s, { type: 'vmState', name: 'VM1', state: 'Held' }, now);
    expect(vmOps(held)).toEqual([]);
    expect(groupState(held.state, held.state.config.roles.VM1!)).toBe('Pending');
    expect(viewOf(held.state, now).runs).toEqual(['VM1']);
    // The target still runs it; and an answer asked before the hold began tells nothing.
    expect(vmOps(step(held.state, answer(peer, now + 5, now + 1, ['VM1']), now + 5))).toEqual([]);
    expect(vmOps(step(held.state, answer(peer, now + 5, now - 1, []), now + 5))).toEqual([]);
    // Nor may it be moved meanwhile: a cold start elsewhere could run beside the target's copy.
    const move = step(
      held.state,
      { type: 'moveRequest', replyTo: 'm1', role: 'VM1', to: N2, kind: 'live', vmState: 'Held' },
      now + 5,
    );
    expect(move.effects).toEqual([expect.objectContaining({ type: 'reply', ok: false, code: 'BAD_STATE' })]);
  });

  it("is turned off and booted cold once the target's view, asked after the hold, leaves it out", () => {
    const { s, peer, now } = formed();
    const held = step(s, { type: 'vmState', name: 'VM1', state: 'Held' }, now).state;
    const released = step(held, answer(peer, now + 5, now + 1, []), now + 5);
    expect(vmOps(released)).toEqual(['turnOff']);
    // The adapters report the VM's state, then the operation's end (sim/vm-host.ts op).
    const off = step(released.state, { type: 'vmState', name: 'VM1', state: 'Off' }, now + 6);
    const done = step(off.state, { type: 'vmOpDone', name: 'VM1', op: 'turnOff', ok: true }, now + 7);
    expect(vmOps(done)).toEqual(['start']);
    expect(done.state.held).toEqual({});
  });

  it('is not started again, once turned off for a moment out of quorum, while the target may run it', () => {
    const { s, peer, now } = formed();
    const held = step(s, { type: 'vmState', name: 'VM1', state: 'Held' }, now).state;
    // Turned off while its node had no quorum for a moment; quorum is back.
    const off = step(held, { type: 'vmState', name: 'VM1', state: 'Off' }, now + 1);
    expect(vmOps(off)).toEqual([]);
    const clear = step(off.state, answer(peer, now + 5, now + 2, []), now + 5);
    expect(vmOps(clear)).toEqual(['start']);
  });

  it('is released once the target was removed, fenced and its lease surely ended', () => {
    const { s, now } = formed();
    const held = step(s, { type: 'vmState', name: 'VM1', state: 'Held' }, now).state;
    const lastOkAt = held.peers[N2]!.lastOkAt!;
    const alone: ClusterState = { ...held, members: [N1], leaseUntil: now + 60_000 };
    // Still being fenced, or its lease may still hold: held.
    const fencing = {
      victims: [N2],
      leasesEndAt: now,
      safeAt: now,
      fenced: true,
      busy: false,
      csvPrevious: {},
    };
    // (Each check is a reconciliation, as every tick makes; a tick would also count the votes.)
    const again: ClusterMsg = { type: 'vmState', name: 'VM1', state: 'Held' };
    expect(vmOps(step({ ...alone, fencing }, again, now + 1))).toEqual([]);
    expect(vmOps(step(alone, again, lastOkAt + 1000))).toEqual([]);
    // Fenced and taken over, its lease over (the fresh window, a lease, an arbitration): released.
    expect(vmOps(step(alone, again, lastOkAt + 10_000))).toEqual(['turnOff']);
  });

  it("counts the target's lease from the later of its last answer and its last request taken here", () => {
    const { s, now } = formed();
    const held = step(s, { type: 'vmState', name: 'VM1', state: 'Held' }, now).state;
    const lastOkAt = held.peers[N2]!.lastOkAt!;
    // The target's own heartbeat came after its last answer: answered, it renewed its lease on
    // that answer, up to one heartbeat interval after this node took it (fencing.ts
    // victimsLeaseEnd counts the same).
    const heardAt = lastOkAt + held.delayMs / 2;
    const alone: ClusterState = {
      ...held,
      members: [N1],
      leaseUntil: now + 60_000,
      peers: { ...held.peers, [N2]: { ...held.peers[N2]!, lastHeardAt: heardAt } },
    };
    const lease = 2 * held.delayMs + leaseMs(held) + arbitrationMs(held);
    const again: ClusterMsg = { type: 'vmState', name: 'VM1', state: 'Held' };
    expect(vmOps(step(alone, again, lastOkAt + lease + 1))).toEqual([]);
    expect(vmOps(step(alone, again, heardAt + held.delayMs + lease))).toEqual(['turnOff']);
  });
});
