/**
 * The `storage` session: only the seed brought up (default timing, no role online, no VM) and
 * the lm-io session's storage writes measured, for quick work on the data path (VM load → CSV →
 * MPIO → RSSM → controller) without the live migrations that come first in lm-io.
 */
import { connect } from '../orchestrator/run/clients.js';
import { down } from '../orchestrator/run/sweep.js';
import { up } from '../orchestrator/run/up.js';
import { formed, N1, type Samples } from './session-support.js';
import { storageSamples, storageWrites } from './sessions.js';

/** Brings up the seed, waits for the cluster, then runs the writes beside fio `reps` times. */
export async function storageSession(quick: boolean): Promise<Samples> {
  const reps = quick ? 1 : 3;
  const ioMs = quick ? 1000 : 5000;
  await up({ topology: 'seed', timing: 'default', quiet: true });
  const c = connect();
  try {
    await formed(c, N1, 2);
    return { reps, ...storageSamples(await storageWrites(c, reps, ioMs)) };
  } finally {
    c.close();
    await down();
  }
}
