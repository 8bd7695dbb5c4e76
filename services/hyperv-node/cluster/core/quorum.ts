/**
 * Vote arithmetic of the four quorum models of Windows Server 2008 R2 (docs/domain.md §Quorum models).
 * The majority models need more than half the votes (v/2+1); Disk Only needs the disk.
 */

export type QuorumModel =
  | 'node-majority'
  | 'node-and-disk-majority'
  | 'node-and-file-share-majority'
  | 'disk-only';

/** The votes of a partition and whether they make quorum. */
export interface Votes {
  votes: number;
  needed: number;
  total: number;
  has: boolean;
}

/** Whether the model gives the witness a vote. */
export function usesWitness(model: QuorumModel): boolean {
  return model !== 'node-majority';
}

/**
 * The votes a partition holds: `nodesUp` cluster nodes of `nodesTotal`, and whether the
 * partition holds the witness.
 */
export function countVotes(
  model: QuorumModel,
  nodesTotal: number,
  nodesUp: number,
  witnessHeld: boolean,
): Votes {
  switch (model) {
    case 'node-majority': {
      const needed = Math.floor(nodesTotal / 2) + 1;
      return { votes: nodesUp, needed, total: nodesTotal, has: nodesUp >= needed };
    }
    case 'node-and-disk-majority':
    case 'node-and-file-share-majority': {
      const total = nodesTotal + 1;
      const needed = Math.floor(total / 2) + 1;
      const votes = nodesUp + (witnessHeld ? 1 : 0);
      return { votes, needed, total, has: votes >= needed };
    }
    case 'disk-only': {
      // Only the disk votes: one node that reaches it runs the cluster (docs/domain.md §Quorum models).
      const votes = witnessHeld && nodesUp > 0 ? 1 : 0;
      return { votes, needed: 1, total: 1, has: votes >= 1 };
    }
  }
}

/** Whether winning the witness would give this partition quorum (so it is worth arbitrating). */
export function witnessWouldDecide(model: QuorumModel, nodesTotal: number, nodesUp: number): boolean {
  return (
    usesWitness(model) &&
    !countVotes(model, nodesTotal, nodesUp, false).has &&
    countVotes(model, nodesTotal, nodesUp, true).has
  );
}

/** How many node failures the cluster tolerates (docs/domain.md §Vote arithmetic), with the witness online or not. */
export function failuresTolerated(model: QuorumModel, nodesTotal: number, witnessOnline: boolean): number {
  let n = 0;
  while (n < nodesTotal && countVotes(model, nodesTotal, nodesTotal - (n + 1), witnessOnline).has) n++;
  return n;
}
