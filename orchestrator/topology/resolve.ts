/**
 * The resolution of a valid topology into the hosts to start, in dependency order, each with
 * the settings its service process is handed: storage controller, management module,
 * workstation, RSSMs, the witness, then the Hyper-V nodes.
 */
import { basename } from 'node:path';
import type {
  Component,
  MmSettings,
  NodeSettings,
  QuorumSettings,
  RssmSettings,
  StorageSettings,
  Timing,
  VmSpec,
} from '../../services/process/config.js';
import { TopologyError } from './errors.js';
import { type ChassisSpec, chassisList, parseSize, type TopologySpec } from './schema.js';
import { TIMINGS } from './timing.js';

/** One emulated host of a resolved topology, with what its service process is handed. */
export interface HostPlan {
  name: string;
  component: Component;
  /** Hosts whose services must be healthy before this one starts. */
  dependsOn: string[];
  /** Where the host sits in the chassis, if it does. */
  bay?: { kind: 'blade' | 'io'; number: number };
  /**
   * The management module of the chassis the host sits in, if it does: the one that powers its
   * bay (a topology may have several chassis, docs/domain.md §Several chassis).
   */
  managementModule?: string;
  settings: unknown;
}

/** A topology ready to start: its timing profile, its /24 and its hosts in dependency order. */
export interface ResolvedTopology {
  name: string;
  file: string;
  spec: TopologySpec;
  timing: Timing;
  /** The /24 the hosts live in, e.g. "198.18.0". */
  subnetPrefix: string;
  hosts: HostPlan[];
}

/** The first disk extent on a CSV: leave room for the volume's own metadata. */
const CSV_DATA_START = 64 * 1024 * 1024;

type RssmModule = ChassisSpec['ioModules'][number];

/** Turns a valid topology into the hosts to start, in dependency order, with their settings. */
export function resolveTopology(spec: TopologySpec, file: string, timingName?: string): ResolvedTopology {
  const timing = TIMINGS[timingName ?? spec.timing];
  if (!timing)
    throw new TopologyError(file, [
      {
        path: 'timing',
        expected: `one of ${Object.keys(TIMINGS).join(', ')}`,
        found: JSON.stringify(timingName),
      },
    ]);
  const vms = vmSpecs(spec);
  const all = chassisList(spec).map((p) => p.chassis);
  const rssmsOf = (c: ChassisSpec) =>
    c.ioModules.filter((m) => m.type === 'rssm').sort((a, b) => a.bay - b.bay);
  const hosts: HostPlan[] = [
    {
      name: spec.storage.host,
      component: 'storage-controller',
      dependsOn: [],
      settings: storageSettings(spec),
    },
    ...all.map(
      (c): HostPlan => ({
        name: c.managementModule.host,
        component: 'management-module',
        dependsOn: [],
        settings: mmSettings(c),
      }),
    ),
    { name: spec.workstation.host, component: 'workstation', dependsOn: [], settings: {} },
    ...all.flatMap((c) => rssmsOf(c).map((m) => rssmPlan(spec, c, m))),
    ...(spec.witness ? [quorumPlan(spec, spec.witness)] : []),
    ...spec.nodes.map((n) => {
      // check.ts saw to it that every node sits in exactly one chassis.
      const c = all.find((x) => x.blades.some((b) => b.node === n.name)) as ChassisSpec;
      return nodePlan(spec, n, c, rssmsOf(c), vms);
    }),
  ];
  const subnet = spec.network?.subnet ?? '198.18.0.0/24';
  return {
    name: spec.name,
    file: basename(file),
    spec,
    timing,
    subnetPrefix: subnet.split('.').slice(0, 3).join('.'),
    hosts,
  };
}

/** The VMs, their disks laid out one after another on the first CSV's LUN. */
function vmSpecs(spec: TopologySpec): VmSpec[] {
  const csvLun =
    spec.cluster.sharedVolumes[0]?.lun ??
    spec.storage.luns.find((l) => l.name !== spec.witness?.lun)?.name ??
    '';
  let nextOffset = CSV_DATA_START;
  return spec.vms.map((vm) => {
    const sizeBytes = vm.diskSizeMiB * 1024 * 1024;
    const v: VmSpec = {
      name: vm.name,
      memoryMiB: vm.memoryMiB,
      diskPath: vm.disk,
      lun: csvLun,
      diskOffsetBytes: nextOffset,
      diskSizeBytes: sizeBytes,
      switchName: vm.switch,
      node: vm.node,
    };
    nextOffset += sizeBytes;
    return v;
  });
}

/** The storage controller's LUNs, and the disk witness as an internal initiator. */
function storageSettings(spec: TopologySpec): StorageSettings {
  return {
    blockSize: 512,
    luns: spec.storage.luns.map((l) => ({
      name: l.name,
      sizeBytes: parseSize(l.size),
      mappedTo: l.mappedTo,
    })),
    internalInitiators:
      spec.witness?.kind === 'disk' && spec.witness.lun
        ? [{ host: spec.witness.host, lun: spec.witness.lun }]
        : [],
  };
}

