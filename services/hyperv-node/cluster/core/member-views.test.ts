/**
 * What a member's view tells the others about it, found by the deterministic simulation on
 * four-node.yaml (default timing, 10 minutes):
 * - seed 21: the leader judged a node that had joined a moment before its first regroup by the view
 *   it gave while it was still Joining (hearing nobody), removed it with no fault at all, and kept
 *   it out while it waited to take over its role (docs/design.md §Regroup);
 * - seed 36: a member whose peers had all left the cluster (fenced, lost quorum) kept their
 *   membership and its stopped leader for good, while they waited for it to admit them.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../../../actor/clock.js';
import { type ClusterState, decideCluster, initialCluster, type View } from './decide.js';
import type { ClusterMsg } from './protocol.js';
import type { ServiceState } from './state.js';

const NODES = ['HVR2NODO1', 'HVR2NODO2', 'HVR2NODO3', 'HVR2NODO4'] as const;
const [N1, N2, N3, N4] = NODES;
const NOW = 10_000;

/** A peer's view: running member of {N1..N4} at `epoch` hearing everyone, unless told otherwise. */
function view(node: string, epoch: number, over: Partial<View> = {}): View {
  return {
    node,
    service: 'Running',
    epoch,
    members: [...NODES],
    leader: N4,
    configVersion: 10,
    witness: { owner: N4, epoch: 1, status: 'online' },
    witnessHeld: false,
    roles: {},
    leaseRemainingMs: 4_000,
    hears: NODES.filter((n) => n !== node),
    ...over,
  };
}

/** `self`, Running in {N1..N4} at epoch 3 led by `leader`, every peer heard 10 ms ago. */
function member(self: string, leader: string, views: Record<string, View>): ClusterState {
  const s = initialCluster({
    cluster: 'C',
    self,
    nodes: NODES.map((name, i) => ({ name, id: i + 1 })),
    model: 'node-and-disk-majority',
    delayMs: 1000,
    threshold: 5,
    defendMs: 1000,
    witnessKeepsConfig: true,
    csv: [],
    saved: null,
    now: 0,
  });
  const peers = { ...s.peers };
  for (const n of NODES.filter((x) => x !== self))
    peers[n] = { lastOkAt: NOW - 10, lastAskedAt: NOW - 10, missed: 0, down: false, view: views[n] ?? null };
  return {
    ...s,
    service: 'Running',
    epoch: 3,
    members: [...NODES],
    leader,
    quorum: { has: true, votes: 4, needed: 3, total: 5 },
    leaseUntil: NOW + 4_000,
    config: { version: 10, roles: {}, csv: {} },
    needsRegister: false,
    peers,
  };
}

const decide = (s: ClusterState, msg: ClusterMsg, now = NOW) =>
  decideCluster(s, msg, { now, random: new Random(1), self: s.self });

describe('a leader regrouping by reachability', () => {
  it('does not judge a member by the view it gave before it was admitted', () => {
    const s = member(N4, N4, {
      [N1]: view(N1, 3),
      [N2]: view(N2, 0, { service: 'Joining', members: [], leader: null, hears: [] }),
      [N3]: view(N3, 3),
    });
    const d = decide(s, { type: 'tick' });
    expect(d.state.members).toEqual([...NODES]);
  });

  it('still removes a running member that hears too few of the others', () => {
    const s = member(N4, N4, {
      [N1]: view(N1, 3),
      [N2]: view(N2, 3, { hears: [N4] }),
      [N3]: view(N3, 3, { hears: [N1, N4] }),
    });
    const d = decide(s, { type: 'tick' });
    expect(d.state.members).toEqual([N1, N3, N4]);
  });
});

describe('a member that just joined', () => {
  it('does not take the views its peers gave before they were admitted for departures', () => {
    const joining = (node: string) =>
      view(node, 0, { service: 'Joining', members: [], leader: null, hears: [] });
    const s0 = member(N2, N1, { [N1]: joining(N1), [N3]: joining(N3), [N4]: joining(N4) });
    const s: ClusterState = { ...s0, peers: { ...s0.peers, [N4]: { ...s0.peers[N4]!, missed: 4 } } };
    // N4 misses its fifth heartbeat: the acting member (N1, the lowest id still running) regroups.
    const d = decide(s, { type: 'hbResult', peer: N4, ok: false });
    expect(d.state.service).toBe('Running');
    expect(d.state.members).toEqual([...NODES]);
  });
});

describe('a member whose peers all left the cluster', () => {
  it('regroups without them instead of keeping their membership', () => {
    let s = member(N4, N1, {
      [N1]: view(N1, 3, { leader: N1 }),
      [N2]: view(N2, 3, { leader: N1 }),
      [N3]: view(N3, 3, { leader: N1 }),
    });
    const left = (node: string, service: ServiceState, epoch: number) =>
      ({ type: 'hbRequest', view: view(node, epoch, { service, members: [], leader: null }) }) as ClusterMsg;
    s = decide(s, left(N1, 'Fenced', 3)).state;
    s = decide(s, left(N2, 'Stopped', 5)).state;
    const d = decide(s, left(N3, 'Stopped', 4));
    // Alone it has 1 of 5 votes: it stops (1177) and forms again with the nodes it hears.
    expect(d.state.service).toBe('Stopped');
    expect(d.effects).toContainEqual(expect.objectContaining({ kind: 'quorum-lost' }));
  });
});

describe('a leader that has just admitted a node', () => {
  const joining = (epoch: number): ClusterMsg => ({
    type: 'hbRequest',
    view: view(N2, epoch, { service: 'Joining', members: [], leader: null, hears: [N1, N3, N4] }),
  });

  it('does not admit it again for a view it sent before it was admitted', () => {
    // N2 left at epoch 2; N4 admitted it at epoch 3, and N2's heartbeat from before crosses the push.
    const d = decide(member(N4, N4, { [N1]: view(N1, 3), [N3]: view(N3, 3) }), joining(2));
    expect(d.state.epoch).toBe(3);
    expect(d.effects).not.toContainEqual(expect.objectContaining({ kind: 'node-joined' }));
  });

  it('admits again a member that shows it is out at this epoch', () => {
    const d = decide(member(N4, N4, { [N1]: view(N1, 3), [N3]: view(N3, 3) }), joining(3));
    expect(d.effects).toContainEqual(expect.objectContaining({ kind: 'node-joined' }));
  });
});
