import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { injected, NO_BUGS, parseInjectedBugs } from './injected-bugs.js';
import { loadServiceConfig } from './load-config.js';

describe('injected bugs', () => {
  it('enables nothing without the variable', () => {
    expect(parseInjectedBugs(undefined)).toBe(NO_BUGS);
    expect(parseInjectedBugs('')).toBe(NO_BUGS);
    expect(injected(parseInjectedBugs(undefined), 'ack-before-durable')).toBe(false);
    expect(injected(undefined, 'failover-without-fencing')).toBe(false);
  });

  it('enables exactly the named bug, frozen', () => {
    const bugs = parseInjectedBugs('ack-before-durable');
    expect(injected(bugs, 'ack-before-durable')).toBe(true);
    expect(injected(bugs, 'failover-without-fencing')).toBe(false);
    expect(Object.isFrozen(bugs)).toBe(true);
  });

  it('refuses an unknown name with a clear error', () => {
    expect(() => parseInjectedBugs('ack-before-durabel')).toThrow(
      /DCBOX_INJECT_BUG=ack-before-durabel names no injectable bug; known: failover-without-fencing/,
    );
  });
});

describe('the service config at start', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'dcbox-bugs-')), 'config.json');
  // A config file that claims a bug enables nothing: only the environment names one.
  writeFileSync(path, JSON.stringify({ host: 'h', bugs: { active: 'ack-before-durable' } }));
  const argv = ['node', 'main.js', '--config', path];

  it('carries no bug without DCBOX_INJECT_BUG, whatever the file says', () => {
    expect(loadServiceConfig(argv, {}).bugs).toBe(NO_BUGS);
  });

  it('carries the bug DCBOX_INJECT_BUG names', () => {
    const cfg = loadServiceConfig(argv, { DCBOX_INJECT_BUG: 'answer-after-quorum-loss' });
    expect(injected(cfg.bugs, 'answer-after-quorum-loss')).toBe(true);
  });

  it('refuses to start with an unknown name', () => {
    expect(() => loadServiceConfig(argv, { DCBOX_INJECT_BUG: 'bogus' })).toThrow(/names no injectable bug/);
  });
});
