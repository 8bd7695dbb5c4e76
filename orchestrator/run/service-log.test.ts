import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const home = mkdtempSync(join(tmpdir(), 'dcbox-service-log-'));
vi.stubEnv('DCBOX_HOME', home);
const { codeCacheCounts, serviceLogLines } = await import('./service-log.js');
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(home, { recursive: true, force: true });
});

/** Writes a host's service log in the run folder under `home`. */
function log(host: string, lines: string[]): void {
  mkdirSync(join(home, 'run', 'hosts', host), { recursive: true });
  writeFileSync(join(home, 'run', 'hosts', host, 'service.log'), `${lines.join('\n')}\n`);
}

const line = (msg: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({ t: '2026-12-06T00:00:00.000Z', level: 'info', msg, ...fields });

describe("a host's service log read back", () => {
  it('keeps the JSON lines asked for, in order, past a stack trace, and none for a host with no log', () => {
    log('a', [
      line('nats'),
      'Error: boom',
      '    at x (y.js:1:1)',
      line('serving', { pid: 1 }),
      line('serving', { pid: 2 }),
    ]);
    expect(serviceLogLines('a', (l) => l.msg === 'serving').map((l) => l.pid)).toEqual([1, 2]);
    expect(serviceLogLines('nobody', () => true)).toEqual([]);
  });

  it("counts what the code cache did by each host's last start", () => {
    log('b', [line('serving', { codeCache: 'miss' }), line('serving', { codeCache: 'hit' })]);
    log('c', [line('serving', { codeCache: 'hit' })]);
    log('d', [line('serving', { codeCache: 'miss' })]);
    expect(codeCacheCounts(['b', 'c', 'd'])).toBe('2 hit, 1 miss');
    expect(codeCacheCounts(['nobody'])).toBe('1 unknown');
  });
});
