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
 * simulator, so they may not reach a clock, a socket, a file or a transport. A file is a core
 * when it is named core.ts, sits in a core/ folder, is a policy.ts or quorum.ts, or is listed
 * here by name. biome.json's override for the same files forbids Date, Math.random, timers and
 * process inside them; keep the two lists in step.
 */
const CORE = [
  '^services/.+/core[.]ts$',
  '^services/.+/core/',
  '^services/.+/policy[.]ts$',
  '^services/.+/quorum[.]ts$',
  '^services/hyperv-node/(vm|mpio|record|ack-ranges)[.]ts$',
  '^services/hyperv-node/csv/(file-table|table-codec|wire)[.]ts$',
  '^services/hyperv-node/migration/(dirty-bitmap|incoming|passes)[.]ts$',
  '^services/quorum/witness-doc[.]ts$',
  '^services/actor/errors[.]ts$',
  '^services/process/config[.]ts$',
];

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
      from: { path: CORE, pathNot: TEST },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?zlib$' },
    },
    {
      name: 'core-no-io',
      severity: 'error',
      comment:
        'A core imports no gRPC, NATS or metrics package and nothing from services/transport, ' +
        'services/sas or services/process (but process/config.ts, which holds only types and pure ' +
        'functions), not even for a type.',
      from: { path: CORE, pathNot: TEST },
      to: {
        path: [IO_PACKAGES, '^services/(transport|sas)/', '^services/process/(?!config[.]ts$)'],
      },
    },
    {
      name: 'core-imports-only-cores',
      severity: 'error',
      comment:
        "A core's value imports inside the repository are cores too, so purity holds all the way " +
        'down; type-only imports of other modules are allowed.',
      from: { path: CORE, pathNot: TEST },
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
