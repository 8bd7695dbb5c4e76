import { describe, expect, it } from 'vitest';
import type { MmSettings } from '../process/config.js';
import {
  type CliContext,
  type CliSession,
  ERR_BAD_TARGET,
  ERR_EMPTY_BAY,
  ERR_LOGIN,
  ERR_SYNTAX,
  ERR_UNKNOWN_COMMAND,
  newSession,
  onLine,
  parseCommand,
  parseTarget,
  powerDone,
} from './amm-cli.js';
import { decideChassis, initialState, viewChassis } from './core.js';
import { TelnetDecoder } from './telnet.js';

const settings: MmSettings = {
  chassisName: 'BCS-DCBOX',
  model: 'IBM BladeCenter S',
  blades: [
    { bay: 1, host: 'HVR2NODO1', name: 'HVR2NODO1' },
    { bay: 2, host: 'HVR2NODO2', name: 'HVR2NODO2' },
    { bay: 3, host: null, name: '' },
  ],
  ioModules: [{ bay: 3, host: 'rssm3', name: 'SAS RAID Controller Module' }],
  storageModules: [{ bay: 1, present: true, drives: 6 }],
  credentials: { username: 'USERID', password: 'PASSW0RD' },
};

/** The chassis with both blades powered on and heard from at t=0. */
function context(): CliContext {
  let s = initialState(settings, { silenceMs: 5000, tickMs: 1000, now: 0 });
  const ctx = { now: 0, self: 'mm', random: { next: () => 0 } } as never;
  for (const host of ['HVR2NODO1', 'HVR2NODO2', 'rssm3']) {
    s = decideChassis(s, { type: 'powerRead', host, on: host !== 'HVR2NODO1' }, ctx).state;
    s = decideChassis(s, { type: 'heartbeat', host }, ctx).state;
  }
  return { chassis: viewChassis(s, 0), log: [], credentials: settings.credentials };
}

/** Feeds lines one after another; returns the last step and everything printed. */
function run(lines: string[], ctx = context(), from: CliSession = newSession()) {
  let session = from;
  const printed: string[] = [];
  let last = onLine(session, '', ctx);
  for (const l of lines) {
    last = onLine(session, l, ctx);
    session = last.session;
    printed.push(...last.lines, ...(last.prompt === null ? [] : [last.prompt]));
  }
  return { last, session, printed };
}

const LOGIN = ['USERID', 'PASSW0RD'];

