/**
 * `dcbox vm ping|create|list`: virtual machines as Hyper-V Manager and a workstation on the
 * network see them.
 */
import { type Command, Option } from 'commander';
import { UsageError } from '../orchestrator/run/up.js';
import type { Vm__Output } from '../services/generated/dcbox/node/v1/Vm.js';
import type { PingReply__Output } from '../services/generated/dcbox/workstation/v1/PingReply.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { fromServiceError } from '../services/transport/grpc-errors.js';
import { printJson, table, withClients } from './util.js';

/** The closing line of a ping: sent, received, lost, and which hosts answered. */
export function pingSummary(vm: string, replies: PingReply__Output[]): string {
  const ok = replies.filter((r) => r.ok).length;
  const hosts = [...new Set(replies.filter((r) => r.ok).map((r) => r.host))];
  return `Ping statistics for ${vm}: sent = ${replies.length}, received = ${ok}, lost = ${replies.length - ok} (${replies.length ? Math.round(((replies.length - ok) / replies.length) * 100) : 0}% loss); answered from ${hosts.join(', ') || 'nowhere'}`;
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
          out(pingSummary(vm, replies));
          resolvePromise(replies);
        });
      }),
  );
}

function addPing(vm: Command): void {
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
      if (o.json) printJson(replies);
    });
}

type CreateOptions = { memoryMib: string; disk: string; node: string; diskSizeMib: string; switch: string };

function addCreate(vm: Command): void {
  vm.command('create')
    .description('create a virtual machine on a node, its disk on the Cluster Shared Volume')
    .argument('<name>')
    .requiredOption('--memory-mib <n>', 'memory in MiB')
    .requiredOption('--disk <path>', 'the .vhd path, under C:\\ClusterStorage\\Volume1\\')
    .requiredOption('--node <node>', 'the node that hosts it')
    .option('--disk-size-mib <n>', 'virtual disk size', '64')
    .addOption(new Option('--switch <name>', 'virtual switch').default('VMs'))
    .action(async (name: string, o: CreateOptions) => {
      const v = await withClients((c) =>
        rpc<Vm__Output>((cb) =>
          c.node(o.node).CreateVm(
            {
              name,
              memory_mib: Number(o.memoryMib),
              disk_path: o.disk,
              disk_size_mib: Number(o.diskSizeMib),
              switch_name: o.switch,
            },
            deadline(15_000),
            cb,
          ),
        ),
      );
      console.log(
        `${v.name} created on ${v.host}: ${v.memory_mib} MiB, disk ${v.disk?.path} at ${v.disk?.lun}+${v.disk?.offset_bytes}, ${v.state}`,
      );
    });
}

function addList(vm: Command): void {
  vm.command('list')
    .description('virtual machines on every node')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const all = await withClients(async (c) => {
        const out: Vm__Output[] = [];
        for (const n of c.byComponent('hyperv-node')) {
          const r = await rpc<{ vms: Vm__Output[] }>((cb) =>
            c.node(n.name).ListVms({}, deadline(2000), cb),
          ).catch(() => ({ vms: [] }));
          out.push(...r.vms);
        }
        return out;
      });
      if (o.json) return printJson(all);
      console.log(
        table(
          all.map((v) => [
            v.name,
            v.host,
            v.state,
            `${v.memory_mib} MiB`,
            v.disk?.path ?? '',
            Number(v.records_acked),
          ]),
          ['VM', 'HOST', 'STATE', 'MEMORY', 'DISK', 'RECORDS'],
        ),
      );
    });
}

/** Registers `dcbox vm` and its subcommands ping, create and list. */
export function addVmCommands(cli: Command): void {
  const vm = cli.command('vm').description('virtual machines');
  addPing(vm);
  addCreate(vm);
  addList(vm);
}
