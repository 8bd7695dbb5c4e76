/**
 * Reads a service's config file at start: the file I/O kept out of config.ts, whose types and pure
 * functions the cores share.
 */
import { readFileSync } from 'node:fs';
import type { ServiceConfig } from './config.js';
import { parseInjectedBugs } from './injected-bugs.js';

/**
 * Reads the config named by --config or DCBOX_CONFIG, with the bug DCBOX_INJECT_BUG names (the
 * one place that reads it; an unknown name stops the process here, at start).
 */
export function loadServiceConfig<S>(argv = process.argv, env = process.env): ServiceConfig<S> {
  const bugs = parseInjectedBugs(env.DCBOX_INJECT_BUG);
  const i = argv.indexOf('--config');
  const path = i >= 0 ? argv[i + 1] : env.DCBOX_CONFIG;
  if (!path) throw new Error('no service config: pass --config <file> or set DCBOX_CONFIG');
  return { ...(JSON.parse(readFileSync(path, 'utf8')) as ServiceConfig<S>), bugs };
}