describe('AMM CLI', () => {
  it('logs in with the default account and shows the system> prompt', () => {
    const { last } = run(LOGIN);
    expect(last.prompt).toBe('system> ');
    expect(last.loginOk).toEqual({ user: 'USERID' });
    expect(last.session.phase).toBe('command');
  });

  it("logs in when each line end arrives twice, as fence_bladecenter's CR LF does through telnet", () => {
    const { last } = run(['USERID', '', 'PASSW0RD', '']);
    expect(last.session.phase).toBe('command');
    expect(run(['USERID', '', 'PASSW0RD']).last.loginOk).toEqual({ user: 'USERID' });
    expect(run(['', '', 'USERID', 'PASSW0RD']).last.loginOk).toEqual({ user: 'USERID' });
    expect(run(['USERID', '']).last).toMatchObject({ prompt: 'password: ', lines: [] });
  });

  it('refuses a wrong password, asks for the user name again and closes after three tries', () => {
    const first = run(['USERID', 'wrong']);
    expect(first.last).toMatchObject({
      lines: [ERR_LOGIN],
      prompt: 'username: ',
      loginFailed: { user: 'USERID' },
    });
    const third = run(['a', 'b', 'c', 'd', 'USERID', 'nope']);
    expect(third.session.phase).toBe('closed');
    expect(third.last.prompt).toBeNull();
    expect(run(['USERID', 'passw0rd']).last.loginFailed).toBeTruthy();
  });

  it('selects a blade like fence_bladecenter and prints its power state as the last line', () => {
    const env = run([...LOGIN, 'env -T system:blade[2]']);
    expect(env.last).toMatchObject({ lines: ['OK'], prompt: 'system:blade[2]> ' });
    const state = run(['power -state'], context(), env.session);
    expect(state.last.lines.at(-1)).toBe('On');
    expect(state.last.prompt).toBe('system:blade[2]> ');
    const back = run(['env -T system'], context(), env.session);
    expect(back.last.prompt).toBe('system> ');
  });

  it('keeps the system> prompt for an empty bay and rejects a bay that does not exist', () => {
    const empty = run([...LOGIN, 'env -T system:blade[3]']);
    expect(empty.last).toMatchObject({ lines: [ERR_EMPTY_BAY], prompt: 'system> ' });
    expect(run([...LOGIN, 'env -T system:blade[7]']).last.lines).toEqual([ERR_BAD_TARGET]);
    expect(run([...LOGIN, 'env -T rack']).last.lines).toEqual([ERR_BAD_TARGET]);
  });

  it('turns power commands into the same request as the gRPC Power, and prints OK when done', () => {
    const env = run([...LOGIN, 'env -T system:blade[2]']).session;
    const off = onLine(env, 'power -off', context());
    expect(off.power).toEqual({ kind: 'blade', bay: 2, action: 'off' });
    expect(off.prompt).toBeNull();
    expect(powerDone(off.session, { ok: true })).toMatchObject({
      lines: ['OK'],
      prompt: 'system:blade[2]> ',
    });
    expect(powerDone(off.session, { ok: false, error: 'busy' }).lines).toEqual(['Error: busy']);
    expect(onLine(env, 'power -cycle', context()).power?.action).toBe('cycle');
    expect(onLine(env, 'power -on', context()).power?.action).toBe('on');
  });

  it('answers the one-shot form power -T system:blade[N] -state from the chassis prompt', () => {
    const { session } = run(LOGIN);
    expect(onLine(session, 'power -T system:blade[1] -state', context()).lines).toEqual(['Off']);
    expect(onLine(session, 'power -T system:blade[2] -state', context()).lines).toEqual(['On']);
    expect(onLine(session, 'power -T system:switch[3] -on', context()).power).toEqual({
      kind: 'io',
      bay: 3,
      action: 'on',
    });
    expect(onLine(session, 'power -state', context()).lines[0]).toMatch(/not supported by system/);
    expect(onLine(session, 'power -T system:blade[2] -on -off', context()).power).toBeUndefined();
  });

  it('lists one line per installed module, blade[N] then its name, as fence_bladecenter parses it', () => {
    const { session } = run(LOGIN);
    const lines = onLine(session, 'list -l 2', context()).lines;
    expect(lines[0]).toBe('system');
    const fenceRe = /^\s*blade\[(\d+)\]\s+(.*?)\s*$/;
    const blades = lines.flatMap((l) => {
      const m = fenceRe.exec(l);
      return m ? [[m[1], m[2]]] : [];
    });
    expect(blades).toEqual([
      ['1', 'HVR2NODO1'],
      ['2', 'HVR2NODO2'],
    ]);
    expect(lines.some((l) => /^\s+mm\[1\]\s+primary$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s+switch\[3\]\s+SAS RAID Controller Module$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s+storage\[1\]\s+Disk Storage Module$/.test(l))).toBe(true);
    expect(onLine(session, 'list', context()).lines).toEqual(['system']);
  });

  it('reports health per target, with the worst module deciding the chassis', () => {
    const { session } = run(LOGIN);
    const ctx = context();
    // Silence blade 2 past the 5 s threshold.
    const silent = {
      ...ctx,
      chassis: {
        ...ctx.chassis,
        blades: ctx.chassis.blades.map((b) => (b.number === 2 ? { ...b, health: 'no communication' } : b)),
      },
    };
    expect(onLine(session, 'health -T system:blade[1]', ctx).lines).toEqual(['blade[1] : OK']);
    expect(onLine(session, 'health -T system', silent).lines).toEqual(['system : Critical']);
    const detailed = onLine(session, 'health -l 2 -f', silent).lines;
    expect(detailed).toContain('        blade[2]    : Critical');
    expect(detailed.at(-1)).toBe('blade[2] : no communication');
  });

  it('shows the event log newest first', () => {
    const { session } = run(LOGIN);
    const ctx = {
      ...context(),
      log: [
        {
          index: 1,
          timeMs: Date.UTC(2010, 7, 11, 10, 37, 17),
          severity: 'I' as const,
          source: 'SERVPROC',
          text: 'Management module started',
        },
        {
          index: 2,
          timeMs: Date.UTC(2010, 7, 11, 10, 38, 0),
          severity: 'I' as const,
          source: 'BLADE_02',
          text: 'blade 2 (HVR2NODO2) powered off',
        },
      ],
    };
    expect(onLine(session, 'displaylog', ctx).lines).toEqual([
      '2     I  BLADE_02  08/11/10 10:38:00  blade 2 (HVR2NODO2) powered off',
      '1     I  SERVPROC  08/11/10 10:37:17  Management module started',
    ]);
  });

  it('answers unknown commands and malformed options with error lines, never a crash', () => {
    const { session } = run(LOGIN);
    expect(onLine(session, 'reboot now', context()).lines).toEqual([ERR_UNKNOWN_COMMAND]);
    for (const bad of ['env', 'env -T', 'power -T', 'list -l x', 'power', 'health -z', '\u00ff\u0000']) {
      const step = onLine(session, bad, context());
      expect(step.lines.length).toBeGreaterThan(0);
      expect(step.prompt).toBe('system> ');
    }
    expect(onLine(session, '', context())).toMatchObject({ lines: [], prompt: 'system> ' });
    expect(onLine(session, 'exit', context())).toMatchObject({ prompt: null, session: { phase: 'closed' } });
  });

  it('parses targets and options', () => {
    expect(parseTarget('system:blade[2]')).toEqual({ type: 'blade', number: 2 });
    expect(parseTarget('blade[6]')).toEqual({ type: 'blade', number: 6 });
    expect(parseTarget('system:mm[2]')).toBeNull();
    expect(parseCommand('power  -T system:blade[3]  -state')).toEqual({
      command: 'power',
      target: 'system:blade[3]',
      options: [{ name: 'state', value: null }],
    });
    expect(parseCommand('list -l')).toBeNull();
  });
});

