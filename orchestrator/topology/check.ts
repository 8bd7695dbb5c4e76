/**
 * The cross-references of a schema-valid topology: names unique, references resolved, bays
 * free, sizes sane, the witness fitting the quorum model. Each check returns its problems in
 * file order, and checkReferences lists them section by section.
 */
import { formatPath, type SemanticIssue } from './errors.js';
import { chassisList, parseSize, type TopologySpec } from './schema.js';

type Path = (string | number)[];

/** Cross-references a schema-valid topology: names unique, references resolved, sizes sane. */
export function checkReferences(t: TopologySpec): SemanticIssue[] {
  const nodeNames = new Set(t.nodes.map((n) => n.name));
  // The index of each LUN name (the last, when a name is used twice: that is reported too).
  const luns = new Map(t.storage.luns.map((l, i) => [l.name, i]));
  return [
    ...uniqueHostNames(t),
    ...chassisNameIssues(t),
    ...bladeIssues(t, nodeNames),
    ...ioModuleIssues(t),
    ...lunIssues(t, nodeNames),
    ...witnessIssues(t, luns),
    ...sharedVolumeIssues(t, luns),
    ...vmIssues(t),
    ...networkIssues(t),
  ];
}

/** Every host name once, whatever the case. */
function uniqueHostNames(t: TopologySpec): SemanticIssue[] {
  const out: SemanticIssue[] = [];
  const placed = chassisList(t);
  const allHosts: [string, Path][] = [
    ...placed.map(({ chassis, at }): [string, Path] => [
      chassis.managementModule.host,
      [...at, 'managementModule', 'host'],
    ]),
    [t.storage.host, ['storage', 'host']],
    [t.workstation.host, ['workstation', 'host']],
    ...placed.flatMap(({ chassis, at }) =>
      chassis.ioModules.map((m, i): [string, Path] => [m.host, [...at, 'ioModules', i, 'host']]),
    ),
    ...t.nodes.map((n, i): [string, Path] => [n.name, ['nodes', i, 'name']]),
  ];
  if (t.witness) allHosts.push([t.witness.host, ['witness', 'host']]);
  const seen = new Map<string, string>();
  for (const [h, at] of allHosts) {
    const key = h.toLowerCase();
    if (seen.has(key))
      out.push({ at, expected: 'a host name used once', found: `"${h}", already used at ${seen.get(key)}` });
    else seen.set(key, formatPath(at));
  }
  return out;
}

/** Each chassis named once: the name is how an operator picks a chassis (`dcbox power --chassis`). */
function chassisNameIssues(t: TopologySpec): SemanticIssue[] {
  const out: SemanticIssue[] = [];
  const seen = new Map<string, string>();
  for (const { chassis, at } of chassisList(t)) {
    const key = chassis.name.toLowerCase();
    const before = seen.get(key);
    if (before)
      out.push({
        at: [...at, 'name'],
        expected: 'a chassis name used once',
        found: `"${chassis.name}", already used at ${before}`,
      });
    else seen.set(key, formatPath([...at, 'name']));
  }
  return out;
}

/**
 * Each blade in a bay of its own in its chassis and naming a node; each node in exactly one
 * blade bay of one chassis.
 */
function bladeIssues(t: TopologySpec, nodeNames: Set<string>): SemanticIssue[] {
  const out: SemanticIssue[] = [];
  const placedAt = new Map<string, string>();
  for (const { chassis, at } of chassisList(t)) {
    const bays = new Map<number, number>();
    chassis.blades.forEach((b, i) => {
      if (bays.has(b.bay))
        out.push({
          at: [...at, 'blades', i, 'bay'],
          expected: 'a free blade bay',
          found: `bay ${b.bay}, already used by blades[${bays.get(b.bay)}]`,
        });
      bays.set(b.bay, i);
      if (!nodeNames.has(b.node))
        out.push({
          at: [...at, 'blades', i, 'node'],
          expected: 'the name of a node in nodes',
          found: JSON.stringify(b.node),
        });
      const before = placedAt.get(b.node);
      if (before)
        out.push({
          at: [...at, 'blades', i, 'node'],
          expected: 'a node in one blade bay only (a blade sits in one chassis)',
          found: `${JSON.stringify(b.node)}, already in ${before}`,
        });
      else placedAt.set(b.node, formatPath([...at, 'blades', i]));
    });
  }
  t.nodes.forEach((n, i) => {
    if (!placedAt.has(n.name))
      out.push({
        at: ['nodes', i, 'name'],
        expected: 'a node that sits in a blade bay (chassis.blades)',
        found: JSON.stringify(n.name),
      });
  });
  return out;
}

/**
 * Each chassis with at least one I/O module, each in a bay of its own; an RSSM in bay 3 or 4.
 * Without one, the chassis's blades have no path to the storage every chassis shares.
 */
function ioModuleIssues(t: TopologySpec): SemanticIssue[] {
  const out: SemanticIssue[] = [];
  for (const { chassis, at } of chassisList(t)) {
    if (chassis.ioModules.length === 0)
      out.push({
        at: [...at, 'ioModules'],
        expected: `an I/O module in bay 3 or 4 for chassis ${JSON.stringify(chassis.name)}: its blades' path to the storage (docs/domain.md §Several chassis)`,
        found: 'none',
      });
    const ioBays = new Set<number>();
    chassis.ioModules.forEach((m, i) => {
      if (ioBays.has(m.bay))
        out.push({
          at: [...at, 'ioModules', i, 'bay'],
          expected: 'a free I/O bay',
          found: `bay ${m.bay}, used twice`,
        });
      ioBays.add(m.bay);
      if (m.type === 'rssm' && m.bay !== 3 && m.bay !== 4)
        out.push({
          at: [...at, 'ioModules', i, 'bay'],
          expected: 'I/O bay 3 or 4 for an RSSM (bays 1/2 hold Ethernet modules: docs/domain.md §Chassis)',
          found: `bay ${m.bay}`,
        });
    });
  }
  return out;
}

