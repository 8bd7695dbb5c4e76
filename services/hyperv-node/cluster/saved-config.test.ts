/** The node's saved cluster configuration: absent, round-tripped, and unreadable. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../process/log.js';
import type { ClusterConfig } from './core/decide.js';
import { SavedConfig } from './saved-config.js';

describe('SavedConfig', () => {
  let dir: string;
  const warnings: string[] = [];
  const log: Logger = (level, msg) => {
    if (level === 'warn') warnings.push(msg);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dcbox-saved-config-'));
    warnings.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads nothing before the first save', () => {
    expect(new SavedConfig(dir, log).load()).toBeNull();
  });

  it('loads what was saved, also from a new instance (a restarted node)', () => {
    const config: ClusterConfig = { version: 3, roles: {}, csv: {} };
    new SavedConfig(dir, log).save(config);
    expect(new SavedConfig(dir, log).load()).toEqual(config);
    expect(warnings).toEqual([]);
  });

  it('ignores an unreadable file with a warning', () => {
    const saved = new SavedConfig(dir, log);
    writeFileSync(join(dir, 'cluster', 'config.json'), '{ not json');
    expect(saved.load()).toBeNull();
    expect(warnings).toEqual(['ignoring an unreadable saved cluster configuration']);
  });
});
