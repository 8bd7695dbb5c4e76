import { describe, expect, it } from 'vitest';
import { FollowLog } from './follow-log.js';

describe('FollowLog', () => {
  it('hands a follower the backlog after its position, then every new entry', () => {
    const log = new FollowLog<string>(10);
    log.append('a');
    log.append('b');
    expect(log.after(1)).toEqual({ missed: 0, entries: [{ seq: 2, entry: 'b' }] });
    const seen: number[] = [];
    const stop = log.follow((e) => seen.push(e.seq));
    log.append('c');
    stop();
    log.append('d');
    expect(seen).toEqual([3]);
  });

  it('keeps only the newest entries and tells a follower that fell behind how many it missed', () => {
    const log = new FollowLog<number>(3);
    for (let i = 1; i <= 7; i++) log.append(i);
    expect(log.oldest).toBe(5);
    expect(log.after(0)).toEqual({
      missed: 4,
      entries: [
        { seq: 5, entry: 5 },
        { seq: 6, entry: 6 },
        { seq: 7, entry: 7 },
      ],
    });
    expect(log.after(6).missed).toBe(0);
  });
});
