import { describe, expect, it } from 'vitest';
import { Simulation, type TimerEffect } from '../actor/actor.js';
import type { ErrorCode } from '../actor/errors.js';
import {
  decideMpio,
  disksView,
  type IoResult,
  initialMpio,
  type MpioEffect,
  type MpioMsg,
  type MpioPolicy,
  type MpioState,
  reservationKey,
} from './mpio.js';

const KEY = '000000014d534654';
const PERIOD = 60_000;

function sim(policy: MpioPolicy, luns = ['CSV1']) {
  return new Simulation<MpioState, MpioMsg, MpioEffect>(
    decideMpio,
    initialMpio({
      policy,
      nodeKey: KEY,
      luns,
      // Given out of bay order on purpose: bay order decides the preferred path.
      paths: [
        { host: 'rssm4', ioBay: 4 },
        { host: 'rssm3', ioBay: 3 },
      ],
      verifyPeriodMs: PERIOD,
    }),
    { self: 'HVR2NODO1' },
  );
}

const write = (n: number) => ({ kind: 'write' as const, offset: n * 4096, data: new Uint8Array([n]) });
const ok: IoResult = { ok: true };
const fail = (code: ErrorCode, message = 'boom'): IoResult => ({ ok: false, code, message });

function states(s: Simulation<MpioState, MpioMsg, MpioEffect>, lun = 'CSV1') {
  const disk = disksView(s.state, {}).find((d) => d.lun === lun);
  return disk?.paths.map((p) => `${p.name}:${p.state}`);
}

function pathIos(effects: (MpioEffect | TimerEffect<MpioMsg>)[]) {
  return effects
    .filter((e) => e.type === 'pathIo')
    .map((e) => (e.type === 'pathIo' ? `${e.ioId}@${e.path}:${e.op.kind}` : ''));
}

describe('reservation key', () => {
  it('is the node id as 8 hex digits followed by the 4d534654 mask', () => {
    expect(reservationKey(1)).toBe('000000014d534654');
    expect(reservationKey(0x2a)).toBe('0000002a4d534654');
    expect(() => reservationKey(-1)).toThrow(/nodeId/);
  });
});

