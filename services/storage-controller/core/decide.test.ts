import { describe, expect, it } from 'vitest';
import { Simulation } from '../../actor/actor.js';
import {
  decideStorage,
  initialState,
  metaOf,
  type StorageEffect,
  type StorageMsg,
  type StorageState,
} from './decide.js';
import { block, controller, errorCode, K1, N1P3, read, register, WITNESS, write } from './test-support.js';

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