/** The management module's chassis: every blade, I/O and storage bay, and its endpoints. */
function mmSettings(chassis: ChassisSpec): MmSettings {
  const mm = chassis.managementModule;
  return {
    chassisName: chassis.name,
    model: chassis.model,
    blades: [1, 2, 3, 4, 5, 6].map((bay) => {
      const b = chassis.blades.find((x) => x.bay === bay);
      return { bay, host: b?.node ?? null, name: b?.node ?? '' };
    }),
    ioModules: [1, 2, 3, 4].map((bay) => {
      const m = chassis.ioModules.find((x) => x.bay === bay);
      return { bay, host: m?.host ?? null, name: m ? 'SAS RAID Controller Module' : '' };
    }),
    storageModules: [1, 2].map((bay) => {
      const s = chassis.storageModules.find((x) => x.bay === bay);
      return { bay, present: !!s, drives: s?.drives ?? 0 };
    }),
    credentials: mm.credentials,
    telnetPort: mm.telnetPort,
    redfishPort: mm.redfishPort,
    redfishTls: mm.redfishTls,
    loginFailDelayMs: mm.loginFailDelayMs,
    sessionTimeoutS: mm.sessionTimeoutS,
    softOffTimeoutS: mm.softOffTimeoutS,
  };
}

/** An RSSM, started once the storage controller serves; it zones the blades of its own chassis. */
function rssmPlan(spec: TopologySpec, chassis: ChassisSpec, m: RssmModule): HostPlan {
  const rssm: RssmSettings = {
    bay: m.bay,
    controller: spec.storage.host,
    zonedHosts: spec.nodes.filter((n) => chassis.blades.some((b) => b.node === n.name)).map((n) => n.name),
  };
  return {
    name: m.host,
    component: 'rssm',
    dependsOn: [spec.storage.host],
    bay: { kind: 'io', number: m.bay },
    managementModule: chassis.managementModule.host,
    settings: rssm,
  };
}

/** The witness; a disk witness starts once the storage controller serves. */
function quorumPlan(spec: TopologySpec, witness: NonNullable<TopologySpec['witness']>): HostPlan {
  const q: QuorumSettings = {
    kind: witness.kind,
    cluster: spec.cluster.name,
    lun: witness.kind === 'disk' ? (witness.lun ?? null) : null,
    storageHost: spec.storage.host,
  };
  return {
    name: witness.host,
    component: 'quorum',
    dependsOn: witness.kind === 'disk' ? [spec.storage.host] : [],
    settings: q,
  };
}

/**
 * A Hyper-V node in its blade bay of its chassis, with paths through that chassis's RSSMs,
 * started once they and the witness serve.
 */
function nodePlan(
  spec: TopologySpec,
  n: TopologySpec['nodes'][number],
  chassis: ChassisSpec,
  rssms: RssmModule[],
  vms: VmSpec[],
): HostPlan {
  const nodeIds = new Map(spec.nodes.map((x, i) => [x.name, i + 1]));
  const bay = chassis.blades.find((b) => b.node === n.name)?.bay ?? 0;
  const node: NodeSettings = {
    bay,
    nodeId: nodeIds.get(n.name) ?? 0,
    features: n.features,
    mpio: n.mpio,
    paths: rssms.map((m) => ({ host: m.host, ioBay: m.bay })),
    luns: spec.storage.luns.filter((l) => l.mappedTo.includes(n.name)).map((l) => l.name),
    virtualSwitches: n.virtualSwitches,
    vms: vms.filter((v) => v.node === n.name),
    storageHost: spec.storage.host,
    cluster: spec.cluster.name,
    clusterNodes: spec.nodes.map((x) => ({ name: x.name, nodeId: nodeIds.get(x.name) ?? 0 })),
    quorumModel: spec.cluster.quorum,
    witnessHost: spec.witness?.host ?? null,
    witnessLun: spec.witness?.kind === 'disk' ? (spec.witness.lun ?? null) : null,
    csvFiles: vms.map((v) => ({
      lun: v.lun,
      path: v.diskPath,
      offset: v.diskOffsetBytes,
      sizeBytes: v.diskSizeBytes,
    })),
    sharedVolumes: spec.cluster.sharedVolumes.map((v) => ({
      volume: v.path.split('\\').at(-1) as string,
      lun: v.lun,
      path: v.path,
    })),
  };
  return {
    name: n.name,
    component: 'hyperv-node',
    dependsOn: [...rssms.map((m) => m.host), ...(spec.witness ? [spec.witness.host] : [])],
    bay: { kind: 'blade', number: bay },
    managementModule: chassis.managementModule.host,
    settings: node,
  };
}
