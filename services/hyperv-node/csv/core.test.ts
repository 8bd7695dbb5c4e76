import { describe, expect, it } from 'vitest';
import { Simulation, type TimerEffect } from '../../actor/actor.js';
import type { IoResult, StorageOp } from '../mpio.js';
import {
  admitRedirect,
  type CsvEffect,
  type CsvMsg,
  type CsvState,
  decideCsv,
  initialCsv,
  modeOf,
  NO_MEMBERS,
  PAUSED_IOS_MAX,
  REDIRECT_ATTEMPTS_MAX,
  watchMembers,
} from './core.js';

const PROBE_MS = 60_000;
const write = (n: number): StorageOp => ({
  kind: 'write',
  offset: 64 * 1024 * 1024 + n * 512,
  data: new Uint8Array([n]),
});
const ok: IoResult = { ok: true, path: 'rssm3' };
const allDown: IoResult = { ok: false, code: 'ALL_PATHS_DOWN', message: 'every path to LUN CSV1 failed' };

function sim(self = 'HVR2NODO2', coordinator: string | null = 'HVR2NODO1') {
  const s = new Simulation<CsvState, CsvMsg, CsvEffect>(
    decideCsv,
    initialCsv({ volume: 'Volume1', lun: 'CSV1', self, probePeriodMs: PROBE_MS }),
    { self },
  );
  if (coordinator) s.send({ type: 'setCoordinator', node: coordinator });
  return s;
}

type Eff = CsvEffect | TimerEffect<CsvMsg>;
const kinds = (effects: Eff[]) =>
  effects.map((e) =>
    e.type === 'modeChanged'
      ? `mode ${e.change.from}->${e.change.to}`
      : `${e.type}${'ioId' in e ? ` ${e.ioId}` : ''}`,
  );

