import { describe, expect, it } from 'vitest';
import { Simulation } from '../actor/actor.js';
import { Random } from '../actor/clock.js';
import {
  decideStorage,
  FAULT_DURATION_DEFAULT_MS,
  FAULT_DURATION_MAX_MS,
  type Initiator,
  initialState,
  metaOf,
  type Outcome,
  RESERVATION_TYPE,
  type StorageEffect,
  type StorageMsg,
  type StorageState,
} from './core.js';

const N1P3: Initiator = { host: 'HVR2NODO1', port: 'rssm3' };
const N1P4: Initiator = { host: 'HVR2NODO1', port: 'rssm4' };
const N2P3: Initiator = { host: 'HVR2NODO2', port: 'rssm3' };
const WITNESS: Initiator = { host: 'quorum', port: 'controller' };
const K1 = '0000000100000001';
const K2 = '0000000200000001';
const block = (byte: number, blocks = 1) => new Uint8Array(512 * blocks).fill(byte);

/** A controller with the seed's two LUNs, provisioned; effects of provisioning are cleared. */
function controller() {
  const sim = new Simulation<StorageState, StorageMsg, StorageEffect>(
    decideStorage,
    initialState({ blockSize: 512, internalInitiators: [{ host: 'quorum', lun: 'Quorum' }] }),
  );
  sim.send({
    type: 'provision',
    luns: [
      { name: 'Quorum', sizeBytes: 1024 * 1024, mappedTo: ['HVR2NODO1', 'HVR2NODO2'] },
      { name: 'CSV1', sizeBytes: 4 * 1024 * 1024, mappedTo: ['HVR2NODO1', 'HVR2NODO2'] },
    ],
  });
  let reqId = 100;
  /** Sends a request and returns its reply's outcome, or undefined when the reply is deferred. */
  const ask = (build: (reqId: number) => StorageMsg): Outcome | undefined => {
    const id = ++reqId;
    const effects = sim.send(build(id));
    return replyOf(effects, id);
  };
  return { sim, ask };
}

function replyOf(effects: StorageEffect[] | unknown[], reqId: number): Outcome | undefined {
  for (const e of effects as StorageEffect[]) if (e.type === 'reply' && e.reqId === reqId) return e.outcome;
  return undefined;
}

const register =
  (initiator: Initiator, key: string, lun = 'CSV1') =>
  (reqId: number) =>
    ({ type: 'prRegister', reqId, lun, initiator, key }) as StorageMsg;
const reserve =
  (initiator: Initiator, key: string, lun = 'CSV1') =>
  (reqId: number) =>
    ({ type: 'prReserve', reqId, lun, initiator, key }) as StorageMsg;
const release =
  (initiator: Initiator, key: string, lun = 'CSV1') =>
  (reqId: number) =>
    ({ type: 'prRelease', reqId, lun, initiator, key }) as StorageMsg;
const preempt =
  (initiator: Initiator, key: string, victimKey: string, lun = 'CSV1') =>
  (reqId: number) =>
    ({ type: 'prPreempt', reqId, lun, initiator, key, victimKey }) as StorageMsg;
const write =
  (initiator: Initiator, offset: number, data: Uint8Array, lun = 'CSV1') =>
  (reqId: number) =>
    ({ type: 'write', reqId, lun, initiator, offset, data }) as StorageMsg;
const read =
  (initiator: Initiator, offset: number, length: number, lun = 'CSV1') =>
  (reqId: number) =>
    ({ type: 'read', reqId, lun, initiator, offset, length }) as StorageMsg;

function errorCode(o: Outcome | undefined): string | undefined {
  return o && !o.ok ? o.code : undefined;
}

describe('storage controller core: provisioning', () => {
  it('creates each LUN file and persists the table once on first start', () => {
    const sim = new Simulation<StorageState, StorageMsg, StorageEffect>(
      decideStorage,
      initialState({ blockSize: 512, internalInitiators: [] }),
    );
    const effects = sim.send({
      type: 'provision',
      luns: [
        { name: 'Quorum', sizeBytes: 10 * 2 ** 30, mappedTo: ['HVR2NODO1', 'HVR2NODO2'] },
        { name: 'CSV1', sizeBytes: 100 * 2 ** 30, mappedTo: ['HVR2NODO1', 'HVR2NODO2'] },
      ],
    });
    expect(effects).toEqual([
      { type: 'createLunFile', name: 'Quorum', sizeBytes: 10 * 2 ** 30 },
      { type: 'createLunFile', name: 'CSV1', sizeBytes: 100 * 2 ** 30 },
      { type: 'persistMeta', meta: metaOf(sim.state) },
    ]);
    expect(sim.state.luns.Quorum?.serial).toBe('60050768000000000000000000000001');
    expect(sim.state.luns.CSV1?.serial).toBe('60050768000000000000000000000002');
  });
});

