import { describe, expect, it } from 'vitest';
import { addAck, countAcked, isAcked } from './ack-ranges.js';

describe('acknowledged seq ranges', () => {
  it('grows one range while seqs arrive in order', () => {
    let r = addAck([], 1);
    r = addAck(r, 2);
    r = addAck(r, 3);
    expect(r).toEqual([{ first: 1, last: 3 }]);
  });

  it('keeps gaps as separate ranges and joins them when the gap fills', () => {
    let r = addAck([], 1);
    r = addAck(r, 5);
    r = addAck(r, 3);
    expect(r).toEqual([
      { first: 1, last: 1 },
      { first: 3, last: 3 },
      { first: 5, last: 5 },
    ]);
    r = addAck(r, 2);
    r = addAck(r, 4);
    expect(r).toEqual([{ first: 1, last: 5 }]);
  });

  it('ignores a seq acknowledged twice and leaves the input untouched', () => {
    const before = [{ first: 1, last: 4 }];
    expect(addAck(before, 3)).toEqual([{ first: 1, last: 4 }]);
    expect(before).toEqual([{ first: 1, last: 4 }]);
  });

  it('counts and looks up seqs', () => {
    const r = [
      { first: 1, last: 4 },
      { first: 10, last: 10 },
    ];
    expect(countAcked(r)).toBe(5);
    expect(isAcked(r, 4)).toBe(true);
    expect(isAcked(r, 5)).toBe(false);
  });
});
