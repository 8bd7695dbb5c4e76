/**
 * The simulation's machinery on its own: the seeded generator, the event queue's order and the
 * network's faults and request semantics.
 */
import { describe, expect, it } from 'vitest';
import { SimHost } from './host.js';
import { LAN, Network, type Reply } from './network.js';
import { SimRandom } from './random.js';
import { Scheduler } from './scheduler.js';

describe('SimRandom', () => {
  it('draws the same stream from the same seed and another from another seed', () => {
    const a = new SimRandom(42);
    const b = new SimRandom(42);
    const c = new SimRandom(43);
    const xs = Array.from({ length: 5 }, () => a.u32());
    expect(Array.from({ length: 5 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.u32())).not.toEqual(xs);
  });

  it('draws floats in [0, 1) spread over the range', () => {
    const r = new SimRandom(7);
    const xs = Array.from({ length: 10_000 }, () => r.next());
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});

describe('Scheduler', () => {
  it('runs events in time order and same-time events in the order they were scheduled', () => {
    const s = new Scheduler();
    const seen: string[] = [];
    s.at(5, 'b', () => seen.push('b'));
    s.at(1, 'a', () => seen.push('a'));
    s.at(5, 'c', () => seen.push('c'));
    const id = s.at(3, 'x', () => seen.push('x'));
    s.cancel(id);
    s.at(2, 'd', () => s.after(3, 'e', () => seen.push('e')));
    s.runUntil(10);
    expect(seen).toEqual(['a', 'b', 'c', 'e']);
    expect(s.now).toBe(10);
  });
});

/** Two hosts on a network; B serves "echo". */
function pair(profile = LAN) {
  const sched = new Scheduler();
  const net = new Network(sched, new SimRandom(1), profile);
  const a = new SimHost('A');
  const b = new SimHost('B');
  net.add(a);
  net.add(b);
  let served = 0;
  b.serve('echo', (body, _from, reply) => {
    served++;
    reply(body);
  });
  const ask = (deadlineMs = 100) => {
    const out: Reply[] = [];
    net.request('A', 'B', 'echo', 'hi', deadlineMs, (r) => out.push(r));
    return out;
  };
  return { sched, net, a, b, ask, served: () => served };
}

describe('Network', () => {
  it('answers a request over a healthy link', () => {
    const p = pair();
    const out = p.ask();
    p.sched.runUntil(1000);
    expect(out).toEqual([{ ok: true, body: 'hi' }]);
  });

  it('times out at the deadline when a one-way cut drops the answer, though the callee served', () => {
    const p = pair();
    p.net.partition(['B'], ['A'], true);
    const out = p.ask(100);
    p.sched.runUntil(1000);
    expect(p.served()).toBe(1);
    expect(out).toEqual([expect.objectContaining({ ok: false, code: 'TIMEOUT' })]);
  });

  it('says UNAVAILABLE at once when the callee is reachable but its process is dead', () => {
    const p = pair();
    p.b.kill();
    const out = p.ask(100);
    p.sched.runUntil(10);
    expect(out).toEqual([expect.objectContaining({ ok: false, code: 'UNAVAILABLE' })]);
  });

  it('holds a frozen callee’s request until it thaws', () => {
    const p = pair();
    p.b.freeze();
    const out = p.ask(10_000);
    p.sched.runUntil(500);
    expect(out).toEqual([]);
    p.b.thaw();
    p.sched.runUntil(600);
    expect(out).toEqual([{ ok: true, body: 'hi' }]);
  });

  it('delivers a lost message after TCP’s retransmission timeouts, so a patient caller hears every answer', () => {
    const p = pair({ ...LAN, lossRate: 0.3 });
    const answeredAt: number[] = [];
    for (let i = 0; i < 200; i++)
      p.net.request('A', 'B', 'echo', i, 60_000, (r) => r.ok && answeredAt.push(p.sched.now));
    p.sched.runUntil(60_000);
    expect(answeredAt).toHaveLength(200);
    expect(p.served()).toBe(200);
    expect(p.net.counts.lost).toBeGreaterThan(60);
    // A lost message arrives one RTO (200 ms) later, a message lost twice 200 + 400 ms later.
    expect(answeredAt.filter((t) => t < 1)).toHaveLength(answeredAt.filter((t) => t < 200).length);
    expect(answeredAt.some((t) => t >= 200 && t < 201)).toBe(true);
    expect(answeredAt.some((t) => t >= 600 && t < 601)).toBe(true);
  });

  it('drops a lost message for good when the link is cut, or the callee restarted, before its retransmission', () => {
    for (const fault of ['none', 'cut', 'restart'] as const) {
      const p = pair({ ...LAN, lossRate: 1 });
      const out = p.ask(10_000);
      p.sched.runUntil(100);
      p.net.profile = LAN;
      if (fault === 'cut') p.net.partition(['A'], ['B']);
      else if (fault === 'restart') {
        p.b.kill();
        p.b.start();
        p.b.serve('echo', (body, _from, reply) => reply(body));
      }
      p.sched.runUntil(20_000);
      // Without either, the retransmission 200 ms after the loss is answered.
      const expected = fault === 'none' ? { ok: true, body: 'hi' } : { ok: false, code: 'TIMEOUT' };
      expect(out).toEqual([expect.objectContaining(expected)]);
    }
  });

  it('loses and duplicates messages at the profile’s rates', () => {
    const p = pair({ ...LAN, lossRate: 0.2, duplicateRate: 0.2 });
    let answered = 0;
    for (let i = 0; i < 1000; i++) p.net.request('A', 'B', 'echo', i, 50, (r) => r.ok && answered++);
    p.sched.runUntil(1000);
    expect(p.net.counts.lost).toBeGreaterThan(100);
    expect(p.net.counts.duplicated).toBeGreaterThan(100);
    // A request is answered once at most, whatever was duplicated; some are lost either way.
    expect(answered).toBeGreaterThan(400);
    expect(answered).toBeLessThan(1000);
    expect(p.served()).toBeGreaterThan(answered);
  });
});
