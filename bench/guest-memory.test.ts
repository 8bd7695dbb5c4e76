import { describe, expect, it } from 'vitest';
import { guestResidentBytes, guestResidentOf } from './guest-memory.js';

const MIB = 1024 * 1024;

describe("a blade's guest memory", () => {
  it('counts the anonymous mappings of a guest’s size, not files or V8’s reservations', () => {
    const smaps = [
      '7f0000000000-7f0020001000 rw-p 00000000 00:00 0 ',
      'Size:             524292 kB',
      'Rss:                5324 kB',
      '7f1000000000-7f101ffc0000 rw-p 00000000 00:00 0 ',
      'Rss:                 900 kB',
      '7f2000000000-7f2020000000 r--p 00000000 fd:00 42   /var/tmp/lun.dat',
      'Rss:                7000 kB',
    ].join('\n');
    expect(guestResidentBytes(smaps, [512 * MIB])).toBe(5324 * 1024);
    expect(guestResidentBytes(smaps, [256 * MIB])).toBe(0);
  });

  it('follows the pages a live process has written into a guest-sized Buffer', () => {
    const size = 48 * MIB;
    const guest = Buffer.alloc(size);
    const before = guestResidentOf(process.pid, [size]) ?? Number.NaN;
    expect(before).toBeLessThan(MIB);
    guest.fill(1, 0, 4 * MIB);
    const after = guestResidentOf(process.pid, [size]) ?? Number.NaN;
    expect(after - before).toBeGreaterThanOrEqual(4 * MIB);
    expect(after).toBeLessThan(5 * MIB);
    expect(guest[0]).toBe(1);
  });
});
