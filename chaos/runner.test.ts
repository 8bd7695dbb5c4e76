import { describe, expect, it } from 'vitest';
import type { ClusterState__Output } from '../services/generated/dcbox/cluster/v1/ClusterState.js';
import type { PingReply__Output } from '../services/generated/dcbox/workstation/v1/PingReply.js';
import type { ProbeSpec } from './experiment.js';
import { faultRequest } from './method.js';
import { pingsProbe, stateProbe } from './probes.js';
import { composeReport } from './runner.js';
import type { Analysis } from './verdict.js';

const paths = { history: '/r/history.jsonl', html: '/r/report.html', journal: '/r/journal.json' };
const pass: Analysis = { verdict: 'pass', invariants: [], availability: {}, htmlText: '<p>' };
const ok = { probe: 'quorum', ok: true, detail: '2 of 3 votes' };
const opts = { name: 'seed-power-off', seed: 7 };

describe('composeReport', () => {
  it('keeps the checkers’ verdict when the run went through and the cluster settled', () => {
    const r = composeReport(pass, { method: null, steady: { before: [ok], after: [ok] } }, opts, paths);
    expect(r.verdict).toBe('pass');
    expect(r.faults).toEqual([]);
    expect(Object.keys(r)).toEqual([
      'verdict',
      'invariants',
      'availability',
      'htmlText',
      'experiment',
      'seed',
      'steadyState',
      'faults',
      'history',
      'html',
      'journal',
    ]);
  });

  it('fails a run whose cluster did not settle, whatever the checkers said', () => {
    const after = [{ ...ok, ok: false }];
    expect(composeReport(pass, { method: null, steady: { before: [ok], after } }, opts, paths).verdict).toBe(
      'fail',
    );
  });

  it('fails a run that broke before it recorded anything, and has no HTML', () => {
    const r = composeReport(
      null,
      { method: null, steady: { before: [], after: [] }, error: 'no quorum' },
      opts,
      paths,
    );
    expect(r.verdict).toBe('fail');
    expect(r.error).toBe('no quorum');
    expect(r.htmlText).toBe('');
  });
});

describe('steady-state probes', () => {
  const spec = (probe: ProbeSpec['probe'], extra: Partial<ProbeSpec> = {}): ProbeSpec => ({
    probe,
    tolerance: 0,
    ...extra,
  });
  const state = {
    node: 'HVR2NODO1',
    members: ['HVR2NODO1', 'HVR2NODO2'],
    quorum: { votes: 3, total: 3 },
    roles: [
      { name: 'vm1', state: 'Online' },
      { name: 'vm2', state: 'Failed' },
    ],
    csv: [{ coordinator: 'HVR2NODO2' }],
  } as unknown as ClusterState__Output;

  it('names the roles that are not online', () => {
    expect(stateProbe(spec('roles-online'), state)).toEqual({
      probe: 'roles-online',
      ok: false,
      detail: 'vm2 Failed',
    });
    expect(stateProbe(spec('roles-online'), null).detail).toBe('no node with quorum');
  });

  it('reports the votes, and the CSV coordinator against the expected one', () => {
    expect(stateProbe(spec('quorum'), state).detail).toBe('3 of 3 votes on HVR2NODO1, HVR2NODO2');
    expect(stateProbe(spec('csv-coordinator', { coordinator: 'HVR2NODO1' }), state).ok).toBe(false);
    expect(stateProbe(spec('csv-coordinator'), state)).toEqual({
      probe: 'csv-coordinator',
      ok: true,
      detail: 'coordinator HVR2NODO2',
    });
  });

  it('counts pings never answered as lost', () => {
    const replies = [{ ok: true }, { ok: false }, { ok: true }] as PingReply__Output[];
    expect(pingsProbe(spec('vms-answering', { tolerance: 2 }), 'vm1', replies)).toEqual({
      probe: 'vms-answering:vm1',
      ok: false,
      detail: '3 of 5 pings lost',
    });
  });
});

describe('faultRequest', () => {
  it('asks for a lease 5 s longer than the step, with one host or several', () => {
    const r = faultRequest({ fault: 'kill', target: 'HVR2NODO2', oneWay: false, duration: 4000, peers: [] });
    expect(r).toMatchObject({ kind: 'kill', hosts: ['HVR2NODO2'], duration_ms: 9000, groups: [] });
  });
});
