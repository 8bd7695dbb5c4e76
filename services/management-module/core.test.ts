import { describe, expect, it } from 'vitest';
import { Simulation } from '../actor/actor.js';
import type { MmSettings } from '../process/config.js';
import {
  type ChassisEffect,
  type ChassisMsg,
  type ChassisState,
  decideChassis,
  initialState,
  viewChassis,
} from './core.js';

const SILENCE_MS = 5000;
const TICK_MS = 1000;

const settings: MmSettings = {
  chassisName: 'BCS-DCBOX',
  model: 'IBM BladeCenter S',
  blades: [
    { bay: 1, host: 'HVR2NODO1', name: 'HVR2NODO1' },
    { bay: 2, host: 'HVR2NODO2', name: 'HVR2NODO2' },
  ],
  ioModules: [
    { bay: 3, host: 'rssm3', name: 'SAS RAID Controller Module' },
    { bay: 4, host: 'rssm4', name: 'SAS RAID Controller Module' },
  ],
  storageModules: [
    { bay: 1, present: true, drives: 6 },
    { bay: 2, present: false, drives: 0 },
  ],
  credentials: { username: 'USERID', password: 'PASSW0RD' },
};

/** A started MM whose backplane said every module is on. */
function started(logMax?: number) {
  const sim = new Simulation<ChassisState, ChassisMsg, ChassisEffect>(
    decideChassis,
    initialState(settings, { silenceMs: SILENCE_MS, tickMs: TICK_MS, now: 0, logMax }),
  );
  sim.send({ type: 'start' });
  for (const host of ['HVR2NODO1', 'HVR2NODO2', 'rssm3', 'rssm4'])
    sim.send({ type: 'powerRead', host, on: true });
  return sim;
}

function blade(sim: Simulation<ChassisState, ChassisMsg, ChassisEffect>, n: number) {
  return viewChassis(sim.state, sim.now).blades[n - 1]!;
}

