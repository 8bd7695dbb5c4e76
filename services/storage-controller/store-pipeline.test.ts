import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Every fdatasync waits here until the test lets it return, so the overlap of batches is seen.
const heldSyncs: ((err: Error | null) => void)[] = [];
vi.mock('node:fs', async (original) => {
  const fs = await original<typeof import('node:fs')>();
  return { ...fs, fdatasync: (_fd: number, cb: (err: Error | null) => void) => heldSyncs.push(cb) };
});
const { LunStore, SYNCS_INFLIGHT_MAX } = await import('./store.js');

const dirs: string[] = [];
afterEach(() => {
  heldSyncs.splice(0);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const turn = () => new Promise((r) => setImmediate(r));

describe('LUN store group commit', () => {
  it('writes and syncs the next batch while an earlier sync runs, up to SYNCS_INFLIGHT_MAX', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcbox-store-'));
    dirs.push(dir);
    const acked: number[][] = [];
    const store = new LunStore(dir, (ids, err) => acked.push(err ? [-1] : ids), 2);
    store.createLunFile('CSV1', 1 << 20);
    store.write(1, 'CSV1', 0, Buffer.alloc(512, 1));
    await turn();
    expect(heldSyncs).toHaveLength(1);
    // Arrives while batch 1 syncs: written and synced at once, not after batch 1's sync.
    store.write(2, 'CSV1', 512, Buffer.alloc(512, 2));
    await turn();
    expect(heldSyncs).toHaveLength(2);
    // A third waits: two syncs already run.
    store.write(3, 'CSV1', 1024, Buffer.alloc(512, 3));
    await turn();
    expect(heldSyncs).toHaveLength(2);
    expect(acked).toEqual([]);
    // Each batch is acknowledged when its own sync returns, whatever the order.
    heldSyncs[1]?.(null);
    await turn();
    expect(acked).toEqual([[2]]);
    await turn();
    expect(heldSyncs).toHaveLength(3);
    heldSyncs[0]?.(null);
    heldSyncs[2]?.(null);
    await turn();
    expect(acked).toEqual([[2], [1], [3]]);
    expect(store.batches('CSV1')).toBe(3);
    expect(Buffer.from(await store.read('CSV1', 0, 1536))).toEqual(
      Buffer.concat([1, 2, 3].map((i) => Buffer.alloc(512, i))),
    );
    expect(SYNCS_INFLIGHT_MAX).toBe(1);
  });

  it('fails only the batch whose sync failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcbox-store-'));
    dirs.push(dir);
    const acked: { ids: number[]; error?: string }[] = [];
    const store = new LunStore(dir, (ids, err) => acked.push({ ids, error: err?.message }), 2);
    store.createLunFile('CSV1', 1 << 20);
    store.write(1, 'CSV1', 0, Buffer.alloc(512, 1));
    await turn();
    store.write(2, 'CSV1', 512, Buffer.alloc(512, 2));
    await turn();
    heldSyncs[0]?.(new Error('EIO'));
    heldSyncs[1]?.(null);
    await turn();
    expect(acked).toEqual([
      { ids: [1], error: 'EIO' },
      { ids: [2], error: undefined },
    ]);
  });
});
