/**
 * Topology files: the YAML that describes a data center, its schema, the errors a person gets
 * for a bad file (file, line, field path, what was expected, what was found — never a stack
 * trace), and the resolution of a valid file into hosts with their service settings.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
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
import { TIMINGS } from './timing.js';

const name = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9-]{0,14}$/, 'a host name: a letter, then up to 14 letters, digits or dashes');
const size = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/, 'a size such as 10GB or 512MiB');

const Topology = z.strictObject({
  name: z.string().min(1),
  network: z.strictObject({ subnet: z.string() }).optional(),
  chassis: z.strictObject({
    name: z.string().min(1),
    model: z.string().default('IBM BladeCenter S'),
    managementModule: z.strictObject({
      host: name,
      credentials: z
        .strictObject({ username: z.string().min(1), password: z.string().min(1) })
        .default({ username: 'USERID', password: 'PASSW0RD' }),
      // AMM CLI (telnet) and Redfish ports; unset: 23 and 8000, or above the gRPC port on 127.0.0.1
      // (services/management-module/endpoints.ts).
      telnetPort: z.int().min(1).max(65535).optional(),
      redfishPort: z.int().min(1).max(65535).optional(),
      redfishTls: z.boolean().optional(),
      loginFailDelayMs: z.int().min(0).max(60_000).optional(),
      sessionTimeoutS: z.int().min(30).max(86_400).optional(),
    }),
    blades: z.array(z.strictObject({ bay: z.int().min(1).max(6), node: name })).min(1),
    ioModules: z
      .array(z.strictObject({ bay: z.int().min(1).max(4), host: name, type: z.enum(['rssm']) }))
      .min(1),
    storageModules: z
      .array(z.strictObject({ bay: z.int().min(1).max(2), drives: z.int().min(0).max(6) }))
      .default([]),
  }),
  storage: z.strictObject({
    host: name,
    luns: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'a LUN name of letters, digits, _ or -'),
          size,
          mappedTo: z.array(name).min(1),
        }),
      )
      .min(1),
  }),
  witness: z
    .strictObject({
      host: name,
      kind: z.enum(['disk', 'file-share']),
      lun: z.string().optional(),
    })
    .optional(),
  nodes: z
    .array(
      z.strictObject({
        name,
        features: z.array(z.string()).default([]),
        mpio: z
          .strictObject({
            enabled: z.boolean(),
            policy: z.enum(['failover-only', 'round-robin']).default('failover-only'),
          })
          .default({ enabled: true, policy: 'failover-only' }),
        virtualSwitches: z.array(z.string().min(1)).default([]),
      }),
    )
    .min(1)
    .max(16, 'at most 16 nodes: the 2008 R2 failover-cluster limit (DOMAIN.md §4)'),
  workstation: z.strictObject({ host: name }),
  cluster: z.strictObject({
    name: z.string().min(1),
    quorum: z.enum(['node-majority', 'node-and-disk-majority', 'node-and-file-share-majority', 'disk-only']),
    sharedVolumes: z
      .array(
        z.strictObject({
          lun: z.string(),
          path: z.string().regex(/^C:\\ClusterStorage\\Volume\d+$/, 'C:\\ClusterStorage\\VolumeN'),
        }),
      )
      .default([]),
  }),
  vms: z
    .array(
      z.strictObject({
        name: z
          .string()
          .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'a VM name: a letter, then letters, digits or dashes'),
        memoryMiB: z.int().min(32).max(65536),
        disk: z
          .string()
          .regex(
            /^C:\\ClusterStorage\\Volume\d+\\.+\.vhd$/i,
            'a .vhd path under C:\\ClusterStorage\\VolumeN\\',
          ),
        diskSizeMiB: z.int().min(1).max(65536).default(64),
        switch: z.string(),
        node: name,
      }),
    )
    .default([]),
  timing: z.enum(Object.keys(TIMINGS) as [string, ...string[]]).default('default'),
});

/** A topology file as written, after schema defaults. */
export type TopologySpec = z.infer<typeof Topology>;

/** One problem in a topology file. */
export interface TopologyIssue {
  path: string;
  line?: number;
  expected: string;
  found: string;
}

/** A topology file that cannot be used; its message lists every problem, one per line. */
export class TopologyError extends Error {
  constructor(
    readonly file: string,
    readonly issues: TopologyIssue[],
  ) {
    super(
      [`${file}: invalid topology (${issues.length} problem${issues.length === 1 ? '' : 's'})`]
        .concat(
          issues.map(
            (i) =>
              `  ${file}${i.line ? `:${i.line}` : ''}: ${i.path || '(top level)'}: expected ${i.expected}, found ${i.found}`,
          ),
        )
        .join('\n'),
    );
    this.name = 'TopologyError';
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`
        : issue.origin === 'string'
          ? `at least ${issue.minimum} character${Number(issue.minimum) === 1 ? '' : 's'}`
          : `a number ≥ ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array' ? `at most ${issue.maximum} items` : `a number ≤ ${issue.maximum}`;
    case 'invalid_format':
      return issue.message;
    case 'unrecognized_keys':
      return 'only known fields';
    default:
      return issue.message;
  }
}