describe('failover-only policy', () => {
  it('sends I/O down the first healthy path in I/O-bay order and keeps the other on standby', () => {
    const s = sim('failover-only');
    expect(s.send({ type: 'submit', ioId: 'io-1', lun: 'CSV1', op: write(1) })).toEqual([
      {
        type: 'pathIo',
        ioId: 'io-1',
        lun: 'CSV1',
        path: 'rssm3',
        op: write(1),
        task: { id: 'io-1#1', abandoned: [] },
      },
    ]);
    expect(states(s)).toEqual(['rssm3:Active', 'rssm4:Standby']);
    s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm3', result: ok });
    expect(s.send({ type: 'submit', ioId: 'io-2', lun: 'CSV1', op: write(2) })[0]).toMatchObject({
      path: 'rssm3',
    });
  });

  it('retries the same I/O on the next path when the active path fails, so the caller sees success', () => {
    const s = sim('failover-only');
    s.send({ type: 'submit', ioId: 'io-1', lun: 'CSV1', op: write(7) });
    const afterError = s.send({
      type: 'pathDone',
      ioId: 'io-1',
      path: 'rssm3',
      result: fail('UNAVAILABLE', 'rssm3 is off'),
    });
    expect(afterError).toEqual([
      {
        type: 'log',
        level: 'warn',
        msg: 'path failed',
        fields: { lun: 'CSV1', path: 'rssm3', code: 'UNAVAILABLE', error: 'rssm3 is off' },
      },
      // The first attempt's outcome is unknown: the retry carries it as abandoned.
      {
        type: 'pathIo',
        ioId: 'io-1',
        lun: 'CSV1',
        path: 'rssm4',
        op: write(7),
        task: { id: 'io-1#2', abandoned: ['io-1#1'] },
      },
    ]);
    expect(s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm4', result: ok })).toEqual([
      { type: 'complete', ioId: 'io-1', result: { ok: true, path: 'rssm4' } },
    ]);
    expect(states(s)).toEqual(['rssm3:Failed', 'rssm4:Active']);
    const rssm3 = disksView(s.state, {})[0]?.paths[0];
    expect(rssm3).toMatchObject({ errors: 1, io_count: 1, last_error: 'UNAVAILABLE: rssm3 is off' });
    // Later I/O goes straight to the surviving path.
    expect(s.send({ type: 'submit', ioId: 'io-2', lun: 'CSV1', op: write(8) })[0]).toMatchObject({
      path: 'rssm4',
    });
  });

  it('carries a timed-out write attempt on every write until one that carried it is acknowledged', () => {
    const s = sim('none');
    s.send({ type: 'submit', ioId: 'io-1', lun: 'CSV1', op: write(1) });
    // Without MPIO the caller sees the timeout and writes again, as a new I/O.
    expect(s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm3', result: fail('TIMEOUT') })).toContainEqual(
      expect.objectContaining({ type: 'complete', ioId: 'io-1' }),
    );
    const taskOf = (e: (MpioEffect | TimerEffect<MpioMsg>)[]) =>
      (e.find((x) => x.type === 'pathIo') as { task?: unknown }).task;
    expect(taskOf(s.send({ type: 'submit', ioId: 'io-2', lun: 'CSV1', op: write(1) }))).toEqual({
      id: 'io-2#1',
      abandoned: ['io-1#1'],
    });
    // A refusal by the path (never sent) does not clear it; a definite answer that is not
    // the controller's acknowledgement does not either.
    s.send({ type: 'pathDone', ioId: 'io-2', path: 'rssm3', result: fail('OUT_OF_RANGE') });
    expect(taskOf(s.send({ type: 'submit', ioId: 'io-3', lun: 'CSV1', op: write(1) }))).toEqual({
      id: 'io-3#1',
      abandoned: ['io-1#1'],
    });
    s.send({ type: 'pathDone', ioId: 'io-3', path: 'rssm3', result: ok });
    expect(taskOf(s.send({ type: 'submit', ioId: 'io-4', lun: 'CSV1', op: write(1) }))).toEqual({
      id: 'io-4#1',
      abandoned: [],
    });
    // Reads carry no task, and a definite failure abandons nothing.
    expect(
      taskOf(
        s.send({ type: 'submit', ioId: 'io-5', lun: 'CSV1', op: { kind: 'read', offset: 0, length: 512 } }),
      ),
    ).toBeUndefined();
    s.send({ type: 'pathDone', ioId: 'io-4', path: 'rssm3', result: fail('RESERVATION_CONFLICT') });
    expect(s.state.abandoned).toEqual([]);
  });

  it.each(['TIMEOUT', 'IO_ERROR', 'UNAVAILABLE'] as const)(
    'treats %s as a suspect path and fails over',
    (code) => {
      const s = sim('failover-only');
      s.send({ type: 'submit', ioId: 'io-1', lun: 'CSV1', op: write(1) });
      expect(pathIos(s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm3', result: fail(code) }))).toEqual([
        'io-1@rssm4:write',
      ]);
    },
  );

  it.each(['RESERVATION_CONFLICT', 'NOT_MAPPED', 'NOT_ZONED', 'OUT_OF_RANGE', 'INVALID_ARGUMENT'] as const)(
    'returns storage answer %s to the caller without failing over',
    (code) => {
      const s = sim('failover-only');
      s.send({ type: 'submit', ioId: 'io-1', lun: 'CSV1', op: { kind: 'reserve', key: KEY } });
      expect(s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm3', result: fail(code, 'no') })).toEqual([
        { type: 'complete', ioId: 'io-1', result: { ok: false, code, message: 'no', path: 'rssm3' } },
      ]);
      expect(states(s)).toEqual(['rssm3:Active', 'rssm4:Standby']);
      expect(s.state.luns.CSV1?.paths[0]?.errors).toBe(0);
    },
  );

  it('returns ALL_PATHS_DOWN (indefinite) only once every path failed the I/O', () => {
    const s = sim('failover-only');
    s.send({ type: 'submit', ioId: 'io-1', lun: 'CSV1', op: write(1) });
    s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm3', result: fail('UNAVAILABLE', 'gone') });
    const last = s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm4', result: fail('TIMEOUT', 'slow') });
    expect(last).toContainEqual({
      type: 'complete',
      ioId: 'io-1',
      result: {
        ok: false,
        code: 'ALL_PATHS_DOWN',
        message: 'every path to LUN CSV1 failed (rssm3: UNAVAILABLE: gone; rssm4: TIMEOUT: slow)',
      },
    });
    expect(states(s)).toEqual(['rssm3:Failed', 'rssm4:Failed']);
    expect(s.state.inflight.size).toBe(0);
  });

  it('tries failed paths as a last resort and reclaims the one that answers', () => {
    const s = sim('failover-only');
    s.send({ type: 'submit', ioId: 'io-1', lun: 'CSV1', op: write(1) });
    s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm3', result: fail('UNAVAILABLE') });
    s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm4', result: fail('UNAVAILABLE') });
    // The storage controller is back: the next I/O finds it through the preferred path.
    expect(pathIos(s.send({ type: 'submit', ioId: 'io-2', lun: 'CSV1', op: write(2) }))).toEqual([
      'io-2@rssm3:write',
    ]);
    const done = s.send({ type: 'pathDone', ioId: 'io-2', path: 'rssm3', result: ok });
    // The path never registered: it reads the keys before it registers (see the next tests).
    expect(done).toEqual([
      { type: 'log', level: 'info', msg: 'path reclaimed', fields: { lun: 'CSV1', path: 'rssm3' } },
      { type: 'pathIo', ioId: 'recheck-1', lun: 'CSV1', path: 'rssm3', op: { kind: 'readKeys' } },
      { type: 'complete', ioId: 'io-2', result: { ok: true, path: 'rssm3' } },
    ]);
    expect(states(s)).toEqual(['rssm3:Active', 'rssm4:Failed']);
  });

  it('probes every path each verification period, reclaims the failed one and fails back to it', () => {
    const s = sim('failover-only');
    s.send({ type: 'start' });
    s.send({ type: 'submit', ioId: 'reg', lun: 'CSV1', op: { kind: 'register', key: KEY } });
    for (const io of s.state.inflight.keys()) {
      const path = s.state.inflight.get(io)?.tried[0] as string;
      s.send({ type: 'pathDone', ioId: io, path, result: ok });
    }
    s.send({ type: 'submit', ioId: 'io-1', lun: 'CSV1', op: write(1) });
    s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm3', result: fail('UNAVAILABLE') });
    s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm4', result: ok });
    expect(states(s)).toEqual(['rssm3:Failed', 'rssm4:Active']);

    expect(pathIos(s.advance(PERIOD - 1))).toEqual([]);
    const probes = s.advance(1);
    expect(pathIos(probes)).toEqual(['probe-2@rssm3:readKeys', 'probe-3@rssm4:readKeys']);
    expect(probes).toContainEqual({
      type: 'startTimer',
      id: 'mpio-verify',
      ms: PERIOD,
      msg: { type: 'verify' },
    });

    // Still dead at the first probe: it stays failed.
    s.send({ type: 'pathDone', ioId: 'probe-2', path: 'rssm3', result: fail('UNAVAILABLE', 'still off') });
    s.send({ type: 'pathDone', ioId: 'probe-3', path: 'rssm4', result: ok });
    expect(states(s)).toEqual(['rssm3:Failed', 'rssm4:Active']);

    // Back at the next probe: reclaimed, and I/O fails back.
    const again = s.advance(PERIOD);
    const probe3 = again.find((e) => e.type === 'pathIo' && e.path === 'rssm3');
    expect(probe3).toMatchObject({ op: { kind: 'readKeys' } });
    const reclaimed = s.send({
      type: 'pathDone',
      ioId: (probe3 as { ioId: string }).ioId,
      path: 'rssm3',
      result: ok,
    });
    // It registered at start, and the storage keeps a registration through a path's failure.
    expect(pathIos(reclaimed)).toEqual([]);
    expect(states(s)).toEqual(['rssm3:Active', 'rssm4:Standby']);
    expect(s.send({ type: 'submit', ioId: 'io-2', lun: 'CSV1', op: write(2) })[0]).toMatchObject({
      path: 'rssm3',
    });
  });

  it('shows a dead standby path as failed once a probe finds it, before any I/O needs it', () => {
    const s = sim('failover-only');
    s.send({ type: 'verify' });
    s.send({ type: 'pathDone', ioId: 'probe-1', path: 'rssm4', result: fail('UNAVAILABLE', 'pulled') });
    expect(states(s)).toEqual(['rssm3:Active', 'rssm4:Failed']);
  });
});

