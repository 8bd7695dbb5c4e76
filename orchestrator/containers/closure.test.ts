import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type FoundPackage, findInstalled, placePackages, readPackage } from './closure.js';

/** A package in a simulated install, needing `needs` (and `optional` when installed). */
function pkg(name: string, version: string, needs: string[] = [], optional: string[] = []): FoundPackage {
  return {
    name,
    version,
    dir: `/src/${name}@${version}`,
    needs: [
      ...needs.map((n) => ({ name: n, optional: false })),
      ...optional.map((n) => ({ name: n, optional: true })),
    ],
  };
}

/** A lookup where each package resolves its needs to fixed versions (what an install gave it). */
function installed(resolutions: Record<string, Record<string, FoundPackage>>) {
  return (name: string, fromDir: string) => resolutions[fromDir]?.[name] ?? null;
}

const layout = (placed: { path: string; pkg: FoundPackage }[]) =>
  Object.fromEntries(placed.map((p) => [p.path, `${p.pkg.name}@${p.pkg.version}`]));

describe('the runtime closure of the app image', () => {
  it('puts every package at the top when no versions conflict, each once', () => {
    const long = pkg('long', '5.0.0');
    const protobuf = pkg('protobufjs', '7.0.0', ['long']);
    const loader = pkg('proto-loader', '0.8.0', ['protobufjs', 'long']);
    const root = pkg('dcbox', '0.1.0', ['proto-loader', 'long']);
    const find = installed({
      [root.dir]: { 'proto-loader': loader, long },
      [loader.dir]: { protobufjs: protobuf, long },
      [protobuf.dir]: { long },
    });
    expect(layout(placePackages(root, find))).toEqual({
      'node_modules/proto-loader': 'proto-loader@0.8.0',
      'node_modules/long': 'long@5.0.0',
      'node_modules/protobufjs': 'protobufjs@7.0.0',
    });
  });

  it('nests a conflicting version inside the package that needs it, and its dependencies below it', () => {
    const ansi5 = pkg('ansi', '5.0.0');
    const ansi6 = pkg('ansi', '6.0.0');
    const strip = pkg('strip', '7.0.0', ['ansi']);
    const wrap = pkg('wrap', '8.0.0', ['ansi', 'strip']);
    const root = pkg('dcbox', '0.1.0', ['ansi', 'wrap']);
    const strip6 = { ...strip, dir: '/src/wrap/strip' };
    const find = installed({
      [root.dir]: { ansi: ansi5, wrap },
      [wrap.dir]: { ansi: ansi6, strip: strip6 },
      [strip6.dir]: { ansi: ansi6 },
    });
    expect(layout(placePackages(root, find))).toEqual({
      'node_modules/ansi': 'ansi@5.0.0',
      'node_modules/wrap': 'wrap@8.0.0',
      'node_modules/wrap/node_modules/ansi': 'ansi@6.0.0',
      'node_modules/strip': 'strip@7.0.0',
      // strip at the top would find ansi 5 there: it gets its own 6.
      'node_modules/strip/node_modules/ansi': 'ansi@6.0.0',
    });
  });

  it('follows a cycle once, skips a missing optional package and names who needs a missing one', () => {
    const a = pkg('a', '1.0.0', ['b']);
    const b = pkg('b', '1.0.0', ['a'], ['native']);
    const root = pkg('dcbox', '0.1.0', ['a']);
    const find = installed({ [root.dir]: { a }, [a.dir]: { b }, [b.dir]: { a } });
    expect(layout(placePackages(root, find))).toEqual({
      'node_modules/a': 'a@1.0.0',
      'node_modules/b': 'b@1.0.0',
    });
    const broken = pkg('dcbox', '0.1.0', ['zod']);
    expect(() => placePackages(broken, installed({}))).toThrow(/dcbox needs zod, which is not installed/);
  });
});

describe('finding installed packages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcbox-closure-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (path: string, manifest: object) => {
    mkdirSync(join(dir, path), { recursive: true });
    writeFileSync(join(dir, path, 'package.json'), JSON.stringify(manifest));
  };

  it('finds hoisted and nested packages as Node.js does, with required peers and without optional ones', () => {
    write('node_modules/dcbox', {
      name: 'dcbox',
      version: '0.1.0',
      dependencies: { reflection: '1', zod: '4' },
      peerDependencies: { testcontainers: '11' },
    });
    write('node_modules/dcbox/node_modules/zod', { name: 'zod', version: '4.0.0' });
    write('node_modules/zod', { name: 'zod', version: '3.0.0' });
    write('node_modules/reflection', {
      name: 'reflection',
      version: '1.0.0',
      peerDependencies: { grpc: '1', typescript: '5' },
      peerDependenciesMeta: { typescript: { optional: true } },
    });
    write('node_modules/grpc', { name: 'grpc', version: '1.0.0' });
    write('node_modules/testcontainers', { name: 'testcontainers', version: '11.0.0' });
    const root = readPackage(join(dir, 'node_modules/dcbox'), true);
    expect(root.needs.map((n) => n.name)).toEqual(['reflection', 'zod']);
    expect(findInstalled('zod', root.dir)?.version).toBe('4.0.0');
    expect(layout(placePackages(root, findInstalled))).toEqual({
      'node_modules/reflection': 'reflection@1.0.0',
      'node_modules/zod': 'zod@4.0.0',
      'node_modules/grpc': 'grpc@1.0.0',
    });
  });
});
