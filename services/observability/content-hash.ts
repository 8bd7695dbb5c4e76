/**
 * The content hash the independent witnesses of a chaos run agree on: the storage controller logs
 * it for every write it acknowledged, a VM's workload for every record it writes, and the
 * recorder for every record it reads back, so a write can be matched across the three without
 * shipping its bytes. It is the first 8 bytes of the block's SHA-1 (about 3 µs on 4 KiB). CRC32
 * is three times cheaper but not enough: a record ends with the CRC32 of the rest, and the CRC32
 * of data followed by its own CRC is an affine function with far fewer outcomes than 2^32 — a run
 * of a few hundred records already produced two records of different writers with one hash.
 */
import * as crypto from 'node:crypto';

/** One-shot hashing (Node.js 20.12 and later): no Hash object per block, ~15% less per 4 KiB. */
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : null;

/** The hash of a block's content: the first 8 bytes of its SHA-1, as 16 lower-case hex digits. */
export function contentHash(data: Uint8Array): string {
  const hex = oneShot ? oneShot('sha1', data, 'hex') : crypto.createHash('sha1').update(data).digest('hex');
  return hex.slice(0, 16);
}
