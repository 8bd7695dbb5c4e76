/**
 * Runs a CommonJS bundle (scripts/bundle.mjs) with V8's code cache, as Node.js 22's
 * `module.enableCompileCache()` does; Node.js 20 has neither that nor a cache for ES modules.
 * Compiling the bundle's ~1 MB of JavaScript, and each function the first time it runs, is a
 * fifth of a service's CPU on its way to healthy, and eight services start at once on two
 * cores (ARCHITECTURE.md §Start). The first run of a build compiles as usual and, a few seconds
 * in, saves what V8 compiled by then (`Script.createCachedData`, the functions the start ran
 * included); later runs hand that back to V8, which checks it against its version, its flags and
 * the source's length and falls back to compiling when it does not fit.
 *
 * The cache lives in `DCBOX_CODE_CACHE` (dcbox sets it to `<dcbox folder>/code-cache` for the
 * processes it starts; `0` or unset: no cache). Bytecode read from a file runs as this user's
 * code, so the folder must be this user's and nobody else's to write, in a folder where nobody
 * else can swap it (this user's or root's, writable by no one else or sticky as /tmp is);
 * otherwise the cache is off. A file's name carries a hash of the bundle's text, so a rebuilt
 * bundle never meets an older build's cache (V8 itself compares only the length).
 */
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  type Stats,
  writeFileSync,
} from 'node:fs';
import { createRequire, Module } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { constants, Script } from 'node:vm';

/** What became of a bundle's cache: used, written, or why neither. */
export type CacheOutcome = 'off' | 'hit' | 'miss' | 'rejected';

export interface RunCachedOptions {
  /** The cache's folder; `undefined` or '0': none. */
  cacheDir?: string | undefined;
  /** How long after the start the cache is saved (a miss or a rejection only). */
  saveAfterMs?: number;
  /** Called once the cache was saved (or failed to be). */
  onSaved?: (error: Error | null) => void;
}

/** The environment variable that names the cache's folder. */
export const CODE_CACHE_ENV = 'DCBOX_CODE_CACHE';
const SAVE_AFTER_MS = 5000;

/** Where runCached leaves its outcome for the bundle it runs, which has its own copy of this module. */
const OUTCOME = Symbol.for('dcbox.codeCache');

/** What the code cache did for this process's bundle; null when no bundle stub started it. */
export function codeCacheOutcome(): CacheOutcome | null {
  return ((globalThis as Record<symbol, unknown>)[OUTCOME] as CacheOutcome | undefined) ?? null;
}

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

/** True for a folder of this user that no one else may write: this user's code can come from it. */
function ownedPrivately(st: Stats): boolean {
  const uid = process.getuid?.() ?? 0;
  return st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0;
}

/**
 * True for a folder in which no one else can swap the cache folder for theirs: this user's or
 * root's, and writable by no one else, or sticky as /tmp is (others may not rename what is ours).
 */
function holdsSafely(st: Stats): boolean {
  const uid = process.getuid?.() ?? 0;
  const sticky = (st.mode & 0o1000) !== 0;
  return st.isDirectory() && (st.uid === uid || st.uid === 0) && ((st.mode & 0o022) === 0 || sticky);
}

/** The cache folder, made if missing, when it is this user's alone and safely held; else null. */
function usableDir(dir: string): string | null {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return ownedPrivately(lstatSync(dir)) && holdsSafely(lstatSync(dirname(dir))) ? dir : null;
  } catch {
    return null;
  }
}

/**
 * The cache file of a bundle for this process: the bundle's path and the flags V8 runs with pick
 * the family (`<folder>-<name>-<path hash>-<flags hash>-`), the text's hash the member.
 */
export function cacheFileName(file: string, source: string): { family: string; name: string } {
  const flags = [process.version, process.arch, ...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(
    '\0',
  );
  const family = `${basename(dirname(file))}-${basename(file)}-${sha1(file).slice(0, 8)}-${sha1(flags).slice(0, 8)}-`;
  return { family, name: `${family}${sha1(source).slice(0, 16)}.v8` };
}

/** Writes the cache atomically (another process of the same bundle may be reading it) and drops older builds'. */
function save(dir: string, family: string, name: string, data: Buffer): void {
  const tmp = join(dir, `${name}.${process.pid}.tmp`);
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, join(dir, name));
  for (const f of readdirSync(dir))
    if (f.startsWith(family) && f !== name && f.endsWith('.v8')) rmSync(join(dir, f), { force: true });
}

/**
 * Saves the cache `saveAfterMs` after the start, or as the process exits if that comes first (a
 * short command's cache then holds what it ran). A service killed before then saves nothing.
 */
function saveLater(write: () => void, opts: RunCachedOptions): void {
  let saved = false;
  const once = () => {
    if (saved) return;
    saved = true;
    process.off('exit', once);
    try {
      write();
      opts.onSaved?.(null);
    } catch (e) {
      // The cache only saves time: a full disk or a folder gone costs the next start nothing else.
      opts.onSaved?.(e as Error);
    }
  };
  setTimeout(once, opts.saveAfterMs ?? SAVE_AFTER_MS).unref();
  process.once('exit', once);
}

/** Compiles the bundle's text, with its cached code from `dir` when there is some. */
function compile(file: string, source: string, dir: string | null) {
  let cachedData: Buffer | undefined;
  if (dir)
    try {
      cachedData = readFileSync(join(dir, cacheFileName(file, source).name));
    } catch {
      // No cache yet for this build and these flags.
    }
  const script = new Script(Module.wrap(source), {
    filename: file,
    cachedData,
    // A dynamic import() in the bundle loads as it would in a module Node.js compiled itself.
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const rejected = script.cachedDataRejected === true;
  const cache: CacheOutcome = !dir ? 'off' : !cachedData ? 'miss' : rejected ? 'rejected' : 'hit';
  return { script, cache };
}

/**
 * Runs `file` as the CommonJS module `module` stands for (the bundle's stub), its compiled code
 * from the cache when there is one that fits, and returns its exports and what the cache did.
 */
export function runCached(
  file: string,
  parent: NodeJS.Module | undefined,
  opts: RunCachedOptions = { cacheDir: process.env[CODE_CACHE_ENV] },
): { exports: unknown; cache: CacheOutcome } {
  const outcome = globalThis as Record<symbol, unknown>;
  // Node.js maps stack traces only for code its own loader compiled (DCBOX_SOURCE_MAPS=1).
  if (process.sourceMapsEnabled) {
    outcome[OUTCOME] = 'off';
    return { exports: createRequire(file)(file), cache: 'off' };
  }
  const source = readFileSync(file, 'utf8');
  const dir = opts.cacheDir && opts.cacheDir !== '0' ? usableDir(opts.cacheDir) : null;
  const { script, cache } = compile(file, source, dir);
  outcome[OUTCOME] = cache;
  const m = new Module(file, parent);
  m.filename = file;
  script.runInThisContext()(m.exports, createRequire(file), m, file, dirname(file));
  m.loaded = true;
  if (dir && cache !== 'hit') {
    const { family, name } = cacheFileName(file, source);
    saveLater(() => save(dir, family, name, script.createCachedData()), opts);
  }
  return { exports: m.exports, cache };
}
