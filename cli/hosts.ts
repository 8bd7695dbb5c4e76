/** `dcbox host kill|start <host>`: any host of the run, killed or started by the orchestrator. */
import { Command } from 'commander';
import { deadline, rpc } from '../services/transport/grpc.js';
import { withClients } from './util.js';

/** Registers `dcbox host`. */
export function addHostCommand(cli: Command): void {
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
}
