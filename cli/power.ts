/**
 * `dcbox power on|off|cycle|softoff <bay>`: a chassis bay's power, through the management module
 * (softoff asks the blade's OS to shut down first, as the AMM's `power -softoff` does).
 */
import { Command } from 'commander';
import { UsageError } from '../orchestrator/run/up.js';
import type { PowerResponse__Output } from '../services/generated/dcbox/chassis/v1/PowerResponse.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import { printJson, withClients } from './util.js';

/** A bay argument: `2` (a blade bay), `io:3`, `storage 1`, `blade-4`. */
export function parseBay(text: string): { kind: string; bay: number } {
  const m = /^(?:(blade|io|storage)[:\s-]?)?(\d+)$/i.exec(text.trim());
  if (!m)
    throw new UsageError(`not a bay: ${text} (use a blade bay number such as 2, or io:3 for an I/O module)`);
  return { kind: (m[1] ?? 'blade').toLowerCase(), bay: Number(m[2]) };
}

/** Registers `dcbox power`. */
export function addPowerCommand(cli: Command): void {
  cli
    .command('power')
    .description('power a chassis bay on, off or cycle it, through the management module')
    .addArgument(
      new Command()
        .createArgument('<action>', 'on, off, cycle or softoff')
        .choices(['on', 'off', 'cycle', 'softoff']),
    )
    .argument('<bay>', 'a blade bay number (1-6), or io:N for an I/O module')
    .option('--json', 'print JSON')
    .action(async (action: string, bayText: string, o: { json?: boolean }) => {
      const { kind, bay } = parseBay(bayText);
      const res = await withClients((c) =>
        rpc<PowerResponse__Output>((cb) =>
          c.mm().Power({ kind, bay, action }, deadline(action === 'softoff' ? 180_000 : 60_000), cb),
        ),
      );
      if (o.json) printJson(res);
      else
        console.log(
          `${kind} ${bay} (${res.bay?.name || res.bay?.host}): ${res.bay?.power}${res.message ? ` — ${res.message}` : ''}`,
        );
    });
}
