import { describe, expect, it } from 'vitest';
import { Simulation } from '../actor/actor.js';
import {
  type ArbitrateBody,
  type DefendBody,
  decideWitness,
  initialState,
  type ReplyBody,
  type StateBody,
  viewState,
  type WitnessDoc,
  type WitnessEffect,
  type WitnessKind,
  type WitnessMsg,
  type WitnessState,
} from './core.js';

const WAIT_MS = 3000;
const PROBE_MS = 1000;
const CLUSTER = 'HVR2CLUSTER';

type Sim = Simulation<WitnessState, WitnessMsg, WitnessEffect>;
type Asked = DistributiveOmit<Extract<WitnessMsg, { reqId: string }>, 'reqId'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A witness whose first load found `doc` (null: a blank LUN or no file yet). */
function online(kind: WitnessKind = 'disk', doc: WitnessDoc | null = null): Sim {
  const sim: Sim = new Simulation(
    decideWitness,
    initialState({
      kind,
      cluster: CLUSTER,
      challengeWaitMs: WAIT_MS,
      probeIntervalMs: PROBE_MS,
      configJsonBytesMax: 64,
    }),
    { startMs: 1_000_000 },
  );
  expect(sim.send({ type: 'start' })[0]).toEqual({ type: 'load', seq: 1 });
  sim.send({ type: 'loaded', seq: 1, doc });
  return sim;
}

let nextReq = 1;

/** Sends a request, lets the store acknowledge every operation, and returns the answer. */
function ask(sim: Sim, msg: Asked): ReplyBody {
  const reqId = `q${nextReq++}`;
  let effects = sim.send({ ...msg, reqId } as WitnessMsg);
  for (let i = 0; i < 5; i++) {
    for (const e of effects) {
      if (e.type === 'reply' && e.reqId === reqId) return e.body;
      if (e.type === 'fail' && e.reqId === reqId) throw new Error(`${e.code}: ${e.message}`);
    }
    const op = sim.state.inFlight;
    if (!op) break;
    effects = sim.send({ type: 'stored', seq: op.seq });
  }
  throw new Error(`no answer to ${reqId}`);
}

const arbitrate = (sim: Sim, node: string, configVersion = 0) =>
  ask(sim, { type: 'arbitrate', node, configVersion }) as ArbitrateBody;
const defend = (sim: Sim, node: string, epoch: number) =>
  ask(sim, { type: 'defend', node, epoch }) as DefendBody;

function saves(sim: Sim): WitnessDoc[] {
  return sim.effects.flatMap((e) => (e.type === 'save' ? [e.doc] : []));
}

