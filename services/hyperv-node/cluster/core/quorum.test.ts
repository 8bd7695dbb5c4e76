import { describe, expect, it } from 'vitest';
import { countVotes, failuresTolerated, witnessWouldDecide } from './quorum.js';

describe('quorum vote arithmetic (docs/domain.md §Vote arithmetic)', () => {
  it('gives our two-node Node and Disk Majority cluster three votes and needs two', () => {
    expect(countVotes('node-and-disk-majority', 2, 2, true)).toEqual({
      votes: 3,
      needed: 2,
      total: 3,
      has: true,
    });
    expect(countVotes('node-and-disk-majority', 2, 1, true)).toEqual({
      votes: 2,
      needed: 2,
      total: 3,
      has: true,
    });
    expect(countVotes('node-and-disk-majority', 2, 1, false)).toEqual({
      votes: 1,
      needed: 2,
      total: 3,
      has: false,
    });
    expect(countVotes('node-and-disk-majority', 2, 2, false).has).toBe(true);
  });

  it('lets only the half that wins the witness keep quorum when two nodes are isolated', () => {
    expect(countVotes('node-and-disk-majority', 2, 1, true).has).toBe(true);
    expect(countVotes('node-and-disk-majority', 2, 1, false).has).toBe(false);
    expect(witnessWouldDecide('node-and-disk-majority', 2, 1)).toBe(true);
    expect(witnessWouldDecide('node-and-disk-majority', 2, 2)).toBe(false);
  });

  it('needs more than half the nodes in Node Majority, ignoring any witness', () => {
    expect(countVotes('node-majority', 3, 2, false)).toEqual({ votes: 2, needed: 2, total: 3, has: true });
    expect(countVotes('node-majority', 3, 1, true).has).toBe(false);
    expect(countVotes('node-majority', 2, 1, true).has).toBe(false);
    expect(witnessWouldDecide('node-majority', 2, 1)).toBe(false);
  });

  it('counts the file share witness like the disk in Node and File Share Majority', () => {
    expect(countVotes('node-and-file-share-majority', 4, 2, true)).toEqual({
      votes: 3,
      needed: 3,
      total: 5,
      has: true,
    });
    expect(countVotes('node-and-file-share-majority', 4, 2, false).has).toBe(false);
  });

  it('runs with one node that reaches the disk in Disk Only, and with none that does not', () => {
    expect(countVotes('disk-only', 4, 1, true)).toEqual({ votes: 1, needed: 1, total: 1, has: true });
    expect(countVotes('disk-only', 4, 4, false).has).toBe(false);
  });

  it('tolerates the documented number of failures', () => {
    // Node Majority: ceil(N/2) - 1; a two-node cluster tolerates none.
    expect(failuresTolerated('node-majority', 2, false)).toBe(0);
    expect(failuresTolerated('node-majority', 3, false)).toBe(1);
    expect(failuresTolerated('node-majority', 5, false)).toBe(2);
    // Node and Disk Majority: half the nodes with the witness online, half minus one without.
    expect(failuresTolerated('node-and-disk-majority', 2, true)).toBe(1);
    expect(failuresTolerated('node-and-disk-majority', 4, true)).toBe(2);
    expect(failuresTolerated('node-and-disk-majority', 4, false)).toBe(1);
  });
});
