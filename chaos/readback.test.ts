import { describe, expect, it } from 'vitest';
import { encodeRecord, RECORD_SIZE } from '../services/hyperv-node/record.js';
import { contentHash } from '../services/observability/content-hash.js';
import { judgeSlot } from './readback.js';

describe('judgeSlot', () => {
  const writer = { writer: 'HVR2NODO2', incarnation: '00000001000000aa' };
  const block = (seq: number, w = writer) => encodeRecord({ vm: 'VirtualMachine1', seq, timeMs: 1, ...w });

  it('reads back the record acknowledged with its writer, incarnation and content hash', () => {
    const b = block(5);
    expect(judgeSlot('VirtualMachine1', 5, b, 16)).toEqual({
      seq: 5,
      present: true,
      ...writer,
      hash: contentHash(b),
    });
  });

  it('names the new writer of a sequence number rewritten by another instance', () => {
    const other = { writer: 'HVR2NODO1', incarnation: '00000002000000bb' };
    const found = judgeSlot('VirtualMachine1', 5, block(5, other), 16);
    expect(found).toMatchObject({ present: true, writer: 'HVR2NODO1' });
    expect(found.hash).not.toBe(contentHash(block(5)));
  });

  it('accepts a later lap of the journal in the slot, and nothing else', () => {
    expect(judgeSlot('VirtualMachine1', 5, block(21), 16)).toEqual({
      seq: 5,
      present: false,
      overwrittenBy: 21,
    });
    expect(judgeSlot('VirtualMachine1', 5, block(4), 16)).toMatchObject({ present: false });
    expect(judgeSlot('VirtualMachine1', 5, Buffer.alloc(RECORD_SIZE), 16)).toEqual({
      seq: 5,
      present: false,
    });
  });
});
