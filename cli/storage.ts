/**
 * The storage path as a node sees it: `dcbox paths <node>` (its MPIO view) and `dcbox io-load
 * <node>` (a load on a CSV's free space through CSV, MPIO, RSSM and the controller).
 */
import { type Command, Option } from 'commander';
import { UsageError } from '../orchestrator/run/up.js';
import type { IoLoadResult__Output } from '../services/generated/dcbox/node/v1/IoLoadResult.js';
import type { PathsResponse__Output } from '../services/generated/dcbox/node/v1/PathsResponse.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { printPaths } from './status.js';
import { printJson, table, withClients } from './util.js';

/** A size argument such as 4096, 4k, 1m or 60g (binary multiples). */
export function sizeArg(v: string, name: string): number {
  const m = /^(\d+)([kmg]?)$/i.exec(v.trim());
  if (!m) throw new UsageError(`${name} ${JSON.stringify(v)} is not a size such as 4096, 4k, 1m or 60g`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Number(m[1]) * unit;
}

/** Registers `dcbox paths <node>`. */
export function addPathsCommand(cli: Command): void {
  cli
    .command('paths')
    .description("a node's MPIO view: each LUN, each path, its state, policy, I/O count and errors")
    .argument('<node>')
    .option('--json', 'print JSON')
    .action(async (node: string, o: { json?: boolean }) => {
      const p = await withClients((c) =>
        rpc<PathsResponse__Output>((cb) => c.node(node).ListPaths({}, deadline(3000), cb)),
      );
      if (o.json) printJson(p);
      else printPaths(p);
    });
}

type IoLoadOptions = {
  lun: string;
  kind: string;
  bs: string;
  sequential?: boolean;
  depth: string;
  duration: string;
  offset: string;
  span: string;
  json?: boolean;
};

/** Runs the load on the node and waits for its result (the load's duration plus a minute). */
function runIoLoad(node: string, o: IoLoadOptions): Promise<IoLoadResult__Output> {
  const durationMs = Number(o.duration);
  return withClients((c) =>
    rpc<IoLoadResult__Output>((cb) =>
      c.node(node).RunIoLoad(
        {
          lun: o.lun,
          kind: o.kind,
          block_size: sizeArg(o.bs, '--bs'),
          sequential: o.sequential === true,
          depth: Number(o.depth),
          duration_ms: durationMs,
          offset_base: sizeArg(o.offset, '--offset'),
          span_bytes: sizeArg(o.span, '--span'),
        },
        deadline(durationMs + 60_000),
        cb,
      ),
    ),
  );
}

function printIoLoad(r: IoLoadResult__Output): void {
  console.log(
    table(
      [
        [
          Number(r.ops),
          Math.round(r.ops_per_sec),
          (r.bytes_per_sec / 1e6).toFixed(1),
          r.latency_p50_us,
          r.latency_p99_us,
          r.latency_max_us,
          r.errors,
        ],
      ],
      ['ops', 'IOPS', 'MB/s', 'p50 µs', 'p99 µs', 'max µs', 'errors'],
    ),
  );
  if (r.first_error) console.log(`first error: ${r.first_error}`);
}

/** Registers `dcbox io-load <node>`. */
export function addIoLoadCommand(cli: Command): void {
  cli
    .command('io-load')
    .description(
      "run an I/O load inside a node on a CSV's free space, through the VMs' path (CSV, MPIO, RSSM, controller), and print its IOPS, throughput and latency",
    )
    .argument('<node>')
    .option('--lun <lun>', 'the CSV LUN', 'CSV1')
    .addOption(new Option('--kind <kind>', 'write or read').choices(['write', 'read']).default('write'))
    .option('--bs <size>', 'bytes per command (512 multiples; k, m suffixes)', '4k')
    .option('--sequential', 'sequential blocks instead of random ones')
    .option('--depth <n>', 'commands in flight', '32')
    .option('--duration <ms>', 'how long the load runs, in ms', '5000')
    .option('--offset <bytes>', 'start of the range on the LUN (k, m, g suffixes)', '60g')
    .option('--span <bytes>', 'size of the range (k, m, g suffixes)', '256m')
    .option('--json', 'print JSON')
    .action(async (node: string, o: IoLoadOptions) => {
      const r = await runIoLoad(node, o);
      if (o.json) printJson(r);
      else printIoLoad(r);
    });
}
