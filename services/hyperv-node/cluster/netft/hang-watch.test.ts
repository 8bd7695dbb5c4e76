import { describe, expect, it } from 'vitest';
import { HangWatch } from './hang-watch.js';

describe('the hang watch of the heartbeat thread', () => {
  it('takes the service as hung once it has not checked in for the timeout, once', () => {
    const w = new HangWatch(1000, 100, 0);
    for (let t = 100; t < 1000; t += 100) expect(w.tick(t)).toBe(false);
    expect(w.hung).toBe(false);
    expect(w.tick(1000)).toBe(true);
    expect(w.hung).toBe(true);
    expect(w.tick(1100)).toBe(false);
    expect(w.hung).toBe(true);
  });

  it('restarts the countdown at every check-in, and says how long a hang lasted when it ends', () => {
    const w = new HangWatch(1000, 100, 0);
    for (let t = 100; t <= 3000; t += 100) {
      if (t % 500 === 0) expect(w.checkIn(t)).toBeNull();
      expect(w.tick(t)).toBe(false);
    }
    // The last check-in was at 3000.
    for (let t = 3100; t < 4000; t += 100) expect(w.tick(t)).toBe(false);
    expect(w.tick(4000)).toBe(true);
    expect(w.checkIn(4300)).toBe(300);
    expect(w.hung).toBe(false);
    expect(w.tick(4400)).toBe(false);
  });

  it('does not fire after its own thread was paused (a frozen process, thawed)', () => {
    const w = new HangWatch(1000, 100, 0);
    w.tick(100);
    // SIGSTOP at 150, SIGCONT at 5150: the next tick comes 5 s late.
    expect(w.tick(5150)).toBe(false);
    expect(w.hung).toBe(false);
    // The service checks in soon after the thaw; had it not, the countdown runs from the thaw.
    for (let t = 5250; t < 6150; t += 100) expect(w.tick(t)).toBe(false);
    expect(w.tick(6150)).toBe(true);
  });
});
