/**
 * Saved state on the CSV (saved-state.ts): written through the volume's block I/O beside the VM's
 * disk, complete only once its header is written, restored by any node, discarded after a
 * restore; two VM hosts that share one volume show a VM saved on one restored warm on the other.
 */
import { describe, expect, it } from 'vitest';
import type { VmSpec } from '../process/config.js';
import { pollUntil } from '../process/poll-until.js';
import { GuestMemory } from './migration/guest-memory.js';
import { CsvSavedState, LocalSavedState, savedStatePath } from './saved-state.js';
import { FakeNats, MemoryDisk, MemoryVolume, nodeConfig, ROLE1 } from './test-support.js';
import { VmHost } from './vm-host.js';

const MIB = 1024 * 1024;
const spec: VmSpec = ROLE1;

const memoryOf = (byte: number) => Buffer.alloc(4 * MIB, byte);
const local = () => new LocalSavedState(`/tmp/dcbox-saved-state-test-${process.pid}`);

describe('saved state on the CSV', () => {
  it('is written beside the VM disk, read back whole, and gone once discarded', async () => {
    const v = new MemoryVolume();
    const store = new CsvSavedState(() => [v], local());
    expect(await store.has(spec)).toBe(false);
    await store.save(spec, memoryOf(7));
    expect([...v.files.keys()]).toEqual([savedStatePath(spec).toLowerCase()]);
    expect(savedStatePath(spec)).toBe('C:\\ClusterStorage\\Volume1\\Role1\\Role1.bin');
    expect(await store.has(spec)).toBe(true);
    const into = Buffer.alloc(4 * MIB);
    expect(await store.load(spec, into)).toBe(true);
    expect(into.equals(memoryOf(7))).toBe(true);
    await store.discard(spec);
    expect(await store.has(spec)).toBe(false);
    // Forgetting the VM on one node leaves a state on the CSV for the others.
    await store.save(spec, memoryOf(8));
    await store.forget(spec.name);
    expect(await store.has(spec)).toBe(true);
  });

  it('is not valid when the save was cut short before its header', async () => {
    const v = new MemoryVolume();
    const store = new CsvSavedState(() => [v], local());
    v.writesLeft = 3;
    await expect(store.save(spec, memoryOf(9))).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect(await store.has(spec)).toBe(false);
    expect(await store.load(spec, Buffer.alloc(4 * MIB))).toBe(false);
  });

  it('restores a VM saved on one node warm on another: the same memory, to the byte', async () => {
    const v = new MemoryVolume();
    const node = (name: string, id: number) =>
      new VmHost(
        nodeConfig(name, id, [{ name, port: 0 }]),
        new FakeNats().asNats,
        new MemoryDisk(),
        () => {},
        {
          savedState: new CsvSavedState(() => [v], local()),
        },
      );
    const a = node('HVR2NODO1', 1);
    const b = node('HVR2NODO2', 2);
    try {
      await a.defineVm({ ...spec, dirtyPagesPerSec: 4000 });
      await a.start('Role1');
      const running = (h: VmHost) => h.get('Role1')?.run.state === 'Running';
      await pollUntil(() => running(a), { what: 'Role1 running on A', timeoutMs: 5000, intervalMs: 5 });
      await new Promise((r) => setTimeout(r, 100));
      await a.save('Role1');
      await pollUntil(() => a.get('Role1')?.run.state === 'Saved', {
        what: 'Role1 saved on A',
        timeoutMs: 5000,
        intervalMs: 5,
      });
      // What A saved, as the CSV holds it (A freed the memory once it was saved).
      const saved = Buffer.alloc(4 * MIB);
      expect(await new CsvSavedState(() => [v], local()).load(spec, saved)).toBe(true);
      expect(saved.equals(Buffer.alloc(4 * MIB))).toBe(false);
      const digest = new GuestMemory(saved).digest();
      await a.removeVm('Role1');

      const defined = await b.defineVm({ ...spec, dirtyPagesPerSec: 0 });
      expect(defined.run.state).toBe('Saved');
      await b.start('Role1');
      await pollUntil(() => b.memoryDigest('Role1') !== null, {
        what: 'Role1 restored on B',
        timeoutMs: 5000,
        intervalMs: 5,
      });
      expect(b.memoryDigest('Role1')).toBe(digest);
      await pollUntil(() => running(b), { what: 'Role1 running on B', timeoutMs: 5000, intervalMs: 5 });
      // Restored once: the state is discarded, and a define elsewhere now starts cold.
      expect(await new CsvSavedState(() => [v], local()).has(spec)).toBe(false);
    } finally {
      a.stop();
      b.stop();
    }
  });
});