describe('storage controller core: persistent reservations', () => {
  it('registers a key, bumps the generation and persists before replying', () => {
    const { sim } = controller();
    const effects = sim.send(register(N1P3, K1)(1));
    expect(effects.map((e) => e.type)).toEqual(['persistMeta', 'reply']);
    expect(replyOf(effects, 1)).toEqual({
      ok: true,
      value: {
        generation: 1,
        registrations: [{ initiator: 'HVR2NODO1/rssm3', key: K1 }],
        reservation_holder: '',
        reservation_key: '',
        reservation_type: '',
      },
    });
  });

  it('registers every MPIO path as its own I_T nexus', () => {
    const { sim, ask } = controller();
    ask(register(N1P3, K1));
    ask(register(N1P4, K1));
    expect(sim.state.luns.CSV1?.pr.registrations).toEqual([
      { initiator: 'HVR2NODO1/rssm3', key: K1 },
      { initiator: 'HVR2NODO1/rssm4', key: K1 },
    ]);
    expect(sim.state.luns.CSV1?.pr.generation).toBe(2);
  });

  it('reserves for a registrant and repeats the reserve idempotently on another path with the same key', () => {
    const { sim, ask } = controller();
    ask(register(N1P3, K1));
    ask(register(N1P4, K1));
    const first = ask(reserve(N1P3, K1));
    expect(first).toMatchObject({
      ok: true,
      value: {
        reservation_holder: 'HVR2NODO1/rssm3',
        reservation_key: K1,
        reservation_type: RESERVATION_TYPE,
      },
    });
    const again = ask(reserve(N1P4, K1));
    expect(again).toMatchObject({
      ok: true,
      value: { reservation_holder: 'HVR2NODO1/rssm3', generation: 2 },
    });
    expect(sim.state.luns.CSV1?.pr.reservation).toEqual({ holder: 'HVR2NODO1/rssm3', key: K1 });
  });

  it('refuses a reserve from a non-registrant or with a key the initiator did not register', () => {
    const { sim, ask } = controller();
    expect(errorCode(ask(reserve(N2P3, K2)))).toBe('RESERVATION_CONFLICT');
    ask(register(N2P3, K2));
    expect(errorCode(ask(reserve(N2P3, K1)))).toBe('RESERVATION_CONFLICT');
    expect(sim.state.luns.CSV1?.pr.reservation).toBeNull();
  });

  it('refuses a reserve while another key holds the reservation', () => {
    const { sim, ask } = controller();
    ask(register(N1P3, K1));
    ask(register(N2P3, K2));
    ask(reserve(N1P3, K1));
    const o = ask(reserve(N2P3, K2));
    expect(o).toEqual({
      ok: false,
      code: 'RESERVATION_CONFLICT',
      message: `LUN CSV1 is reserved by HVR2NODO1/rssm3 with key ${K1}`,
    });
    expect(sim.state.luns.CSV1?.pr.reservation).toEqual({ holder: 'HVR2NODO1/rssm3', key: K1 });
  });

  it('lets the holder release, after which the other node may reserve', () => {
    const { sim, ask } = controller();
    ask(register(N1P3, K1));
    ask(register(N2P3, K2));
    ask(reserve(N1P3, K1));
    expect(ask(release(N1P3, K1))).toMatchObject({ ok: true, value: { reservation_holder: '' } });
    expect(sim.state.luns.CSV1?.pr.reservation).toBeNull();
    expect(ask(reserve(N2P3, K2))).toMatchObject({ ok: true, value: { reservation_key: K2 } });
  });

  it('treats a release by a registrant that does not hold the reservation as a no-op', () => {
    const { sim, ask } = controller();
    ask(register(N1P3, K1));
    ask(register(N2P3, K2));
    ask(reserve(N1P3, K1));
    const effects = sim.send(release(N2P3, K2)(1));
    expect(effects).toEqual([
      {
        type: 'reply',
        reqId: 1,
        outcome: { ok: true, value: expect.objectContaining({ reservation_key: K1 }) },
      },
    ]);
  });

  it('releases the reservation when its holder unregisters, and lets it register again', () => {
    const { sim, ask } = controller();
    ask(register(N1P3, K1));
    ask(reserve(N1P3, K1));
    expect(ask(register(N1P3, ''))).toMatchObject({
      ok: true,
      value: { generation: 2, registrations: [], reservation_holder: '' },
    });
    expect(sim.state.luns.CSV1?.pr.reservation).toBeNull();
    expect(ask(register(N1P3, K1))).toMatchObject({
      ok: true,
      value: { generation: 3, registrations: [{ initiator: 'HVR2NODO1/rssm3', key: K1 }] },
    });
  });

  it('moves the reservation key with the holder when the holder registers a new key', () => {
    const { sim, ask } = controller();
    ask(register(N1P3, K1));
    ask(reserve(N1P3, K1));
    ask(register(N1P3, 'abcdef0123456789'));
    expect(sim.state.luns.CSV1?.pr.reservation).toEqual({
      holder: 'HVR2NODO1/rssm3',
      key: 'ABCDEF0123456789',
    });
  });

  it('refuses keys that are not 16 hex digits', () => {
    const { ask } = controller();
    expect(errorCode(ask(register(N1P3, '123')))).toBe('INVALID_ARGUMENT');
    expect(errorCode(ask(register(N1P3, '000000010000000G')))).toBe('INVALID_ARGUMENT');
  });

  it('preempts every path of the victim key and takes over its reservation', () => {
    const { sim, ask } = controller();
    ask(register(N1P3, K1));
    ask(register(N1P4, K1));
    ask(register(N2P3, K2));
    ask(reserve(N1P3, K1));
    const o = ask(preempt(N2P3, K2, K1));
    expect(o).toEqual({
      ok: true,
      value: {
        generation: 4,
        registrations: [{ initiator: 'HVR2NODO2/rssm3', key: K2 }],
        reservation_holder: 'HVR2NODO2/rssm3',
        reservation_key: K2,
        reservation_type: RESERVATION_TYPE,
      },
    });
    expect(sim.state.luns.CSV1?.pr.reservation).toEqual({ holder: 'HVR2NODO2/rssm3', key: K2 });
  });

  it('refuses a preempt from an initiator not registered with the key it presents', () => {
    const { sim, ask } = controller();
    ask(register(N1P3, K1));
    ask(reserve(N1P3, K1));
    expect(errorCode(ask(preempt(N2P3, K2, K1)))).toBe('RESERVATION_CONFLICT');
    expect(sim.state.luns.CSV1?.pr.registrations).toEqual([{ initiator: 'HVR2NODO1/rssm3', key: K1 }]);
  });

  it('rejects a write from a preempted node with RESERVATION_CONFLICT and writes nothing', () => {
    const { sim, ask } = controller();
    ask(register(N1P3, K1));
    ask(register(N2P3, K2));
    ask(reserve(N1P3, K1));
    ask(preempt(N2P3, K2, K1));
    const effects = sim.send(write(N1P3, 0, block(0xee))(7));
    expect(effects).toEqual([
      {
        type: 'reply',
        reqId: 7,
        outcome: {
          ok: false,
          code: 'RESERVATION_CONFLICT',
          message: 'HVR2NODO1/rssm3 is not registered on LUN CSV1, which is reserved',
        },
      },
    ]);
    expect(sim.state.inflight).toEqual([]);
  });

  it('lets registrants write under the reservation and anyone mapped write when not reserved', () => {
    const { sim } = controller();
    expect(sim.send(write(N2P3, 0, block(1))(1)).map((e) => e.type)).toEqual(['writeBlocks']);
    sim.send(register(N1P3, K1)(2));
    sim.send(register(N2P3, K2)(3));
    sim.send(reserve(N1P3, K1)(4));
    expect(sim.send(write(N2P3, 512, block(2))(5))).toEqual([
      { type: 'writeBlocks', reqId: 5, lun: 'CSV1', offset: 512, data: block(2) },
    ]);
  });

  it('always allows reads, even from an unregistered initiator on a reserved LUN', () => {
    const { sim } = controller();
    sim.send(register(N1P3, K1)(1));
    sim.send(reserve(N1P3, K1)(2));
    expect(sim.send(read(N2P3, 1024, 512)(3))).toEqual([
      { type: 'readBlocks', reqId: 3, lun: 'CSV1', offset: 1024, length: 512 },
    ]);
    expect(sim.send({ type: 'readDone', reqId: 3, data: block(9) })).toEqual([
      { type: 'reply', reqId: 3, outcome: { ok: true, value: { data: block(9) } } },
    ]);
  });
});

