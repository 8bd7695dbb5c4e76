/**
 * A worker thread of `dcbox sim swarm` (cli/sim-swarm.ts): it builds the topology once, then
 * simulates and judges each seed the main thread hands it, and posts each outcome back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadTopology, resolveTopology } from '../orchestrator/topology/topology.js';
import { parseInjectedBugs } from '../services/process/injected-bugs.js';
import { runSeed, type SwarmConfig } from '../sim/swarm.js';
import type { SwarmWorkerData, ToMain, ToWorker } from './sim-swarm.js';

const data = workerData as SwarmWorkerData;
const cfg: SwarmConfig = {
  topology: resolveTopology(loadTopology(data.topologyFile), data.topologyFile, data.timing),
  durationMs: data.durationMs,
  bugs: parseInjectedBugs(data.bug),
  digest: data.digest,
};
const port = parentPort;
if (!port) throw new Error('sim-swarm-worker runs only as a worker thread');
port.on('message', (m: ToWorker) => {
  if (m.type === 'done') {
    port.close();
    return;
  }
  let reply: ToMain;
  try {
    reply = { type: 'outcome', outcome: runSeed(m.seed, cfg) };
  } catch (err) {
    reply = { type: 'error', seed: m.seed, message: (err as Error).stack ?? String(err) };
  }
  port.postMessage(reply);
});
port.postMessage({ type: 'ready' } satisfies ToMain);
