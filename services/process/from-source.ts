/**
 * The development loop's one switch: `npm run dev` sets DCBOX_FROM_SOURCE=1, and every process
 * dcbox starts (the CLI, the orchestrator daemon, each host's service) then runs its TypeScript
 * source through tsx instead of dist/. Children inherit the environment, so the switch reaches
 * them without a flag; `npm run demo`, the tests and the bench leave it unset and run compiled.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** True when this process and the ones it starts run from the TypeScript sources. */
export const FROM_SOURCE = process.env.DCBOX_FROM_SOURCE === '1';

/** False when DCBOX_BUNDLE=0: the processes run dist/'s compiled modules, not the bundles. */
const BUNDLES = process.env.DCBOX_BUNDLE !== '0';

/**
 * The file that runs an entry point of the project, named without extension from the root
 * (e.g. `orchestrator/daemon/entry`): its bundle's stub `<root>/dist/bundle/<entry>.cjs` when the
 * build made one (scripts/bundle.mjs) after the last compile, else `<root>/dist/<entry>.js`; from
 * source, `<root>/<entry>.ts`.
 */
export function entryFile(root: string, entry: string, fromSource = FROM_SOURCE, bundles = BUNDLES): string {
  if (fromSource) return join(root, `${entry}.ts`);
  const compiled = join(root, 'dist', `${entry}.js`);
  const bundled = join(root, 'dist', 'bundle', `${entry}.cjs`);
  return bundles && isFresh(bundled, compiled) ? bundled : compiled;
}

/**
 * True when the bundle exists and is not older than its compiled entry: tsc alone rewrites all
 * of dist/ without bundling, so an older bundle holds code that is no longer the build's.
 */
function isFresh(bundled: string, compiled: string): boolean {
  return (
    existsSync(bundled) && (!existsSync(compiled) || statSync(bundled).mtimeMs >= statSync(compiled).mtimeMs)
  );
}

/**
 * The Node.js flags a process started from source needs: tsx's loader, by absolute URL, since a
 * service starts in another working directory (or network namespace) where `--import tsx` would
 * not resolve. None when running compiled.
 */
export function sourceNodeFlags(fromSource = FROM_SOURCE): string[] {
  if (!fromSource) return [];
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}
