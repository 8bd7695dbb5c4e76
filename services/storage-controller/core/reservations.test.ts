import { describe, expect, it } from 'vitest';
import { RESERVATION_TYPE } from './decide.js';
import {
  block,
  controller,
  errorCode,
  K1,
  K2,
  N1P3,
  N1P4,
  N2P3,
  preempt,
  read,
  register,
  release,
  replyOf,
  reserve,
  write,
} from './test-support.js';

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