/** LUN names once, sizes of whole blocks from 512 MiB, mapped to nodes that exist. */
function lunIssues(t: TopologySpec, nodeNames: Set<string>): SemanticIssue[] {
  const out: SemanticIssue[] = [];
  const seen = new Set<string>();
  t.storage.luns.forEach((l, i) => {
    if (seen.has(l.name))
      out.push({
        at: ['storage', 'luns', i, 'name'],
        expected: 'a LUN name used once',
        found: JSON.stringify(l.name),
      });
    seen.add(l.name);
    const bytes = parseSize(l.size);
    if (bytes < 512 * 1024 * 1024 || bytes % 512 !== 0)
      out.push({
        at: ['storage', 'luns', i, 'size'],
        expected: 'at least 512 MiB and a whole number of 512-byte blocks',
        found: JSON.stringify(l.size),
      });
    l.mappedTo.forEach((h, j) => {
      if (!nodeNames.has(h))
        out.push({
          at: ['storage', 'luns', i, 'mappedTo', j],
          expected: 'the name of a node',
          found: JSON.stringify(h),
        });
    });
  });
  return out;
}

/** A witness when the quorum model needs one, of the kind it needs, a disk witness on a LUN. */
function witnessIssues(t: TopologySpec, luns: Map<string, number>): SemanticIssue[] {
  const out: SemanticIssue[] = [];
  const needsWitness = t.cluster.quorum !== 'node-majority';
  if (needsWitness && !t.witness)
    out.push({
      at: ['witness'],
      expected: `a witness for quorum model ${t.cluster.quorum}`,
      found: 'nothing',
    });
  if (!t.witness) return out;
  const wantKind = t.cluster.quorum === 'node-and-file-share-majority' ? 'file-share' : 'disk';
  if (needsWitness && t.witness.kind !== wantKind)
    out.push({
      at: ['witness', 'kind'],
      expected: `"${wantKind}" for quorum model ${t.cluster.quorum}`,
      found: JSON.stringify(t.witness.kind),
    });
  if (t.witness.kind === 'disk' && (!t.witness.lun || !luns.has(t.witness.lun)))
    out.push({
      at: ['witness', 'lun'],
      expected: 'the name of a LUN in storage.luns (a disk witness lives on a LUN)',
      found: JSON.stringify(t.witness.lun),
    });
  if (t.witness.kind === 'disk' && t.witness.lun && luns.has(t.witness.lun)) {
    const lun = t.storage.luns[luns.get(t.witness.lun) as number];
    if (lun && parseSize(lun.size) < 512 * 1024 * 1024)
      out.push({
        at: ['witness', 'lun'],
        expected: 'a LUN of at least 512 MB (docs/domain.md §Disk witness)',
        found: lun.size,
      });
  }
  return out;
}

/** Each shared volume on a LUN that exists and is not the witness disk. */
function sharedVolumeIssues(t: TopologySpec, luns: Map<string, number>): SemanticIssue[] {
  const out: SemanticIssue[] = [];
  t.cluster.sharedVolumes.forEach((v, i) => {
    if (!luns.has(v.lun))
      out.push({
        at: ['cluster', 'sharedVolumes', i, 'lun'],
        expected: 'the name of a LUN in storage.luns',
        found: JSON.stringify(v.lun),
      });
    else if (t.witness?.lun === v.lun)
      out.push({
        at: ['cluster', 'sharedVolumes', i, 'lun'],
        expected: 'a LUN other than the witness disk',
        found: JSON.stringify(v.lun),
      });
  });
  return out;
}

/** VM names once, each on a node with its switch, its disk on a shared volume. */
function vmIssues(t: TopologySpec): SemanticIssue[] {
  const out: SemanticIssue[] = [];
  const vmNames = new Set<string>();
  t.vms.forEach((vm, i) => {
    if (vmNames.has(vm.name))
      out.push({ at: ['vms', i, 'name'], expected: 'a VM name used once', found: JSON.stringify(vm.name) });
    vmNames.add(vm.name);
    const node = t.nodes.find((n) => n.name === vm.node);
    if (!node)
      out.push({ at: ['vms', i, 'node'], expected: 'the name of a node', found: JSON.stringify(vm.node) });
    else if (!node.virtualSwitches.includes(vm.switch))
      out.push({
        at: ['vms', i, 'switch'],
        expected: `a virtual switch of ${node.name} (${node.virtualSwitches.join(', ') || 'none defined'})`,
        found: JSON.stringify(vm.switch),
      });
    const volume = /^C:\\ClusterStorage\\(Volume\d+)\\/i.exec(vm.disk)?.[1];
    if (volume && !t.cluster.sharedVolumes.some((v) => v.path.toLowerCase().endsWith(volume.toLowerCase())))
      out.push({
        at: ['vms', i, 'disk'],
        expected: 'a path on a cluster shared volume of cluster.sharedVolumes',
        found: JSON.stringify(vm.disk),
      });
  });
  return out;
}

/** The subnet, when given, a /24 inside 198.18.0.0/15. */
function networkIssues(t: TopologySpec): SemanticIssue[] {
  if (!t.network) return [];
  const m = /^198\.(18|19)\.(\d{1,3})\.0\/24$/.exec(t.network.subnet);
  if (m && Number(m[2]) <= 255) return [];
  return [
    {
      at: ['network', 'subnet'],
      expected: 'a /24 inside 198.18.0.0/15, e.g. 198.18.0.0/24',
      found: JSON.stringify(t.network.subnet),
    },
  ];
}
