/**
 * The app image: built from the dcbox package (dist/ and what the Dockerfile copies, with the
 * packages it loads at run time) when no image built from the same sources exists, judged by a
 * hash of those sources in a label. The build context is assembled in a temporary folder, so the
 * image is the same whether dcbox is this repository or a package installed in another project,
 * whatever that project's node_modules layout (orchestrator/containers/closure.ts).
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { type PlacedPackage, runtimeClosure } from './closure.js';
import { docker } from './docker-cli.js';
import { APP_IMAGE, BASE_IMAGE, LABEL_SOURCE } from './names.js';

/** The files of the package the app image copies, which its freshness is judged on. */
const IMAGE_INPUTS = ['Dockerfile', 'package.json', 'proto', 'topologies', 'observability', 'dist'];
/** What dist/ holds that no container runs. */
const IMAGE_SKIP = new Set(['dist/test', 'dist/bench']);

/** What the app image is built from: the package's own files and the packages it loads. */
export interface ImageSources {
  root: string;
  packages: PlacedPackage[];
  /** A hash of both (file names, sizes and contents; each package's place, name and version). */
  hash: string;
}

/** The files under `path` the image copies, in a stable order, relative to `root`. */
function inputFiles(root: string, path: string, out: string[] = []): string[] {
  const rel = relative(root, path);
  if (IMAGE_SKIP.has(rel) || !existsSync(path)) return out;
  if (!statSync(path).isDirectory()) {
    out.push(rel);
    return out;
  }
  for (const e of readdirSync(path).sort()) inputFiles(root, join(path, e), out);
  return out;
}

/** The sources of the app image of the dcbox package in `root`. */
export function imageSources(root: string): ImageSources {
  const h = createHash('sha256');
  for (const rel of IMAGE_INPUTS.flatMap((p) => inputFiles(root, join(root, p)))) {
    const file = join(root, rel);
    h.update(`${rel}\0${statSync(file).size}\0`);
    h.update(readFileSync(file));
  }
  const packages = runtimeClosure(root);
  for (const p of packages) h.update(`${p.path}\0${p.pkg.name}@${p.pkg.version}\0`);
  return { root, packages, hash: h.digest('hex').slice(0, 16) };
}

/**
 * Copies the image's build context into a new temporary folder: the package's files and a
 * node_modules of the packages it loads (without their own node_modules, which the closure
 * replaces). The caller removes it.
 */
export function assembleContext(sources: ImageSources): string {
  const dir = mkdtempSync(join(tmpdir(), 'dcbox-image-'));
  try {
    const skip = new Set([...IMAGE_SKIP].map((p) => join(sources.root, p)));
    for (const p of IMAGE_INPUTS) {
      if (!existsSync(join(sources.root, p))) continue;
      cpSync(join(sources.root, p), join(dir, p), {
        recursive: true,
        dereference: true,
        filter: (src) => !skip.has(src),
      });
    }
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    for (const { path, pkg } of sources.packages) {
      const own = join(pkg.dir, 'node_modules');
      cpSync(pkg.dir, join(dir, path), { recursive: true, dereference: true, filter: (src) => src !== own });
    }
    return dir;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Runs `build` on an assembled build context of `sources`, then removes the context. */
export async function withContext<T>(sources: ImageSources, build: (dir: string) => Promise<T>): Promise<T> {
  const dir = assembleContext(sources);
  try {
    return await build(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * How to run the package's scripts/docker-setup.sh from here: `node_modules/dcbox/scripts/…` in a
 * project that installed dcbox, `scripts/…` in a checkout.
 */
export function dockerSetupCommand(root: string): string {
  const script = join(root, 'scripts', 'docker-setup.sh');
  const rel = relative(process.cwd(), script);
  return `bash ${rel.startsWith('..') ? script : rel}`;
}

/** The error when the base image the Dockerfile starts from is missing. */
export function missingBaseImage(root: string): Error {
  return new Error(
    `no ${BASE_IMAGE} image, which the dcbox image is built on: make it (as root) with \`${dockerSetupCommand(root)}\``,
  );
}

/** The error when the package has no compiled code to put in the image. */
export function assertBuilt(root: string): void {
  if (!existsSync(join(root, 'dist', 'orchestrator', 'containers', 'host.js')))
    throw new Error(`dcbox in ${root} is not built: run \`npm run build\` there before building the image`);
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
 * Builds the app image from the package unless an image built from the same sources exists.
 * Needs dist/ (`npm run build` in a checkout; an installed package ships it) and the base image
 * (scripts/docker-setup.sh).
 */
export async function ensureAppImage(root: string, image = APP_IMAGE): Promise<'built' | 'cached'> {
  assertBuilt(root);
  const sources = imageSources(root);
  if ((await imageSource(image)) === sources.hash) return 'cached';
  if (!(await docker(['images', '-q', BASE_IMAGE])).trim()) throw missingBaseImage(root);
  await withContext(sources, (dir) =>
    docker(['build', '--quiet', '--build-arg', `SOURCE=${sources.hash}`, '-t', image, dir], {
      timeoutMs: 600_000,
    }),
  );
  return 'built';
}
