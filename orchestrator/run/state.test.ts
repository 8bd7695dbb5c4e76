import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { daemonAlive } from './state.js';

const children: ReturnType<typeof spawn>[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    c.kill('SIGKILL');
    await once(c, 'exit');
  }
});

/** A live process whose command line ends with `lastArg`. */
function sleeper(lastArg: string): number {
  const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', lastArg], { stdio: 'ignore' });
  children.push(c);
  return c.pid as number;
}

describe('daemonAlive', () => {
  it("takes a live process for the run's daemon only when it runs the daemon's entry", () => {
    expect(daemonAlive({ daemonPid: sleeper('/opt/dcbox/dist/orchestrator/daemon/entry.js') })).toBe(true);
    expect(daemonAlive({ daemonPid: sleeper('/work/dcbox/orchestrator/daemon/entry.ts') })).toBe(true);
    expect(daemonAlive({ daemonPid: sleeper('/opt/dcbox/dist/bundle/orchestrator/daemon/entry.cjs') })).toBe(
      true,
    );
  });

  it("refuses a pid that now belongs to another process, as after a reboot: it is no run's daemon", () => {
    expect(daemonAlive({ daemonPid: process.pid })).toBe(false);
    expect(daemonAlive({ daemonPid: sleeper('/opt/dcbox/dist/orchestrator/daemon/entry.js.map') })).toBe(
      false,
    );
  });

  it('refuses a pid that no process has', async () => {
    const pid = sleeper('/opt/dcbox/dist/orchestrator/daemon/entry.js');
    const c = children[0]!;
    c.kill('SIGKILL');
    await once(c, 'exit');
    expect(daemonAlive({ daemonPid: pid })).toBe(false);
  });
});
