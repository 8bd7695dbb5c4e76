import { describe, expect, it } from 'vitest';
import { FollowLog, type Sequenced } from '../observability/follow-log.js';
import type { ControllerLogEntry } from './controller-log.js';
import { ControllerLogRing } from './log-ring.js';

/** Writes and reservation changes as the controller logs them, some with unusual hashes. */
function line(i: number): ControllerLogEntry {
  const initiator = { host: `HVR2NODO${(i % 3) + 1}`, port: i % 2 ? 'rssm3' : 'rssm4' };
  if (i % 7 === 3)
    return {
      kind: 'reservation',
      action: 'preempt',
      initiator,
      lun: 'CSV1',
      key: 'AA',
      victimKey: 'BB',
      victimHosts: ['HVR2NODO2'],
      timeMs: 1000 + i,
    };
  const hash =
    i % 11 === 5
      ? 'not-a-hex-hash'
      : (0xfedcba9876543210n + BigInt(i) * 0x10001n).toString(16).slice(-16).padStart(16, '0');
  return {
    kind: 'write',
    initiator,
    lun: i % 5 ? 'CSV1' : 'Quorum',
    offset: 2 ** 40 + i * 4096,
    length: 512 * ((i % 9) + 1),
    hash,
    timeMs: 1000.5 + i,
  };
}

describe('ControllerLogRing', () => {
  it('keeps, drops and serves the same lines as a FollowLog of objects', () => {
    const ring = new ControllerLogRing(10);
    const plain = new FollowLog<ControllerLogEntry>(10);
    const followed: Sequenced<ControllerLogEntry>[][] = [[], []];
    ring.follow((e) => followed[0]?.push(e));
    plain.follow((e) => followed[1]?.push(e));
    for (let i = 0; i < 27; i++) {
      expect(ring.append(line(i))).toBe(plain.append(line(i)));
      for (const from of [0, i - 12, i - 5, i, i + 1]) expect(ring.after(from)).toEqual(plain.after(from));
    }
    expect(ring.after(3).missed).toBe(14);
    expect(ring.oldest).toBe(plain.oldest);
    expect(ring.newest).toBe(27);
    expect(followed[0]).toEqual(followed[1]);
  });

  it('hands out copies: a reader that changes a line changes nothing kept', () => {
    const ring = new ControllerLogRing(4);
    ring.append(line(1));
    const first = ring.after(0).entries[0]?.entry;
    if (first?.kind !== 'write') throw new Error('expected a write');
    first.initiator.host = 'someone else';
    expect(ring.after(0).entries[0]?.entry).toEqual(line(1));
  });
});
