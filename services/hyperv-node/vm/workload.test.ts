import { describe, expect, it } from 'vitest';
import { RECORD_SIZE } from '../record.js';
import { BOOT, dirtyRate, type Eff, INTERVAL, replyOf, running, sim, vm1 } from './test-support.js';
import { DIRTY_TICK_MS, dirtyTickMs } from './workload.js';

describe('disk workload', () => {
  const writes = (effects: Eff[]) =>
    effects.flatMap((e) => (e.type === 'writeRecord' ? [`${e.seq}@${e.offset}`] : []));

  it('writes one record per tick, at offset + (seq mod records) * 4096, one at a time', () => {
    const s = sim();
    running(s);
    expect(writes(s.advance(INTERVAL))).toEqual([`1@${RECORD_SIZE}`]);
    // The write is still under way at the next tick: no second write is started.
    expect(writes(s.advance(INTERVAL))).toEqual([]);
    s.send({ type: 'writeDone', name: 'VirtualMachine1', seq: 1, outcome: { ok: true } });
    expect(writes(s.advance(INTERVAL))).toEqual([`2@${2 * RECORD_SIZE}`]);
    s.send({ type: 'writeDone', name: 'VirtualMachine1', seq: 2, outcome: { ok: true } });
    expect(s.state.vms.VirtualMachine1?.workload).toMatchObject({
      acked: [{ first: 1, last: 2 }],
      nextSeq: 3,
      inFlight: null,
    });
  });

  it('counts a refused write as failed, a write of unknown fate as unknown, and retries the same seq', () => {
    const s = sim();
    running(s);
    s.advance(INTERVAL);
    s.send({
      type: 'writeDone',
      name: 'VirtualMachine1',
      seq: 1,
      outcome: { ok: false, definite: true, code: 'RESERVATION_CONFLICT', message: 'preempted' },
    });
    expect(writes(s.advance(INTERVAL))).toEqual([`1@${RECORD_SIZE}`]);
    s.send({
      type: 'writeDone',
      name: 'VirtualMachine1',
      seq: 1,
      outcome: { ok: false, definite: false, code: 'ALL_PATHS_DOWN', message: 'no path' },
    });
    expect(writes(s.advance(INTERVAL))).toEqual([`1@${RECORD_SIZE}`]);
    s.send({ type: 'writeDone', name: 'VirtualMachine1', seq: 1, outcome: { ok: true } });
    expect(s.state.vms.VirtualMachine1?.workload).toMatchObject({
      failedWrites: 1,
      unknownWrites: 1,
      lastError: 'ALL_PATHS_DOWN: no path',
      acked: [{ first: 1, last: 1 }],
      nextSeq: 2,
    });
  });

  it('can be disabled and given a new interval', () => {
    const s = sim();
    running(s);
    const off = s.send({
      type: 'setWorkload',
      replyTo: 'r',
      name: 'VirtualMachine1',
      enabled: false,
      intervalMs: 0,
    });
    expect(off[0]).toEqual({ type: 'cancelTimer', id: 'tick:VirtualMachine1' });
    expect(writes(s.advance(10 * INTERVAL))).toEqual([]);
    s.send({ type: 'setWorkload', replyTo: 'r', name: 'VirtualMachine1', enabled: true, intervalMs: 500 });
    expect(writes(s.advance(499))).toEqual([]);
    expect(writes(s.advance(1))).toEqual([`1@${RECORD_SIZE}`]);
  });

  it('stops writing when the VM is saved, and carries on from the next seq when it runs again', () => {
    const s = sim();
    running(s);
    s.advance(INTERVAL);
    s.send({ type: 'writeDone', name: 'VirtualMachine1', seq: 1, outcome: { ok: true } });
    s.send({ type: 'save', replyTo: 'r', name: 'VirtualMachine1' });
    expect(writes(s.advance(10 * INTERVAL))).toEqual([]);
    s.send({ type: 'saved', name: 'VirtualMachine1', epoch: 1 });
    s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
    s.send({ type: 'memoryReady', name: 'VirtualMachine1', epoch: 2 });
    s.advance(BOOT);
    expect(writes(s.advance(INTERVAL))).toEqual([`2@${2 * RECORD_SIZE}`]);
  });
});

describe('memory dirtying', () => {
  const dirtied = (effects: Eff[]) =>
    effects.reduce((n, e) => n + (e.type === 'dirtyMemory' ? e.pages : 0), 0);

  it('dirties rate × time pages in batches every 50 ms (once a page when slower) while running, carrying fractions', () => {
    const s = sim();
    running(s);
    // The default 256 pages/s: 12.8 pages a batch, 256 in a second, exactly.
    const second = s.advance(1000);
    expect(dirtied(second)).toBe(256);
    expect(second.filter((e) => e.type === 'dirtyMemory').length).toBeLessThanOrEqual(20);
    dirtyRate(s, 2);
    // Two pages a second: one batch every 500 ms, not twenty idle ticks.
    const slow = s.advance(2000);
    expect(dirtied(slow)).toBe(4);
    expect(
      slow.filter((e) => e.type === 'startTimer' && e.id === 'dirty:VirtualMachine1').length,
    ).toBeLessThanOrEqual(5);
    expect(dirtyTickMs(1)).toBe(1000);
    expect(dirtyTickMs(0.1)).toBe(1000);
    expect(dirtyTickMs(100_000)).toBe(DIRTY_TICK_MS);
    dirtyRate(s, 5000);
    expect(dirtied(s.advance(100))).toBe(500);
  });

  it('stops dirtying when the rate is set to 0, and while the VM is off', () => {
    const s = sim();
    running(s);
    const off = dirtyRate(s, 0);
    expect(off).toContainEqual({ type: 'cancelTimer', id: 'dirty:VirtualMachine1' });
    expect(dirtied(s.advance(1000))).toBe(0);
    expect(replyOf(dirtyRate(s, -1))?.reply).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
    dirtyRate(s, 100);
    s.send({ type: 'stop', replyTo: 'r', name: 'VirtualMachine1' });
    expect(dirtied(s.advance(1000))).toBe(0);
    expect(s.pendingTimers()).toEqual([]);
  });

  it("takes a VM's dirty rate from its spec", () => {
    const s = sim();
    s.send({ type: 'define', replyTo: 'r', spec: { ...vm1, name: 'Busy', dirtyPagesPerSec: 1000 } });
    s.send({ type: 'start', replyTo: 'r', name: 'Busy' });
    s.send({ type: 'memoryReady', name: 'Busy', epoch: 1 });
    s.advance(BOOT);
    expect(dirtied(s.advance(1000))).toBe(1000);
  });
});
