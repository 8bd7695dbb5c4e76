import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunState } from '../orchestrator/run/state.js';
import { UsageError } from '../orchestrator/run/up.js';
import type { PingReply__Output } from '../services/generated/dcbox/workstation/v1/PingReply.js';
import { projectRoot } from '../services/process/root.js';
import { chassisMm, parseBay } from './power.js';
import { sizeArg } from './storage.js';
import { pingSummary } from './vm.js';

describe('the CLI’s argument parsers', () => {
  it('reads sizes in binary multiples and names the flag of a bad one', () => {
    expect(sizeArg('4096', '--bs')).toBe(4096);
    expect(sizeArg('4k', '--bs')).toBe(4096);
    expect(sizeArg('1M', '--span')).toBe(1024 ** 2);
    expect(sizeArg(' 60g ', '--offset')).toBe(60 * 1024 ** 3);
    expect(() => sizeArg('4kb', '--bs')).toThrow(UsageError);
    expect(() => sizeArg('4kb', '--bs')).toThrow(/--bs "4kb" is not a size/);
  });

  it('reads a bay as a blade number or a kind and a number', () => {
    expect(parseBay('2')).toEqual({ kind: 'blade', bay: 2 });
    expect(parseBay('io:3')).toEqual({ kind: 'io', bay: 3 });
    expect(parseBay('Storage-1')).toEqual({ kind: 'storage', bay: 1 });
    expect(() => parseBay('fan 1')).toThrow(/not a bay: fan 1/);
  });

  it('asks which chassis a bay is in when the run has several, and needs no name with one', () => {
    const run = (...mms: string[]) =>
      ({
        hosts: [
          ...mms.map((name) => ({ name, component: 'management-module' })),
          { name: 'storage', component: 'storage-controller' },
        ],
      }) as unknown as RunState;
    expect(chassisMm(run('mm'), undefined)).toBeUndefined();
    expect(() => chassisMm(run('mm1', 'mm2'), undefined)).toThrow(/2 chassis .*mm1, mm2.*--chassis/);
    expect(chassisMm(run('mm1', 'mm2'), 'MM2')).toBe('mm2');
    expect(() => chassisMm(run('mm1', 'mm2'), 'storage')).toThrow(/no chassis named storage/);
  });
});

describe('vm ping’s summary', () => {
  const reply = (seq: number, ok: boolean, host: string) => ({ seq, ok, host }) as PingReply__Output;

  it('counts losses and names every host that answered', () => {
    expect(pingSummary('VM1', [reply(1, true, 'N1'), reply(2, false, ''), reply(3, true, 'N2')])).toBe(
      'Ping statistics for VM1: sent = 3, received = 2, lost = 1 (33% loss); answered from N1, N2',
    );
  });

  it('says nowhere, and 0% loss, when nothing was sent', () => {
    expect(pingSummary('VM1', [])).toBe(
      'Ping statistics for VM1: sent = 0, received = 0, lost = 0 (0% loss); answered from nowhere',
    );
  });
});

describe('dcbox --version', () => {
  it("prints the package's version and nothing else", async () => {
    const { program, packageVersion } = await import('./main.js');
    const { version } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(packageVersion()).toBe(version);
    let out = '';
    const cli = program()
      .exitOverride()
      .configureOutput({ writeOut: (s) => (out += s) });
    await expect(cli.parseAsync(['node', 'dcbox', '--version'])).rejects.toMatchObject({
      code: 'commander.version',
    });
    expect(out).toBe(`${version}\n`);
  });
});
