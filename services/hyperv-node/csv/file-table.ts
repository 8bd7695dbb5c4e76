/**
 * The file table of a Cluster Shared Volume: which file (a VM's .vhd or saved-state .bin) holds
 * which extent of the LUN. Only the coordinator changes it (docs/domain.md §Cluster Shared Volumes: "the only node that
 * writes NTFS metadata"); the other nodes receive extents from it and do block I/O there directly.
 *
 * Choices where the real NTFS is not emulated:
 * - One contiguous extent per file, so a VM's disk is (offset, size) on the LUN, as the topology
 *   already places it. Extending a file grows it in place and fails when the next extent is used.
 * - Free space is not stored apart: it is the gaps between extents, searched first-fit, so the
 *   allocator can never disagree with the table.
 */
import { DcboxError } from '../../actor/errors.js';

/** The first 64 MiB of the LUN are the volume's own (the metadata table); VM data starts after. */
export const DATA_START_BYTES = 64 * 1024 * 1024;
/** Every extent starts on a 1 MiB boundary and occupies whole MiB. */
export const ALIGN_BYTES = 1024 * 1024;
/** File sizes are whole blocks of the LUN. */
export const BLOCK_BYTES = 512;
/** Windows MAX_PATH. */
export const PATH_CHARS_MAX = 260;

/** One file of the volume. */
export interface FileEntry {
  /** The path as it was created, e.g. C:\ClusterStorage\Volume1\VM1\VM1.vhd. */
  path: string;
  /** Byte offset of its extent on the LUN. */
  offset: number;
  sizeBytes: number;
}

/** The whole table, as persisted on the LUN. */
export interface FileTable {
  volume: string;
  lun: string;
  /** The volume's root, e.g. C:\ClusterStorage\Volume1. */
  root: string;
  lunSizeBytes: number;
  /** Sorted by offset. */
  files: FileEntry[];
}

/** An empty table for a volume on a LUN of the given size. */
export function emptyTable(opts: {
  volume: string;
  lun: string;
  root: string;
  lunSizeBytes: number;
}): FileTable {
  if (!Number.isSafeInteger(opts.lunSizeBytes) || opts.lunSizeBytes <= DATA_START_BYTES)
    throw new Error(
      `LUN ${opts.lun} of ${opts.lunSizeBytes} bytes is too small for a CSV: the first ${DATA_START_BYTES} bytes hold its metadata`,
    );
  return {
    volume: opts.volume,
    lun: opts.lun,
    root: normalizeRoot(opts.root),
    lunSizeBytes: opts.lunSizeBytes,
    files: [],
  };
}

