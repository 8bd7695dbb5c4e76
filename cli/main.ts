import { Command, Option } from 'commander';
import { connect, NoRunError } from '../orchestrator/run/clients.js';
import { mmAccess, mmAccessLines } from '../orchestrator/run/mm-access.js';
import { prometheusConfigPath } from '../orchestrator/run/paths.js';
import { down, isClean } from '../orchestrator/run/sweep.js';
import { topologyPath, UsageError, up } from '../orchestrator/run/up.js';
import type { RuntimeKind } from '../orchestrator/runtime/runtime.js';
import { formatSeedReport, runSeedScenario } from '../orchestrator/scenario/seed.js';
import { TIMING_NAMES } from '../orchestrator/topology/timing.js';
import { TopologyError } from '../orchestrator/topology/topology.js';
import type { Chassis__Output } from '../services/generated/dcbox/chassis/v1/Chassis.js';
import type { PowerResponse__Output } from '../services/generated/dcbox/chassis/v1/PowerResponse.js';
import type { IoLoadResult__Output } from '../services/generated/dcbox/node/v1/IoLoadResult.js';
import type { PathsResponse__Output } from '../services/generated/dcbox/node/v1/PathsResponse.js';
import type { RunStatus__Output } from '../services/generated/dcbox/orchestrator/v1/RunStatus.js';
import type { Lun__Output } from '../services/generated/dcbox/storage/v1/Lun.js';
import type { PingReply__Output } from '../services/generated/dcbox/workstation/v1/PingReply.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { fromServiceError } from '../services/transport/grpc-errors.js';
import { addChaosCommands } from './chaos.js';
import { addClusterCommands } from './cluster.js';
import { addEventCommands } from './events.js';
import { table, withClients } from './util.js';

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A size argument such as 4096, 4k, 1m or 60g (binary multiples). */
export function sizeArg(v: string, name: string): number {
  const m = /^(\d+)([kmg]?)$/i.exec(v.trim());
  if (!m) throw new UsageError(`${name} ${JSON.stringify(v)} is not a size such as 4096, 4k, 1m or 60g`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Number(m[1]) * unit;
}

function gb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(0)} GB` : `${(bytes / 1e6).toFixed(0)} MB`;
}

/** Everything `dcbox status` shows, gathered from the daemon and the services. */
export async function gatherStatus() {
  const c = connect();
  try {
    const run = await rpc<RunStatus__Output>((cb) => c.orchestrator.Status({}, deadline(5000), cb));
    const chassis = await rpc<Chassis__Output>((cb) => c.mm().GetChassis({}, deadline(2000), cb)).catch(
      (e) => ({ error: fromServiceError(e).message }),
    );
    const luns = await rpc<{ luns: Lun__Output[] }>((cb) =>
      c.storage().ListLuns({ host: '' }, deadline(2000), cb),
    )
      .then((r) => r.luns)
      .catch((e) => ({ error: fromServiceError(e).message }));
    const paths: Record<string, PathsResponse__Output | { error: string }> = {};
    for (const n of c.byComponent('hyperv-node')) {
      paths[n.name] = await rpc<PathsResponse__Output>((cb) =>
        c.node(n.name).ListPaths({}, deadline(2000), cb),
      ).catch((e) => ({
        error: fromServiceError(e).message,
      }));
    }
    return {
      run,
      chassis,
      luns,
      paths,
      mmAccess: mmAccess(c.state),
      prometheusConfig: prometheusConfigPath,
      dashboard: c.state.dashboard ?? null,
    };
  } finally {
    c.close();
  }
}

function printStatus(s: Awaited<ReturnType<typeof gatherStatus>>): void {
  const { run } = s;
  console.log(
    `run ${run.run_id}: topology ${run.topology}, ${run.runtime} runtime, ${run.timing} timing, orchestrator pid ${run.daemon_pid}`,
  );
  console.log('');
  console.log(
    table(
      run.hosts.map((h) => [
        h.name,
        h.component,
        `${h.address}:${h.grpc_port}`,
        h.powered ? 'on' : 'off',
        h.health,
        h.processes.map((p) => (p.running ? `${p.pid}` : '-')).join('/'),
        h.processes.map((p) => (p.running ? mib(Number(p.rss_bytes)) : '-')).join(' / '),
      ]),
      ['HOST', 'COMPONENT', 'ADDRESS', 'POWER', 'HEALTH', 'PIDS (nats/svc)', 'RSS (nats / svc)'],
    ),
  );
  if (run.partitions.length) console.log(`\npartitions: ${run.partitions.join(', ')}`);
  console.log(`\nprometheus config: ${s.prometheusConfig} (every service's /metrics and the orchestrator's)`);
  const d = s.dashboard;
  if (d)
    console.log(
      d.error
        ? `dashboard: ${d.url} ${d.error}`
        : `dashboard: ${d.url}${d.token ? `?token=${d.token} (controls on; token ${d.token})` : ' (read-only)'}`,
    );
  console.log('');
  if ('error' in s.chassis) console.log(`chassis: unavailable (${s.chassis.error})`);
  else {
    const ch = s.chassis;
    console.log(`chassis ${ch.name} (${ch.model})`);
    const bays = [...ch.blades, ...ch.io_modules, ...ch.storage_modules];
    console.log(
      table(
        bays.map((b) => [
          `${b.kind} ${b.number}`,
          b.present ? b.name || b.host : '(empty)',
          b.present ? b.power : '',
          b.present ? b.health : '',
        ]),
        ['BAY', 'MODULE', 'POWER', 'HEALTH'],
      ),
    );
  }
  for (const line of mmAccessLines(s.mmAccess)) console.log(line);
  console.log('');
  if ('error' in s.luns) console.log(`storage: unavailable (${s.luns.error})`);
  else
    console.log(
      table(
        s.luns.map((l) => [l.name, gb(Number(l.size_bytes)), l.mapped_hosts.join(', '), l.serial]),
        ['LUN', 'SIZE', 'MAPPED TO', 'SERIAL'],
      ),
    );
  for (const [node, p] of Object.entries(s.paths)) {
    console.log('');
    if ('error' in p) {
      console.log(`${node}: unavailable (${p.error})`);
      continue;
    }
    printPaths(p);
  }
}

function printPaths(p: PathsResponse__Output): void {
  console.log(
    `${p.node}: MPIO ${p.mpio_enabled ? 'enabled' : 'not enabled (each LUN is seen once per path)'}`,
  );
  const rows: (string | number)[][] = [];
  for (const d of p.disks)
    for (const path of d.paths)
      rows.push([
        d.device,
        d.lun,
        d.policy,
        path.name,
        `io bay ${path.io_bay}`,
        path.state,
        Number(path.io_count),
        Number(path.errors),
        path.last_error,
      ]);
  console.log(table(rows, ['DISK', 'LUN', 'POLICY', 'PATH', 'VIA', 'STATE', 'I/O', 'ERRORS', 'LAST ERROR']));
}

function parseBay(text: string): { kind: string; bay: number } {
  const m = /^(?:(blade|io|storage)[:\s-]?)?(\d+)$/i.exec(text.trim());
  if (!m)
    throw new UsageError(`not a bay: ${text} (use a blade bay number such as 2, or io:3 for an I/O module)`);
  return { kind: (m[1] ?? 'blade').toLowerCase(), bay: Number(m[2]) };
}

/** Pings a VM from the workstation; prints each reply and a summary; returns the replies. */
export async function ping(
  vm: string,
  count: number,
  intervalMs: number,
  out: (line: string) => void,
): Promise<PingReply__Output[]> {
  return withClients(
    (c) =>
      new Promise<PingReply__Output[]>((resolvePromise, reject) => {
        const replies: PingReply__Output[] = [];
        out(
          `Pinging ${vm} from ${c.byComponent('workstation')[0]?.name ?? 'workstation'} every ${intervalMs} ms:`,
        );
        const stream = c
          .workstation()
          .Ping({ vm, count, interval_ms: intervalMs, timeout_ms: Math.max(1000, intervalMs) });
        stream.on('data', (r: PingReply__Output) => {
          replies.push(r);
          out(
            r.ok
              ? `Reply from ${vm} on ${r.host}: seq=${r.seq} time=${(r.rtt_us / 1000).toFixed(2)}ms`
              : `seq=${r.seq}: ${r.error}`,
          );
        });
        stream.on('error', (e) => reject(new UsageError(fromServiceError(e).message)));
        stream.on('end', () => {
          const ok = replies.filter((r) => r.ok).length;
          const hosts = [...new Set(replies.filter((r) => r.ok).map((r) => r.host))];
          out(
            `Ping statistics for ${vm}: sent = ${replies.length}, received = ${ok}, lost = ${replies.length - ok} (${replies.length ? Math.round(((replies.length - ok) / replies.length) * 100) : 0}% loss); answered from ${hosts.join(', ') || 'nowhere'}`,
          );
          resolvePromise(replies);
        });
      }),
  );
}

export function program(): Command {
  const cli = new Command('dcbox')
    .description(
      'A data center in a box: an IBM BladeCenter S running a Hyper-V Server 2008 R2 failover cluster, emulated by real processes',
    )
    .showHelpAfterError();

  cli
    .command('up')
    .description('start a data center from a topology (default: topologies/seed.yaml)')
    .argument('[topology]', 'a topology file or the name of one in topologies/')
    .addOption(new Option('--runtime <kind>', 'where hosts live').choices(['netns', 'local', 'docker']))
    .addOption(
      new Option('--timing <profile>', 'timing profile (overrides the topology)').choices(TIMING_NAMES),
    )
    .option('--json', 'print the status as JSON when ready')
    .option('--dashboard <host:port>', 'where to serve the live dashboard, or "off"', '127.0.0.1:8080')
    .option(
      '--allow-control',
      'let the dashboard power, move and inject faults (with the token printed at start)',
    )
    .action(
      async (
        topology: string | undefined,
        o: {
          runtime?: RuntimeKind;
          timing?: string;
          json?: boolean;
          dashboard: string;
          allowControl?: boolean;
        },
      ) => {
        const t0 = Date.now();
        if (!o.json) console.log(`dcbox up: ${topologyPath(topology)}`);
        const ms = await up({
          topology,
          runtime: o.runtime,
          timing: o.timing,
          quiet: o.json,
          dashboard: o.dashboard,
          allowControl: !!o.allowControl,
        });
        const s = await gatherStatus();
        if (o.json) console.log(JSON.stringify({ readyMs: ms, totalMs: Date.now() - t0, ...s }, null, 2));
        else {
          console.log(`\nready in ${(ms / 1000).toFixed(2)} s\n`);
          printStatus(s);
        }
      },
    );

  cli
    .command('status')
    .description('hosts, processes and health; chassis bays with power; LUNs and paths per node')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const s = await withClients(() => gatherStatus());
      if (o.json) console.log(JSON.stringify(s, null, 2));
      else printStatus(s);
    });

  cli
    .command('power')
    .description('power a chassis bay on, off or cycle it, through the management module')
    .addArgument(new Command().createArgument('<action>', 'on, off or cycle').choices(['on', 'off', 'cycle']))
    .argument('<bay>', 'a blade bay number (1-6), or io:N for an I/O module')
    .option('--json', 'print JSON')
    .action(async (action: string, bayText: string, o: { json?: boolean }) => {
      const { kind, bay } = parseBay(bayText);
      const res = await withClients((c) =>
        rpc<PowerResponse__Output>((cb) => c.mm().Power({ kind, bay, action }, deadline(60_000), cb)),
      );
      if (o.json) console.log(JSON.stringify(res, null, 2));
      else
        console.log(
          `${kind} ${bay} (${res.bay?.name || res.bay?.host}): ${res.bay?.power}${res.message ? ` — ${res.message}` : ''}`,
        );
    });

  const vm = cli.command('vm').description('virtual machines');
  vm.command('ping')
    .description('ping a VM from the workstation, printing each reply, the answering host and the losses')
    .argument('<vm>')
    .option('--count <n>', 'how many pings', '4')
    .option('--interval-ms <ms>', 'time between pings', '1000')
    .option('--json', 'print the replies as JSON')
    .action(async (name: string, o: { count: string; intervalMs: string; json?: boolean }) => {
      const replies = await ping(
        name,
        Number(o.count),
        Number(o.intervalMs),
        o.json ? () => undefined : console.log,
      );
      if (o.json) console.log(JSON.stringify(replies, null, 2));
    });

  cli
    .command('paths')
    .description("a node's MPIO view: each LUN, each path, its state, policy, I/O count and errors")
    .argument('<node>')
    .option('--json', 'print JSON')
    .action(async (node: string, o: { json?: boolean }) => {
      const p = await withClients((c) =>
        rpc<PathsResponse__Output>((cb) => c.node(node).ListPaths({}, deadline(3000), cb)),
      );
      if (o.json) console.log(JSON.stringify(p, null, 2));
      else printPaths(p);
    });

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
    .action(
      async (
        node: string,
        o: {
          lun: string;
          kind: string;
          bs: string;
          sequential?: boolean;
          depth: string;
          duration: string;
          offset: string;
          span: string;
          json?: boolean;
        },
      ) => {
        const durationMs = Number(o.duration);
        const r = await withClients((c) =>
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
        if (o.json) console.log(JSON.stringify(r, null, 2));
        else {
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
      },
    );

  cli
    .command('host')
    .description(
      'kill (SIGKILL, as a crash or power loss) or start any host of the run, through the orchestrator',
    )
    .addArgument(new Command().createArgument('<action>', 'kill or start').choices(['kill', 'start']))
    .argument('<host>')
    .action(async (action: string, host: string) => {
      const res = await withClients((c) =>
        rpc<{ host: string; on: boolean; pids: number[] }>((cb) =>
          c.backplane.SetPower({ host: c.host(host).name, on: action === 'start' }, deadline(60_000), cb),
        ),
      );
      console.log(`${res.host}: ${res.on ? `running (pids ${res.pids.join(', ')})` : 'killed'}`);
    });

  cli
    .command('partition')
    .description(
      'cut the emulated network between groups of hosts (netns runtime), e.g. dcbox partition HVR2NODO1 HVR2NODO2',
    )
    .argument('<groups...>', 'two or more groups, each a comma-separated list of hosts')
    .option('--one-way', 'drop traffic only from the first group to the others')
    .action(async (groups: string[], o: { oneWay?: boolean }) => {
      const res = await withClients((c) =>
        rpc<{ rules: string[] }>((cb) =>
          c.orchestrator.Partition(
            {
              groups: groups.map((g) => ({ hosts: g.split(',').map((h) => c.host(h).name) })),
              one_way: !!o.oneWay,
            },
            deadline(10_000),
            cb,
          ),
        ),
      );
      console.log(`partitioned: ${res.rules.join(', ')}`);
    });

  cli
    .command('heal')
    .description('remove every partition')
    .action(async () => {
      const res = await withClients((c) =>
        rpc<{ rules: string[] }>((cb) => c.orchestrator.Heal({}, deadline(10_000), cb)),
      );
      console.log(res.rules.length ? `healed: ${res.rules.join(', ')}` : 'no partition to heal');
    });

  cli
    .command('down')
    .description('stop the run and remove everything it made (and anything a crashed run left behind)')
    .option('--keep-data', 'keep the run folder (logs, LUN files, state)')
    .option('--json', 'print JSON')
    .action(async (o: { keepData?: boolean; json?: boolean }) => {
      const r = await down({ keepData: o.keepData });
      if (o.json) console.log(JSON.stringify(r, null, 2));
      else {
        const n = r.removed;
        console.log(
          `removed ${n.processes.length} processes, ${n.namespaces.length} namespaces, ${n.links.length} links, ${n.rules.length} rules, ${n.containers.length} containers, ${n.networks.length} networks${r.dataKept ? '; data kept' : ''}`,
        );
        console.log(
          isClean(r.remaining) ? 'nothing left behind' : `still present: ${JSON.stringify(r.remaining)}`,
        );
      }
      if (!isClean(r.remaining)) process.exitCode = 1;
    });

  addClusterCommands(cli);
  addEventCommands(cli);
  addChaosCommands(cli);

  cli
    .command('demo')
    .description('the main job: the seed scenario with the real default timing, as a readable report')
    .option('--timing <profile>', 'timing profile', 'default')
    .option('--json', 'print the JSON report')
    .action(async (o: { timing: string; json?: boolean }) => {
      const report = await runSeedScenario({
        timing: o.timing,
        say: o.json ? () => undefined : (l) => console.log(`  ${l}`),
      });
      if (o.json) console.log(JSON.stringify(report, null, 2));
      else console.log(`\n${formatSeedReport(report)}`);
      if (!report.ok) process.exitCode = 1;
    });

  const scenario = cli.command('scenario').description('scripted scenarios on a fresh data center');
  scenario
    .command('run')
    .description('run a scenario (seed: the tutorial end to end) and tear the data center down after')
    .argument('<name>', 'the scenario: seed')
    .addOption(new Option('--timing <profile>', 'timing profile').choices(TIMING_NAMES).default('default'))
    .addOption(new Option('--runtime <kind>', 'where hosts live').choices(['netns', 'local', 'docker']))
    .option('--json', 'print one JSON object')
    .action(async (name: string, o: { timing: string; json?: boolean; runtime?: RuntimeKind }) => {
      if (name !== 'seed') throw new UsageError(`no scenario named ${name} (scenarios: seed)`);
      const report = await runSeedScenario({
        timing: o.timing,
        runtime: o.runtime,
        say: o.json ? () => undefined : (l) => console.log(`  ${l}`),
      });
      if (o.json) console.log(JSON.stringify(report, null, 2));
      else console.log(`\n${formatSeedReport(report)}`);
      if (!report.ok) process.exitCode = 1;
    });

  return cli;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await program().parseAsync(argv);
    // A finished command exits even if a library left a handle open (a gRPC channel, a timer):
    // a CLI that never returns hangs whoever scripted it. stdout is flushed first.
    process.stdout.write('', () => process.exit(process.exitCode ?? 0));
  } catch (err) {
    if (err instanceof TopologyError || err instanceof UsageError || err instanceof NoRunError) {
      console.error(err.message);
    } else {
      console.error(`dcbox: ${(err as Error).message ?? err}`);
    }
    process.exitCode = process.exitCode || 1;
    process.stderr.write('', () => process.exit(process.exitCode));
  }
}
