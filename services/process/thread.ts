/**
 * Starts a worker thread of one of the project's entry points (named as entryFile names them):
 * its bundle or compiled file, or — when this code runs from its TypeScript source (the tests,
 * `npm run dev`) — the source through tsx's loader, registered inside the thread.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { entryFile } from './from-source.js';
import { projectRoot } from './root.js';

export function startThread(entry: string, opts: WorkerOptions): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  // Compiled, the thread runs its bundle when the build made one (the code starting it may be a
  // bundle's chunk, which sits elsewhere than the entry's own file).
  const url = pathToFileURL(entryFile(projectRoot, entry, fromSource));
  if (!fromSource) return new Worker(url, opts);
  // tsx's ESM entry of its API, beside the CommonJS one `require.resolve` finds.
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const api = pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
  const boot = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { ...opts, eval: true });
}
