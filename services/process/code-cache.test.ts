import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheFileName, codeCacheOutcome, runCached } from './code-cache.js';

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A private folder with a bundle-like CommonJS file (distinct text per call) and a cache folder in it. */
function bundle(body = '') {
  const root = mkdtempSync(join(tmpdir(), 'dcbox-code-cache-'));
  made.push(root);
  const file = join(root, 'main.bundle.cjs');
  writeFileSync(join(root, 'sibling.cjs'), 'module.exports = 40;');
  writeFileSync(
    file,
    `// ${root}\nconst path = require('node:path');\n` +
      `module.exports = { answer: () => require('./sibling.cjs') + 2, where: () => path.basename(__dirname) === path.basename(${JSON.stringify(root)}) && __filename.endsWith('main.bundle.cjs') };\n${body}`,
  );
  return { root, file, cacheDir: join(root, 'code-cache') };
}

/** Runs the bundle with its cache saved at once; resolves with the outcome once saved. */
async function runAndSave(file: string, cacheDir: string) {
  let saved!: (e: Error | null) => void;
  const done = new Promise<Error | null>((r) => {
    saved = r;
  });
  const r = runCached(file, undefined, { cacheDir, saveAfterMs: 0, onSaved: saved });
  return { ...r, saved: r.cache === 'hit' ? null : await done };
}

const cacheFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.v8'));

describe('runCached: a CommonJS bundle with V8 code cache', () => {
  it('compiles and saves the first time, takes the cache the next, and runs the module the same both times', async () => {
    const { file, cacheDir } = bundle();
    const first = await runAndSave(file, cacheDir);
    expect(first.cache).toBe('miss');
    expect(first.saved).toBeNull();
    expect(cacheFiles(cacheDir)).toHaveLength(1);
    const second = runCached(file, undefined, { cacheDir });
    expect(second.cache).toBe('hit');
    // What the bundle's own code reads of it (a service's serving line).
    expect(codeCacheOutcome()).toBe('hit');
    for (const r of [first, second]) {
      const m = r.exports as { answer: () => number; where: () => boolean };
      expect(m.answer()).toBe(42);
      expect(m.where()).toBe(true);
    }
  });

  it('never takes an older build: another text is a miss, and its save drops the older cache', async () => {
    const { file, cacheDir } = bundle();
    await runAndSave(file, cacheDir);
    const [older] = cacheFiles(cacheDir);
    writeFileSync(file, `${file.length}; module.exports = { answer: () => 43 };\n`);
    const rebuilt = await runAndSave(file, cacheDir);
    expect(rebuilt.cache).toBe('miss');
    expect((rebuilt.exports as { answer: () => number }).answer()).toBe(43);
    expect(cacheFiles(cacheDir)).toHaveLength(1);
    expect(cacheFiles(cacheDir)).not.toContain(older);
  });

  it('compiles from the text when the cache file is damaged, and replaces it', async () => {
    const { file, cacheDir } = bundle('module.exports.damaged = true;');
    mkdirSync(cacheDir, { mode: 0o700 });
    const { name } = cacheFileName(file, (await import('node:fs')).readFileSync(file, 'utf8'));
    writeFileSync(join(cacheDir, name), Buffer.alloc(4096, 0xab));
    const r = await runAndSave(file, cacheDir);
    expect(r.cache).toBe('rejected');
    expect((r.exports as { answer: () => number }).answer()).toBe(42);
    expect(runCached(file, undefined, { cacheDir }).cache).toBe('hit');
  });

  it('uses no cache folder that others may write or swap, and none when told 0 or none', () => {
    const { root, file, cacheDir } = bundle('module.exports.open = true;');
    mkdirSync(cacheDir, { mode: 0o700 });
    chmodSync(cacheDir, 0o777);
    expect(runCached(file, undefined, { cacheDir }).cache).toBe('off');
    chmodSync(cacheDir, 0o700);
    chmodSync(root, 0o777);
    expect(runCached(file, undefined, { cacheDir }).cache).toBe('off');
    // A sticky folder, as /tmp is: no one else may rename the cache folder in it.
    chmodSync(root, 0o1777);
    expect(runCached(file, undefined, { cacheDir }).cache).toBe('miss');
    chmodSync(root, 0o700);
    expect(runCached(file, undefined, { cacheDir: '0' }).cache).toBe('off');
    expect(runCached(file, undefined, { cacheDir: undefined }).cache).toBe('off');
    expect(cacheFiles(cacheDir)).toEqual([]);
  });

  it('saves as the process exits when that comes before the delay (a short command)', () => {
    const { file, cacheDir } = bundle();
    expect(inChild(file, `{ cacheDir: ${JSON.stringify(cacheDir)}, saveAfterMs: 60000 }`, 'r.cache')).toBe(
      'miss',
    );
    expect(cacheFiles(cacheDir)).toHaveLength(1);
  });

  it('leaves the compiling to Node.js when source maps are on, so that stack traces name the sources', () => {
    const { file, cacheDir } = bundle();
    const map = { version: 3, sources: ['original.ts'], names: [], mappings: 'AAAA' };
    writeFileSync(
      file,
      `module.exports = { boom: () => { throw new Error('boom'); } };\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`,
    );
    const opts = `{ cacheDir: ${JSON.stringify(cacheDir)} }`;
    const stackOf = 'r.cache + " " + (() => { try { r.exports.boom(); } catch (e) { return e.stack; } })()';
    const mapped = inChild(file, opts, stackOf, ['--enable-source-maps']);
    expect(mapped).toMatch(/^off /);
    expect(mapped).toContain('original.ts');
    // Without source maps the frame is the bundle's own, which the cache served.
    expect(inChild(file, opts, stackOf)).toMatch(/^miss [\s\S]*main\.bundle\.cjs/);
  });
});

/** Prints `expr` (of `r`, what runCached returned for `file`) from a child process with `flags`. */
function inChild(file: string, opts: string, expr: string, flags: string[] = []): string {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const loader = pathToFileURL(join(import.meta.dirname, 'code-cache.ts')).href;
  // tsx turns source maps on for its own sake: as the flags say, as in a bundle's process.
  const maps = flags.includes('--enable-source-maps');
  const script = `process.setSourceMapsEnabled(${maps}); import(${JSON.stringify(loader)}).then((m) => { const r = m.runCached(${JSON.stringify(file)}, undefined, ${opts}); console.log(${expr}); })`;
  return execFileSync(process.execPath, [...flags, '--import', tsx, '-e', script], {
    encoding: 'utf8',
  }).trim();
}
