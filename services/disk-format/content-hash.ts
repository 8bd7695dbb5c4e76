/**
 * The content hash the independent witnesses of a chaos run agree on: the storage controller logs
 * it for every write it acknowledges, a VM's workload for every record it writes, and the
 * recorder for every record it reads back, so a write can be matched across the three without
 * shipping its bytes. CRC32 (node:zlib) is enough to tell records apart (each record differs in
 * its sequence number, writer and incarnation) and costs about a microsecond on a 4 KiB block.
 */
import { crc32 } from 'node:zlib';

/** The hash of a block's content: its CRC32 as 8 lower-case hex digits. */
export function contentHash(data: Uint8Array): string {
  return crc32(data).toString(16).padStart(8, '0');
}
