import { describe, expect, it } from 'vitest';
import { DcboxError } from '../../actor/errors.js';
import {
  ALIGN_BYTES,
  createFile,
  DATA_START_BYTES,
  deleteFile,
  emptyTable,
  extendFile,
  type FileTable,
  freeRanges,
  lookupFile,
  seedFiles,
  validateTable,
} from './file-table.js';

const MiB = 1024 * 1024;
const ROOT = 'C:\\ClusterStorage\\Volume1';
const table = (lunSizeBytes = 100 * 1024 * MiB): FileTable =>
  emptyTable({ volume: 'Volume1', lun: 'CSV1', root: ROOT, lunSizeBytes });

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DcboxError) return err.code;
    throw err;
  }
  throw new Error('expected an error');
}

describe('CSV file table', () => {
  it('places the first file at 64 MiB, after the reserved head', () => {
    const r = createFile(table(), `${ROOT}\\VM1\\VM1.vhd`, 64 * MiB);
    expect(r.entry).toEqual({ path: `${ROOT}\\VM1\\VM1.vhd`, offset: DATA_START_BYTES, sizeBytes: 64 * MiB });
  });

  it('aligns every extent to 1 MiB and rounds the space used up to whole MiB', () => {
    const a = createFile(table(), `${ROOT}\\a.bin`, 512);
    const b = createFile(a.table, `${ROOT}\\b.bin`, MiB + 512);
    const c = createFile(b.table, `${ROOT}\\c.bin`, 1024);
    expect(a.entry.offset).toBe(64 * MiB);
    expect(b.entry.offset).toBe(65 * MiB);
    expect(c.entry.offset).toBe(67 * MiB);
    for (const f of c.table.files) expect(f.offset % ALIGN_BYTES).toBe(0);
  });

  it('reuses a freed extent first-fit', () => {
    let t = createFile(table(), `${ROOT}\\a.vhd`, 4 * MiB).table;
    t = createFile(t, `${ROOT}\\b.vhd`, 4 * MiB).table;
    t = deleteFile(t, `${ROOT}\\a.vhd`);
    const small = createFile(t, `${ROOT}\\c.bin`, 2 * MiB);
    expect(small.entry.offset).toBe(64 * MiB);
    const big = createFile(small.table, `${ROOT}\\d.vhd`, 8 * MiB);
    expect(big.entry.offset).toBe(72 * MiB);
  });

  it('treats paths case-insensitively and accepts forward slashes', () => {
    const t = createFile(table(), `${ROOT}\\VM1\\VM1.vhd`, MiB).table;
    expect(lookupFile(t, 'c:/clusterstorage/volume1/vm1/VM1.VHD').offset).toBe(64 * MiB);
    expect(codeOf(() => createFile(t, 'C:\\CLUSTERSTORAGE\\VOLUME1\\vm1\\vm1.vhd', MiB))).toBe(
      'ALREADY_EXISTS',
    );
  });

  it('refuses paths outside the volume, the root itself, and bad components', () => {
    const t = table();
    for (const p of [
      'C:\\ClusterStorage\\Volume2\\x.vhd',
      'C:\\ClusterStorage\\Volume1',
      'C:\\ClusterStorage\\Volume1\\',
      'C:\\ClusterStorage\\Volume10\\x.vhd',
      `${ROOT}\\..\\Volume2\\x.vhd`,
      `${ROOT}\\a\\\\b.vhd`,
      `${ROOT}\\a?.vhd`,
      `${ROOT}\\${'x'.repeat(260)}`,
      '',
    ]) {
      expect(
        codeOf(() => createFile(t, p, MiB)),
        p,
      ).toBe('INVALID_ARGUMENT');
    }
  });

  it('refuses sizes that are not positive whole blocks', () => {
    for (const size of [0, -512, 1000, 1.5, Number.NaN])
      expect(
        codeOf(() => createFile(table(), `${ROOT}\\a.vhd`, size)),
        String(size),
      ).toBe('INVALID_ARGUMENT');
  });

  it('answers NOT_FOUND for a missing file on lookup, extend and delete', () => {
    const t = table();
    expect(codeOf(() => lookupFile(t, `${ROOT}\\none.vhd`))).toBe('NOT_FOUND');
    expect(codeOf(() => extendFile(t, `${ROOT}\\none.vhd`, MiB))).toBe('NOT_FOUND');
    expect(codeOf(() => deleteFile(t, `${ROOT}\\none.vhd`))).toBe('NOT_FOUND');
  });

  it('extends a file in place while the next extent leaves room, and not past it', () => {
    let t = createFile(table(), `${ROOT}\\a.vhd`, MiB).table;
    t = createFile(t, `${ROOT}\\b.vhd`, MiB).table;
    t = deleteFile(t, `${ROOT}\\b.vhd`);
    t = createFile(t, `${ROOT}\\c.vhd`, MiB).table; // takes b's old place at 65 MiB
    t = deleteFile(t, `${ROOT}\\c.vhd`);
    const grown = extendFile(t, `${ROOT}\\a.vhd`, 3 * MiB);
    expect(grown.entry).toEqual({ path: `${ROOT}\\a.vhd`, offset: 64 * MiB, sizeBytes: 3 * MiB });
    const blocked = createFile(grown.table, `${ROOT}\\d.vhd`, MiB).table; // at 67 MiB
    expect(codeOf(() => extendFile(blocked, `${ROOT}\\a.vhd`, 3 * MiB + 512))).toBe('OUT_OF_RANGE');
    expect(extendFile(blocked, `${ROOT}\\a.vhd`, 3 * MiB).entry.sizeBytes).toBe(3 * MiB);
    expect(codeOf(() => extendFile(blocked, `${ROOT}\\a.vhd`, MiB))).toBe('INVALID_ARGUMENT');
  });

  it('answers OUT_OF_RANGE when the volume is full', () => {
    const t = table(DATA_START_BYTES + 10 * MiB);
    const r = createFile(t, `${ROOT}\\a.vhd`, 8 * MiB);
    expect(codeOf(() => createFile(r.table, `${ROOT}\\b.vhd`, 3 * MiB))).toBe('OUT_OF_RANGE');
    expect(createFile(r.table, `${ROOT}\\b.vhd`, 2 * MiB).entry.offset).toBe(72 * MiB);
    expect(codeOf(() => extendFile(r.table, `${ROOT}\\a.vhd`, 11 * MiB))).toBe('OUT_OF_RANGE');
  });

  it('seeds existing extents idempotently and allocates around them', () => {
    const seed = [
      { path: `${ROOT}\\VirtualMachine1\\VirtualMachine1.vhd`, offset: 64 * MiB, sizeBytes: 64 * MiB },
      { path: `${ROOT}\\VirtualMachine2\\VirtualMachine2.vhd`, offset: 128 * MiB, sizeBytes: 64 * MiB },
    ];
    const t = seedFiles(seedFiles(table(), seed), seed);
    expect(t.files).toEqual(seed);
    expect(freeRanges(t)[0]?.offset).toBe(192 * MiB);
    expect(createFile(t, `${ROOT}\\VM3\\VM3.vhd`, MiB).entry.offset).toBe(192 * MiB);
  });

  it('rejects a seed that overlaps, moves a known file, or sits in the reserved head', () => {
    const t = seedFiles(table(), [{ path: `${ROOT}\\a.vhd`, offset: 64 * MiB, sizeBytes: 2 * MiB }]);
    expect(codeOf(() => seedFiles(t, [{ path: `${ROOT}\\b.vhd`, offset: 65 * MiB, sizeBytes: MiB }]))).toBe(
      'ALREADY_EXISTS',
    );
    expect(codeOf(() => seedFiles(t, [{ path: `${ROOT}\\A.VHD`, offset: 70 * MiB, sizeBytes: MiB }]))).toBe(
      'ALREADY_EXISTS',
    );
    expect(codeOf(() => seedFiles(t, [{ path: `${ROOT}\\c.vhd`, offset: 0, sizeBytes: MiB }]))).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('validates a table read back against the volume it should belong to', () => {
    const t = createFile(table(), `${ROOT}\\a.vhd`, MiB).table;
    expect(
      validateTable(JSON.parse(JSON.stringify(t)), { volume: 'Volume1', lun: 'CSV1' }, 'slot 0'),
    ).toEqual(t);
    expect(() => validateTable(t, { volume: 'Volume2', lun: 'CSV2' }, 'slot 0')).toThrow(
      /not of Volume2 on CSV2/,
    );
    const overlapping = {
      ...t,
      files: [...t.files, { path: `${ROOT}\\b.vhd`, offset: 64 * MiB, sizeBytes: MiB }],
    };
    expect(() => validateTable(overlapping, { volume: 'Volume1', lun: 'CSV1' }, 'slot 1')).toThrow(
      /slot 1: .*overlaps/,
    );
  });
});
