/**
 * The controller's simulated disk: reads see the cache over the durable pages, an fdatasync makes
 * blocks durable, a crash loses what was not, and a torn crash keeps a random part of it.
 */
import { describe, expect, it } from 'vitest';
import { PAGE_BYTES, SimDisk } from './disk.js';
import { SimRandom } from './random.js';

const block = (byte: number, n = 512) => new Uint8Array(n).fill(byte);

describe('SimDisk', () => {
  it('reads what was written, across pages, and zeros where nothing was', () => {
    const d = new SimDisk(512);
    const at = PAGE_BYTES - 1024;
    d.write('L', at, block(7, 2048));
    d.sync([{ lun: 'L', offset: at, length: 2048 }]);
    d.write('L', at + 512, block(9));
    const r = d.read('L', at - 512, 3072);
    expect([r[0], r[512], r[1024], r[1536], r[2048], r[2560]]).toEqual([0, 7, 9, 7, 7, 0]);
    expect(d.read('other', 0, 4).every((x) => x === 0)).toBe(true);
  });

  it('loses every write not yet synced in a crash, and keeps the synced ones', () => {
    const d = new SimDisk(512);
    d.write('L', 0, block(1));
    d.sync([{ lun: 'L', offset: 0, length: 512 }]);
    d.write('L', 0, block(2));
    d.write('L', 512, block(3));
    d.crash();
    const r = d.read('L', 0, 1024);
    expect([r[0], r[512]]).toEqual([1, 0]);
  });

  it('keeps part of a multi-block write cut by a torn crash: half old, half new', () => {
    const d = new SimDisk(512);
    d.write('L', 0, block(1, 512 * 64));
    d.sync([{ lun: 'L', offset: 0, length: 512 * 64 }]);
    d.write('L', 0, block(2, 512 * 64));
    d.crash(new SimRandom(5), 0.5);
    const r = d.read('L', 0, 512 * 64);
    const fresh = Array.from({ length: 64 }, (_, i) => r[i * 512]).filter((x) => x === 2).length;
    expect(fresh).toBeGreaterThan(10);
    expect(fresh).toBeLessThan(54);
  });
});
