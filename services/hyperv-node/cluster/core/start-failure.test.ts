/**
 * A start the VM manager accepted can still fail before the VM runs (its disk's journal cannot be
 * read at boot, its memory or saved state cannot be had). The cluster treats it as its resource
 * failing to come online (Event 1069): restart in place, then fail the group over (1205) — not
 * an endless silent retry on the same node, which is what a CI run of the README's example
 * showed when the role never came online.
 */
import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../../sim/cluster-harness.js';
import { Random } from '../../../actor/clock.js';
import { decideCluster } from './decide.js';
import type { ClusterEffectOrTimer } from './protocol.js';
import { reportFailures } from './role-policies.js';
import type { ClusterState } from './state.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

/** N2 of the seed's cluster, owner of VM1, whose VM is starting. */
function starting(): ClusterState {
  const sim = new ClusterHarness([N1, N2]);
  sim.formWithRole('VM1', N2);
  sim.run(500);
  const s = sim.node(N2);
  return { ...s, vms: { ...s.vms, VM1: 'Starting' } };
}

const ctx = (now: number) => ({ now, random: new Random(1), self: N2 });
const failed = { type: 'vmStartFailed', name: 'VM1', error: "reading VM1's disk at 0: IO_ERROR" } as const;
const ids = (effects: ClusterEffectOrTimer[]): (number | string)[] =>
  effects.flatMap((e): (number | string)[] =>
    e.type === 'event' ? [e.eventId] : e.type === 'forward' ? [e.cmd.op] : [],
  );

describe('a start that fails after the VM manager accepted it', () => {
  it('logs 1069 and restarts in place three times, then fails the group over', () => {
    let s = starting();
    const seen: (number | string)[][] = [];
    for (let i = 0; i < 4; i++) {
      const d = decideCluster(s, failed, ctx(1000 + i));
      seen.push(ids(d.effects));
      s = { ...d.state, vms: { ...d.state.vms, VM1: 'Starting' } };
    }
    expect(seen).toEqual([[1069], [1069], [1069], [1069, 1205, 'failRole']]);
    expect(s.roleErrors.VM1).toContain("reading VM1's disk");
  });

  it('starts the VM again once it is Off after a failure within the restarts', () => {
    const d = decideCluster(starting(), failed, ctx(1000));
    const off = decideCluster(d.state, { type: 'vmState', name: 'VM1', state: 'Off' }, ctx(1001));
    expect(off.effects).toContainEqual({ type: 'vm', op: 'start', name: 'VM1', spec: undefined });
  });

  it('is ignored for a role this node does not own', () => {
    const s = starting();
    const role = s.config.roles.VM1!;
    const other = { ...s, config: { ...s.config, roles: { VM1: { ...role, owner: N1 } } } };
    expect(decideCluster(other, failed, ctx(1000)).effects).toEqual([]);
  });

  it('reports a role whose restarts ran out to the leader again until the leader acts on it', () => {
    let s = starting();
    for (let i = 0; i < 4; i++) s = { ...decideCluster(s, failed, ctx(1000)).state, vms: { VM1: 'Off' } };
    const forwards = (d: { effects: ClusterEffectOrTimer[] }) =>
      ids(d.effects).filter((x) => x === 'failRole');
    // The first report went with the 1205; it is sent again once a heartbeat threshold has passed.
    const period = s.delayMs * s.threshold;
    expect(forwards(reportFailures(s, 1000 + period - 1))).toEqual([]);
    const again = reportFailures(s, 1000 + period);
    expect(forwards(again)).toEqual(['failRole']);
    expect(forwards(reportFailures(again.state, 1000 + period + 1))).toEqual([]);
    // Once the leader moved the role or marked it Failed, nothing more is sent.
    const role = s.config.roles.VM1!;
    const moved = { ...s, config: { ...s.config, roles: { VM1: { ...role, owner: N1 } } } };
    expect(forwards(reportFailures(moved, 1000 + 2 * period))).toEqual([]);
    const marked = { ...s, config: { ...s.config, roles: { VM1: { ...role, failed: true } } } };
    expect(forwards(reportFailures(marked, 1000 + 2 * period))).toEqual([]);
  });
});