describe('round-robin policy', () => {
  it('alternates I/O between the healthy paths', () => {
    const s = sim('round-robin');
    const used: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const [e] = s.send({ type: 'submit', ioId: `io-${i}`, lun: 'CSV1', op: write(i) });
      const path = (e as { path: string }).path;
      used.push(path);
      s.send({ type: 'pathDone', ioId: `io-${i}`, path, result: ok });
    }
    expect(used).toEqual(['rssm3', 'rssm4', 'rssm3', 'rssm4']);
    expect(states(s)).toEqual(['rssm3:Active', 'rssm4:Active']);
  });

  it('skips a failed path until it is reclaimed', () => {
    const s = sim('round-robin');
    s.send({ type: 'submit', ioId: 'io-1', lun: 'CSV1', op: write(1) });
    s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm3', result: fail('IO_ERROR') });
    s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm4', result: ok });
    const used: string[] = [];
    for (let i = 2; i <= 4; i++) {
      const [e] = s.send({ type: 'submit', ioId: `io-${i}`, lun: 'CSV1', op: write(i) });
      used.push((e as { path: string }).path);
      s.send({ type: 'pathDone', ioId: `io-${i}`, path: (e as { path: string }).path, result: ok });
    }
    expect(used).toEqual(['rssm4', 'rssm4', 'rssm4']);
  });
});

