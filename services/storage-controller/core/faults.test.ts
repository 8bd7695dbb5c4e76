import { describe, expect, it } from 'vitest';
import { Random } from '../../actor/clock.js';
import { FAULT_DURATION_DEFAULT_MS, FAULT_DURATION_MAX_MS, type StorageEffect } from './decide.js';
import {
  block,
  controller,
  errorCode,
  injectFault,
  K1,
  K2,
  listFaults,
  N1P3,
  N2P3,
  preempt,
  read,
  register,
  release,
  reserve,
  write,
} from './test-support.js';

describe('storage controller core: injected LUN faults', () => {
  it('delays every read and write on a slow LUN, and only on that LUN', () => {
    const { sim, ask } = controller();
    expect(ask(injectFault('CSV1', 'slow', { delayMs: 200, durationMs: 30_000 }))).toEqual({
      ok: true,
      value: {
        lun: 'CSV1',
        kind: 'slow',
        delay_ms: 200,
        error_rate: 0,
        expires_at_ms: 30_000,
        affected_ios: 0,
      },
    });
    const data = block(7);
    expect(sim.send(write(N1P3, 0, data)(1))).toEqual([
      { type: 'writeBlocks', reqId: 1, lun: 'CSV1', offset: 0, data, delayMs: 200 },
    ]);
    // The delayed write is in flight at once, so a preempt's barrier waits for it.
    expect(sim.state.inflight).toEqual([{ reqId: 1, lun: 'CSV1', bytes: 512 }]);
    expect(sim.send(read(N1P3, 0, 512)(2))).toEqual([
      { type: 'readBlocks', reqId: 2, lun: 'CSV1', offset: 0, length: 512, delayMs: 200 },
    ]);
    expect(sim.send(write(N1P3, 0, data, 'Quorum')(3))).toEqual([
      { type: 'writeBlocks', reqId: 3, lun: 'Quorum', offset: 0, data },
    ]);
    // Acknowledged once durable, as always.
    expect(sim.send({ type: 'writeDone', reqIds: [1] })).toEqual([
      { type: 'reply', reqId: 1, outcome: { ok: true, value: { written: 512 } } },
    ]);
    expect(ask(listFaults)).toMatchObject({
      ok: true,
      value: { faults: [{ lun: 'CSV1', affected_ios: 2 }] },
    });
  });

  it('fails the seeded fraction of reads and writes with MEDIUM_ERROR and never writes a failed write', () => {
    const { sim, ask } = controller();
    ask(injectFault('CSV1', 'errors', { errorRate: 0.25, durationMs: 60_000 }));
    // The same seed as the Simulation's: one draw per data command decides its fate.
    const replay = new Random(1);
    const expectedFailures: number[] = [];
    const failed: number[] = [];
    const written: number[] = [];
    for (let i = 0; i < 400; i++) {
      const reqId = 1000 + i;
      if (replay.next() < 0.25) expectedFailures.push(reqId);
      const effects = sim.send(write(N1P3, i * 512, block(1))(reqId));
      expect(effects).toHaveLength(1);
      const e = effects[0] as StorageEffect;
      if (e.type === 'writeBlocks') written.push(e.reqId);
      else {
        expect(e).toEqual({
          type: 'reply',
          reqId,
          outcome: {
            ok: false,
            code: 'MEDIUM_ERROR',
            message: `injected media error writing LUN CSV1 at byte ${i * 512}; nothing was written`,
          },
        });
        failed.push(reqId);
      }
    }
    expect(failed).toEqual(expectedFailures);
    expect(failed.length).toBeGreaterThan(70);
    expect(failed.length).toBeLessThan(130);
    expect(written).toHaveLength(400 - failed.length);
    expect(sim.state.inflight.map((w) => w.reqId)).toEqual(written);
    expect(sim.state.faults.CSV1?.affectedIos).toBe(failed.length);
  });

  it('fails reads on an erroring LUN too', () => {
    const { ask } = controller();
    ask(injectFault('CSV1', 'errors', { errorRate: 1 }));
    expect(ask(read(N1P3, 1024, 512))).toEqual({
      ok: false,
      code: 'MEDIUM_ERROR',
      message: 'injected media error reading LUN CSV1 at byte 1024; nothing was read',
    });
  });

  it('still refuses a fenced write for its own reason, drawing nothing', () => {
    const { sim, ask } = controller();
    ask(register(N1P3, K1));
    ask(reserve(N1P3, K1));
    ask(injectFault('CSV1', 'errors', { errorRate: 1 }));
    expect(errorCode(ask(write(N2P3, 0, block(1))))).toBe('RESERVATION_CONFLICT');
    expect(sim.state.faults.CSV1?.affectedIos).toBe(0);
  });

  it('leaves persistent-reservation commands alone on a faulty LUN', () => {
    const { sim, ask } = controller();
    ask(injectFault('CSV1', 'errors', { errorRate: 1 }));
    ask(injectFault('Quorum', 'slow', { delayMs: 500 }));
    for (const lun of ['CSV1', 'Quorum']) {
      expect(sim.send(register(N1P3, K1, lun)(1)).map((e) => e.type)).toEqual(['persistMeta', 'reply']);
      expect(sim.send(register(N2P3, K2, lun)(2)).map((e) => e.type)).toEqual(['persistMeta', 'reply']);
      expect(ask(reserve(N1P3, K1, lun))).toMatchObject({ ok: true, value: { reservation_key: K1 } });
      expect(ask(preempt(N2P3, K2, K1, lun))).toMatchObject({ ok: true, value: { reservation_key: K2 } });
      expect(ask(release(N2P3, K2, lun))).toMatchObject({ ok: true, value: { reservation_key: '' } });
      expect(ask((reqId) => ({ type: 'prReadKeys', reqId, lun, initiator: N1P3 }))).toMatchObject({
        ok: true,
      });
    }
    // No draw was spent on them: the next draw is still the seed's first.
    expect(sim.random.next()).toBe(new Random(1).next());
    expect(sim.state.faults.CSV1?.affectedIos).toBe(0);
    expect(sim.state.faults.Quorum?.affectedIos).toBe(0);
  });

  it('lifts a fault when its lease runs out', () => {
    const { sim, ask } = controller();
    sim.advance(1_000);
    const effects = sim.send(injectFault('CSV1', 'errors', { errorRate: 1, durationMs: 5_000 })(1));
    expect(effects[0]).toEqual({
      type: 'startTimer',
      id: 'fault:CSV1',
      ms: 5_000,
      msg: { type: 'faultExpired', lun: 'CSV1', expiresAtMs: 6_000 },
    });
    sim.advance(4_999);
    expect(errorCode(ask(write(N1P3, 0, block(1))))).toBe('MEDIUM_ERROR');
    sim.advance(1);
    expect(sim.state.faults).toEqual({});
    expect(sim.send(write(N1P3, 0, block(1))(2)).map((e) => e.type)).toEqual(['writeBlocks']);
    expect(ask(listFaults)).toEqual({ ok: true, value: { faults: [] } });
  });

  it('treats a lease past its end as lifted even before its timer fires', () => {
    const { sim, ask } = controller();
    sim.state = {
      ...sim.state,
      faults: { CSV1: { kind: 'errors', delayMs: 0, errorRate: 1, expiresAtMs: 10, affectedIos: 0 } },
    };
    sim.now = 10;
    expect(sim.send(write(N1P3, 0, block(1))(1)).map((e) => e.type)).toEqual(['writeBlocks']);
    expect(ask(listFaults)).toEqual({ ok: true, value: { faults: [] } });
  });

  it('lifts a fault at once on kind "none"', () => {
    const { sim, ask } = controller();
    ask(injectFault('CSV1', 'slow', { delayMs: 200 }));
    expect(sim.pendingTimers()).toEqual(['fault:CSV1']);
    const effects = sim.send(injectFault('CSV1', 'none')(1));
    expect(effects).toEqual([
      { type: 'cancelTimer', id: 'fault:CSV1' },
      {
        type: 'reply',
        reqId: 1,
        outcome: {
          ok: true,
          value: { lun: 'CSV1', kind: 'none', delay_ms: 0, error_rate: 0, expires_at_ms: 0, affected_ios: 0 },
        },
      },
    ]);
    expect(sim.pendingTimers()).toEqual([]);
    expect(sim.send(write(N1P3, 0, block(1))(2))).toEqual([
      { type: 'writeBlocks', reqId: 2, lun: 'CSV1', offset: 0, data: block(1) },
    ]);
  });

  it('keeps a replaced fault from being lifted by the old lease', () => {
    const { sim, ask } = controller();
    ask(injectFault('CSV1', 'slow', { delayMs: 100, durationMs: 1_000 }));
    sim.advance(500);
    ask(injectFault('CSV1', 'errors', { errorRate: 1, durationMs: 1_000 }));
    sim.send({ type: 'faultExpired', lun: 'CSV1', expiresAtMs: 1_000 });
    expect(sim.state.faults.CSV1).toMatchObject({ kind: 'errors', expiresAtMs: 1_500 });
    sim.advance(1_000);
    expect(sim.state.faults).toEqual({});
  });

  it('defaults a lease to 60 s and cuts one longer than 10 minutes', () => {
    const { ask } = controller();
    expect(ask(injectFault('CSV1', 'slow', { delayMs: 50 }))).toMatchObject({
      value: { expires_at_ms: FAULT_DURATION_DEFAULT_MS },
    });
    expect(ask(injectFault('Quorum', 'slow', { delayMs: 50, durationMs: 3_600_000 }))).toMatchObject({
      value: { expires_at_ms: FAULT_DURATION_MAX_MS },
    });
  });

  it('lists the faults in force by LUN name with their counters', () => {
    const { ask } = controller();
    ask(injectFault('Quorum', 'slow', { delayMs: 50, durationMs: 2_000 }));
    ask(injectFault('CSV1', 'errors', { errorRate: 1, durationMs: 3_000 }));
    ask(write(N1P3, 0, block(1)));
    expect(ask(listFaults)).toEqual({
      ok: true,
      value: {
        faults: [
          { lun: 'CSV1', kind: 'errors', delay_ms: 0, error_rate: 1, expires_at_ms: 3_000, affected_ios: 1 },
          { lun: 'Quorum', kind: 'slow', delay_ms: 50, error_rate: 0, expires_at_ms: 2_000, affected_ios: 0 },
        ],
      },
    });
  });

  it("drops a LUN's fault and its timer when the LUN is deleted", () => {
    const { sim } = controller();
    sim.send(injectFault('CSV1', 'errors', { errorRate: 1 })(1));
    const effects = sim.send({ type: 'deleteLun', reqId: 2, name: 'CSV1' });
    expect(effects.map((e) => e.type)).toEqual(['cancelTimer', 'persistMeta', 'removeLunFile', 'reply']);
    expect(sim.state.faults).toEqual({});
    expect(sim.pendingTimers()).toEqual([]);
  });

  it('refuses a fault it cannot carry out', () => {
    const { ask } = controller();
    expect(errorCode(ask(injectFault('NoSuchLun', 'slow', { delayMs: 10 })))).toBe('NOT_FOUND');
    expect(errorCode(ask(injectFault('CSV1', 'crash')))).toBe('INVALID_ARGUMENT');
    expect(errorCode(ask(injectFault('CSV1', 'slow')))).toBe('INVALID_ARGUMENT');
    expect(errorCode(ask(injectFault('CSV1', 'slow', { delayMs: 60_001 })))).toBe('INVALID_ARGUMENT');
    expect(errorCode(ask(injectFault('CSV1', 'errors')))).toBe('INVALID_ARGUMENT');
    expect(errorCode(ask(injectFault('CSV1', 'errors', { errorRate: 1.5 })))).toBe('INVALID_ARGUMENT');
    expect(errorCode(ask(injectFault('CSV1', 'errors', { errorRate: Number.NaN })))).toBe('INVALID_ARGUMENT');
  });
});
