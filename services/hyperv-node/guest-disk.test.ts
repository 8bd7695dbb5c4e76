/**
 * The boot scan of a VM's disk (guest-disk.ts lastSeqOnDisk): it finds the newest record, and a
 * disk it cannot read whole fails the boot instead of guessing from the part it read.
 */
import { describe, expect, it } from 'vitest';
import type { VmSpec } from '../process/config.js';
import { lastSeqOnDisk } from './guest-disk.js';
import type { IoResult, StorageOp } from './mpio.js';
import { encodeRecord, recordOffset } from './record.js';

const MIB = 1024 * 1024;
const spec: VmSpec = {
  name: 'VM1',
  memoryMiB: 4,
  diskPath: 'C:\\ClusterStorage\\Volume1\\VM1\\VM1.vhd',
  lun: 'CSV1',
  diskOffsetBytes: 0,
  diskSizeBytes: 16 * MIB,
  switchName: 'VMs',
  node: 'HVR2NODO1',
};

/** A disk holding records from..n (a wrapped journal writes over its oldest); reads at or past `failFrom` fail. */
function disk(n: number, failFrom = Number.POSITIVE_INFINITY, from = 1) {
  const bytes = Buffer.alloc(spec.diskSizeBytes);
  const reads: number[] = [];
  for (let seq = from; seq <= n; seq++)
    encodeRecord({ vm: 'VM1', seq, timeMs: seq, writer: 'HVR2NODO1', incarnation: '0000000100000001' }).copy(
      bytes,
      recordOffset(0, spec.diskSizeBytes, seq),
    );
  return {
    reads,
    async io(_lun: string, op: StorageOp): Promise<IoResult> {
      if (op.kind !== 'read') return { ok: true };
      reads.push(op.offset);
      if (op.offset >= failFrom) return { ok: false, code: 'ALL_PATHS_DOWN', message: 'every path failed' };
      return { ok: true, data: bytes.subarray(op.offset, op.offset + op.length) };
    },
  };
}

describe('the boot scan of a VM disk', () => {
  it('finds the newest record', async () => {
    expect(await lastSeqOnDisk(disk(3000), spec, () => {})).toBe(3000);
  });

  it('reads up to the journal’s end: the pieces in flight when the first one of nothing but zeros came back', async () => {
    const d = disk(300);
    expect(await lastSeqOnDisk(d, spec, () => {})).toBe(300);
    // 300 records end in the second MiB and the third holds none; four reads are in flight, and
    // the first two to come back each asked for the next piece before the third came back.
    expect(d.reads).toEqual([0, 1, 2, 3, 4, 5].map((i) => i * MIB));
  });

  it('reads the whole disk of a journal that wrapped, and finds its newest record past the wrap', async () => {
    const slots = spec.diskSizeBytes / 4096;
    const d = disk(slots + 300, Number.POSITIVE_INFINITY, 301);
    expect(await lastSeqOnDisk(d, spec, () => {})).toBe(slots + 300);
    expect(d.reads).toHaveLength(16);
  });

  it('fails the boot when part of the disk cannot be read, rather than guess a lower newest record', async () => {
    const late = recordOffset(0, spec.diskSizeBytes, 3000);
    expect(late).toBeGreaterThan(4 * MIB);
    await expect(lastSeqOnDisk(disk(3000, 2 * MIB), spec, () => {})).rejects.toMatchObject({
      code: 'ALL_PATHS_DOWN',
    });
  });
});
