/**
 * Reads a service's config file at start: the file I/O kept out of config.ts, whose types and pure
 * functions the cores share.
 */
import { readFileSync } from 'node:fs';
import type { ServiceConfig } from './config.js';

/** Reads the config named by --config or DCBOX_CONFIG. */
export function loadServiceConfig<S>(argv = process.argv): ServiceConfig<S> {
  const i = argv.indexOf('--config');
  const path = i >= 0 ? argv[i + 1] : process.env.DCBOX_CONFIG;
  if (!path) throw new Error('no service config: pass --config <file> or set DCBOX_CONFIG');
  return JSON.parse(readFileSync(path, 'utf8')) as ServiceConfig<S>;
}
