/**
 * `dcbox power on|off|cycle|softoff <bay> [--chassis NAME]`: a chassis bay's power, through the
 * management module of that chassis (softoff asks the blade's OS to shut down first, as the AMM's
 * `power -softoff` does). A run of several chassis (docs/domain.md §Several chassis) needs the
 * chassis named: bay 2 is a different blade in each.
 */
import { Command } from 'commander';
import { mmHostOfChassis } from '../orchestrator/run/mm-access.js';
import type { RunState } from '../orchestrator/run/state.js';
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

/**
 * The management module of the chassis `--chassis` names; with none named, the run's only MM
 * (undefined), and a usage error when the run has several.
 */
export function chassisMm(state: RunState, chassis: string | undefined): string | undefined {
  const mms = state.hosts.filter((h) => h.component === 'management-module');
  if (chassis) {
    const mm = mmHostOfChassis(state, chassis);
    if (!mm)
      throw new UsageError(
        `no chassis named ${chassis} (management modules: ${mms.map((h) => h.name).join(', ')})`,
      );
    return mm;
  }
  if (mms.length > 1)
    throw new UsageError(
      `this run has ${mms.length} chassis (management modules ${mms.map((h) => h.name).join(', ')}): name one with --chassis`,
    );
  return undefined;
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
    .option(
      '--chassis <name>',
      "the chassis (its name or its management module's host) when the run has several",
    )
    .option('--json', 'print JSON')
    .action(async (action: string, bayText: string, o: { json?: boolean; chassis?: string }) => {
      const { kind, bay } = parseBay(bayText);
      const res = await withClients((c) => {
        const mm = c.mm(chassisMm(c.state, o.chassis));
        return rpc<PowerResponse__Output>((cb) =>
          mm.Power({ kind, bay, action }, deadline(action === 'softoff' ? 180_000 : 60_000), cb),
        );
      });
      if (o.json) printJson(res);
      else
        console.log(
          `${kind} ${bay} (${res.bay?.name || res.bay?.host}): ${res.bay?.power}${res.message ? ` — ${res.message}` : ''}`,
        );
    });
}