describe('CSV I/O routing', () => {
  it('sends I/O down this node’s MPIO in Direct mode', () => {
    const s = sim();
    expect(s.send({ type: 'io', ioId: 'a', lun: 'CSV1', op: write(1) })).toEqual([
      { type: 'direct', ioId: 'a', lun: 'CSV1', op: write(1) },
    ]);
    expect(s.send({ type: 'ioDone', ioId: 'a', result: ok })).toEqual([
      { type: 'complete', ioId: 'a', result: ok },
    ]);
    expect(s.state.ios.size).toBe(0);
  });

  it('refuses an I/O for another LUN', () => {
    const s = sim();
    const [e] = s.send({ type: 'io', ioId: 'a', lun: 'Quorum', op: write(1) });
    expect(e).toMatchObject({ type: 'complete', result: { ok: false, code: 'NOT_MAPPED' } });
  });

  it('switches to Redirected on ALL_PATHS_DOWN and sends the same I/O to the coordinator', () => {
    const s = sim();
    s.send({ type: 'io', ioId: 'a', lun: 'CSV1', op: write(1) });
    const effects = s.send({ type: 'ioDone', ioId: 'a', result: allDown });
    expect(kinds(effects)).toEqual(['startTimer', 'redirect a', 'mode Direct->Redirected']);
    expect(effects[1]).toEqual({ type: 'redirect', ioId: 'a', lun: 'CSV1', op: write(1) });
    expect(modeOf(s.state)).toBe('Redirected');
    // Later data I/O goes straight to the coordinator; the redirect's answer completes it.
    expect(kinds(s.send({ type: 'io', ioId: 'b', lun: 'CSV1', op: write(2) }))).toEqual(['redirect b']);
    expect(s.send({ type: 'ioDone', ioId: 'a', result: ok })).toEqual([
      { type: 'complete', ioId: 'a', result: ok },
    ]);
  });

  it('keeps reservation commands on this node’s own paths while Redirected', () => {
    const s = sim();
    s.send({ type: 'io', ioId: 'a', lun: 'CSV1', op: write(1) });
    s.send({ type: 'ioDone', ioId: 'a', result: allDown });
    const reg: StorageOp = { kind: 'register', key: '000000024d534654' };
    expect(kinds(s.send({ type: 'io', ioId: 'r', lun: 'CSV1', op: reg }))).toEqual(['direct r']);
    // Its ALL_PATHS_DOWN is the caller's answer: a reservation is never redirected.
    expect(s.send({ type: 'ioDone', ioId: 'r', result: allDown })).toEqual([
      { type: 'complete', ioId: 'r', result: allDown },
    ]);
  });

  it('passes an indefinite failure of a redirected I/O back unchanged', () => {
    const s = sim();
    s.send({ type: 'io', ioId: 'a', lun: 'CSV1', op: write(1) });
    s.send({ type: 'ioDone', ioId: 'a', result: allDown });
    const timeout: IoResult = { ok: false, code: 'TIMEOUT', message: 'the coordinator did not answer' };
    expect(s.send({ type: 'ioDone', ioId: 'a', result: timeout })).toEqual([
      { type: 'complete', ioId: 'a', result: timeout },
    ]);
  });

  it('sends a redirected I/O again when no coordinator took it, up to the limit', () => {
    const s = sim();
    s.send({ type: 'io', ioId: 'a', lun: 'CSV1', op: write(1) });
    s.send({ type: 'ioDone', ioId: 'a', result: allDown });
    const lost: IoResult = { ok: false, code: 'UNAVAILABLE', message: 'no coordinator answered' };
    for (let i = 1; i < REDIRECT_ATTEMPTS_MAX; i++)
      expect(kinds(s.send({ type: 'ioDone', ioId: 'a', result: lost, lost: true }))).toEqual(['redirect a']);
    expect(s.send({ type: 'ioDone', ioId: 'a', result: lost, lost: true })).toEqual([
      { type: 'complete', ioId: 'a', result: lost },
    ]);
  });

  it('probes the paths every verification period while Redirected and returns to Direct when one answers', () => {
    const s = sim();
    s.send({ type: 'io', ioId: 'a', lun: 'CSV1', op: write(1) });
    s.send({ type: 'ioDone', ioId: 'a', result: allDown });
    expect(s.advance(PROBE_MS - 1)).toEqual([]);
    expect(s.advance(1)).toEqual([{ type: 'probe', lun: 'CSV1' }]);
    expect(kinds(s.send({ type: 'probeDone', ok: false, detail: 'ALL_PATHS_DOWN' }))).toEqual(['startTimer']);
    expect(s.advance(PROBE_MS)).toEqual([{ type: 'probe', lun: 'CSV1' }]);
    const back = s.send({ type: 'probeDone', ok: true, detail: 'through rssm4' });
    expect(kinds(back)).toEqual(['cancelTimer', 'mode Redirected->Direct']);
    expect(back[1]).toMatchObject({
      change: { reason: 'path probe of CSV1 succeeded: through rssm4', atMs: 2 * PROBE_MS },
    });
    expect(kinds(s.send({ type: 'io', ioId: 'b', lun: 'CSV1', op: write(2) }))).toEqual(['direct b']);
    expect(s.pendingTimers()).toEqual([]);
  });

  it('returns to Direct as soon as an I/O of its own succeeds through MPIO', () => {
    const s = sim();
    s.send({ type: 'io', ioId: 'a', lun: 'CSV1', op: write(1) });
    s.send({ type: 'ioDone', ioId: 'a', result: allDown });
    s.send({ type: 'io', ioId: 'k', lun: 'CSV1', op: { kind: 'readKeys' } });
    expect(kinds(s.send({ type: 'ioDone', ioId: 'k', result: ok }))).toEqual([
      'complete k',
      'cancelTimer',
      'mode Redirected->Direct',
    ]);
  });

  it('fails the coordinator’s own I/O when it loses both paths: there is no one to redirect to', () => {
    const s = sim('HVR2NODO1', 'HVR2NODO1');
    s.send({ type: 'io', ioId: 'a', lun: 'CSV1', op: write(1) });
    const effects = s.send({ type: 'ioDone', ioId: 'a', result: allDown });
    expect(kinds(effects)).toEqual(['startTimer', 'complete a', 'mode Direct->Redirected']);
    expect(effects[1]).toEqual({ type: 'complete', ioId: 'a', result: allDown });
    // Its next I/O still tries MPIO, which answers as soon as a path is back.
    expect(kinds(s.send({ type: 'io', ioId: 'b', lun: 'CSV1', op: write(2) }))).toEqual(['direct b']);
    expect(kinds(s.send({ type: 'ioDone', ioId: 'b', result: ok }))).toEqual([
      'complete b',
      'cancelTimer',
      'mode Redirected->Direct',
    ]);
  });

  it('asks the cluster to load and serve when this node becomes coordinator, and to stop when it is not', () => {
    const s = sim('HVR2NODO1', null);
    expect(s.send({ type: 'setCoordinator', node: 'HVR2NODO1' })).toEqual([{ type: 'serve' }]);
    expect(s.send({ type: 'setCoordinator', node: 'HVR2NODO1' })).toEqual([]);
    expect(s.send({ type: 'setCoordinator', node: null })).toEqual([{ type: 'unserve' }]);
    expect(s.send({ type: 'setCoordinator', node: 'HVR2NODO2' })).toEqual([]);
  });
});