describe('registration', () => {
  it('registers nothing at start (the cluster asks once the node runs in it) and arms path verification', () => {
    const s = sim('failover-only', ['Quorum', 'CSV1']);
    const effects = s.send({ type: 'start' });
    expect(pathIos(effects)).toEqual([]);
    expect(s.pendingTimers()).toEqual(['mpio-verify']);
  });

  it('does not undo fencing: a LUN whose write hit RESERVATION_CONFLICT is not re-registered on reclaim', () => {
    const s = sim('failover-only');
    s.send({ type: 'submit', ioId: 'io-1', lun: 'CSV1', op: write(1) });
    const refused = s.send({
      type: 'pathDone',
      ioId: 'io-1',
      path: 'rssm3',
      result: fail('RESERVATION_CONFLICT', 'preempted'),
    });
    expect(refused).toContainEqual({
      type: 'complete',
      ioId: 'io-1',
      result: { ok: false, code: 'RESERVATION_CONFLICT', message: 'preempted', path: 'rssm3' },
    });
    expect(s.state.luns.CSV1?.registration).toBe('fenced');
    expect(pathIos(s.send({ type: 'verify' }))).toEqual(['probe-1@rssm3:readKeys', 'probe-2@rssm4:readKeys']);
    s.send({ type: 'pathDone', ioId: 'probe-1', path: 'rssm3', result: ok });
    s.send({ type: 'pathDone', ioId: 'probe-2', path: 'rssm4', result: fail('UNAVAILABLE') });
    expect(pathIos(s.send({ type: 'verify' }))).toEqual(['probe-3@rssm3:readKeys', 'probe-4@rssm4:readKeys']);
    const reclaimed = s.send({ type: 'pathDone', ioId: 'probe-4', path: 'rssm4', result: ok });
    expect(reclaimed).toEqual([
      { type: 'log', level: 'info', msg: 'path reclaimed', fields: { lun: 'CSV1', path: 'rssm4' } },
    ]);
    expect(states(s)).toEqual(['rssm3:Active', 'rssm4:Standby']);
  });

  it('registers a reclaimed path that never registered only while the key is still registered through another', () => {
    const keys = (...k: string[]) => ({
      ok: true as const,
      prState: { registrations: k.map((key) => ({ key })) },
    });
    const reclaimWithKeys = (result: ReturnType<typeof keys>) => {
      const s = sim('failover-only');
      s.send({ type: 'submit', ioId: 'reg', lun: 'CSV1', op: { kind: 'register', key: KEY } });
      s.send({ type: 'pathDone', ioId: 'reg', path: 'rssm3', result: ok });
      s.send({ type: 'pathDone', ioId: 'register-1', path: 'rssm4', result: fail('UNAVAILABLE') });
      s.send({ type: 'verify' });
      s.send({ type: 'pathDone', ioId: 'probe-3', path: 'rssm4', result: ok });
      return { s, out: s.send({ type: 'pathDone', ioId: 'recheck-4', path: 'rssm4', result }) };
    };
    const still = reclaimWithKeys(keys(KEY));
    expect(pathIos(still.out)).toEqual(['register-5@rssm4:register']);
    expect(still.s.state.luns.CSV1?.registration).toBe('wanted');
    // Preempted meanwhile by the node that fenced us: the key is gone, and stays gone.
    const gone = reclaimWithKeys(keys('000000024d534654'));
    expect(pathIos(gone.out)).toEqual([]);
    expect(gone.s.state.luns.CSV1?.registration).toBe('fenced');
  });

  it('re-registers a path that was down when the cluster registered again after a preempt, and writes down it only once registered', () => {
    const keys = { ok: true as const, prState: { registrations: [{ key: KEY }] } };
    const s = sim('failover-only');
    s.send({ type: 'submit', ioId: 'reg-1', lun: 'CSV1', op: { kind: 'register', key: KEY } });
    s.send({ type: 'pathDone', ioId: 'reg-1', path: 'rssm3', result: ok });
    s.send({ type: 'pathDone', ioId: 'register-1', path: 'rssm4', result: ok });
    // Another node preempts our key (it leaves both paths unregistered at the storage), and rssm3
    // fails: the write fails over to rssm4, where it is refused.
    s.send({ type: 'submit', ioId: 'io-1', lun: 'CSV1', op: write(1) });
    s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm3', result: fail('UNAVAILABLE') });
    s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm4', result: fail('RESERVATION_CONFLICT') });
    expect(s.state.luns.CSV1?.registration).toBe('fenced');
    // Back in the cluster, the node registers again: only rssm4 is up to carry it.
    const reg = s.send({ type: 'submit', ioId: 'reg-2', lun: 'CSV1', op: { kind: 'register', key: KEY } });
    expect(pathIos(reg)).toEqual(['reg-2@rssm4:register']);
    s.send({ type: 'pathDone', ioId: 'reg-2', path: 'rssm4', result: ok });
    // rssm3 answers the next probe: it reads the keys before it registers, and meanwhile writes stay on rssm4.
    s.send({ type: 'verify' });
    const reclaimed = s.send({ type: 'pathDone', ioId: 'probe-2', path: 'rssm3', result: ok });
    expect(pathIos(reclaimed)).toEqual(['recheck-4@rssm3:readKeys']);
    expect(s.send({ type: 'submit', ioId: 'io-2', lun: 'CSV1', op: write(2) })[0]).toMatchObject({
      path: 'rssm4',
    });
    expect(pathIos(s.send({ type: 'pathDone', ioId: 'recheck-4', path: 'rssm3', result: keys }))).toEqual([
      'register-5@rssm3:register',
    ]);
    s.send({ type: 'pathDone', ioId: 'register-5', path: 'rssm3', result: ok });
    expect(s.send({ type: 'submit', ioId: 'io-3', lun: 'CSV1', op: write(3) })[0]).toMatchObject({
      path: 'rssm3',
    });
  });

  it('registers through every healthy path when asked explicitly, which re-arms a fenced LUN', () => {
    const s = sim('failover-only');
    s.send({ type: 'submit', ioId: 'io-1', lun: 'CSV1', op: write(1) });
    s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm3', result: fail('RESERVATION_CONFLICT') });
    const reg = s.send({ type: 'submit', ioId: 'io-2', lun: 'CSV1', op: { kind: 'register', key: KEY } });
    expect(pathIos(reg)).toEqual(['register-1@rssm4:register', 'io-2@rssm3:register']);
    expect(s.state.luns.CSV1?.registration).toBe('wanted');
  });
});

