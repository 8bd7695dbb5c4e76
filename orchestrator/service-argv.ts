/**
 * The command line of one emulated host's service process, in one place: the netns and local
 * runtimes spawn it, the docker runtime and docker-compose.yml run the same thing in a container.
 */
import { join } from 'node:path';
import type { Component } from '../services/actor/config.js';

/** Node.js flags every service process runs with. */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--enable-source-maps'];

/**
 * `node <flags> <root>/dist/services/<component>/main.js --config <file>`; `node` is the
 * executable to run (the daemon's own in a namespace, `node` on the PATH in a container).
 */
export function serviceArgv(node: string, root: string, component: Component, configFile: string): string[] {
  return [
    node,
    ...SERVICE_NODE_FLAGS,
    join(root, 'dist', 'services', component, 'main.js'),
    '--config',
    configFile,
  ];
}