describe('CSV pause and resume', () => {
  it('holds I/O while paused and releases it in arrival order on resume', () => {
    const s = sim();
    expect(kinds(s.send({ type: 'pause' }))).toEqual(['mode Direct->Paused']);
    for (const id of ['a', 'b', 'c'])
      expect(s.send({ type: 'io', ioId: id, lun: 'CSV1', op: write(id.charCodeAt(0)) })).toEqual([]);
    expect(s.state.queue).toEqual(['a', 'b', 'c']);
    expect(kinds(s.send({ type: 'resume' }))).toEqual([
      'direct a',
      'direct b',
      'direct c',
      'mode Paused->Direct',
    ]);
  });

  it('lets I/O already on its way finish while paused', () => {
    const s = sim();
    s.send({ type: 'io', ioId: 'a', lun: 'CSV1', op: write(1) });
    s.send({ type: 'pause' });
    expect(s.send({ type: 'ioDone', ioId: 'a', result: ok })).toEqual([
      { type: 'complete', ioId: 'a', result: ok },
    ]);
  });

  it('holds a redirected I/O the network lost during a coordinator change and sends it to the new one', () => {
    const s = sim();
    s.send({ type: 'io', ioId: 'a', lun: 'CSV1', op: write(1) });
    s.send({ type: 'ioDone', ioId: 'a', result: allDown });
    s.send({ type: 'pause' });
    s.send({ type: 'setCoordinator', node: null });
    const lost: IoResult = { ok: false, code: 'UNAVAILABLE', message: 'no coordinator answered' };
    expect(s.send({ type: 'ioDone', ioId: 'a', result: lost, lost: true })).toEqual([]);
    s.send({ type: 'io', ioId: 'b', lun: 'CSV1', op: write(2) });
    s.send({ type: 'setCoordinator', node: 'HVR2NODO3' });
    expect(kinds(s.send({ type: 'resume' }))).toEqual([
      'redirect a',
      'redirect b',
      'mode Paused->Redirected',
    ]);
  });

  it('holds an I/O whose paths failed during the pause, to route it on resume', () => {
    const s = sim();
    s.send({ type: 'io', ioId: 'a', lun: 'CSV1', op: write(1) });
    s.send({ type: 'pause' });
    s.send({ type: 'setCoordinator', node: null });
    expect(kinds(s.send({ type: 'ioDone', ioId: 'a', result: allDown }))).toEqual(['startTimer']);
    expect(s.state.queue).toEqual(['a']);
    s.send({ type: 'setCoordinator', node: 'HVR2NODO1' });
    expect(kinds(s.send({ type: 'resume' }))).toEqual(['redirect a', 'mode Paused->Redirected']);
  });

  it('refuses new I/O with OVERLOADED once the paused queue is full', () => {
    const s = sim();
    s.send({ type: 'pause' });
    for (let i = 0; i < PAUSED_IOS_MAX; i++) s.send({ type: 'io', ioId: `q${i}`, lun: 'CSV1', op: write(1) });
    const [e] = s.send({ type: 'io', ioId: 'over', lun: 'CSV1', op: write(1) });
    expect(e).toMatchObject({ type: 'complete', ioId: 'over', result: { ok: false, code: 'OVERLOADED' } });
    expect(s.state.queue).toHaveLength(PAUSED_IOS_MAX);
  });

  it('fails held I/O when the volume goes offline, and refuses new I/O until it is back', () => {
    const s = sim();
    s.send({ type: 'pause' });
    s.send({ type: 'io', ioId: 'a', lun: 'CSV1', op: write(1) });
    const effects = s.send({ type: 'setOnline', online: false });
    expect(kinds(effects)).toEqual(['cancelTimer', 'complete a', 'mode Paused->Offline']);
    expect(effects[1]).toMatchObject({ result: { ok: false, code: 'BAD_STATE' } });
    expect(s.send({ type: 'io', ioId: 'b', lun: 'CSV1', op: write(1) })[0]).toMatchObject({
      result: { code: 'BAD_STATE' },
    });
    s.send({ type: 'resume' });
    expect(kinds(s.send({ type: 'setOnline', online: true }))).toEqual(['mode Offline->Direct']);
  });

  // Seed 23 of four-node.yaml (fast timing, 3 minutes): a write of a VM on a node frozen, fenced
  // and rejoined failed on every path after the volume came back, was redirected through the
  // coordinator and landed on a disk another node's VM now wrote (no-split-brain).
  it('never sends again an I/O issued before the volume went offline, once it is back', () => {
    const s = sim();
    s.send({ type: 'io', ioId: 'a', lun: 'CSV1', op: write(1) });
    s.send({ type: 'io', ioId: 'b', lun: 'CSV1', op: write(2) });
    s.send({ type: 'setOnline', online: false });
    s.send({ type: 'setOnline', online: true });
    const effects = s.send({ type: 'ioDone', ioId: 'a', result: allDown });
    expect(kinds(effects)).toEqual(['startTimer', 'complete a', 'mode Direct->Redirected']);
    expect(effects[1]).toMatchObject({ result: allDown });
    // Nor one that the network lost on its way to the coordinator.
    expect(kinds(s.send({ type: 'ioDone', ioId: 'b', result: allDown, lost: true }))).toEqual(['complete b']);
    // An I/O issued since is redirected as before.
    expect(kinds(s.send({ type: 'io', ioId: 'c', lun: 'CSV1', op: write(3) }))).toEqual(['redirect c']);
  });
});

