/**
 * The fault controls of a testcontainers data center: power through the shared container power
 * (containers/power.ts), freezes (docker pause) and partitions, which are the netns runtime's
 * iptables rules entered into the containers' network namespaces with nsenter.
 */
import type { ContainerRuntimeClient, StartedTestContainer } from 'testcontainers';
import { powerOff, powerOn } from '../containers/power.js';
import { waitHealthy } from '../containers/wait-healthy.js';
import { NetnsRuntime } from '../runtime/netns.js';
import type { HostAddress } from '../runtime/types.js';
import { testcontainersPower } from './engine.js';
import type { DataCenter, HostEndpoints } from './types.js';

/** The partition rules of the netns runtime, applied inside containers with nsenter. */
class ContainerNetworks extends NetnsRuntime {
  constructor(private readonly pidOf: (host: string) => number | null) {
    super();
  }

  protected override inNs(host: { name: string }): string[] | null {
    const pid = this.pidOf(host.name);
    return pid ? ['nsenter', '-t', String(pid), '-n'] : null;
  }
}

/** What the controls need of the run: the hosts' addresses and how long a start may take. */
export interface ControlledRun {
  addrs: Map<string, HostAddress>;
  timeoutMs: number;
}

/** The controls a DataCenter offers besides its endpoints. */
export type FaultControls = Pick<DataCenter, 'kill' | 'start' | 'freeze' | 'thaw' | 'partition' | 'heal'>;

/** Power, freezes and partitions of the run's hosts; partitions enter the containers with nsenter. */
export async function faultControls(
  run: ControlledRun,
  client: ContainerRuntimeClient,
  started: Map<string, StartedTestContainer>,
  hosts: Record<string, HostEndpoints>,
  nameOf: (host: string) => string,
): Promise<FaultControls> {
  const power = testcontainersPower(client);
  const idOf = (name: string) => (started.get(name) as StartedTestContainer).getId();
  const pids = new Map<string, number>();
  const setPid = (name: string, pid: number | null) => (pid ? pids.set(name, pid) : pids.delete(name));
  const refreshPid = async (name: string) => setPid(name, await power.initPid(idOf(name)));
  for (const name of Object.keys(hosts)) await refreshPid(name);
  const networks = new ContainerNetworks((host) => pids.get(host) ?? null);
  const addressList = () => [...run.addrs.values()];
  return {
    async kill(host) {
      const name = nameOf(host);
      await powerOff(power, idOf(name));
      pids.delete(name);
    },
    async start(host) {
      const name = nameOf(host);
      await powerOn(power, idOf(name), {
        onStarted: (pid) => setPid(name, pid),
        untilReady: () =>
          waitHealthy({ host: name, target: hosts[name]?.grpc.target as string, timeoutMs: run.timeoutMs }),
      });
    },
    async freeze(host) {
      await client.container.getById(idOf(nameOf(host))).pause();
    },
    async thaw(host) {
      await client.container.getById(idOf(nameOf(host))).unpause();
    },
    async partition(groups, o = {}) {
      for (const g of groups) for (const h of g) await refreshPid(nameOf(h));
      return networks.partition(
        addressList(),
        groups.map((g) => g.map(nameOf)),
        !!o.oneWay,
      );
    },
    async heal() {
      for (const name of Object.keys(hosts)) await refreshPid(name);
      networks.heal(addressList());
    },
  };
}
