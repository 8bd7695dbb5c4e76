/** `dcbox partition` and `dcbox heal`: network faults between the run's hosts. */
import type { Command } from 'commander';
import { deadline, rpc } from '../services/transport/grpc.js';
import { withClients } from './util.js';

/** Registers `dcbox partition <groups...>`. */
export function addPartitionCommand(cli: Command): void {
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
}

/** Registers `dcbox heal`. */
export function addHealCommand(cli: Command): void {
  cli
    .command('heal')
    .description('remove every partition')
    .action(async () => {
      const res = await withClients((c) =>
        rpc<{ rules: string[] }>((cb) => c.orchestrator.Heal({}, deadline(10_000), cb)),
      );
      console.log(res.rules.length ? `healed: ${res.rules.join(', ')}` : 'no partition to heal');
    });
}
