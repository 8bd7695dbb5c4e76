import { describe, expect, it } from 'vitest';
import { Simulation, type TimerEffect } from '../actor/actor.js';
import { decidePing, initialPing, type PingEffect, type PingMsg, type PingState, planOf } from './core.js';

function sim(count: number | undefined, interval_ms = 1000, timeout_ms = 1000) {
  return new Simulation<PingState, PingMsg, PingEffect>(
    decidePing,
    initialPing(planOf({ vm: 'VirtualMachine1', count, interval_ms, timeout_ms })),
    { startMs: 10_000 },
  );
}
const echoes = (effects: (PingEffect | TimerEffect<PingMsg>)[]) =>
  effects.flatMap((e) => (e.type === 'echo' ? [e.seq] : []));

describe('ping', () => {
  it('defaults to 4 pings, 1000 ms apart, with a 1000 ms timeout', () => {
    expect(planOf({ vm: 'a', interval_ms: 0, timeout_ms: 0 })).toEqual({
      vm: 'a',
      count: 4,
      intervalMs: 1000,
      timeoutMs: 1000,
    });
    expect(planOf({ vm: 'a', count: 0, interval_ms: 200, timeout_ms: 50 })).toEqual({
      vm: 'a',
      count: 0,
      intervalMs: 200,
      timeoutMs: 50,
    });
  });

  it('sends every ping on schedule even while earlier ones are unanswered', () => {
    const s = sim(4);
    expect(s.send({ type: 'start' })).toEqual([
      { type: 'echo', seq: 1, vm: 'VirtualMachine1', timeoutMs: 1000 },
      { type: 'startTimer', id: 'ping-tick', ms: 1000, msg: { type: 'tick' } },
    ]);
    expect(echoes(s.advance(999))).toEqual([]);
    expect(echoes(s.advance(1))).toEqual([2]);
    expect(echoes(s.advance(2000))).toEqual([3, 4]);
    expect(echoes(s.advance(10_000))).toEqual([]);
    expect(s.pendingTimers()).toEqual([]);
  });

  it('streams each answer with who answered and when its request was sent, and ends after the last', () => {
    const s = sim(2);
    s.send({ type: 'start' });
    s.advance(1000);
    // The second answer comes back first: lines follow the answers, each with its own seq.
    expect(s.send({ type: 'answered', seq: 2, result: { ok: true, host: 'HVR2NODO1', rttUs: 250 } })).toEqual(
      [
        {
          type: 'emit',
          line: { seq: 2, ok: true, host: 'HVR2NODO1', rtt_us: 250, error: '', sent_at_ms: 11_000 },
        },
      ],
    );
    expect(s.send({ type: 'answered', seq: 1, result: { ok: false, error: 'Request timed out' } })).toEqual([
      {
        type: 'emit',
        line: { seq: 1, ok: false, host: '', rtt_us: 0, error: 'Request timed out', sent_at_ms: 10_000 },
      },
      { type: 'end' },
    ]);
    expect(s.state.phase).toBe('done');
  });

  it('streams the time the answering host gave for its answer, and nothing when it gave none', () => {
    const s = sim(2);
    s.send({ type: 'start' });
    s.advance(1000);
    const answered = (seq: number, answeredAtMs?: number) =>
      s.send({ type: 'answered', seq, result: { ok: true, host: 'HVR2NODO1', rttUs: 250, answeredAtMs } });
    expect(answered(1, 10_000)).toEqual([
      {
        type: 'emit',
        line: {
          seq: 1,
          ok: true,
          host: 'HVR2NODO1',
          rtt_us: 250,
          error: '',
          sent_at_ms: 10_000,
          answered_at_ms: 10_000,
        },
      },
    ]);
    expect(answered(2)[0]).toEqual({
      type: 'emit',
      line: { seq: 2, ok: true, host: 'HVR2NODO1', rtt_us: 250, error: '', sent_at_ms: 11_000 },
    });
  });

  it('pings until cancelled when count is 0, and stops at once on cancel', () => {
    const s = sim(0, 100);
    s.send({ type: 'start' });
    expect(echoes(s.advance(1000))).toHaveLength(10);
    expect(s.send({ type: 'cancel' })).toEqual([{ type: 'cancelTimer', id: 'ping-tick' }]);
    expect(echoes(s.advance(1000))).toEqual([]);
    // An answer that arrives after the cancel is not streamed.
    expect(s.send({ type: 'answered', seq: 11, result: { ok: true, host: 'h', rttUs: 1 } })).toEqual([]);
  });
});