describe('without MPIO', () => {
  it('lists every LUN once per path, one disk each, with policy none', () => {
    const s = sim('none', ['Quorum', 'CSV1']);
    const disks = disksView(s.state, {
      Quorum: { sizeBytes: 10e9, serial: 'Q1' },
      CSV1: { sizeBytes: 100e9, serial: 'C1' },
    });
    expect(disks.map((d) => [d.device, d.lun, d.policy, d.paths.map((p) => p.name).join(',')])).toEqual([
      ['Disk 1', 'Quorum', 'none', 'rssm3'],
      ['Disk 2', 'Quorum', 'none', 'rssm4'],
      ['Disk 3', 'CSV1', 'none', 'rssm3'],
      ['Disk 4', 'CSV1', 'none', 'rssm4'],
    ]);
    expect(disks[2]).toMatchObject({ size_bytes: 100e9, serial: 'C1' });
  });

  it("uses only the first disk's path and fails the I/O when that path dies", () => {
    const s = sim('none');
    expect(pathIos(s.send({ type: 'submit', ioId: 'io-1', lun: 'CSV1', op: write(1) }))).toEqual([
      'io-1@rssm3:write',
    ]);
    const failed = s.send({
      type: 'pathDone',
      ioId: 'io-1',
      path: 'rssm3',
      result: fail('UNAVAILABLE', 'off'),
    });
    expect(pathIos(failed)).toEqual([]);
    expect(failed).toContainEqual({
      type: 'complete',
      ioId: 'io-1',
      result: { ok: false, code: 'UNAVAILABLE', message: 'off', path: 'rssm3' },
    });
    // The second disk is never used for this LUN's I/O, even while the first is dead.
    expect(pathIos(s.send({ type: 'submit', ioId: 'io-2', lun: 'CSV1', op: write(2) }))).toEqual([
      'io-2@rssm3:write',
    ]);
  });
});

