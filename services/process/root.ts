/**
 * The project root, found without loading anything heavy: `dcbox up`'s daemon needs it before
 * it loads gRPC (orchestrator/daemon.ts), and so does every service's command line.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the folder holding proto/, found from here in source and in dist/. */
export const projectRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'proto', 'common.proto'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find proto/ above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
})();
