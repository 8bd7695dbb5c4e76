import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Meta } from './core/decide.js';
import { LunStore, META_FILE } from './store.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dcbox-store-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A store whose completed batches are collected, with a way to wait for given writes. */
function openStore(dir: string) {
  const batches: { reqIds: number[]; error?: Error }[] = [];
  const waiters: { ids: number[]; resolve: () => void }[] = [];
  const store = new LunStore(dir, (reqIds, error) => {
    batches.push({ reqIds, error });
    const done = new Set(batches.flatMap((b) => b.reqIds));
    for (const w of waiters.splice(0)) {
      if (w.ids.every((id) => done.has(id))) w.resolve();
      else waiters.push(w);
    }
  });
  const durable = (...ids: number[]) =>
    new Promise<void>((resolve) => {
      waiters.push({ ids, resolve });
      const done = new Set(batches.flatMap((b) => b.reqIds));
      if (ids.every((id) => done.has(id))) resolve();
    });
  return { store, batches, durable };
}

const meta = (nextSerial: number): Meta => ({
  version: 1,
  nextSerial,
  luns: [
    {
      name: 'CSV1',
      sizeBytes: 1 << 20,
      mappedTo: ['HVR2NODO1'],
      serial: 'S1',
      pr: {
        generation: 2,
        registrations: [{ initiator: 'HVR2NODO1/rssm3', key: '0000000100000001' }],
        reservation: null,
      },
    },
  ],
});

describe('LUN store', () => {
  it('creates a sparse LUN file of the full size', () => {
    const dir = tempDir();
    const { store } = openStore(dir);
    store.createLunFile('CSV1', 100 * 2 ** 30);
    const st = statSync(join(dir, 'CSV1.lun'));
    expect(st.size).toBe(100 * 2 ** 30);
    expect(st.blocks * 512).toBeLessThan(1 << 20);
  });

  it('reads back acknowledged writes after a crash that never closed the store', async () => {
    const dir = tempDir();
    const first = openStore(dir);
    first.store.createLunFile('CSV1', 1 << 20);
    first.store.writeMeta(meta(2));
    first.store.write(1, 'CSV1', 0, Buffer.alloc(512, 0xa1));
    first.store.write(2, 'CSV1', 4096, Buffer.alloc(1024, 0xb2));
    await first.durable(1, 2);
    expect(first.batches.length).toBeGreaterThan(0);
    expect(first.batches.every((b) => b.error === undefined)).toBe(true);
    // The "crash": the first store is dropped without close(); a new one opens the same folder.
    const second = openStore(dir);
    expect(second.store.loadMeta()).toEqual(meta(2));
    expect(Buffer.from(await second.store.read('CSV1', 0, 512))).toEqual(Buffer.alloc(512, 0xa1));
    expect(Buffer.from(await second.store.read('CSV1', 4096, 1024))).toEqual(Buffer.alloc(1024, 0xb2));
    expect(Buffer.from(await second.store.read('CSV1', 512, 512))).toEqual(Buffer.alloc(512, 0));
  });

  it('batches writes that arrive while a sync runs into one more sync (group commit)', async () => {
    const dir = tempDir();
    const { store, batches, durable } = openStore(dir);
    store.createLunFile('CSV1', 1 << 20);
    // Writes that arrive in the same turn share a sync; the batch starts on the next turn.
    for (let i = 1; i <= 3; i++) store.write(i, 'CSV1', i * 512, Buffer.alloc(512, i));
    // These come once that batch is being written and synced: they share the next sync.
    setImmediate(() => {
      for (let i = 4; i <= 5; i++) store.write(i, 'CSV1', i * 512, Buffer.alloc(512, i));
    });
    await durable(1, 2, 3, 4, 5);
    // The second batch's sync may run beside the first's and return before it.
    const byFirstId = [...batches].sort((a, b) => (a.reqIds[0] ?? 0) - (b.reqIds[0] ?? 0));
    expect(byFirstId).toEqual([{ reqIds: [1, 2, 3] }, { reqIds: [4, 5] }]);
    expect(store.batches('CSV1')).toBe(2);
    for (let i = 1; i <= 5; i++)
      expect(Buffer.from(await store.read('CSV1', i * 512, 512))).toEqual(Buffer.alloc(512, i));
  });

  it('keeps the arrival order of overlapping writes in one batch: the later one wins', async () => {
    const dir = tempDir();
    const { store, batches, durable } = openStore(dir);
    store.createLunFile('CSV1', 1 << 20);
    for (let i = 1; i <= 8; i++) store.write(i, 'CSV1', 4096 + (i % 2) * 256, Buffer.alloc(1024, i));
    await durable(1, 2, 3, 4, 5, 6, 7, 8);
    expect(batches).toEqual([{ reqIds: [1, 2, 3, 4, 5, 6, 7, 8] }]);
    const expected = Buffer.alloc(1024 + 256);
    Buffer.alloc(1024, 7).copy(expected, 256);
    Buffer.alloc(256, 8).copy(expected, 0);
    expected.fill(8, 0, 1024);
    expect(Buffer.from(await store.read('CSV1', 4096, 1024 + 256))).toEqual(expected);
  });

  it('replaces the metadata file atomically and leaves no temporary file behind', () => {
    const dir = tempDir();
    const { store } = openStore(dir);
    expect(store.loadMeta()).toBeNull();
    store.writeMeta(meta(2));
    store.writeMeta(meta(3));
    expect(readdirSync(dir)).toEqual([META_FILE]);
    expect(JSON.parse(readFileSync(join(dir, META_FILE), 'utf8'))).toEqual(meta(3));
    expect(openStore(dir).store.loadMeta()).toEqual(meta(3));
  });

  it('zeroes a LUN re-created under the name of an old file, and removes files', async () => {
    const dir = tempDir();
    const { store, durable } = openStore(dir);
    store.createLunFile('CSV1', 1 << 20);
    store.write(1, 'CSV1', 0, Buffer.alloc(512, 7));
    await durable(1);
    store.createLunFile('CSV1', 1 << 20);
    expect(Buffer.from(await store.read('CSV1', 0, 512))).toEqual(Buffer.alloc(512, 0));
    store.removeLunFile('CSV1');
    expect(existsSync(join(dir, 'CSV1.lun'))).toBe(false);
  });

  it('reports a write to a missing LUN file as a failed write', async () => {
    const dir = tempDir();
    const { store, batches } = openStore(dir);
    store.write(9, 'Gone', 0, Buffer.alloc(512));
    await new Promise((r) => setImmediate(r));
    expect(batches).toHaveLength(1);
    expect(batches[0]?.reqIds).toEqual([9]);
    expect(batches[0]?.error?.message).toMatch(/ENOENT/);
  });
});