describe('management-module core', () => {
  it('asks the backplane for every hosted bay at start and shows the truth it answers', () => {
    const sim = new Simulation<ChassisState, ChassisMsg, ChassisEffect>(
      decideChassis,
      initialState(settings, { silenceMs: SILENCE_MS, tickMs: TICK_MS, now: 0 }),
    );
    expect(sim.send({ type: 'start' })).toEqual([
      { type: 'getPower', host: 'HVR2NODO1' },
      { type: 'getPower', host: 'HVR2NODO2' },
      { type: 'getPower', host: 'rssm3' },
      { type: 'getPower', host: 'rssm4' },
      { type: 'startTimer', id: 'health-tick', ms: TICK_MS, msg: { type: 'healthTick' } },
    ]);
    expect(blade(sim, 2).power).toBe('Unknown');
    sim.send({ type: 'powerRead', host: 'HVR2NODO2', on: false });
    expect(blade(sim, 2)).toMatchObject({ power: 'Off', health: 'off' });
  });

  it('retries a power read the backplane did not answer', () => {
    const sim = started();
    sim.send({ type: 'powerReadFailed', host: 'rssm3', error: 'connection refused' });
    expect(sim.advance(1000)).toContainEqual({ type: 'getPower', host: 'rssm3' });
  });

  it('lists every bay of the chassis, empty ones as not present', () => {
    const c = viewChassis(started().state, 0);
    expect(c.blades.map((b) => [b.number, b.present, b.host])).toEqual([
      [1, true, 'HVR2NODO1'],
      [2, true, 'HVR2NODO2'],
      [3, false, ''],
      [4, false, ''],
      [5, false, ''],
      [6, false, ''],
    ]);
    expect(c.io_modules.map((b) => [b.number, b.present, b.module_type])).toEqual([
      [1, false, 'switch'],
      [2, false, 'switch'],
      [3, true, 'switch'],
      [4, true, 'switch'],
    ]);
    expect(c.storage_modules).toEqual([
      expect.objectContaining({ number: 1, present: true, drives: 6, power: 'On' }),
      expect.objectContaining({ number: 2, present: false, drives: 0, power: '' }),
    ]);
  });

  it('shows a module ok while its heartbeats arrive', () => {
    const sim = started();
    for (let i = 0; i < 10; i++) {
      sim.advance(1000);
      sim.send({ type: 'heartbeat', host: 'HVR2NODO2' });
    }
    sim.advance(400);
    expect(blade(sim, 2)).toMatchObject({ power: 'On', health: 'ok', last_heartbeat_ms_ago: 400 });
    expect(sim.state.log.filter((e) => e.source === 'BLADE_02')).toEqual([]);
  });

  it('shows "no communication" and logs a warning when a powered module falls silent, then logs its return', () => {
    const sim = started();
    sim.send({ type: 'heartbeat', host: 'HVR2NODO2' });
    sim.advance(SILENCE_MS);
    expect(blade(sim, 2).health).toBe('ok');
    sim.advance(1000);
    expect(blade(sim, 2).health).toBe('no communication');
    const warnings = sim.state.log.filter((e) => e.source === 'BLADE_02');
    expect(warnings).toEqual([
      {
        index: expect.any(Number),
        timeMs: 6000,
        severity: 'W',
        source: 'BLADE_02',
        text: 'blade 2 (HVR2NODO2): no communication for more than 5000 ms',
      },
    ]);
    // Silence is logged once, not at every tick.
    sim.advance(10_000);
    expect(sim.state.log.filter((e) => e.source === 'BLADE_02')).toHaveLength(1);
    sim.send({ type: 'heartbeat', host: 'HVR2NODO2' });
    expect(blade(sim, 2).health).toBe('ok');
    expect(sim.state.log.at(-1)).toMatchObject({
      severity: 'I',
      source: 'BLADE_02',
      text: 'blade 2 (HVR2NODO2): communication restored',
    });
  });

  it('powers a blade off through the backplane and answers only after the backplane did', () => {
    const sim = started();
    sim.send({ type: 'heartbeat', host: 'HVR2NODO2' });
    expect(sim.send({ type: 'power', reqId: 'r1', kind: 'blade', bay: 2, action: 'off' })).toEqual([
      { type: 'setPower', reqId: 'r1', host: 'HVR2NODO2', on: false },
    ]);
    expect(blade(sim, 2).power).toBe('On');
    sim.advance(200);
    const effects = sim.send({ type: 'powerSet', reqId: 'r1', host: 'HVR2NODO2', on: false });
    expect(effects).toEqual([
      {
        type: 'reply',
        reqId: 'r1',
        bay: expect.objectContaining({ kind: 'blade', number: 2, power: 'Off', health: 'off' }),
        message: 'blade 2 (HVR2NODO2) is Off',
      },
      // Announced to the chassis once done: a cluster peer learns the blade's processes are gone.
      { type: 'powerChanged', host: 'HVR2NODO2', on: false },
    ]);
    expect(sim.state.log.at(-1)).toEqual({
      index: 2,
      timeMs: 200,
      severity: 'I',
      source: 'BLADE_02',
      text: 'blade 2 (HVR2NODO2) powered off',
    });
    // An Off module is "off", never "no communication", and its silence is not logged.
    sim.advance(20_000);
    expect(blade(sim, 2).health).toBe('off');
    expect(sim.state.log.filter((e) => e.severity === 'W' && e.source === 'BLADE_02')).toEqual([]);
  });

  it('powers an already-off blade off again without error', () => {
    const sim = started();
    sim.send({ type: 'powerRead', host: 'HVR2NODO1', on: false });
    expect(sim.send({ type: 'power', reqId: 'r1', kind: 'blade', bay: 1, action: 'off' })).toEqual([
      { type: 'setPower', reqId: 'r1', host: 'HVR2NODO1', on: false },
    ]);
    const [reply] = sim.send({ type: 'powerSet', reqId: 'r1', host: 'HVR2NODO1', on: false });
    expect(reply).toMatchObject({ type: 'reply', reqId: 'r1', bay: { power: 'Off' } });
  });

  it('cycles an On blade off then on, answering after the power-on', () => {
    const sim = started();
    expect(sim.send({ type: 'power', reqId: 'c1', kind: 'blade', bay: 1, action: 'cycle' })).toEqual([
      { type: 'setPower', reqId: 'c1', host: 'HVR2NODO1', on: false },
    ]);
    expect(sim.send({ type: 'powerSet', reqId: 'c1', host: 'HVR2NODO1', on: false })).toEqual([
      { type: 'powerChanged', host: 'HVR2NODO1', on: false },
      { type: 'setPower', reqId: 'c1', host: 'HVR2NODO1', on: true },
    ]);
    expect(blade(sim, 1).power).toBe('Off');
    sim.advance(1500);
    const [reply] = sim.send({ type: 'powerSet', reqId: 'c1', host: 'HVR2NODO1', on: true });
    expect(reply).toMatchObject({ type: 'reply', reqId: 'c1', bay: { power: 'On', health: 'ok' } });
    expect(sim.state.log.slice(-2).map((e) => e.text)).toEqual([
      'blade 1 (HVR2NODO1) powered off',
      'blade 1 (HVR2NODO1) powered on',
    ]);
  });

  it('cycles an Off blade by turning it on, as the JCS -cycle does', () => {
    const sim = started();
    sim.send({ type: 'powerRead', host: 'HVR2NODO1', on: false });
    expect(sim.send({ type: 'power', reqId: 'c1', kind: 'blade', bay: 1, action: 'cycle' })).toEqual([
      { type: 'setPower', reqId: 'c1', host: 'HVR2NODO1', on: true },
    ]);
  });

  it('gives a module just powered on a full silence period before "no communication"', () => {
    const sim = started();
    sim.send({ type: 'powerRead', host: 'HVR2NODO2', on: false });
    sim.advance(30_000);
    sim.send({ type: 'power', reqId: 'r1', kind: 'blade', bay: 2, action: 'on' });
    sim.send({ type: 'powerSet', reqId: 'r1', host: 'HVR2NODO2', on: true });
    sim.advance(SILENCE_MS);
    expect(blade(sim, 2).health).toBe('ok');
    sim.advance(TICK_MS);
    expect(blade(sim, 2).health).toBe('no communication');
  });

  it('powers an I/O module through the backplane', () => {
    const sim = started();
    expect(sim.send({ type: 'power', reqId: 'r1', kind: 'io', bay: 3, action: 'off' })).toEqual([
      { type: 'setPower', reqId: 'r1', host: 'rssm3', on: false },
    ]);
    const [reply] = sim.send({ type: 'powerSet', reqId: 'r1', host: 'rssm3', on: false });
    expect(reply).toMatchObject({
      type: 'reply',
      bay: { kind: 'io', number: 3, power: 'Off', module_type: 'switch' },
    });
    expect(sim.state.log.at(-1)).toMatchObject({
      source: 'SWITCH_03',
      text: 'I/O module 3 (SAS RAID Controller Module) powered off',
    });
  });

  it('answers an empty bay with NOT_FOUND and bad kinds, numbers or actions with INVALID_ARGUMENT', () => {
    const sim = started();
    const ask = (kind: string, bay: number, action: string) =>
      sim.send({ type: 'power', reqId: 'x', kind, bay, action })[0] as Extract<
        ChassisEffect,
        { type: 'fail' }
      >;
    expect(ask('blade', 3, 'off')).toEqual({
      type: 'fail',
      reqId: 'x',
      code: 'NOT_FOUND',
      message: 'blade bay 3 is empty',
    });
    expect(ask('', 5, 'on').code).toBe('NOT_FOUND');
    expect(ask('io', 1, 'on').code).toBe('NOT_FOUND');
    expect(ask('blade', 7, 'off')).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('blade bays 1-6'),
    });
    expect(ask('blade', 0, 'off').code).toBe('INVALID_ARGUMENT');
    expect(ask('io', 5, 'off').code).toBe('INVALID_ARGUMENT');
    expect(ask('fan', 1, 'off')).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('blade, io or storage'),
    });
    expect(ask('blade', 1, 'reboot')).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('on, off, cycle or softoff'),
    });
    expect(ask('storage', 1, 'off').code).toBe('INVALID_ARGUMENT');
    expect(sim.effects.filter((e) => e.type === 'setPower')).toEqual([]);
  });

  it('refuses a second power operation on a bay while one is in flight', () => {
    const sim = started();
    sim.send({ type: 'power', reqId: 'r1', kind: 'blade', bay: 1, action: 'off' });
    expect(sim.send({ type: 'power', reqId: 'r2', kind: 'blade', bay: 1, action: 'on' })).toEqual([
      expect.objectContaining({ type: 'fail', reqId: 'r2', code: 'BAD_STATE' }),
    ]);
  });

  it('fails the request, logs an error and re-reads the power when the backplane fails', () => {
    const sim = started();
    sim.send({ type: 'power', reqId: 'r1', kind: 'blade', bay: 2, action: 'on' });
    expect(
      sim.send({
        type: 'powerSetFailed',
        reqId: 'r1',
        host: 'HVR2NODO2',
        code: 'TIMEOUT',
        error: 'deadline exceeded',
      }),
    ).toEqual([
      {
        type: 'fail',
        reqId: 'r1',
        code: 'TIMEOUT',
        message: 'power on of blade 2 (HVR2NODO2) failed: deadline exceeded',
      },
      { type: 'getPower', host: 'HVR2NODO2' },
    ]);
    expect(sim.state.log.at(-1)).toMatchObject({ severity: 'E', source: 'BLADE_02' });
    // The bay is free again.
    expect(sim.send({ type: 'power', reqId: 'r2', kind: 'blade', bay: 2, action: 'on' })[0]).toMatchObject({
      type: 'setPower',
    });
  });

  it('keeps the event log bounded, dropping the oldest entries while indexes keep increasing', () => {
    const sim = started(5);
    for (let i = 0; i < 6; i++) {
      sim.send({ type: 'power', reqId: `r${i}`, kind: 'io', bay: 4, action: i % 2 ? 'on' : 'off' });
      sim.send({ type: 'powerSet', reqId: `r${i}`, host: 'rssm4', on: i % 2 === 1 });
    }
    // One start entry and six power entries were written; the newest five remain.
    expect(sim.state.log.map((e) => e.index)).toEqual([3, 4, 5, 6, 7]);
    expect(sim.state.log.at(-1)?.text).toBe('I/O module 4 (SAS RAID Controller Module) powered on');
  });

  it('ignores heartbeats of hosts that are in no bay', () => {
    const sim = started();
    const before = sim.state;
    sim.send({ type: 'heartbeat', host: 'storage' });
    expect(sim.state).toBe(before);
  });
  it('counts refused remote logins and logs each login in the event log', () => {
    const sim = started();
    sim.send({ type: 'remoteLogin', user: 'USERID', via: 'telnet', ok: false });
    sim.send({ type: 'remoteLogin', user: 'admin', via: 'redfish', ok: false });
    sim.send({ type: 'remoteLogin', user: 'USERID', via: 'redfish', ok: true });
    expect(sim.state.loginFailures).toBe(2);
    expect(sim.state.log.slice(-3).map((e) => [e.severity, e.text])).toEqual([
      ['W', "Remote login failed for user 'USERID' from telnet"],
      ['W', "Remote login failed for user 'admin' from redfish"],
      ['I', "Remote login successful for user 'USERID' from redfish"],
    ]);
  });
});