describe('witness arbitration', () => {
  it('grants a free witness with epoch 1, answering only after the state is saved', () => {
    const sim = online();
    const effects = sim.send({ type: 'arbitrate', reqId: 'a', node: 'HVR2NODO1', configVersion: 0 });
    const doc = {
      cluster: CLUSTER,
      kind: 'disk',
      owner: 'HVR2NODO1',
      epoch: 1,
      configVersion: 0,
      configJson: '',
    };
    expect(effects).toEqual([{ type: 'save', seq: 2, doc }]);
    // Get shows only what is durable.
    expect(viewState(sim.state, sim.now).owner).toBe('');
    expect(sim.send({ type: 'stored', seq: 2 })).toEqual([
      {
        type: 'reply',
        reqId: 'a',
        body: {
          outcome: 'granted',
          owner: 'HVR2NODO1',
          epoch: 1,
          retry_after_ms: 0,
          config_version: 0,
          reason: '',
        },
      },
    ]);
    expect(viewState(sim.state, sim.now)).toMatchObject({ owner: 'HVR2NODO1', epoch: 1, status: 'online' });
  });

  it('grants the owner again with the same epoch after only a probe of the store', () => {
    const sim = online();
    arbitrate(sim, 'HVR2NODO1');
    const effects = sim.send({ type: 'arbitrate', reqId: 'again', node: 'HVR2NODO1', configVersion: 0 });
    expect(effects).toEqual([{ type: 'probe', seq: 3 }]);
    expect(sim.send({ type: 'stored', seq: 3 })[0]).toMatchObject({ body: { outcome: 'granted', epoch: 1 } });
    expect(saves(sim)).toHaveLength(1);
  });

  it('denies a challenger when the owner defends during the wait', () => {
    const sim = online();
    arbitrate(sim, 'HVR2NODO1');
    expect(arbitrate(sim, 'HVR2NODO2')).toEqual({
      outcome: 'challenged',
      owner: 'HVR2NODO1',
      epoch: 1,
      retry_after_ms: WAIT_MS,
      config_version: 0,
      reason: '',
    });
    sim.now += 1000;
    expect(defend(sim, 'HVR2NODO1', 1)).toEqual({ ok: true, owner: 'HVR2NODO1', epoch: 1, challenged: true });
    sim.now += 2000;
    expect(arbitrate(sim, 'HVR2NODO2')).toMatchObject({
      outcome: 'denied',
      owner: 'HVR2NODO1',
      epoch: 1,
      reason: 'HVR2NODO1 defended the witness: the owner is alive',
    });
    expect(viewState(sim.state, sim.now).challenge_pending).toBe(false);
  });

  it('grants a challenger a higher epoch when the owner stays silent, and the old owner then fails to defend', () => {
    const sim = online();
    arbitrate(sim, 'HVR2NODO1');
    arbitrate(sim, 'HVR2NODO2');
    sim.now += WAIT_MS;
    expect(arbitrate(sim, 'HVR2NODO2')).toMatchObject({ outcome: 'granted', owner: 'HVR2NODO2', epoch: 2 });
    expect(saves(sim).at(-1)).toMatchObject({ owner: 'HVR2NODO2', epoch: 2 });
    // The old owner, waking up, learns it lost the witness.
    expect(defend(sim, 'HVR2NODO1', 1)).toEqual({
      ok: false,
      owner: 'HVR2NODO2',
      epoch: 2,
      challenged: false,
    });
  });

  it('tells a challenger who asks too early how long is left to wait', () => {
    const sim = online();
    arbitrate(sim, 'HVR2NODO1');
    arbitrate(sim, 'HVR2NODO2');
    sim.now += 1200;
    expect(arbitrate(sim, 'HVR2NODO2')).toMatchObject({
      outcome: 'challenged',
      retry_after_ms: WAIT_MS - 1200,
    });
  });

  it('denies a second challenger while a fresh challenge is pending, but not once it is abandoned', () => {
    const sim = online();
    arbitrate(sim, 'N1');
    arbitrate(sim, 'N2');
    expect(arbitrate(sim, 'N3')).toMatchObject({ outcome: 'denied', reason: 'N2 is already challenging N1' });
    sim.now += 2 * WAIT_MS;
    expect(arbitrate(sim, 'N3')).toMatchObject({ outcome: 'challenged', retry_after_ms: WAIT_MS });
  });

  it('answers a defense at a stale epoch with ok=false even from the owner node', () => {
    const sim = online();
    arbitrate(sim, 'HVR2NODO1');
    expect(defend(sim, 'HVR2NODO1', 7)).toEqual({
      ok: false,
      owner: 'HVR2NODO1',
      epoch: 1,
      challenged: false,
    });
    expect(defend(sim, 'HVR2NODO2', 1)).toMatchObject({ ok: false });
  });

  it('frees the witness on release by the owner and gives the next owner a higher epoch', () => {
    const sim = online();
    arbitrate(sim, 'HVR2NODO1');
    const state = ask(sim, { type: 'release', node: 'HVR2NODO1', epoch: 1 }) as StateBody;
    expect(state).toMatchObject({ owner: '', epoch: 1 });
    expect(saves(sim).at(-1)).toMatchObject({ owner: '', epoch: 1 });
    expect(arbitrate(sim, 'HVR2NODO2')).toMatchObject({ outcome: 'granted', owner: 'HVR2NODO2', epoch: 2 });
  });

  it('refuses a release by a node that does not own the witness', () => {
    const sim = online();
    arbitrate(sim, 'HVR2NODO1');
    expect(sim.send({ type: 'release', reqId: 'r', node: 'HVR2NODO2', epoch: 1 })).toEqual([
      {
        type: 'fail',
        reqId: 'r',
        code: 'REFUSED',
        message: 'HVR2NODO2 at epoch 1 cannot release the witness: it is held by HVR2NODO1 at epoch 1',
      },
    ]);
  });

  it('keeps epochs increasing across a restart that reloads the saved state', () => {
    const first = online();
    arbitrate(first, 'HVR2NODO1');
    ask(first, { type: 'release', node: 'HVR2NODO1', epoch: 1 });
    arbitrate(first, 'HVR2NODO2');
    const saved = saves(first).at(-1)!;
    expect(saved).toMatchObject({ owner: 'HVR2NODO2', epoch: 2 });

    const restarted = online('disk', saved);
    expect(viewState(restarted.state, restarted.now)).toMatchObject({ owner: 'HVR2NODO2', epoch: 2 });
    ask(restarted, { type: 'release', node: 'HVR2NODO2', epoch: 2 });
    expect(arbitrate(restarted, 'HVR2NODO1')).toMatchObject({ outcome: 'granted', epoch: 3 });
  });

  it('gives the reloaded owner a full wait before a challenger can take the witness', () => {
    const sim = online('disk', {
      cluster: CLUSTER,
      kind: 'disk',
      owner: 'HVR2NODO1',
      epoch: 4,
      configVersion: 0,
      configJson: '',
    });
    expect(arbitrate(sim, 'HVR2NODO2')).toMatchObject({
      outcome: 'challenged',
      owner: 'HVR2NODO1',
      epoch: 4,
    });
    sim.now += WAIT_MS;
    expect(arbitrate(sim, 'HVR2NODO2')).toMatchObject({ outcome: 'granted', owner: 'HVR2NODO2', epoch: 5 });
  });
});

