import { describe, expect, it } from 'vitest';
import type { PingReply__Output } from '../services/generated/dcbox/workstation/v1/PingReply.js';
import { AnswerStamps } from './answer-stamps.js';
import { parseHistory } from './history.js';
import { pingLines, type TimedLine } from './recorder.js';

const STARTED = 1_700_000_000_000;

function reply(sentMs: number, rttUs: number, more: Partial<PingReply__Output> = {}): PingReply__Output {
  return {
    seq: 1,
    ok: true,
    host: 'HVR2NODO1',
    rtt_us: rttUs,
    error: '',
    sent_at_ms: STARTED + sentMs,
    ...more,
  };
}

/** The lines as the recorder writes them (t on the history's clock; null: written at `nowMs`). */
function written(lines: TimedLine[], nowMs = 5000): string {
  return lines
    .map(({ at, entry }) => JSON.stringify({ t: at === null ? nowMs : Math.max(0, at - STARTED), ...entry }))
    .join('\n');
}

describe('the recorder’s ping lines', () => {
  it('writes the answering host’s answer time on the ok, on the history’s clock, within the ping', () => {
    // Sent at 1000 ms, answered by the host at 1001 ms, the reply retransmitted: back 201.3 ms later.
    const r = reply(1000, 201_300, { answered_at_ms: STARTED + 1001 });
    const { invoke, end } = pingLines(r, 7, 'VirtualMachine1', new AnswerStamps(), STARTED);
    const [inv, ok] = parseHistory(written([invoke, end]));
    expect(inv).toEqual({
      t: 1000,
      type: 'op',
      process: 'ping:VirtualMachine1',
      f: 'ping',
      id: 7,
      vm: 'VirtualMachine1',
      phase: 'invoke',
    });
    expect(ok).toMatchObject({ t: 1202, phase: 'ok', id: 7, host: 'HVR2NODO1', answeredAt: 1001 });
  });

  it('writes no answer time when the host gave none, nor after a host’s clock read behind', () => {
    const stamps = new AnswerStamps();
    const older = pingLines(reply(1000, 900), 1, 'VM1', stamps, STARTED).end.entry;
    expect(older).not.toHaveProperty('answeredAt');
    const behind = pingLines(reply(1100, 900, { answered_at_ms: STARTED + 1090 }), 2, 'VM1', stamps, STARTED);
    expect(behind.end.entry).not.toHaveProperty('answeredAt');
    const after = pingLines(reply(1200, 900, { answered_at_ms: STARTED + 1200 }), 3, 'VM1', stamps, STARTED);
    expect(after.end.entry).not.toHaveProperty('answeredAt');
    expect(stamps.firstMismatch()).toMatchObject({ host: 'HVR2NODO1', invokeMs: STARTED + 1100 });
  });

  it('writes a lost ping when it is written: unreachable as failed, a timeout as unknown', () => {
    const stamps = new AnswerStamps();
    const lost = (error: string) =>
      pingLines(reply(1000, 0, { ok: false, host: '', error }), 4, 'VM1', stamps, STARTED).end;
    expect(lost('Destination host unreachable')).toEqual({
      at: null,
      entry: {
        type: 'op',
        process: 'ping:VM1',
        f: 'ping',
        id: 4,
        vm: 'VM1',
        phase: 'fail',
        error: 'Destination host unreachable',
      },
    });
    expect(lost('Request timed out').entry).toMatchObject({ phase: 'info' });
  });
});