describe('soft power off (power -softoff, Redfish GracefulShutdown)', () => {
  const SOFT: ChassisMsg = { type: 'power', reqId: 's1', kind: 'blade', bay: 2, action: 'softoff' };

  it("asks the blade's OS to shut down and powers the bay off only once it has", () => {
    const sim = started();
    expect(sim.send(SOFT)).toEqual([
      { type: 'osShutdown', reqId: 's1', host: 'HVR2NODO2', timeoutMs: 120_000 },
      {
        type: 'startTimer',
        id: 'soft-off:HVR2NODO2',
        ms: 120_000,
        msg: { type: 'softOffTimeout', reqId: 's1', host: 'HVR2NODO2' },
      },
    ]);
    // The MM never asks anything of the cluster: its only effects are the OS request and its timer.
    expect(blade(sim, 2).power).toBe('On');
    sim.advance(3000);
    expect(sim.send({ type: 'osShutdownDone', reqId: 's1', host: 'HVR2NODO2' })).toEqual([
      { type: 'cancelTimer', id: 'soft-off:HVR2NODO2' },
      { type: 'setPower', reqId: 's1', host: 'HVR2NODO2', on: false },
    ]);
    const [reply] = sim.send({ type: 'powerSet', reqId: 's1', host: 'HVR2NODO2', on: false });
    expect(reply).toMatchObject({ type: 'reply', reqId: 's1', bay: { power: 'Off' } });
    expect(sim.state.log.slice(-3).map((e) => e.text)).toEqual([
      'Soft power off of blade 2 (HVR2NODO2): operating system shutdown requested',
      'blade 2 (HVR2NODO2): operating system shut down',
      'blade 2 (HVR2NODO2) powered off',
    ]);
  });

  it('leaves the blade on and reports it when the OS has not shut down within the timeout', () => {
    const sim = started();
    sim.send(SOFT);
    // Another power request waits while the soft power off is in progress.
    expect(sim.send({ ...SOFT, reqId: 's2', action: 'off' })).toEqual([
      expect.objectContaining({ type: 'fail', reqId: 's2', code: 'BAD_STATE' }),
    ]);
    const effects = sim.advance(120_000).filter((e) => e.type !== 'startTimer');
    const text =
      'Soft power off of blade 2 (HVR2NODO2) did not complete: the operating system did not shut down within 120 s; the blade stays on';
    expect(effects).toEqual([{ type: 'fail', reqId: 's1', code: 'TIMEOUT', message: text }]);
    expect(sim.state.log.at(-1)).toMatchObject({ severity: 'E', source: 'BLADE_02', text });
    expect(blade(sim, 2).power).toBe('On');
    // A late answer from the OS does not power the bay off behind the failed request.
    expect(sim.send({ type: 'osShutdownDone', reqId: 's1', host: 'HVR2NODO2' })).toEqual([]);
    expect(sim.send({ ...SOFT, reqId: 's3', action: 'off' })).toEqual([
      { type: 'setPower', reqId: 's3', host: 'HVR2NODO2', on: false },
    ]);
  });

  it('fails at once, leaving the blade on, when the OS cannot be asked', () => {
    const sim = started();
    sim.send(SOFT);
    const effects = sim.send({
      type: 'osShutdownFailed',
      reqId: 's1',
      host: 'HVR2NODO2',
      code: 'UNAVAILABLE',
      error: 'connection refused',
    });
    expect(effects).toEqual([
      { type: 'cancelTimer', id: 'soft-off:HVR2NODO2' },
      expect.objectContaining({ type: 'fail', reqId: 's1', code: 'UNAVAILABLE' }),
    ]);
    expect(blade(sim, 2).power).toBe('On');
  });

  it('powers an Off blade off without asking an OS, and refuses an I/O module', () => {
    const sim = started();
    sim.send({ type: 'powerRead', host: 'HVR2NODO2', on: false });
    expect(sim.send(SOFT)).toEqual([{ type: 'setPower', reqId: 's1', host: 'HVR2NODO2', on: false }]);
    expect(sim.send({ ...SOFT, reqId: 's4', kind: 'io', bay: 3 })).toEqual([
      expect.objectContaining({ type: 'fail', reqId: 's4', code: 'INVALID_ARGUMENT' }),
    ]);
  });
});
