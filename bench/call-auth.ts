/**
 * `node dist/bench/call-auth.js [calls]`: what the run token costs a gRPC call (docs/security.md).
 * One process serves dcbox.common.v1.Host on 127.0.0.1 twice, open and with the token check, and
 * times `calls` sequential unary Info calls against each (a client without and with the token
 * interceptor), after a warm-up, in rounds taken in turn (3 pairs, each order) so that a busy
 * machine weighs on both.
 * Prints the mean and median microseconds per call of each, the CPU time per call of the
 * process (client and server both, which a loaded machine distorts less), and the differences.
 */
import { performance } from 'node:perf_hooks';
import type { HostClient } from '../services/generated/dcbox/common/v1/Host.js';
import {
  clientOptions,
  deadline,
  type GrpcServer,
  insecure,
  protos,
  rpc,
  startGrpcServer,
  unary,
} from '../services/transport/grpc.js';
import { newRunToken } from '../services/transport/run-token.js';

const CALLS = Number(process.argv[2] ?? 1000);
const ROUNDS = 3;
const WARMUP_CALLS = 300;

async function serve(runToken: string | null): Promise<GrpcServer> {
  const p = protos();
  const server = await startGrpcServer(
    '127.0.0.1',
    0,
    [
      {
        definition: p.dcbox.common.v1.Host.service,
        name: 'dcbox.common.v1.Host',
        impl: { Info: unary(() => ({ name: 'bench' })), Echo: unary(() => ({})) },
      },
    ],
    { runToken },
  );
  server.setServing(true);
  return server;
}

/** Microseconds of each of `n` sequential calls. */
async function time(client: HostClient, n: number): Promise<number[]> {
  const each: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await rpc((cb) => client.Info({}, deadline(5000), cb));
    each.push((performance.now() - t0) * 1000);
  }
  return each;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const token = newRunToken();
const open = await serve(null);
const checked = await serve(token);
const Host = protos().dcbox.common.v1.Host;
const without = new Host(`127.0.0.1:${open.port}`, insecure(), clientOptions(undefined));
const withToken = new Host(`127.0.0.1:${checked.port}`, insecure(), clientOptions({ runToken: token }));
await time(without, WARMUP_CALLS);
await time(withToken, WARMUP_CALLS);
const all = { without: [] as number[], with: [] as number[] };
const cpu = { without: 0, with: 0 };
/** Times a round and adds the CPU microseconds it took to `cpu[key]`. */
const round = async (key: 'without' | 'with', client: HostClient) => {
  const c0 = process.cpuUsage();
  all[key].push(...(await time(client, CALLS)));
  const c = process.cpuUsage(c0);
  cpu[key] += c.user + c.system;
};
// Which goes first alternates, so that neither always meets the other's garbage collection.
for (let r = 0; r < ROUNDS * 2; r++) {
  if (r % 2 === 0) {
    await round('without', without);
    await round('with', withToken);
  } else {
    await round('with', withToken);
    await round('without', without);
  }
}
const cpuPerCall = (key: 'without' | 'with') => cpu[key] / all[key].length;
const row = (name: string, key: 'without' | 'with') =>
  `${name.padEnd(22)} mean ${mean(all[key]).toFixed(1).padStart(6)} µs   median ${median(all[key]).toFixed(1).padStart(6)} µs   cpu ${cpuPerCall(key).toFixed(1).padStart(6)} µs/call   (${all[key].length} calls)`;
console.log(row('open (no token)', 'without'));
console.log(row('run token checked', 'with'));
console.log(
  `difference             mean ${(mean(all.with) - mean(all.without)).toFixed(1)} µs   median ${(median(all.with) - median(all.without)).toFixed(1)} µs   cpu ${(cpuPerCall('with') - cpuPerCall('without')).toFixed(1)} µs/call`,
);
without.close();
withToken.close();
await open.shutdown();
await checked.shutdown();
process.exit(0);
