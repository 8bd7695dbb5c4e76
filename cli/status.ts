/**
 * What `dcbox status` (and `dcbox up` when ready) gathers from the daemon and the services, and
 * how it prints it: hosts and processes, chassis bays, the management module's access, LUNs and
 * each node's MPIO paths.
 */
import { connect } from '../orchestrator/run/clients.js';
import { mmAccess, mmAccessLines } from '../orchestrator/run/mm-access.js';
import { prometheusConfigPath } from '../orchestrator/run/paths.js';
import type { Chassis__Output } from '../services/generated/dcbox/chassis/v1/Chassis.js';
import type { PathsResponse__Output } from '../services/generated/dcbox/node/v1/PathsResponse.js';
import type { RunStatus__Output } from '../services/generated/dcbox/orchestrator/v1/RunStatus.js';
import type { Lun__Output } from '../services/generated/dcbox/storage/v1/Lun.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { fromServiceError } from '../services/transport/grpc-errors.js';
import { table } from './util.js';

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function gb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(0)} GB` : `${(bytes / 1e6).toFixed(0)} MB`;
}

/** Everything `dcbox status` shows, gathered from the daemon and the services. */
export async function gatherStatus() {
  const c = connect();
  try {
    const run = await rpc<RunStatus__Output>((cb) => c.orchestrator.Status({}, deadline(5000), cb));
    // One management module per chassis (docs/domain.md §Several chassis); `chassis` stays the
    // first one's, as it was before a run could have several.
    const allChassis: (Chassis__Output | { error: string })[] = [];
    for (const mm of c.byComponent('management-module')) {
      allChassis.push(
        await rpc<Chassis__Output>((cb) => c.mm(mm.name).GetChassis({}, deadline(2000), cb)).catch((e) => ({
          error: `${mm.name}: ${fromServiceError(e).message}`,
        })),
      );
    }
    const chassis = allChassis[0] ?? { error: 'the run has no management module' };
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
      allChassis,
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

/** What gatherStatus returns. */
export type Status = Awaited<ReturnType<typeof gatherStatus>>;

/** Prints the status as `dcbox status` shows it: run, chassis, storage, then each node's paths. */
export function printStatus(s: Status): void {
  printRun(s);
  console.log('');
  printChassis(s);
  for (const line of mmAccessLines(s.mmAccess)) console.log(line);
  console.log('');
  printLuns(s);
  for (const [node, p] of Object.entries(s.paths)) {
    console.log('');
    if ('error' in p) {
      console.log(`${node}: unavailable (${p.error})`);
      continue;
    }
    printPaths(p);
  }
}

/** The run's line, its hosts with their processes, partitions, Prometheus and the dashboard. */
function printRun(s: Status): void {
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
}

/** Every chassis of the run and its bays: blades, I/O modules and storage modules. */
function printChassis(s: Status): void {
  for (const ch of s.allChassis) printOneChassis(ch);
}

/** One chassis and its bays. */
function printOneChassis(ch: Status['allChassis'][number]): void {
  if ('error' in ch) {
    console.log(`chassis: unavailable (${ch.error})`);
    return;
  }
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

/** The storage's LUNs with their size, mapping and serial. */
function printLuns(s: Status): void {
  if ('error' in s.luns) {
    console.log(`storage: unavailable (${s.luns.error})`);
    return;
  }
  console.log(
    table(
      s.luns.map((l) => [l.name, gb(Number(l.size_bytes)), l.mapped_hosts.join(', '), l.serial]),
      ['LUN', 'SIZE', 'MAPPED TO', 'SERIAL'],
    ),
  );
}

/** A node's MPIO view: one row per LUN and path. */
export function printPaths(p: PathsResponse__Output): void {
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
