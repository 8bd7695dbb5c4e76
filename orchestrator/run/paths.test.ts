import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseDcboxHome, ensureDcboxHome, type HomeContext } from './paths.js';

const owned = (dirs: string[]) => (dir: string) => dirs.includes(dir);

function ctx(over: Partial<HomeContext> & { env?: HomeContext['env'] }): HomeContext {
  return { env: {}, uid: 1000, ownsWritable: owned([]), ...over };
}

describe("dcbox's folder, one per user", () => {
  it("is $XDG_RUNTIME_DIR/dcbox when that folder is the user's and writable", () => {
    const c = ctx({ env: { XDG_RUNTIME_DIR: '/run/user/1000' }, ownsWritable: owned(['/run/user/1000']) });
    expect(chooseDcboxHome(c)).toBe('/run/user/1000/dcbox');
  });

  it('is /tmp/dcbox-<uid> without XDG_RUNTIME_DIR', () => {
    expect(chooseDcboxHome(ctx({}))).toBe('/tmp/dcbox-1000');
    expect(chooseDcboxHome(ctx({ env: { XDG_RUNTIME_DIR: '' } }))).toBe('/tmp/dcbox-1000');
  });

  it('is /tmp/dcbox-<uid> when XDG_RUNTIME_DIR is missing, not writable, not theirs or relative', () => {
    expect(chooseDcboxHome(ctx({ env: { XDG_RUNTIME_DIR: '/run/user/1000' } }))).toBe('/tmp/dcbox-1000');
    expect(
      chooseDcboxHome(ctx({ uid: 1001, env: { XDG_RUNTIME_DIR: 'run/user' }, ownsWritable: () => true })),
    ).toBe('/tmp/dcbox-1001');
  });

  it('is /tmp/dcbox-0 for root whatever XDG_RUNTIME_DIR says, so sudo, CI and a login shell agree', () => {
    const c = ctx({ uid: 0, env: { XDG_RUNTIME_DIR: '/run/user/0' }, ownsWritable: () => true });
    expect(chooseDcboxHome(c)).toBe('/tmp/dcbox-0');
    expect(chooseDcboxHome(ctx({ uid: 0 }))).toBe('/tmp/dcbox-0');
  });

  it('is DCBOX_HOME when set, for every user', () => {
    const env = { DCBOX_HOME: '/srv/dcbox', XDG_RUNTIME_DIR: '/run/user/1000' };
    expect(chooseDcboxHome(ctx({ env, ownsWritable: () => true }))).toBe('/srv/dcbox');
    expect(chooseDcboxHome(ctx({ uid: 0, env }))).toBe('/srv/dcbox');
  });
});

describe('ensureDcboxHome', () => {
  const base = mkdtempSync(join(tmpdir(), 'dcbox-paths-test-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('creates the folder readable by its user only', () => {
    const home = join(base, 'a', 'dcbox');
    expect(ensureDcboxHome(home, {})).toBe(home);
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  it('closes a folder of this user that others could read', () => {
    const home = join(base, 'open');
    mkdirSync(home, { mode: 0o755 });
    chmodSync(home, 0o755);
    ensureDcboxHome(home, {});
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });
});