describe('telnet decoding', () => {
  it('splits lines at CR LF, CR NUL, CR and LF, and applies backspace', () => {
    const d = new TelnetDecoder();
    expect(d.feed(Buffer.from('USERID\r\nPASS')).lines).toEqual(['USERID']);
    expect(d.feed(Buffer.from('W0RD\r\0env\rpower -stx\x7fate\n')).lines).toEqual([
      'PASSW0RD',
      'env',
      'power -state',
    ]);
  });

  it('agrees to character mode and binary, refuses every other option once, skips subnegotiation', () => {
    const d = new TelnetDecoder();
    // DO ECHO, DO SGA (both offered by the greeting), DO BINARY, WILL BINARY, WILL TERMINAL-TYPE,
    // DO STATUS, SB NAWS 0 80 0 24 SE, then a line.
    const input = Buffer.from([
      ...[255, 253, 1, 255, 253, 3, 255, 253, 0, 255, 251, 0, 255, 251, 24, 255, 253, 5],
      ...[255, 250, 31, 0, 80, 0, 24, 255, 240],
      ...Buffer.from('exit\r\n'),
    ]);
    const out = d.feed(input);
    expect([...out.reply]).toEqual([
      ...[255, 251, 0, 255, 253, 0, 255, 254, 24, 255, 252, 5],
      ...Buffer.from('exit\r\n'),
    ]);
    expect(out.lines).toEqual(['exit']);
    expect([...d.feed(Buffer.from([255, 253, 0, 255, 251, 24])).reply]).toEqual([]);
    // IAC IAC is a literal 255 byte.
    expect(d.feed(Buffer.from([0x61, 255, 255, 0x0a])).lines).toEqual(['a\u00ff']);
  });

  it('echoes what is typed, erases on backspace, and hides the password', () => {
    const d = new TelnetDecoder();
    expect(d.feed(Buffer.from('envx\x7f\r\0')).reply.toString('latin1')).toBe('envx\b \b\r\n');
    d.secret = true;
    const hidden = d.feed(Buffer.from('PASSW0RD\r\n'));
    expect(hidden.lines).toEqual(['PASSW0RD']);
    expect(hidden.reply.toString('latin1')).toBe('\r\n');
  });
});

describe('power -softoff', () => {
  it('parses the JCS syntax power -softoff -T blade[N] into a soft power off of that blade', () => {
    const { session } = run(LOGIN);
    const soft = { kind: 'blade', bay: 2, action: 'softoff' };
    expect(onLine(session, 'power -softoff -T blade[2]', context()).power).toEqual(soft);
    expect(onLine(session, 'power -T system:blade[2] -softoff', context()).power).toEqual(soft);
    const env = run([...LOGIN, 'env -T system:blade[2]']).session;
    expect(onLine(env, 'power -softoff', context())).toMatchObject({ power: soft, prompt: null });
  });

  it('refuses -softoff together with another power option, or for an empty bay', () => {
    const { session } = run(LOGIN);
    expect(onLine(session, 'power -softoff -off -T blade[2]', context()).lines).toEqual([ERR_SYNTAX]);
    expect(onLine(session, 'power -softoff -T blade[3]', context()).lines).toEqual([ERR_EMPTY_BAY]);
  });
});