describe('storage controller core: the preempt barrier', () => {
  it('defers the preempt reply until every write accepted before it has completed', () => {
    const { sim } = controller();
    sim.send(register(N1P3, K1)(1));
    sim.send(register(N2P3, K2)(2));
    sim.send(reserve(N1P3, K1)(3));
    sim.send(write(N1P3, 0, block(1))(10));
    sim.send(write(N1P3, 512, block(2))(11));
    sim.send(write(N2P3, 0, block(3), 'Quorum')(12));

    const atPreempt = sim.send(preempt(N2P3, K2, K1)(20));
    // The fence is up at once (the table is persisted) but the preemptor is not told yet.
    expect(atPreempt.map((e) => e.type)).toEqual(['persistMeta']);
    expect(sim.state.barriers).toEqual([
      { waitFor: [10, 11], effects: [expect.objectContaining({ reqId: 20 })] },
    ]);

    // A write from the victim after the preempt is refused at once.
    expect(errorCode(replyOf(sim.send(write(N1P3, 1024, block(4))(21)), 21))).toBe('RESERVATION_CONFLICT');

    // Completing the write on another LUN does not release it; completing one of two does not either.
    expect(sim.send({ type: 'writeDone', reqIds: [12] }).map((e) => e.type)).toEqual(['reply']);
    expect(sim.send({ type: 'writeDone', reqIds: [10] })).toEqual([
      { type: 'reply', reqId: 10, outcome: { ok: true, value: { written: 512 } } },
    ]);
    const last = sim.send({ type: 'writeDone', reqIds: [11] });
    expect(last.map((e) => (e.type === 'reply' ? e.reqId : e.type))).toEqual([11, 20]);
    expect(replyOf(last, 20)).toMatchObject({ ok: true, value: { reservation_key: K2, generation: 3 } });
    expect(sim.state.barriers).toEqual([]);
    expect(sim.state.inflight).toEqual([]);
  });

  it('replies to a preempt at once when no write is in flight on the LUN', () => {
    const { sim } = controller();
    sim.send(register(N1P3, K1)(1));
    sim.send(register(N2P3, K2)(2));
    sim.send(write(N1P3, 0, block(1), 'Quorum')(3));
    expect(sim.send(preempt(N2P3, K2, K1)(4)).map((e) => e.type)).toEqual(['persistMeta', 'reply']);
  });

  it('removes a deleted LUN from the table at once but its file only after its writes land', () => {
    const { sim } = controller();
    sim.send(write(N1P3, 0, block(1))(1));
    expect(sim.send({ type: 'deleteLun', reqId: 2, name: 'CSV1' }).map((e) => e.type)).toEqual([
      'persistMeta',
    ]);
    expect(sim.state.luns.CSV1).toBeUndefined();
    expect(
      errorCode(
        replyOf(sim.send({ type: 'createLun', reqId: 3, name: 'CSV1', sizeBytes: 512, mappedTo: [] }), 3),
      ),
    ).toBe('BAD_STATE');
    expect(
      sim.send({ type: 'writeDone', reqIds: [1] }).map((e) => e.type + (e.type === 'reply' ? e.reqId : '')),
    ).toEqual(['reply1', 'removeLunFile', 'reply2']);
  });

  it('reports a failed batch as IO_ERROR for each of its writes', () => {
    const { sim } = controller();
    sim.send(write(N1P3, 0, block(1))(1));
    sim.send(write(N1P4, 512, block(1))(2));
    expect(sim.send({ type: 'writeDone', reqIds: [1, 2], error: 'EIO' })).toEqual([
      {
        type: 'reply',
        reqId: 1,
        outcome: { ok: false, code: 'IO_ERROR', message: 'write failed on the controller: EIO' },
      },
      {
        type: 'reply',
        reqId: 2,
        outcome: { ok: false, code: 'IO_ERROR', message: 'write failed on the controller: EIO' },
      },
    ]);
  });
});

