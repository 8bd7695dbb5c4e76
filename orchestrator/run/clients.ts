/**
 * Typed gRPC clients for the CLI and tests, addressed from the run's state file. The CLI runs in
 * the root namespace, which reaches every host over the bridge: the out-of-band channel.
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
import { CLIENT_OPTIONS, insecure, protos } from '../../services/transport/grpc.js';
import { type HostState, type RunState, readState } from './state.js';

/** No run is up, or the named host is not part of it. */
export class NoRunError extends Error {
  constructor(message = 'no dcbox run is up: start one with `dcbox up`') {
    super(message);
    this.name = 'NoRunError';
  }
}

/** Clients for every service of the run that is up, and its state. */
export interface Clients {
  state: RunState;
  orchestrator: OrchestratorClient;
  backplane: BackplaneClient;
  host(name: string): HostState;
  byComponent(c: Component): HostState[];
  mm(): ManagementModuleClient;
  storage(): StorageClient;
  witness(): WitnessClient;
  node(name: string): HyperVNodeClient;
  /** The Cluster service of one node (every node serves it). */
  cluster(name: string): ClusterClient;
  workstation(): WorkstationClient;
  hostInfo(name: string): HostClient;
  close(): void;
}

/** Clients for the run that is up; throws NoRunError when there is none. */
export function connect(): Clients {
  const state = readState();
  if (!state) throw new NoRunError();
  const p = protos();
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
    orchestrator: track(
      new p.dcbox.orchestrator.v1.Orchestrator(state.controlAddress, insecure(), CLIENT_OPTIONS),
    ),
    backplane: track(new p.dcbox.orchestrator.v1.Backplane(state.controlAddress, insecure(), CLIENT_OPTIONS)),
    host,
    byComponent,
    mm: () =>
      track(
        new p.dcbox.chassis.v1.ManagementModule(target(one('management-module')), insecure(), CLIENT_OPTIONS),
      ),
    storage: () =>
      track(new p.dcbox.storage.v1.Storage(target(one('storage-controller')), insecure(), CLIENT_OPTIONS)),
    witness: () => track(new p.dcbox.witness.v1.Witness(target(one('quorum')), insecure(), CLIENT_OPTIONS)),
    node: (name) => {
      const h = host(name);
      if (h.component !== 'hyperv-node')
        throw new NoRunError(`${name} is a ${h.component}, not a Hyper-V node`);
      return track(new p.dcbox.node.v1.HyperVNode(target(h), insecure(), CLIENT_OPTIONS));
    },
    cluster: (name) => {
      const h = host(name);
      if (h.component !== 'hyperv-node')
        throw new NoRunError(`${name} is a ${h.component}, not a cluster node`);
      return track(new p.dcbox.cluster.v1.Cluster(target(h), insecure(), CLIENT_OPTIONS));
    },
    workstation: () =>
      track(new p.dcbox.workstation.v1.Workstation(target(one('workstation')), insecure(), CLIENT_OPTIONS)),
    hostInfo: (name) => track(new p.dcbox.common.v1.Host(target(host(name)), insecure(), CLIENT_OPTIONS)),
    close: () => {
      for (const c of open) c.close();
    },
  };
}
