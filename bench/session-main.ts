/**
 * Runs one benchmark session and prints its samples as one JSON line. bench/bench.ts starts it
 * under the machine-wide test lock (flock), so a data center is held for one session at a time.
 *
 *   node dist/bench/session-main.js <seed|lm-io|storage|scale-N|scale-NxK|scale-NvT> [--quick] [--watch-ms N]
 *   node dist/bench/session-main.js lm [--quick] [--moves N] [--warm-up N]   (lm-io's copy rate alone)
 *   node dist/bench/session-main.js pacemaker --token-ms N [--reps N]
 *   node dist/bench/session-main.js ceilings [--quick]   (bare Node.js processes beside fio: bench/ceilings.ts)
 *
 * scale-NxK runs N nodes with K VMs each, scale-NvT N nodes with T VMs in all (scale-16v1000:
 * 16 nodes over three chassis, 1000 VMs, the 2008 R2 cluster's limits).
 */
import { ceilingsSession } from './ceilings.js';
import { lmSession } from './lm-session.js';
import { pacemakerSession } from './pacemaker-session.js';
import { scaleSession } from './scale.js';
import type { Samples } from './session-support.js';
import { lmIoSession, seedSession } from './sessions.js';
import { storageSession } from './storage-session.js';

async function main(): Promise<Samples> {
  const [kind, ...rest] = process.argv.slice(2);
  const quick = rest.includes('--quick');
  const watchAt = rest.indexOf('--watch-ms');
  const watchMs = watchAt >= 0 ? Number(rest[watchAt + 1]) : 60_000;
  if (kind === 'seed') return seedSession(quick);
  if (kind === 'lm-io') return lmIoSession(quick);
  if (kind === 'storage') return storageSession(quick);
  if (kind === 'ceilings') return ceilingsSession(quick);
  if (kind === 'lm')
    return lmSession(quick, numberAfter(rest, '--moves', 5), numberAfter(rest, '--warm-up', 0));
  if (kind === 'pacemaker')
    return pacemakerSession(numberAfter(rest, '--token-ms', 2300), numberAfter(rest, '--reps', 1));
  const scale = /^scale-(\d+)(?:([xv])(\d+))?$/.exec(kind ?? '');
  if (scale)
    return scaleSession(
      Number(scale[1]),
      watchMs,
      scale[2] === 'v' ? { total: Number(scale[3]) } : { perNode: Number(scale[3] ?? 1) },
    );
  throw new Error(
    `unknown session ${kind}: seed, lm-io, lm, storage, ceilings, scale-N, scale-NxK (K VMs per node) or scale-NvT (T VMs in all)`,
  );
}

/** The number after `flag` in `args`, or `fallback` when the flag is absent. */
function numberAfter(args: string[], flag: string, fallback: number): number {
  const at = args.indexOf(flag);
  return at >= 0 ? Number(args[at + 1]) : fallback;
}

main().then(
  (s) => {
    console.log(JSON.stringify(s));
    process.exit(0);
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
