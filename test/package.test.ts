/**
 * dcbox as another project gets it (issue 16): packed with `npm pack`, installed from the tarball
 * into a fresh project beside testcontainers 11, vitest 3, TypeScript and @types/node, and used
 * there — the CLI (its help; as root `up`, `status`, `down` and the demo in network namespaces),
 * the README's vitest example (docs/examples/consumer.test.ts, with docs/examples/tsconfig.json)
 * type-checked with `strict` and run against the seed data center in containers, and dcbox's own
 * type declarations checked with nothing skipped. Twice: npm's default layout, which hoists
 * dcbox's dependencies beside it, and `--install-strategy=nested`, which keeps them inside it; the
 * image is built from the installed package in both, and taken as given with `image:` once.
 *
 * Each step is a test named after it, and a step after a failed one fails naming that one. npm's
 * cache and both projects live in one temporary folder, removed at the end with every image the
 * example built (only dcbox-base:local stays, as after the other container tests). The packages
 * come from the npm registry. About 80 s with Docker and root (both layouts install at once).
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerSync } from '../orchestrator/containers/docker-cli.js';
import { APP_IMAGE } from '../orchestrator/containers/names.js';
import { projectRoot } from '../services/transport/grpc.js';
import { leftInDocker } from './docker-env.js';
import { DOCKER_ENGINE, ROOT, unmet } from './requirements.js';

const work = mkdtempSync(join(tmpdir(), 'dcbox-package-'));
const PREBUILT = 'dcbox-package-test:prebuilt';
const skipDocker = unmet('the container steps of test/package.test.ts', [DOCKER_ENGINE]);
const skipNetns = unmet('the netns steps of test/package.test.ts', [ROOT]);

/** The environment of every command: npm's cache in the temporary folder, no trace of this vitest. */
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !k.startsWith('VITEST') && k !== 'TEST' && k !== 'NODE_OPTIONS',
  ),
);
env.npm_config_cache = join(work, 'npm-cache');
env.npm_config_update_notifier = 'false';

/** Runs a command; resolves with its output, or rejects with its exit code and the end of its output. */
function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; timeoutMs?: number; env?: NodeJS.ProcessEnv },
) {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(new Error(`\`${cmd} ${args.join(' ')}\` ended with ${code ?? signal}:\n${out.slice(-4000)}`));
    });
  });
}

/** Steps that depend on each other: the first that failed, here or in the chain this one follows. */
interface Chain {
  failed: string | null;
  after?: Chain;
}

const packing: Chain = { failed: null };

/** A test that is one step: its failure names the step, and every later step of its chain names it too. */
function step(chain: Chain, name: string, body: () => Promise<void>, timeoutMs = 120_000): void {
  it(name, { timeout: timeoutMs }, async () => {
    const before = chain.after?.failed ?? chain.failed;
    if (before) throw new Error(`not run: the step "${before}" failed`);
    try {
      await body();
    } catch (err) {
      chain.failed = name;
      throw new Error(`step "${name}" failed: ${(err as Error).message}`, { cause: err });
    }
  });
}

const images = () => dockerSync(['images', '--format', '{{.Repository}}:{{.Tag}}']).split('\n');

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  if (skipDocker) return;
  const { sweepDataCenters } = await import('../orchestrator/testing/index.js');
  await sweepDataCenters({ images: true });
  expect(leftInDocker()).toEqual({ containers: [], networks: [], images: ['dcbox-base:local'] });
});

let tarball = '';