/** Parses and validates a topology from YAML text; throws TopologyError naming every problem. */
export function parseTopology(text: string, file: string): TopologySpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new TopologyError(
      file,
      doc.errors.map((e) => ({
        path: '',
        line: lineCounter.linePos(e.pos[0]).line,
        expected: 'valid YAML',
        found: e.message.split('\n')[0] ?? 'a syntax error',
      })),
    );
  }
  const raw = doc.toJS();
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const parsed = Topology.safeParse(raw);
  if (!parsed.success) {
    const issues: TopologyIssue[] = [];
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const path = [...issue.path, key];
          issues.push({
            path: formatPath(path),
            line: lineOf(path),
            expected: 'no such field',
            found: `unknown field "${key}"`,
          });
        }
        continue;
      }
      issues.push({
        path: formatPath(issue.path),
        line: lineOf(issue.path),
        expected: expectedOf(issue),
        found: describe(valueAt(raw, issue.path)),
      });
    }
    throw new TopologyError(file, issues);
  }
  const spec = parsed.data;
  const semantic = checkReferences(spec);
  if (semantic.length > 0) {
    throw new TopologyError(
      file,
      semantic.map((s) => ({ ...s, path: formatPath(s.at), line: lineOf(s.at) })),
    );
  }
  return spec;
}

/** Reads, parses and validates a topology file. */
export function loadTopology(path: string): TopologySpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TopologyError(path, [
      {
        path: '',
        expected: 'a readable topology file',
        found: (err as NodeJS.ErrnoException).code ?? String(err),
      },
    ]);
  }
  return parseTopology(text, path);
}

/** Parses a size such as 10GB (SI) or 512MiB (binary) into bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/.exec(text);
  if (!m) throw new Error(`not a size: ${text}`);
  const units: Record<string, number> = {
    B: 1,
    KB: 1e3,
    MB: 1e6,
    GB: 1e9,
    TB: 1e12,
    KiB: 2 ** 10,
    MiB: 2 ** 20,
    GiB: 2 ** 30,
    TiB: 2 ** 40,
  };
  return Math.round(Number(m[1]) * (units[m[2] as string] as number));
}

type SemanticIssue = { at: (string | number)[]; expected: string; found: string };

/** Cross-references a schema-valid topology: names unique, references resolved, sizes sane. */
function checkReferences(t: TopologySpec): SemanticIssue[] {
  const out: SemanticIssue[] = [];
  const nodeNames = new Set(t.nodes.map((n) => n.name));
  const allHosts: [string, (string | number)[]][] = [
    [t.chassis.managementModule.host, ['chassis', 'managementModule', 'host']],
    [t.storage.host, ['storage', 'host']],
    [t.workstation.host, ['workstation', 'host']],
    ...t.chassis.ioModules.map((m, i): [string, (string | number)[]] => [
      m.host,
      ['chassis', 'ioModules', i, 'host'],
    ]),
    ...t.nodes.map((n, i): [string, (string | number)[]] => [n.name, ['nodes', i, 'name']]),
  ];
  if (t.witness) allHosts.push([t.witness.host, ['witness', 'host']]);
  const seen = new Map<string, string>();
  for (const [h, at] of allHosts) {
    const key = h.toLowerCase();
    if (seen.has(key))
      out.push({ at, expected: 'a host name used once', found: `"${h}", already used at ${seen.get(key)}` });
    else seen.set(key, formatPath(at));
  }
  const bays = new Map<number, number>();
  t.chassis.blades.forEach((b, i) => {
    if (bays.has(b.bay))
      out.push({
        at: ['chassis', 'blades', i, 'bay'],
        expected: 'a free blade bay',
        found: `bay ${b.bay}, already used by blades[${bays.get(b.bay)}]`,
      });
    bays.set(b.bay, i);
    if (!nodeNames.has(b.node))
      out.push({
        at: ['chassis', 'blades', i, 'node'],
        expected: 'the name of a node in nodes',
        found: JSON.stringify(b.node),
      });
  });
  const bladed = new Set(t.chassis.blades.map((b) => b.node));
  t.nodes.forEach((n, i) => {
    if (!bladed.has(n.name))
      out.push({
        at: ['nodes', i, 'name'],
        expected: 'a node that sits in a blade bay (chassis.blades)',
        found: JSON.stringify(n.name),
      });
  });
  const ioBays = new Set<number>();
  t.chassis.ioModules.forEach((m, i) => {
    if (ioBays.has(m.bay))
      out.push({
        at: ['chassis', 'ioModules', i, 'bay'],
        expected: 'a free I/O bay',
        found: `bay ${m.bay}, used twice`,
      });
    ioBays.add(m.bay);
    if (m.type === 'rssm' && m.bay !== 3 && m.bay !== 4)
      out.push({
        at: ['chassis', 'ioModules', i, 'bay'],
        expected: 'I/O bay 3 or 4 for an RSSM (bays 1/2 hold Ethernet modules: DOMAIN.md §6)',
        found: `bay ${m.bay}`,
      });
  });
  const luns = new Map<string, number>();
  t.storage.luns.forEach((l, i) => {
    if (luns.has(l.name))
      out.push({
        at: ['storage', 'luns', i, 'name'],
        expected: 'a LUN name used once',
        found: JSON.stringify(l.name),
      });
    luns.set(l.name, i);
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
  const needsWitness = t.cluster.quorum !== 'node-majority';
  if (needsWitness && !t.witness)
    out.push({
      at: ['witness'],
      expected: `a witness for quorum model ${t.cluster.quorum}`,
      found: 'nothing',
    });
  if (t.witness) {
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
          expected: 'a LUN of at least 512 MB (DOMAIN.md §2)',
          found: lun.size,
        });
    }
  }
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
  if (t.network) {
    const m = /^198\.(18|19)\.(\d{1,3})\.0\/24$/.exec(t.network.subnet);
    if (!m || Number(m[2]) > 255)
      out.push({
        at: ['network', 'subnet'],
        expected: 'a /24 inside 198.18.0.0/15, e.g. 198.18.0.0/24',
        found: JSON.stringify(t.network.subnet),
      });
  }
  return out;
}

