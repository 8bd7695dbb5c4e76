/**
 * The app image: built from the project (dist/ and what the Dockerfile copies) when no image
 * built from the same sources exists, judged by a hash of those sources in a label.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { docker } from './docker-cli.js';
import { APP_IMAGE, LABEL_SOURCE } from './names.js';

/** The files the app image copies, which its freshness is judged on. */
const IMAGE_INPUTS = [
  'Dockerfile',
  'package.json',
  'package-lock.json',
  'proto',
  'topologies',
  'observability',
  'dist',
];
const IMAGE_SKIP = new Set(['dist/test', 'dist/bench']);

/** A hash of what the app image is built from (file names, sizes and contents). */
export function sourceHash(root: string): string {
  const h = createHash('sha256');
  const walk = (path: string) => {
    const rel = relative(root, path);
    if (IMAGE_SKIP.has(rel) || !existsSync(path)) return;
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const e of readdirSync(path).sort()) walk(join(path, e));
      return;
    }
    h.update(`${rel}\0${st.size}\0`);
    h.update(readFileSync(path));
  };
  for (const p of IMAGE_INPUTS) walk(join(root, p));
  return h.digest('hex').slice(0, 16);
}

/** The source hash of an image, or null when there is no such image. */
export async function imageSource(image: string): Promise<string | null> {
  try {
    const out = await docker([
      'image',
      'inspect',
      '--format',
      `{{index .Config.Labels "${LABEL_SOURCE}"}}`,
      image,
    ]);
    return out.trim() || null;
  } catch {
    return null;
  }
}

/**
 * Builds the app image from the project unless an image built from the same sources exists.
 * Needs `npm run build` (dist/) and the base image (scripts/docker-setup.sh).
 */
export async function ensureAppImage(root: string, image = APP_IMAGE): Promise<'built' | 'cached'> {
  if (!existsSync(join(root, 'dist', 'orchestrator', 'containers', 'host.js')))
    throw new Error('dcbox is not built: run `npm run build` before building the image');
  const hash = sourceHash(root);
  if ((await imageSource(image)) === hash) return 'cached';
  await docker(['build', '--quiet', '--build-arg', `SOURCE=${hash}`, '-t', image, root], {
    timeoutMs: 600_000,
  });
  return 'built';
}
