import { describe, expect, it } from 'vitest';
import { chassisList, parseTopology, resolveTopology } from '../orchestrator/topology/topology.js';
import { scaleSlot, scaleTopology, vmCounts } from './scale.js';

describe('the scale session’s data center', () => {
  it('spreads 1000 VMs over 16 nodes within the 2008 R2 limits', () => {
    const counts = vmCounts(16, 0, 1000);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(Math.max(...counts) - Math.min(...counts)).toBe(1);
    // docs/domain.md §Resources and groups: at most 384 running VMs on one node.
    expect(Math.max(...counts)).toBeLessThanOrEqual(384);
  });

  it('puts 16 nodes in three chassis of 6, 6 and 4 bays, each blade powered by its own MM', () => {
    const t = parseTopology(scaleTopology(16, 1, 1000), 'scale-16.yaml');
    expect(chassisList(t).map((p) => p.chassis.blades.length)).toEqual([6, 6, 4]);
    expect(t.vms).toHaveLength(1000);
    const hosts = resolveTopology(t, 'scale-16.yaml').hosts;
    for (let i = 1; i <= 16; i++) {
      const node = hosts.find((h) => h.name === `HVR2NODO${i}`);
      const { mm, bay } = scaleSlot(16, i);
      expect([node?.managementModule, node?.bay?.number]).toEqual([mm, bay]);
    }
    expect(scaleSlot(16, 16)).toEqual({ mm: 'mm3', bay: 4 });
  });

  it('keeps six nodes or fewer in the one chassis written as a mapping', () => {
    const t = parseTopology(scaleTopology(6, 167), 'scale-6.yaml');
    expect(Array.isArray(t.chassis)).toBe(false);
    expect(scaleSlot(6, 6)).toEqual({ mm: 'mm', bay: 6 });
    expect(t.vms).toHaveLength(1002);
  });
});