describe('storage controller core: mapping and ranges', () => {
  it('refuses commands from a host the LUN is not mapped to', () => {
    const { ask } = controller();
    const stranger = { host: 'workstation', port: 'rssm3' };
    expect(ask(write(stranger, 0, block(1)))).toEqual({
      ok: false,
      code: 'NOT_MAPPED',
      message: 'LUN CSV1 is not mapped to host workstation',
    });
    expect(errorCode(ask(read(stranger, 0, 512)))).toBe('NOT_MAPPED');
    expect(errorCode(ask(register(stranger, K1)))).toBe('NOT_MAPPED');
  });

  it('lets an internal initiator reach only its own LUN', () => {
    const { sim, ask } = controller();
    expect(sim.send(write(WITNESS, 0, block(1), 'Quorum')(1)).map((e) => e.type)).toEqual(['writeBlocks']);
    expect(errorCode(ask(write(WITNESS, 0, block(1), 'CSV1')))).toBe('NOT_MAPPED');
  });

  it('follows a new mapping', () => {
    const { ask } = controller();
    expect(ask((reqId) => ({ type: 'mapLun', reqId, name: 'CSV1', hosts: ['HVR2NODO2'] }))).toMatchObject({
      ok: true,
      value: { name: 'CSV1', mapped_hosts: ['HVR2NODO2'] },
    });
    expect(errorCode(ask(read(N1P3, 0, 512)))).toBe('NOT_MAPPED');
    expect(ask((reqId) => ({ type: 'listLuns', reqId, host: 'HVR2NODO1' }))).toMatchObject({
      ok: true,
      value: { luns: [{ name: 'Quorum' }] },
    });
  });

  it('refuses unaligned, empty and out-of-range block commands', () => {
    const { ask } = controller();
    expect(errorCode(ask(write(N1P3, 100, block(1))))).toBe('INVALID_ARGUMENT');
    expect(errorCode(ask(write(N1P3, 0, new Uint8Array(700))))).toBe('INVALID_ARGUMENT');
    expect(errorCode(ask(read(N1P3, 0, 0)))).toBe('INVALID_ARGUMENT');
    expect(errorCode(ask(read(N1P3, 4 * 1024 * 1024 - 512, 1024)))).toBe('OUT_OF_RANGE');
    expect(errorCode(ask(write(N1P3, 4 * 1024 * 1024, block(1))))).toBe('OUT_OF_RANGE');
    expect(errorCode(ask(read(N1P3, 0, 512, 'NoSuchLun')))).toBe('NOT_FOUND');
  });

  it('refuses a command without an initiator port', () => {
    const { ask } = controller();
    expect(errorCode(ask(write({ host: 'HVR2NODO1', port: '' }, 0, block(1))))).toBe('INVALID_ARGUMENT');
  });

  it('refuses a LUN whose size is not whole blocks, and a duplicate name', () => {
    const { ask } = controller();
    expect(
      errorCode(ask((reqId) => ({ type: 'createLun', reqId, name: 'X', sizeBytes: 1000, mappedTo: [] }))),
    ).toBe('INVALID_ARGUMENT');
    expect(
      errorCode(ask((reqId) => ({ type: 'createLun', reqId, name: 'CSV1', sizeBytes: 512, mappedTo: [] }))),
    ).toBe('ALREADY_EXISTS');
  });
});

const injectFault =
  (lun: string, kind: string, opts: { delayMs?: number; errorRate?: number; durationMs?: number } = {}) =>
  (reqId: number) =>
    ({
      type: 'injectFault',
      reqId,
      lun,
      kind,
      delayMs: opts.delayMs ?? 0,
      errorRate: opts.errorRate ?? 0,
      durationMs: opts.durationMs ?? 0,
    }) as StorageMsg;
const listFaults = (reqId: number) => ({ type: 'listFaults', reqId }) as StorageMsg;

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
