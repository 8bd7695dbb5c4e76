/**
 * The orchestrator daemon's entry: `dcbox up` starts it detached and reads its progress over
 * the IPC channel until it is ready. It creates the hosts and spawns their processes first
 * (launch.ts, which loads nothing heavy), then loads the rest of the daemon (daemon.ts: gRPC,
 * the backplane, the dashboard) while the hosts start, and hands the run over to it.
 *
 * The folder: entry.ts (this), launch.ts (the runtime, the hosts' files and processes),
 * messages.ts (what entry and daemon tell `dcbox up`), daemon.ts (host lifecycle, power,
 * partitions, faults, the dashboard), grpc-handlers.ts (the Backplane and Orchestrator
 * services), service-calls.ts (calls to the management module, storage and cluster) and
 * metrics.ts (the daemon's Prometheus metrics and prometheus.yml).
 */

import type { RuntimeKind } from '../runtime/types.js';
import type { ResolvedTopology } from '../topology/topology.js';
import { Launch } from './launch.js';
import type { DaemonMessage, StartMessage } from './messages.js';

export type { DaemonMessage, DashboardInfo, DashboardSetting, StartMessage } from './messages.js';

/**
 * The run's topology: `dcbox up` resolved it in the foreground and sends it as the first message
 * (it may have forked this daemon before it finished looking at the machine, so nothing may be
 * made before it arrives). Without an IPC channel (started by hand) the file is read here, and
 * only then is the topology's parser loaded.
 */
function topologyToRun(file: string): Promise<ResolvedTopology> {
  if (!process.send) {
    return import('../topology/topology.js').then((t) =>
      t.resolveTopology(t.loadTopology(file), file, arg('timing')),
    );
  }
  return new Promise((resolve) => {
    process.once('message', (m: StartMessage) => resolve(m.topology));
    // `dcbox up` went away (it failed or found a machine to sweep) before it said start.
    process.once('disconnect', () => process.exit(1));
  });
}

/** Parses the daemon's argv: --topology FILE --runtime KIND --timing NAME. */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const say = (m: DaemonMessage) => {
    const line = `${new Date().toISOString()} ${m.type} ${'text' in m ? m.text : 'error' in m ? m.error : `${m.elapsedMs} ms`}`;
    process.stdout.write(`${line}\n`);
    if (process.send && process.connected) process.send(m);
  };
  const file = arg('topology') as string;
  const dashboard = arg('dashboard') ?? '127.0.0.1:8080';
  let launch: Launch | undefined;
  let daemon: Promise<import('./daemon.js').Daemon> | undefined;
  /** The daemon that runs the launched hosts; it also stops them when told to stop early. */
  const takeOver = (topo: ResolvedTopology, launched: Launch) => {
    daemon ??= import('./daemon.js').then(
      ({ Daemon }) =>
        new Daemon(topo, launched, say, {
          listen: dashboard === 'off' ? null : dashboard,
          allowControl: process.argv.includes('--allow-control'),
        }),
    );
    return daemon;
  };
  let topo: ResolvedTopology | undefined;
  const stop = async (code: number) => {
    if (topo && launch) await (await takeOver(topo, launch)).shutdown(code);
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  try {
    topo = await topologyToRun(file);
    process.removeAllListeners('disconnect');
    launch = new Launch(topo, file, (arg('runtime') ?? 'netns') as RuntimeKind);
    await launch.prepare((text) => say({ type: 'progress', text }));
    await (await takeOver(topo, launch)).start();
    if (process.connected) process.disconnect();
  } catch (err) {
    say({ type: 'failed', error: (err as Error).message });
    await stop(1);
  }
}

// Started as a program (compiled, or from source by `npm run dev`), not imported.
if (/daemon\/entry\.(c?js|ts)$/.test(process.argv[1] ?? '') && process.argv.includes('--topology')) {
  void main();
}
