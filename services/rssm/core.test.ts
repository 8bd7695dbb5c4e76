import { describe, expect, it } from 'vitest';
import { Simulation } from '../actor/actor.js';
import { DcboxError } from '../actor/errors.js';
import { admit, decideRssm, initialRssmState, type RssmMsg, type RssmState } from './core.js';

describe('rssm zoning', () => {
  it('admits a zoned blade and stamps this switch as the port of its I_T nexus', () => {
    expect(admit(['HVR2NODO1', 'HVR2NODO2'], { host: 'HVR2NODO1', port: 'anything' }, 'rssm3')).toEqual({
      host: 'HVR2NODO1',
      port: 'rssm3',
    });
  });

  it('refuses a host outside the zone with NOT_ZONED', () => {
    let caught: unknown;
    try {
      admit(['HVR2NODO1'], { host: 'HVR2NODO2', port: '' }, 'rssm4');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DcboxError);
    expect((caught as DcboxError).code).toBe('NOT_ZONED');
    expect((caught as DcboxError).message).toBe('host HVR2NODO2 is not zoned on rssm4 (zoned: HVR2NODO1)');
  });

  it('refuses everyone when the zone is empty, and a command without an initiator', () => {
    expect(() => admit([], { host: 'HVR2NODO1', port: '' }, 'rssm3')).toThrow(/zoned: none/);
    expect(() => admit(['HVR2NODO1'], null, 'rssm3')).toThrow(/needs an initiator host/);
  });
});

describe('rssm core', () => {
  it('counts forwarded commands, failed ones and refusals', () => {
    const sim = new Simulation<RssmState, RssmMsg, never>(decideRssm, initialRssmState(3, ['HVR2NODO1']));
    sim.send({ type: 'forwarded', ok: true });
    sim.send({ type: 'forwarded', ok: false });
    sim.send({ type: 'refused' });
    expect(sim.state).toEqual({ bay: 3, zonedHosts: ['HVR2NODO1'], forwardedIos: 2, errors: 2 });
    expect(sim.effects).toEqual([]);
  });

  it('replaces the zoning, without duplicates', () => {
    const sim = new Simulation<RssmState, RssmMsg, never>(decideRssm, initialRssmState(4, ['HVR2NODO1']));
    sim.send({ type: 'setZoning', hosts: ['HVR2NODO2', 'HVR2NODO2', 'quorum'] });
    expect(sim.state.zonedHosts).toEqual(['HVR2NODO2', 'quorum']);
  });
});