describe('witness storage', () => {
  it('fails the answer with UNAVAILABLE and goes offline when the store fails, then comes back with the storage', () => {
    const sim = online();
    sim.send({ type: 'arbitrate', reqId: 'a', node: 'HVR2NODO1', configVersion: 0 });
    expect(sim.send({ type: 'storeFailed', seq: 2, error: 'connect ECONNREFUSED' })).toEqual([
      {
        type: 'fail',
        reqId: 'a',
        code: 'UNAVAILABLE',
        message: 'the witness store failed: connect ECONNREFUSED; the witness vote is unavailable',
      },
    ]);
    expect(viewState(sim.state, sim.now)).toMatchObject({
      status: 'offline',
      status_detail: 'the witness store failed: connect ECONNREFUSED',
      owner: '',
    });
    // While offline the vote is lost: no arbitration, no defense.
    expect(sim.send({ type: 'defend', reqId: 'd', node: 'HVR2NODO1', epoch: 1 })[0]).toMatchObject({
      type: 'fail',
      code: 'UNAVAILABLE',
    });
    // The next tick reloads from the store; the failed write did not land.
    expect(sim.advance(PROBE_MS)).toContainEqual({ type: 'load', seq: 3 });
    sim.send({ type: 'loaded', seq: 3, doc: null });
    expect(sim.state.status).toBe('online');
    // Epoch 1 may be on the LUN from the failed write, so it is never handed out again.
    expect(arbitrate(sim, 'HVR2NODO2')).toMatchObject({ outcome: 'granted', owner: 'HVR2NODO2', epoch: 2 });
  });

  it('probes the store when idle so a lost LUN shows as offline without any request', () => {
    const sim = online();
    expect(sim.advance(PROBE_MS)).toContainEqual({ type: 'probe', seq: 2 });
    sim.send({ type: 'storeFailed', seq: 2, error: 'deadline exceeded' });
    expect(viewState(sim.state, sim.now).status).toBe('offline');
  });

  it('holds answers decided during a save for the next store operation, then releases them together', () => {
    const sim = online();
    expect(sim.send({ type: 'arbitrate', reqId: 'a', node: 'N1', configVersion: 0 })).toEqual([
      expect.objectContaining({ type: 'save', seq: 2 }),
    ]);
    // Decided while the grant is being written: N1 re-arbitrates and N2 challenges.
    expect(sim.send({ type: 'arbitrate', reqId: 'b', node: 'N1', configVersion: 0 })).toEqual([]);
    expect(sim.send({ type: 'arbitrate', reqId: 'c', node: 'N2', configVersion: 0 })).toEqual([]);
    const afterFirst = sim.send({ type: 'stored', seq: 2 });
    expect(afterFirst).toEqual([
      { type: 'reply', reqId: 'a', body: expect.objectContaining({ outcome: 'granted' }) },
      { type: 'probe', seq: 3 },
    ]);
    expect(sim.send({ type: 'stored', seq: 3 })).toEqual([
      { type: 'reply', reqId: 'b', body: expect.objectContaining({ outcome: 'granted', epoch: 1 }) },
      { type: 'reply', reqId: 'c', body: expect.objectContaining({ outcome: 'challenged' }) },
    ]);
    expect(sim.state.inFlight).toBeNull();
  });

  it('ignores a late answer from a store operation that is no longer in flight', () => {
    const sim = online();
    const before = sim.state;
    expect(sim.send({ type: 'stored', seq: 1 })).toEqual([]);
    expect(sim.state).toBe(before);
  });
});

