/**
 * `dcbox events [--follow] [--json]`: the one event stream of the data center as the
 * orchestrator merges it (Orchestrator.Events) — every node's cluster events and the
 * orchestrator's own: power, faults, path state and CSV access (services/actor/events.ts) — and
 * the reader of the nodes' own logs that `dcbox cluster events` uses.
 */
import type { Command } from 'commander';
import type { Clients } from '../orchestrator/run/clients.js';
import type { ClusterEvent__Output } from '../services/generated/dcbox/cluster/v1/ClusterEvent.js';
import type { StreamEvent__Output } from '../services/generated/dcbox/orchestrator/v1/StreamEvent.js';
import { type DcboxEvent, parseEvent } from '../services/observability/events.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { withClients } from './util.js';

/** How long a node whose event stream ended is left alone before it is asked again. */
const RECONNECT_MS = 1000;

/**
 * Reads every node's cluster events: first what each node has logged, merged by time, then with
 * `follow` each node's WatchEvents from where it left off, forever. A node that powers off ends
 * its stream (error and end may both fire): it is asked again once, a second later.
 */
export async function readClusterEvents(
  c: Clients,
  opts: { follow: boolean },
  onEvent: (e: ClusterEvent__Output) => void,
): Promise<void> {
  const nodes = c.byComponent('hyperv-node');
  const all: ClusterEvent__Output[] = [];
  for (const n of nodes) {
    const r = await rpc<{ events: ClusterEvent__Output[] }>((cb) =>
      c.cluster(n.name).Events({ since_index: 0 }, deadline(3000), cb),
    ).catch(() => ({ events: [] }));
    all.push(...r.events);
  }
  all.sort((a, b) => Number(a.time_ms) - Number(b.time_ms));
  for (const e of all) onEvent(e);
  if (!opts.follow) return;
  const last = new Map<string, number>();
  for (const e of all) last.set(e.node, Math.max(last.get(e.node) ?? 0, Number(e.index)));
  // Never resolves: following ends with the process (Ctrl-C).
  await new Promise<never>(() => {
    for (const n of nodes) {
      const start = () => {
        const stream = c.cluster(n.name).WatchEvents({ since_index: last.get(n.name) ?? 0 });
        stream.on('data', (e: ClusterEvent__Output) => {
          last.set(n.name, Number(e.index));
          onEvent(e);
        });
        let again = false;
        const reconnect = () => {
          if (again) return;
          again = true;
          setTimeout(start, RECONNECT_MS);
        };
        stream.on('error', reconnect);
        stream.on('end', reconnect);
      };
      start();
    }
  });
}

/** One line of `dcbox events`: time, node, the Windows event id when there is one, kind, message. */
export function formatEvent(e: DcboxEvent): string {
  return `${new Date(e.timeMs).toISOString()} ${e.node}${e.eventId ? ` [${e.eventId}]` : ''} ${e.kind}: ${e.message}`;
}

/**
 * Reads the orchestrator's merged stream from the start of what it keeps; with `follow`, stays
 * open until the daemon stops (or the process is interrupted).
 */
export async function readMergedEvents(
  c: Clients,
  opts: { follow: boolean },
  onEvent: (seq: number, json: string) => void,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const stream = c.orchestrator.Events({ after_seq: 0, follow: opts.follow });
    stream.on('data', (e: StreamEvent__Output) => onEvent(Number(e.seq), e.json));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
}

/** Registers `dcbox events`. */
export function addEventCommands(cli: Command): void {
  cli
    .command('events')
    .description(
      'the event stream: every node (membership, quorum, witness, CSV, roles, migrations) and the orchestrator (power, faults, paths, CSV access), oldest first',
    )
    .option('--follow', 'keep printing new events')
    .option(
      '--json',
      'one JSON object a line: {v: 1, index, timeMs, node, eventId, kind, message, source, data}',
    )
    .action(async (o: { follow?: boolean; json?: boolean }) => {
      await withClients((c) =>
        readMergedEvents(c, { follow: !!o.follow }, (_seq, json) => {
          let e: DcboxEvent;
          try {
            e = parseEvent(JSON.parse(json));
          } catch (err) {
            // A node of another version, or a bug: say so and keep following the others.
            console.error(`dcbox events: ${(err as Error).message}`);
            return;
          }
          console.log(o.json ? JSON.stringify(e) : formatEvent(e));
        }),
      );
    });
}