it('refuses I/O to a LUN that is not mapped to the node', () => {
  const s = sim('failover-only');
  expect(s.send({ type: 'submit', ioId: 'io-1', lun: 'Other', op: write(1) })).toEqual([
    {
      type: 'complete',
      ioId: 'io-1',
      result: { ok: false, code: 'NOT_MAPPED', message: 'LUN Other is not mapped to HVR2NODO1' },
    },
  ]);
});

it('fails over every I/O that was in flight on a path that dies, logging the failure once', () => {
  const s = sim('failover-only');
  s.send({ type: 'submit', ioId: 'io-1', lun: 'CSV1', op: write(1) });
  s.send({ type: 'submit', ioId: 'io-2', lun: 'CSV1', op: write(2) });
  const first = s.send({ type: 'pathDone', ioId: 'io-1', path: 'rssm3', result: fail('TIMEOUT') });
  const second = s.send({ type: 'pathDone', ioId: 'io-2', path: 'rssm3', result: fail('TIMEOUT') });
  expect(first.filter((e) => e.type === 'log')).toHaveLength(1);
  expect(second.filter((e) => e.type === 'log')).toHaveLength(0);
  expect([...pathIos(first), ...pathIos(second)]).toEqual(['io-1@rssm4:write', 'io-2@rssm4:write']);
  expect(s.state.luns.CSV1?.paths.find((p) => p.host === 'rssm3')?.errors).toBe(2);
});
