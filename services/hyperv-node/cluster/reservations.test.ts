/**
 * Fencing asks, before every preempt, whether the node may still fence (core/fencing.ts
 * mayFence): a node that lost quorum while its fencing was under way preempts nobody more, and
 * registers its key nowhere.
 */
import { describe, expect, it } from 'vitest';
import type { NodeSettings } from '../../process/config.js';
import type { StorageOp } from '../mpio.js';
import { ClusterReservations } from './reservations.js';

const settings = {
  nodeId: 1,
  luns: ['CSV1', 'Quorum'],
  sharedVolumes: [{ lun: 'CSV1' }],
  witnessLun: 'Quorum',
  clusterNodes: [
    { name: 'HVR2NODO1', nodeId: 1 },
    { name: 'HVR2NODO2', nodeId: 2 },
    { name: 'HVR2NODO3', nodeId: 3 },
  ],
} as unknown as NodeSettings;

/** Reservations over a disk that answers every command and records what it was sent. */
function recorded() {
  const sent: StorageOp['kind'][] = [];
  const disks = {
    io: async (_lun: string, op: StorageOp) => {
      sent.push(op.kind);
      return { ok: true as const, prState: { reservation_key: '00' } };
    },
  };
  return { sent, pr: new ClusterReservations(settings, disks) };
}

describe('fencing the removed nodes', () => {
  it('preempts every victim on every shared LUN while the node may fence', async () => {
    const { sent, pr } = recorded();
    await pr.fence(['HVR2NODO2', 'HVR2NODO3'], () => true);
    expect(sent.filter((k) => k === 'preempt')).toHaveLength(4);
  });

  it('stops before the next preempt once the node may no longer fence, and says why', async () => {
    const { sent, pr } = recorded();
    let allowed = 3; // two registrations and one preempt, then the node lost quorum
    await expect(pr.fence(['HVR2NODO2', 'HVR2NODO3'], () => allowed-- > 0)).rejects.toThrow(
      /fencing HVR2NODO3 abandoned: this node lost quorum/,
    );
    expect(sent.filter((k) => k === 'preempt')).toHaveLength(1);
  });

  it('registers its key nowhere once it may no longer fence: a registration would undo the preempt of the new majority', async () => {
    const { sent, pr } = recorded();
    await expect(pr.fence(['HVR2NODO2'], () => false)).rejects.toThrow(
      /fencing abandoned: this node lost quorum/,
    );
    expect(sent).toEqual([]);
  });
});
