/**
 * The development loop's one switch: `npm run dev` sets DCBOX_FROM_SOURCE=1, and every process
 * dcbox starts (the CLI, the orchestrator daemon, each host's service) then runs its TypeScript
 * source through tsx instead of dist/. Children inherit the environment, so the switch reaches
 * them without a flag; `npm run demo`, the tests and the bench leave it unset and run compiled.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** True when this process and the ones it starts run from the TypeScript sources. */
export const FROM_SOURCE = process.env.DCBOX_FROM_SOURCE === '1';

/**
 * The file that runs an entry point of the project, named without extension from the root
 * (e.g. `orchestrator/daemon/entry`): `<root>/dist/<entry>.js`, or `<root>/<entry>.ts` from source.
 */
export function entryFile(root: string, entry: string, fromSource = FROM_SOURCE): string {
  return fromSource ? join(root, `${entry}.ts`) : join(root, 'dist', `${entry}.js`);
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
