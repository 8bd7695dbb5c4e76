/**
 * The injected bug answer-after-quorum-loss (services/process/injected-bugs.ts) changes one
 * decision of the cluster core: a node without a lease keeps its running VMs. Without the bug the
 * same state turns them off.
 */
import { describe, expect, it } from 'vitest';
import type { VmSpec } from '../../../process/config.js';
import { parseInjectedBugs } from '../../../process/injected-bugs.js';
import { reconcile } from './roles.js';
import { type ClusterState, initialCluster } from './state.js';

/** A node whose cluster service stopped (quorum lost) while VM1, which another node now owns, runs here. */
function stoppedWithVmRunning(bug?: string): ClusterState {
  const s = initialCluster({
    cluster: 'C',
    self: 'N2',
    nodes: [
      { name: 'N1', id: 1 },
      { name: 'N2', id: 2 },
    ],
    model: 'node-and-disk-majority',
    delayMs: 250,
    threshold: 4,
    defendMs: 500,
    witnessKeepsConfig: true,
    csv: [],
    saved: null,
    now: 0,
    bugs: parseInjectedBugs(bug),
  });
  const role = {
    name: 'VM1',
    vm: {} as VmSpec,
    owner: 'N1',
    preferredOwners: [],
    allowFailback: false,
    desired: 'Online' as const,
    moving: null,
    failovers: [],
    failed: false,
  };
  return { ...s, service: 'Stopped', config: { ...s.config, roles: { VM1: role } }, vms: { VM1: 'Running' } };
}

describe('the injected bug answer-after-quorum-loss in the cluster core', () => {
  it('turns the VM off without the bug', () => {
    const d = reconcile(stoppedWithVmRunning(), 1000);
    expect(d.effects).toContainEqual({ type: 'vm', op: 'turnOff', name: 'VM1', spec: undefined });
  });

  it('keeps it running with the bug', () => {
    const d = reconcile(stoppedWithVmRunning('answer-after-quorum-loss'), 1000);
    expect(d.effects.filter((e) => e.type === 'vm')).toEqual([]);
  });
});
