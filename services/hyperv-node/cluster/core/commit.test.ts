/**
 * A configuration push commits on a majority of copies, and only while its leader still leads
 * (replication.ts commitError): a leader that lost quorum and joined another leader's cluster
 * while its push waited on a member must not tell its callers that their change committed.
 */
import { describe, expect, it } from 'vitest';
import { commitError } from './replication.js';

const push = { config: { version: 35 }, needed: 3 };

describe('a push commits', () => {
  it('on a majority of copies while its leader leads', () => {
    expect(commitError(push, 3, true)).toBeNull();
    expect(commitError(push, 5, true)).toBeNull();
  });

  it('not on fewer copies, saying how many it reached', () => {
    expect(commitError(push, 2, true)).toEqual({
      code: 'UNAVAILABLE',
      message: 'configuration version 35 reached only 2 of the 3 copies it needs to commit',
    });
  });

  it('not once its leader stopped leading, however many copies it reached', () => {
    expect(commitError(push, 4, false)).toEqual({
      code: 'UNAVAILABLE',
      message: 'this node stopped leading the cluster before configuration version 35 committed',
    });
  });
});
