/**
 * The dependency rules of dcbox, checked by dependency-cruiser (`npm run depcheck`, part of
 * `npm test`). docs/dependencies.md explains them; keep the two in step.
 */

/** Folders under services/ that every service may import: the runtime and plumbing they share. */
const SHARED = [
  'actor',
  'transport',
  'sas',
  'process',
  'observability',
  'generated',
  'disk-format',
  'witness-protocol',
];

/**
 * The pure cores: decision logic and codecs that must run unchanged in a deterministic
 * simulator, so they may not reach a clock, a socket, a file or a transport. The one list of them
 * is biome.json's override that forbids Date, Math.random, timers and process (the override whose
 * includes list core.ts files first); its globs become this config's path patterns, so
 * the two checks can never disagree on what a core is.
 */
const CORE_GLOBS = require('./biome.json').overrides.find((o) =>
  o.includes.includes('services/**/core.ts'),
).includes;

/**
 * A Biome glob as a regular expression over a path from the project root. It spends as few
 * quantifiers as it can: dependency-cruiser refuses a rule whose joined patterns look like a
 * catastrophic regular expression (safe-regex counts every repetition).
 */
function globToRegex(glob) {
  const re = glob
    .split('/')
    .map((part, i, parts) => {
      if (part === '**') return i === parts.length - 1 ? '.*' : i === 0 ? '(^|/)' : '.*/';
      const text = part.replace(/[.+?^${}()|[\]\\]/g, '[$&]').replace(/\*/g, '[^/]*');
      return i === parts.length - 1 ? text : `${text}/`;
    })
    .join('')
    .replace(/\.\*\/\.\*$/, '.*');
  // **/*.x is any path ending in .x; **/name any path whose last part is name.
  const anchored = re.startsWith('(^|/)[^/]*')
    ? re.slice('(^|/)[^/]*'.length)
    : re.startsWith('(^|/)')
      ? re
      : `^${re}`;
  return `${anchored}${re.endsWith('.*') ? '' : '$'}`;
}

const CORE = CORE_GLOBS.filter((g) => !g.startsWith('!')).map(globToRegex);
const NOT_CORE = CORE_GLOBS.filter((g) => g.startsWith('!')).map((g) => globToRegex(g.slice(1)));

const TEST = '[.]test[.]ts$';

/** Packages that do I/O or talk to the network: never in a core. */
const IO_PACKAGES = '(^|/)node_modules/(@grpc/|@nats-io/|prom-client/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles anywhere, tests and type-only imports included.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'services-not-to-outer-layers',
      severity: 'error',
      comment:
        'A service runs alone in its process: it never imports the orchestrator, CLI, chaos, bench or tests.',
      from: { path: '^services/' },
      to: { path: '^(orchestrator|cli|chaos|bench|test)/' },
    },
    {
      name: 'service-not-to-other-service',
      severity: 'error',
      comment:
        'A service imports only its own folder and the shared ones (' +
        SHARED.join(', ') +
        '); what two services share is a protocol, and it goes into a shared folder. Tests may ' +
        'wire two services together.',
      from: { path: '^services/([^/]+)/', pathNot: TEST },
      to: { path: '^services/', pathNot: ['^services/$1/', `^services/(${SHARED.join('|')})/`] },
    },
    {
      name: 'orchestrator-not-to-cli-chaos-bench',
      severity: 'error',
      comment: 'The orchestrator is a library under the CLI, chaos and bench, never above them.',
      from: { path: '^orchestrator/' },
      to: { path: '^(cli|chaos|bench)/' },
    },
    {
      name: 'chaos-not-to-cli',
      severity: 'error',
      comment: 'The CLI drives chaos, not the other way round.',
      from: { path: '^chaos/' },
      to: { path: '^cli/' },
    },
    {
      name: 'sim-not-to-runtime',
      severity: 'error',
      comment:
        'The simulation runs the cores on its own clock, network and disks: it imports services, ' +
        "chaos's history and checkers and the topology files, never the orchestrator's runtime, " +
        'daemon, run folder or containers, nor the CLI, and no transport or I/O package.',
      from: { path: '^sim/' },
      to: {
        path: [
          '^orchestrator/(run|daemon|runtime|containers|testing|scenario|dashboard)/',
          '^(cli|bench|test)/',
          '^services/(transport|sas)/',
        ],
      },
    },
    {
      name: 'nothing-imports-sim',
      severity: 'error',
      comment: 'Services, the orchestrator and chaos never import the simulation; the CLI and tests may.',
      from: { path: '^(services|orchestrator|chaos)/', pathNot: TEST },
      to: { path: '^sim/' },
    },
    {
      name: 'code-not-to-test',
      severity: 'error',
      comment: 'Only tests import the integration-test folder.',
      from: { pathNot: ['^test/', TEST] },
      to: { path: '^test/' },
    },
    {
      name: 'core-no-builtin',
      severity: 'error',
      comment:
        'A core imports no Node builtin (node:zlib excepted, for its pure crc32): no files, sockets, ' +
        'clocks or processes.',
      from: { path: CORE, pathNot: [TEST, ...NOT_CORE] },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?zlib$' },
    },
    {
      name: 'core-no-io',
      severity: 'error',
      comment:
        'A core imports no gRPC, NATS or metrics package and nothing from services/transport, ' +
        'services/sas or services/process (but process/config.ts and process/injected-bugs.ts, which ' +
        'hold only types and pure functions), not even for a type.',
      from: { path: CORE, pathNot: [TEST, ...NOT_CORE] },
      to: {
        path: [
          IO_PACKAGES,
          '^services/(transport|sas)/',
          '^services/process/(?!(config|injected-bugs)[.]ts$)',
        ],
      },
    },
    {
      name: 'core-imports-only-cores',
      severity: 'error',
      comment:
        "A core's value imports inside the repository are cores too, so purity holds all the way " +
        'down; type-only imports of other modules are allowed.',
      from: { path: CORE, pathNot: [TEST, ...NOT_CORE] },
      to: {
        path: '^(services|orchestrator|cli|chaos|bench)/',
        pathNot: CORE,
        dependencyTypesNot: ['type-only'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    skipAnalysisNotInRules: true,
  },
};
