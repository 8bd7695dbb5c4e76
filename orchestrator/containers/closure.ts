/**
 * The packages dcbox loads at run time, laid out as a node_modules folder of their own for the app
 * image. The image is built from the installed package whatever the layout of the project that
 * installed it: npm hoists dcbox's dependencies into the consumer's node_modules (beside dcbox, not
 * inside it), `--install-strategy=nested` keeps them inside, pnpm links them from a store. So each
 * package is found the way Node.js finds it (the node_modules folders above the folder of the
 * package that needs it), and placed in a fresh tree where Node.js finds the same version again.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A package as found on disk. */
export interface FoundPackage {
  name: string;
  version: string;
  /** Its folder, as a real path: its own dependencies are looked up from there. */
  dir: string;
  /** The packages it loads: its dependencies, and its optional and peer ones when installed. */
  needs: { name: string; optional: boolean }[];
}

/** A package placed in the image's tree, at `path` (e.g. `node_modules/a/node_modules/b`). */
export interface PlacedPackage {
  path: string;
  pkg: FoundPackage;
}

/** Finds the package `name` as code in `fromDir` would load it, or null when it is not installed. */
export type FindPackage = (name: string, fromDir: string) => FoundPackage | null;

/** The package folder whose node_modules holds `path` ('' for the tree's root). */
function parentPackage(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  return at <= 0 ? '' : path.slice(0, at - 1);
}

/**
 * Where `dep` goes for the package placed at `from`, or null when Node.js's lookup from there
 * already finds the same name and version. A free name goes to the top; a different version met
 * on the way up goes into the needing package's own node_modules, where nothing can hide it.
 * The top is the only folder that gains entries after its package's needs were placed (every
 * other package places its needs before any package below it does), and it only gains free
 * names, so no later placement changes what an earlier lookup found.
 */
export function placement(
  tree: ReadonlyMap<string, FoundPackage>,
  from: string,
  dep: FoundPackage,
): string | null {
  for (let dir = from; ; dir = parentPackage(dir)) {
    const slot = dir === '' ? `node_modules/${dep.name}` : `${dir}/node_modules/${dep.name}`;
    const there = tree.get(slot);
    if (there) {
      if (there.version === dep.version) return null;
      return from === '' ? slot : `${from}/node_modules/${dep.name}`;
    }
    if (dir === '') return slot;
  }
}

/**
 * The runtime closure of `root`, each package once per version where possible, in the order they
 * were found. A missing required package is an error naming who needs it.
 */
export function placePackages(root: FoundPackage, find: FindPackage): PlacedPackage[] {
  const tree = new Map<string, FoundPackage>();
  const queue: PlacedPackage[] = [{ path: '', pkg: root }];
  for (let i = 0; i < queue.length; i++) {
    const { path, pkg } = queue[i] as PlacedPackage;
    for (const need of pkg.needs) {
      const dep = find(need.name, pkg.dir);
      if (!dep) {
        if (need.optional) continue;
        throw new Error(`${pkg.name} needs ${need.name}, which is not installed where ${pkg.dir} looks`);
      }
      const at = placement(tree, path, dep);
      if (at === null) continue;
      tree.set(at, dep);
      queue.push({ path: at, pkg: dep });
    }
  }
  return queue.slice(1);
}

type Manifest = {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

/**
 * The package in `dir`. What it loads: its dependencies; its optional dependencies and required
 * peers when installed. Optional peers are left out (they are what a consumer may add, e.g.
 * TypeScript), and so are the root's peers (dcbox's testcontainers runs outside the image).
 */
export function readPackage(dir: string, isRoot = false): FoundPackage {
  const real = realpathSync(dir);
  const m = JSON.parse(readFileSync(join(real, 'package.json'), 'utf8')) as Manifest;
  const names = (deps: Record<string, string> | undefined) => Object.keys(deps ?? {});
  const peers = isRoot ? [] : names(m.peerDependencies).filter((n) => !m.peerDependenciesMeta?.[n]?.optional);
  const needs = [
    ...names(m.dependencies).map((name) => ({ name, optional: false })),
    ...names(m.optionalDependencies).map((name) => ({ name, optional: true })),
    ...peers.map((name) => ({ name, optional: true })),
  ];
  const seen = new Set<string>();
  return {
    name: m.name ?? basename(real),
    version: m.version ?? '0.0.0',
    dir: real,
    needs: needs.filter((n) => !seen.has(n.name) && seen.add(n.name)),
  };
}

/** Node.js's lookup of a package by name: node_modules/<name> in `fromDir` and every folder above. */
export function findInstalled(name: string, fromDir: string): FoundPackage | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return readPackage(candidate);
    }
    if (dirname(dir) === dir) return null;
  }
}

/** The runtime closure of the dcbox package in `root`, as installed around it. */
export function runtimeClosure(root: string): PlacedPackage[] {
  return placePackages(readPackage(root, true), findInstalled);
}