describe('the coordinator’s watch of who may redirect I/O', () => {
  // Simulation seed 81 (default timing): N1, frozen in the view of epoch 3, was removed at epoch 4
  // and admitted again at epoch 6; the write its VM sent the instant it thawed, stamped 3, reached
  // the coordinator after the readmission, when N1 was a member again.
  const views: [string[], number][] = [
    [['N1', 'N2'], 3],
    [['N2'], 4],
    [['N1', 'N2'], 6],
  ];
  const watch = views.reduce((w, [members, epoch]) => watchMembers(w, members, epoch), NO_MEMBERS);

  it('has a member reconnect when its I/O was sent in a view from before it last left', () => {
    expect(admitRedirect(watch, 'N1', 3)).toBe('reconnect');
    expect(admitRedirect(watch, 'N1', 4)).toBe('reconnect');
  });

  it('performs I/O sent since it came back, of members that never left, and unstamped I/O of members', () => {
    expect(admitRedirect(watch, 'N1', 6)).toBe('perform');
    expect(admitRedirect(watch, 'N2', 3)).toBe('perform');
    expect(admitRedirect(watch, 'N1', undefined)).toBe('perform');
  });

  it('refuses a node outside the cluster whatever its epoch', () => {
    const out = watchMembers(watch, ['N2'], 7);
    expect(admitRedirect(out, 'N1', 8)).toBe('refuse');
    expect(admitRedirect(out, 'N3', 8)).toBe('refuse');
  });

  it('counts its own stop as everyone’s departure, which only has members that never left reconnect', () => {
    // A node that stops running sees no members at its epoch (6): N2 never left, yet its I/O
    // sent in view 6 must reconnect, and is performed once stamped with the view that readmitted
    // this node (9).
    const stopped = watchMembers(watchMembers(watch, [], 6), ['N1', 'N2'], 9);
    expect(admitRedirect(stopped, 'N2', 6)).toBe('reconnect');
    expect(admitRedirect(stopped, 'N2', 9)).toBe('perform');
    expect(admitRedirect(stopped, 'N1', 3)).toBe('reconnect');
  });
});
