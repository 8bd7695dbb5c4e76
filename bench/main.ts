/**
 * `npm run bench [-- --json] [-- --quick]`: runs the suite and writes bench/results.json and
 * bench/RESULTS.md (or into `--out <dir>`). It exits 1, naming why, when a session failed or a
 * baseline came back missing or zero (bench.ts runProblems).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../services/transport/grpc.js';
import { resultsMarkdown, runBench, writeResults } from './bench.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? (args[outAt + 1] as string) : join(projectRoot, 'bench');

const r = await runBench({ quick, say: json ? undefined : (l) => console.log(l) });
// A run with a failed session or a missing baseline keeps the committed results: its table would
// hold ratios that stand on nothing. An explicit --out still gets it, for a look.
if (r.problems.length === 0 || outAt >= 0) {
  writeResults(r, out);
  // The results are committed, so they take the project's formatting (`npm run lint` checks them).
  spawnSync(
    join(projectRoot, 'node_modules', '.bin', 'biome'),
    ['format', '--write', join(out, 'results.json'), join(out, 'RESULTS.md')],
    { cwd: projectRoot, stdio: 'ignore' },
  );
}
console.log(json ? JSON.stringify(r, null, 2) : `\n${resultsMarkdown(r)}`);
if (r.problems.length > 0) {
  console.error(`\nnpm run bench FAILED: ${r.problems.length} problem(s), results not written to ${out}:`);
  for (const p of r.problems) console.error(`  - ${p}`);
  process.exitCode = 1;
}