describe('dcbox packed and installed in another project', () => {
  step(
    packing,
    'npm pack: a tarball with the compiled code and its declarations, without tests or sources',
    async () => {
      // `npm test` has just built dist/; prepack builds it when DCBOX_PACK_PREBUILT is not set.
      const out = await run('npm', ['pack', '--pack-destination', work, '--json'], {
        cwd: projectRoot,
        env: { DCBOX_PACK_PREBUILT: '1' },
      });
      const [info] = JSON.parse(out.slice(out.indexOf('['))) as {
        filename: string;
        files: { path: string }[];
      }[];
      const files = info?.files.map((f) => f.path) ?? [];
      for (const f of [
        'bin/dcbox.js',
        'dist/cli/main.js',
        'dist/orchestrator/testing/index.d.ts',
        'dist/services/generated/package.json',
        'proto/common.proto',
        'topologies/seed.yaml',
        'chaos/experiments/node-partition-witness.yaml',
        'observability/dashboard/index.html',
        'scripts/docker-setup.sh',
        'scripts/build-native.mjs',
        'native/dma.c',
        'binding.gyp',
        'Dockerfile',
      ])
        expect(files, f).toContain(f);
      expect(
        files.filter((f) => /\.test\.|^test\/|^dist\/(test|bench)\/|\.ts$/.test(f) && !f.endsWith('.d.ts')),
      ).toEqual([]);
      tarball = join(work, info?.filename as string);
    },
  );

  step(packing, 'the README quotes the example and its tsconfig.json as they are', async () => {
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
    const example = readFileSync(join(projectRoot, 'docs', 'examples', 'consumer.test.ts'), 'utf8');
    const tsconfig = readFileSync(join(projectRoot, 'docs', 'examples', 'tsconfig.json'), 'utf8');
    expect(readme).toContain(example.slice(example.indexOf('import ')).trimEnd());
    expect(readme).toContain(tsconfig.trimEnd());
  });

  for (const layout of LAYOUTS) {
    describe(`installed with npm's ${layout.name} layout`, () => {
      const dir = join(work, layout.name);
      const npx = (args: string[], timeoutMs?: number, extra?: NodeJS.ProcessEnv) =>
        run('npx', args, { cwd: dir, timeoutMs, env: extra });
      consumerSteps({ failed: null, after: packing }, layout, dir, npx);
    });
  }
});

type Npx = (args: string[], timeoutMs?: number, extra?: NodeJS.ProcessEnv) => Promise<string>;

const LAYOUTS = [
  { name: 'hoisted', flags: [], netns: true },
  { name: 'nested', flags: ['--install-strategy=nested'], netns: false },
];

const installs = new Map<string, Promise<void>>();

/**
 * The project of one layout, installed from the tarball. The first call starts the installs of
 * both layouts at once (npm's cache is safe to share), so the second is ready, or nearly, when
 * its steps come: about 20 s of the suite.
 */
function installed(name: string): Promise<void> {
  if (installs.size === 0)
    for (const l of LAYOUTS) {
      const p = install(join(work, l.name), l.flags);
      p.catch(() => undefined); // awaited by the layout's own step, which reports it
      installs.set(l.name, p);
    }
  return installs.get(name) as Promise<void>;
}

async function install(dir: string, flags: string[]): Promise<void> {
  mkdirSync(dir);
  await run('npm', ['init', '-y'], { cwd: dir });
  await run('npm', ['pkg', 'set', 'type=module'], { cwd: dir });
  const deps = [tarball, 'testcontainers@11', 'vitest@3', 'typescript', '@types/node@20'];
  await run('npm', ['i', '-D', ...flags, '--no-audit', '--no-fund', ...deps], {
    cwd: dir,
    timeoutMs: 240_000,
  });
}