describe('witness configuration marker', () => {
  function owned(kind: WitnessKind) {
    const sim = online(kind);
    arbitrate(sim, 'HVR2NODO1');
    return sim;
  }

  it('keeps the whole configuration on a disk witness', () => {
    const sim = owned('disk');
    const state = ask(sim, {
      type: 'putConfig',
      node: 'HVR2NODO1',
      epoch: 1,
      configVersion: 5,
      configJson: '{"v":5}',
    });
    expect(state).toMatchObject({ config_version: 5, config_json: '{"v":5}' });
    expect(saves(sim).at(-1)).toMatchObject({ configVersion: 5, configJson: '{"v":5}' });
  });

  it('keeps only the version marker on a file share witness', () => {
    const sim = owned('file-share');
    ask(sim, { type: 'putConfig', node: 'HVR2NODO1', epoch: 1, configVersion: 5, configJson: '{"v":5}' });
    expect(saves(sim).at(-1)).toMatchObject({ configVersion: 5, configJson: '' });
  });

  it('refuses an older version, and stores nothing for the same version again', () => {
    const sim = owned('disk');
    ask(sim, { type: 'putConfig', node: 'HVR2NODO1', epoch: 1, configVersion: 5, configJson: '{"v":5}' });
    const savesBefore = saves(sim).length;
    expect(() =>
      ask(sim, { type: 'putConfig', node: 'HVR2NODO1', epoch: 1, configVersion: 4, configJson: '{"v":4}' }),
    ).toThrow("BAD_STATE: configuration version 4 is older than the witness's 5");
    expect(
      ask(sim, { type: 'putConfig', node: 'HVR2NODO1', epoch: 1, configVersion: 5, configJson: '{"x":1}' }),
    ).toMatchObject({
      config_version: 5,
      config_json: '{"v":5}',
    });
    expect(saves(sim)).toHaveLength(savesBefore);
  });

  it('lets only the owner write the configuration', () => {
    const sim = owned('disk');
    expect(() =>
      ask(sim, { type: 'putConfig', node: 'HVR2NODO2', epoch: 1, configVersion: 9, configJson: '{}' }),
    ).toThrow(/REFUSED: HVR2NODO2 at epoch 1 cannot write the configuration/);
  });

  it('refuses a configuration larger than a disk witness holds', () => {
    const sim = owned('disk');
    expect(() =>
      ask(sim, {
        type: 'putConfig',
        node: 'HVR2NODO1',
        epoch: 1,
        configVersion: 2,
        configJson: 'x'.repeat(65),
      }),
    ).toThrow(/INVALID_ARGUMENT: the configuration is 65 bytes/);
  });

  it('denies a node with an older configuration than a file share marker: partition in time', () => {
    const sim = owned('file-share');
    ask(sim, { type: 'putConfig', node: 'HVR2NODO1', epoch: 1, configVersion: 5, configJson: '' });
    ask(sim, { type: 'release', node: 'HVR2NODO1', epoch: 1 });
    // HVR2NODO2 was off while the configuration changed; it starts alone with version 4.
    expect(arbitrate(sim, 'HVR2NODO2', 4)).toEqual({
      outcome: 'denied',
      owner: '',
      epoch: 1,
      retry_after_ms: 0,
      config_version: 5,
      reason: 'partition in time',
    });
    expect(arbitrate(sim, 'HVR2NODO2', 5)).toMatchObject({ outcome: 'granted', epoch: 2 });
  });

  it('grants a node with an older configuration on a disk witness and tells it the newer version', () => {
    const sim = owned('disk');
    ask(sim, { type: 'putConfig', node: 'HVR2NODO1', epoch: 1, configVersion: 5, configJson: '{"v":5}' });
    ask(sim, { type: 'release', node: 'HVR2NODO1', epoch: 1 });
    expect(arbitrate(sim, 'HVR2NODO2', 4)).toMatchObject({ outcome: 'granted', epoch: 2, config_version: 5 });
    expect(viewState(sim.state, sim.now).config_json).toBe('{"v":5}');
  });

  it('refuses requests before the first load and requests without a node', () => {
    const sim: Sim = new Simulation(
      decideWitness,
      initialState({
        kind: 'disk',
        cluster: CLUSTER,
        challengeWaitMs: WAIT_MS,
        probeIntervalMs: PROBE_MS,
        configJsonBytesMax: 64,
      }),
    );
    sim.send({ type: 'start' });
    expect(sim.send({ type: 'arbitrate', reqId: 'a', node: 'N1', configVersion: 0 })[0]).toMatchObject({
      code: 'UNAVAILABLE',
    });
    sim.send({ type: 'loaded', seq: 1, doc: null });
    expect(sim.send({ type: 'arbitrate', reqId: 'b', node: '', configVersion: 0 })[0]).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