/** One emulated host of a resolved topology, with what its service process is handed. */
export interface HostPlan {
  name: string;
  component: Component;
  /** Hosts whose services must be healthy before this one starts. */
  dependsOn: string[];
  /** Where the host sits in the chassis, if it does. */
  bay?: { kind: 'blade' | 'io'; number: number };
  settings: unknown;
}

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
  const nodeIds = new Map(spec.nodes.map((n, i) => [n.name, i + 1]));
  const csvLun =
    spec.cluster.sharedVolumes[0]?.lun ??
    spec.storage.luns.find((l) => l.name !== spec.witness?.lun)?.name ??
    '';
  let nextOffset = CSV_DATA_START;
  const vms: VmSpec[] = spec.vms.map((vm) => {
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
  const rssms = spec.chassis.ioModules.filter((m) => m.type === 'rssm').sort((a, b) => a.bay - b.bay);
  const hosts: HostPlan[] = [];
  const storage: StorageSettings = {
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
  hosts.push({ name: spec.storage.host, component: 'storage-controller', dependsOn: [], settings: storage });
  const mm: MmSettings = {
    chassisName: spec.chassis.name,
    model: spec.chassis.model,
    blades: [1, 2, 3, 4, 5, 6].map((bay) => {
      const b = spec.chassis.blades.find((x) => x.bay === bay);
      return { bay, host: b?.node ?? null, name: b?.node ?? '' };
    }),
    ioModules: [1, 2, 3, 4].map((bay) => {
      const m = spec.chassis.ioModules.find((x) => x.bay === bay);
      return { bay, host: m?.host ?? null, name: m ? 'SAS RAID Controller Module' : '' };
    }),
    storageModules: [1, 2].map((bay) => {
      const s = spec.chassis.storageModules.find((x) => x.bay === bay);
      return { bay, present: !!s, drives: s?.drives ?? 0 };
    }),
    credentials: spec.chassis.managementModule.credentials,
    telnetPort: spec.chassis.managementModule.telnetPort,
    redfishPort: spec.chassis.managementModule.redfishPort,
    redfishTls: spec.chassis.managementModule.redfishTls,
    loginFailDelayMs: spec.chassis.managementModule.loginFailDelayMs,
    sessionTimeoutS: spec.chassis.managementModule.sessionTimeoutS,
  };
  hosts.push({
    name: spec.chassis.managementModule.host,
    component: 'management-module',
    dependsOn: [],
    settings: mm,
  });
  hosts.push({ name: spec.workstation.host, component: 'workstation', dependsOn: [], settings: {} });
  for (const m of rssms) {
    const rssm: RssmSettings = {
      bay: m.bay,
      controller: spec.storage.host,
      zonedHosts: spec.nodes.map((n) => n.name),
    };
    hosts.push({
      name: m.host,
      component: 'rssm',
      dependsOn: [spec.storage.host],
      bay: { kind: 'io', number: m.bay },
      settings: rssm,
    });
  }
  if (spec.witness) {
    const q: QuorumSettings = {
      kind: spec.witness.kind,
      cluster: spec.cluster.name,
      lun: spec.witness.kind === 'disk' ? (spec.witness.lun ?? null) : null,
      storageHost: spec.storage.host,
    };
    hosts.push({
      name: spec.witness.host,
      component: 'quorum',
      dependsOn: spec.witness.kind === 'disk' ? [spec.storage.host] : [],
      settings: q,
    });
  }
  for (const n of spec.nodes) {
    const bay = spec.chassis.blades.find((b) => b.node === n.name)?.bay ?? 0;
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
    hosts.push({
      name: n.name,
      component: 'hyperv-node',
      dependsOn: [...rssms.map((m) => m.host), ...(spec.witness ? [spec.witness.host] : [])],
      bay: { kind: 'blade', number: bay },
      settings: node,
    });
  }
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
