/**
 * Typed gRPC clients for the CLI and tests, addressed from the run's state file. The CLI runs in
 * the root namespace, which reaches every host over the bridge: the out-of-band channel. It
 * reaches the daemon on the run's control socket, and sends the run's token with every call
 * (and the chassis account to the management module), all read from the run's folder, which
 * only the run's owner can read (docs/security.md). Another user is told whose run it is.
 */
import type * as grpc from '@grpc/grpc-js';
import type { ManagementModuleClient } from '../../services/generated/dcbox/chassis/v1/ManagementModule.js';
import type { ClusterClient } from '../../services/generated/dcbox/cluster/v1/Cluster.js';
import type { HostClient } from '../../services/generated/dcbox/common/v1/Host.js';
import type { HyperVNodeClient } from '../../services/generated/dcbox/node/v1/HyperVNode.js';
import type { BackplaneClient } from '../../services/generated/dcbox/orchestrator/v1/Backplane.js';
import type { OrchestratorClient } from '../../services/generated/dcbox/orchestrator/v1/Orchestrator.js';
import type { StorageClient } from '../../services/generated/dcbox/storage/v1/Storage.js';
import type { WitnessClient } from '../../services/generated/dcbox/witness/v1/Witness.js';
import type { WorkstationClient } from '../../services/generated/dcbox/workstation/v1/Workstation.js';
import type { Component } from '../../services/process/config.js';
import { clientOptions, insecure, protos } from '../../services/transport/grpc.js';
import { mmCredentials } from './mm-access.js';
import { NoRunError, refuseOthersRun } from './owner.js';
import { type HostState, type RunState, readState } from './state.js';

export { NoRunError, NotOwnerError } from './owner.js';

/** Clients for every service of the run that is up, and its state. */
export interface Clients {
  state: RunState;
  orchestrator: OrchestratorClient;
  backplane: BackplaneClient;
  host(name: string): HostState;
  byComponent(c: Component): HostState[];
  /**
   * The management module named by its host (one per chassis, docs/domain.md §Several chassis),
   * or the run's first when none is named.
   */
  mm(host?: string): ManagementModuleClient;
  storage(): StorageClient;
  witness(): WitnessClient;
  node(name: string): HyperVNodeClient;
  /** The Cluster service of one node (every node serves it). */
  cluster(name: string): ClusterClient;
  workstation(): WorkstationClient;
  hostInfo(name: string): HostClient;
  close(): void;
}

/**
 * Clients for the run that is up; throws NoRunError when there is none, NotOwnerError when the
 * run that is up is another user's.
 */
export function connect(): Clients {
  const state = readState();
  if (!state) {
    refuseOthersRun();
    throw new NoRunError();
  }
  const p = protos();
  const options = clientOptions({ runToken: state.runToken });
  const open: grpc.Client[] = [];
  const track = <T extends grpc.Client>(c: T): T => {
    open.push(c);
    return c;
  };
  const host = (name: string): HostState => {
    const h = state.hosts.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!h)
      throw new NoRunError(
        `no host named ${name} in this run (hosts: ${state.hosts.map((x) => x.name).join(', ')})`,
      );
    return h;
  };
  const byComponent = (c: Component) => state.hosts.filter((h) => h.component === c);
  const target = (h: HostState) => `${h.address}:${h.grpcPort}`;
  const one = (c: Component): HostState => {
    const h = byComponent(c)[0];
    if (!h) throw new NoRunError(`this run has no ${c}`);
    return h;
  };
  return {
    state,
    orchestrator: track(new p.dcbox.orchestrator.v1.Orchestrator(state.controlAddress, insecure(), options)),
    backplane: track(new p.dcbox.orchestrator.v1.Backplane(state.controlAddress, insecure(), options)),
    host,
    byComponent,
    mm: (name) => {
      const h = name ? host(name) : one('management-module');
      if (h.component !== 'management-module')
        throw new NoRunError(`${name} is a ${h.component}, not a management module`);
      return track(
        new p.dcbox.chassis.v1.ManagementModule(
          target(h),
          insecure(),
          clientOptions({ runToken: state.runToken, credentials: mmCredentials(state, h.name) }),
        ),
      );
    },
    storage: () =>
      track(new p.dcbox.storage.v1.Storage(target(one('storage-controller')), insecure(), options)),
    witness: () => track(new p.dcbox.witness.v1.Witness(target(one('quorum')), insecure(), options)),
    node: (name) => {
      const h = host(name);
      if (h.component !== 'hyperv-node')
        throw new NoRunError(`${name} is a ${h.component}, not a Hyper-V node`);
      return track(new p.dcbox.node.v1.HyperVNode(target(h), insecure(), options));
    },
    cluster: (name) => {
      const h = host(name);
      if (h.component !== 'hyperv-node')
        throw new NoRunError(`${name} is a ${h.component}, not a cluster node`);
      return track(new p.dcbox.cluster.v1.Cluster(target(h), insecure(), options));
    },
    workstation: () =>
      track(new p.dcbox.workstation.v1.Workstation(target(one('workstation')), insecure(), options)),
    hostInfo: (name) => track(new p.dcbox.common.v1.Host(target(host(name)), insecure(), options)),
    close: () => {
      for (const c of open) c.close();
    },
  };
}
