/**
 * The dcbox command line. This module only assembles the program from one module per command
 * group (the order of the calls is the order `dcbox --help` lists the commands in) and turns a
 * failure into one line on stderr and an exit code; bin/dcbox.js and `npm run dev` call main().
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { NoRunError } from '../orchestrator/run/clients.js';
import { UsageError } from '../orchestrator/run/up.js';
import { TopologyError } from '../orchestrator/topology/topology.js';
import { projectRoot } from '../services/process/root.js';
import { addChaosCommands } from './chaos.js';
import { addClusterCommands } from './cluster.js';
import { addDownCommand, addScenarioCommands, addStatusCommand, addUpCommand } from './datacenter.js';
import { addEventCommands } from './events.js';
import { addHealCommand, addPartitionCommand } from './faults.js';
import { addHostCommand } from './hosts.js';
import { addPowerCommand } from './power.js';
import { addSimCommands } from './sim.js';
import { addIoLoadCommand, addPathsCommand } from './storage.js';
import { addVmCommands } from './vm.js';

/** The whole `dcbox` program, every command registered. */
export function program(): Command {
  const cli = new Command('dcbox')
    .description(
      'A data center in a box: an IBM BladeCenter S running a Hyper-V Server 2008 R2 failover cluster, emulated by real processes',
    )
    .version(packageVersion(), '-V, --version', 'print the version of dcbox')
    .showHelpAfterError();
  addUpCommand(cli);
  addStatusCommand(cli);
  addPowerCommand(cli);
  addVmCommands(cli);
  addPathsCommand(cli);
  addIoLoadCommand(cli);
  addHostCommand(cli);
  addPartitionCommand(cli);
  addHealCommand(cli);
  addDownCommand(cli);
  addClusterCommands(cli);
  addEventCommands(cli);
  addChaosCommands(cli);
  addScenarioCommands(cli);
  addSimCommands(cli);
  return cli;
}

/** The version in dcbox's package.json (the installed package's, when installed). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Runs the command line `argv` and exits with its code once stdout and stderr are flushed. */
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