function normalizeRoot(root: string): string {
  return root.replace(/\//g, '\\').replace(/\\+$/, '');
}

/**
 * The comparison key of a path: Windows paths are case-insensitive and accept "/" for "\".
 * Throws INVALID_ARGUMENT when the path is not a file below the volume's root.
 */
export function pathKey(table: FileTable, path: string): string {
  if (typeof path !== 'string' || path.length === 0)
    throw new DcboxError('INVALID_ARGUMENT', 'a CSV file path must be a non-empty string');
  const p = path.replace(/\//g, '\\');
  if (p.length > PATH_CHARS_MAX)
    throw new DcboxError(
      'INVALID_ARGUMENT',
      `path ${path} is ${p.length} characters; Windows allows ${PATH_CHARS_MAX}`,
    );
  const root = `${table.root.toLowerCase()}\\`;
  const key = p.toLowerCase();
  if (!key.startsWith(root) || key.length === root.length)
    throw new DcboxError('INVALID_ARGUMENT', `path ${path} is not a file under the CSV ${table.root}`);
  for (const part of p.slice(root.length).split('\\')) {
    if (part === '' || part === '.' || part === '..')
      throw new DcboxError('INVALID_ARGUMENT', `path ${path} has an empty, "." or ".." component`);
    if (/[<>:"|?*]/.test(part) || [...part].some((c) => c.charCodeAt(0) < 32))
      throw new DcboxError(
        'INVALID_ARGUMENT',
        `path ${path}: "${part}" contains a character Windows forbids`,
      );
  }
  return key;
}

function checkSize(path: string, sizeBytes: number): void {
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % BLOCK_BYTES !== 0)
    throw new DcboxError(
      'INVALID_ARGUMENT',
      `size of ${path} must be a positive multiple of ${BLOCK_BYTES} bytes, got ${sizeBytes}`,
    );
}

/** The bytes an extent occupies: its size rounded up to whole MiB. */
export function allocatedBytes(sizeBytes: number): number {
  return Math.ceil(sizeBytes / ALIGN_BYTES) * ALIGN_BYTES;
}

function find(table: FileTable, key: string): FileEntry | undefined {
  return table.files.find((f) => f.path.toLowerCase().replace(/\//g, '\\') === key);
}

/** Looks a file up; NOT_FOUND when there is none. */
export function lookupFile(table: FileTable, path: string): FileEntry {
  const entry = find(table, pathKey(table, path));
  if (!entry) throw new DcboxError('NOT_FOUND', `no file ${path} on ${table.root}`);
  return entry;
}

/** The free byte ranges of the data area, in order: the gaps between extents. */
export function freeRanges(table: FileTable): { offset: number; bytes: number }[] {
  const out: { offset: number; bytes: number }[] = [];
  let at = DATA_START_BYTES;
  for (const f of table.files) {
    if (f.offset > at) out.push({ offset: at, bytes: f.offset - at });
    at = Math.max(at, f.offset + allocatedBytes(f.sizeBytes));
  }
  const end = Math.floor(table.lunSizeBytes / ALIGN_BYTES) * ALIGN_BYTES;
  if (end > at) out.push({ offset: at, bytes: end - at });
  return out;
}

function withFiles(table: FileTable, files: FileEntry[]): FileTable {
  return { ...table, files: [...files].sort((a, b) => a.offset - b.offset) };
}

/** Creates a file at the first free extent that fits; ALREADY_EXISTS, OUT_OF_RANGE when full. */
export function createFile(
  table: FileTable,
  path: string,
  sizeBytes: number,
): { table: FileTable; entry: FileEntry } {
  const key = pathKey(table, path);
  checkSize(path, sizeBytes);
  if (find(table, key))
    throw new DcboxError('ALREADY_EXISTS', `file ${path} already exists on ${table.root}`);
  const need = allocatedBytes(sizeBytes);
  const gap = freeRanges(table).find((r) => r.bytes >= need);
  if (!gap) {
    const largest = Math.max(0, ...freeRanges(table).map((r) => r.bytes));
    throw new DcboxError(
      'OUT_OF_RANGE',
      `${table.root} has no free extent of ${need} bytes for ${path} (largest free: ${largest} bytes)`,
    );
  }
  const entry: FileEntry = { path: path.replace(/\//g, '\\'), offset: gap.offset, sizeBytes };
  return { table: withFiles(table, [...table.files, entry]), entry };
}

/** Grows a file in place (its extent must stay contiguous: see the file comment). */
export function extendFile(
  table: FileTable,
  path: string,
  newSizeBytes: number,
): { table: FileTable; entry: FileEntry } {
  const entry = lookupFile(table, path);
  checkSize(path, newSizeBytes);
  if (newSizeBytes < entry.sizeBytes)
    throw new DcboxError(
      'INVALID_ARGUMENT',
      `cannot extend ${path} to ${newSizeBytes} bytes: it already holds ${entry.sizeBytes} (shrinking is not supported)`,
    );
  const end = entry.offset + allocatedBytes(newSizeBytes);
  const next = table.files.find((f) => f.offset > entry.offset);
  const limit = next ? next.offset : Math.floor(table.lunSizeBytes / ALIGN_BYTES) * ALIGN_BYTES;
  if (end > limit)
    throw new DcboxError(
      'OUT_OF_RANGE',
      `cannot extend ${path} to ${newSizeBytes} bytes in place: ${next ? `${next.path} starts at ${next.offset}` : `the LUN ends at ${limit}`}`,
    );
  const grown = { ...entry, sizeBytes: newSizeBytes };
  return {
    table: withFiles(
      table,
      table.files.map((f) => (f === entry ? grown : f)),
    ),
    entry: grown,
  };
}

/** Deletes a file, freeing its extent; NOT_FOUND when there is none. */
export function deleteFile(table: FileTable, path: string): FileTable {
  const entry = lookupFile(table, path);
  return withFiles(
    table,
    table.files.filter((f) => f !== entry),
  );
}

/**
 * Adds files that already exist on the LUN (the topology's VM disks) at their given extents.
 * A file already in the table at the same extent is left alone, so seeding is idempotent; a file
 * that conflicts (another extent, an overlap, outside the data area) is a topology error.
 */
export function seedFiles(table: FileTable, files: readonly FileEntry[]): FileTable {
  let out = table;
  for (const f of files) {
    const key = pathKey(out, f.path);
    checkSize(f.path, f.sizeBytes);
    const existing = find(out, key);
    if (existing) {
      if (existing.offset !== f.offset || existing.sizeBytes !== f.sizeBytes)
        throw new DcboxError(
          'ALREADY_EXISTS',
          `seed file ${f.path} at ${f.offset}+${f.sizeBytes} conflicts with the table's ${existing.offset}+${existing.sizeBytes}`,
        );
      continue;
    }
    if (!Number.isSafeInteger(f.offset) || f.offset < DATA_START_BYTES || f.offset % ALIGN_BYTES !== 0)
      throw new DcboxError(
        'INVALID_ARGUMENT',
        `seed file ${f.path} starts at ${f.offset}: extents start on a MiB boundary at or after ${DATA_START_BYTES}`,
      );
    const end = f.offset + allocatedBytes(f.sizeBytes);
    if (end > out.lunSizeBytes)
      throw new DcboxError(
        'OUT_OF_RANGE',
        `seed file ${f.path} ends at ${end}, past the LUN's ${out.lunSizeBytes} bytes`,
      );
    const overlap = out.files.find(
      (o) => f.offset < o.offset + allocatedBytes(o.sizeBytes) && o.offset < end,
    );
    if (overlap)
      throw new DcboxError(
        'ALREADY_EXISTS',
        `seed file ${f.path} overlaps ${overlap.path} at ${overlap.offset}`,
      );
    out = withFiles(out, [
      ...out.files,
      { path: f.path.replace(/\//g, '\\'), offset: f.offset, sizeBytes: f.sizeBytes },
    ]);
  }
  return out;
}

/**
 * Checks a table read back from the LUN: it must be this volume's, and its extents must not
 * overlap. Throws a plain Error naming what is wrong (a corrupt table is not an operating error).
 */
export function validateTable(
  raw: unknown,
  expect: { volume: string; lun: string },
  where: string,
): FileTable {
  const t = raw as Partial<FileTable>;
  if (typeof t !== 'object' || t === null) throw new Error(`${where}: the table is not an object`);
  if (t.volume !== expect.volume || t.lun !== expect.lun)
    throw new Error(
      `${where} holds the table of ${t.volume} on ${t.lun}, not of ${expect.volume} on ${expect.lun}`,
    );
  if (typeof t.root !== 'string' || typeof t.lunSizeBytes !== 'number' || !Array.isArray(t.files))
    throw new Error(`${where}: fields root, lunSizeBytes and files are required`);
  const base = {
    ...emptyTable({ volume: t.volume, lun: t.lun, root: t.root, lunSizeBytes: t.lunSizeBytes }),
  };
  try {
    return seedFiles(base, t.files as FileEntry[]);
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
}