/** The steps in one consumer project. */
function consumerSteps(
  chain: Chain,
  layout: { name: string; flags: string[]; netns: boolean },
  dir: string,
  npx: Npx,
): void {
  step(
    chain,
    `${layout.name}: npm i -D the tarball, testcontainers@11, vitest@3, typescript, @types/node@20`,
    async () => {
      await installed(layout.name);
      const inside = join(dir, 'node_modules', 'dcbox', 'node_modules', '@grpc', 'grpc-js');
      const beside = join(dir, 'node_modules', '@grpc', 'grpc-js');
      expect({ inside: existsSync(inside), beside: existsSync(beside) }).toEqual(
        layout.name === 'hoisted' ? { inside: false, beside: true } : { inside: true, beside: false },
      );
      // npm ran dcbox's install script: the shared-memory helper of large writes (services/sas/dma.ts).
      expect(existsSync(join(dir, 'node_modules', 'dcbox', 'build', 'Release', 'dcbox_dma.node'))).toBe(true);
      copyFileSync(join(projectRoot, 'docs', 'examples', 'consumer.test.ts'), join(dir, 'consumer.test.ts'));
      copyFileSync(join(projectRoot, 'docs', 'examples', 'tsconfig.json'), join(dir, 'tsconfig.json'));
    },
    300_000,
  );

  step(chain, `${layout.name}: npx dcbox --help`, async () => {
    expect(await npx(['dcbox', '--help'])).toMatch(/Usage: dcbox[\s\S]*up \[options\]/);
  });

  step(chain, `${layout.name}: tsc --noEmit (strict) type-checks the example`, async () => {
    await npx(['tsc', '--noEmit', '-p', '.']);
  });

  step(chain, `${layout.name}: dcbox's declarations type-check on their own, none skipped`, async () => {
    writeFileSync(
      join(dir, 'tsconfig.dcbox.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          target: 'es2022',
          types: ['node'],
          noEmit: true,
        },
        files: ['node_modules/dcbox/dist/orchestrator/testing/index.d.ts'],
      }),
    );
    await npx(['tsc', '-p', 'tsconfig.dcbox.json']);
  });

  if (layout.netns) netnsSteps(chain, layout.name, npx);
  if (skipDocker) return;

  step(
    chain,
    `${layout.name}: the example runs, on an image built from the installed package`,
    async () => {
      dockerSync(['rmi', '-f', APP_IMAGE, PREBUILT]);
      const out = await npx(['vitest', 'run', 'consumer.test.ts'], 300_000);
      expect(out).toMatch(/1 passed/);
      expect(images()).toContain(APP_IMAGE);
      // The build context was a temporary folder, removed after the build.
      expect(readdirSync(tmpdir()).filter((f) => f.startsWith('dcbox-image-'))).toEqual([]);
    },
    320_000,
  );

  if (layout.name !== 'nested') return;
  step(
    chain,
    `${layout.name}: the example runs on a prebuilt image given as image:, building none`,
    async () => {
      dockerSync(['tag', APP_IMAGE, PREBUILT]);
      dockerSync(['rmi', APP_IMAGE]);
      const out = await npx(['vitest', 'run', 'consumer.test.ts'], 300_000, { DCBOX_IMAGE: PREBUILT });
      expect(out).toMatch(/1 passed/);
      expect(images()).not.toContain(APP_IMAGE);
    },
    320_000,
  );
}

/** `dcbox up`, `status`, the dashboard, `down` and the demo in network namespaces (root only). */
function netnsSteps(chain: Chain, name: string, npx: Npx): void {
  if (skipNetns) return;
  step(chain, `${name}: npx dcbox up / status / down (netns runtime)`, async () => {
    try {
      await npx(['dcbox', 'up', '--timing', 'fast']);
      const status = await npx(['dcbox', 'status']);
      expect(status.match(/SERVING/g)?.length, status).toBe(8);
      // The dashboard serves uPlot from wherever npm put it.
      const uplot = await fetch('http://127.0.0.1:8080/vendor/uPlot.iife.min.js');
      expect(uplot.status).toBe(200);
    } finally {
      expect(await npx(['dcbox', 'down'])).toMatch(/nothing left behind/);
    }
  });

  step(
    chain,
    `${name}: npx dcbox demo --timing fast passes`,
    async () => {
      const out = await npx(['dcbox', 'demo', '--timing', 'fast'], 180_000);
      expect(out).toMatch(/Seed scenario \(fast timing\): PASS/);
    },
    200_000,
  );
}
