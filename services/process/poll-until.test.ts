import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PollTimeoutError, pollUntil, timeoutMessage } from './poll-until.js';

describe('pollUntil', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns the first truthy value without waiting when the probe holds at once', async () => {
    const probe = vi.fn(() => ({ owner: 'HVR2NODO1' }));
    await expect(pollUntil(probe, { what: 'an owner', timeoutMs: 1000 })).resolves.toEqual({
      owner: 'HVR2NODO1',
    });
    expect(probe).toHaveBeenCalledTimes(1);
  });

  it('asks again every intervalMs until the probe holds', async () => {
    let calls = 0;
    const done = pollUntil(async () => ++calls >= 3 && calls, {
      what: 'three calls',
      timeoutMs: 1000,
      intervalMs: 100,
    });
    await vi.advanceTimersByTimeAsync(199);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    await expect(done).resolves.toBe(3);
  });

  it('counts a probe that throws as not yet, and recovers when it stops throwing', async () => {
    let calls = 0;
    const done = pollUntil(
      () => {
        if (++calls < 3) throw new Error('connection refused');
        return 'up';
      },
      { what: 'the peer', timeoutMs: 1000 },
    );
    await vi.advanceTimersByTimeAsync(100);
    await expect(done).resolves.toBe('up');
  });

  it('fails after timeoutMs naming what was awaited and the last error seen', async () => {
    const refused = new Error('connection refused');
    const done = pollUntil(
      () => {
        throw refused;
      },
      { what: 'HVR2NODO1 to rejoin', timeoutMs: 200, intervalMs: 50 },
    );
    const failed = expect(done).rejects.toThrow(
      /^timed out after 200 ms waiting for HVR2NODO1 to rejoin \(\d+ tries; last error: connection refused\)$/,
    );
    await vi.advanceTimersByTimeAsync(300);
    await failed;
    const err = await done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PollTimeoutError);
    expect((err as PollTimeoutError).cause).toBe(refused);
    expect((err as PollTimeoutError).what).toBe('HVR2NODO1 to rejoin');
  });

  it('probes once more at the deadline before giving up', async () => {
    let calls = 0;
    const done = pollUntil(() => ++calls, { what: 'x', timeoutMs: 0 });
    await expect(done).resolves.toBe(1);
    const never = pollUntil(() => false, { what: 'never', timeoutMs: 100, intervalMs: 40 });
    const failed = expect(never).rejects.toThrow(/\(4 tries; last value false\)$/);
    await vi.advanceTimersByTimeAsync(200);
    await failed;
  });
});

describe('timeoutMessage', () => {
  it('shows the last falsy value and the last error, the error on one line and cut short', () => {
    const long = new Error(`first line\n  ${'x'.repeat(400)}`);
    const msg = timeoutMessage('a quorum', 5000, {
      attempts: 7,
      value: { value: null },
      error: { error: long },
    });
    expect(
      msg.startsWith(
        'timed out after 5000 ms waiting for a quorum (7 tries; last value null; last error: first line x',
      ),
    ).toBe(true);
    expect(msg).not.toContain('\n');
    expect(msg.endsWith('…)')).toBe(true);
  });

  it('says "1 try" and nothing more when the only probe returned undefined', () => {
    expect(timeoutMessage('it', 10, { attempts: 1, value: { value: undefined } })).toBe(
      'timed out after 10 ms waiting for it (1 try; last value undefined)',
    );
  });
});
