import { describe, expect, it } from 'vitest';
import { contentHash } from '../observability/content-hash.js';
import { HASHED_WRITE_BYTES_MAX, logDraft } from './controller-log.js';
import { initialState } from './core/decide.js';
import { write } from './core/test-support.js';

const state = initialState({ blockSize: 512, internalInitiators: [] });
const n1 = { host: 'HVR2NODO1', port: 'rssm3' };

describe('controller log drafts', () => {
  it('hashes a record-sized write and leaves the hash of a larger write empty', () => {
    const record = Buffer.alloc(4096, 7);
    const small = logDraft(state, write(n1, 0, record)(1), state);
    expect(small).toMatchObject({ kind: 'write', length: 4096, hash: contentHash(record) });
    const limit = Buffer.alloc(HASHED_WRITE_BYTES_MAX, 1);
    expect(logDraft(state, write(n1, 0, limit)(2), state)).toMatchObject({ hash: contentHash(limit) });
    const large = logDraft(state, write(n1, 0, Buffer.alloc(1 << 20, 7))(3), state);
    expect(large).toMatchObject({ kind: 'write', length: 1 << 20, hash: '' });
  });
});
