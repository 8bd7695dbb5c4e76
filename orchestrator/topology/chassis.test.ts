import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import type { MmSettings, NodeSettings, RssmSettings } from '../../services/process/config.js';
import { type HostPlan, parseTopology, resolveTopology, TopologyError } from './topology.js';

const seedText = readFileSync(join(import.meta.dirname, '..', '..', 'topologies', 'seed.yaml'), 'utf8');

/** The seed's two blades split over two chassis (one blade each), both leading to its storage. */
const TWO_CHASSIS = [
  {
    name: 'BCS-A',
    managementModule: { host: 'mm1' },
    blades: [{ bay: 1, node: 'HVR2NODO1' }],
    ioModules: [
      { bay: 3, host: 'rssm3', type: 'rssm' },
      { bay: 4, host: 'rssm4', type: 'rssm' },
    ],
  },
  {
    name: 'BCS-B',
    managementModule: { host: 'mm2', credentials: { username: 'ADMIN2', password: 'S3cret' } },
    blades: [{ bay: 1, node: 'HVR2NODO2' }],
    ioModules: [{ bay: 3, host: 'rssmb3', type: 'rssm' }],
  },
];

/** The seed topology with its chassis replaced by `chassis` (a list or a mapping). */
function seedWithChassis(chassis: unknown): string {
  const doc = parseDocument(seedText);
  doc.set('chassis', doc.createNode(structuredClone(chassis)));
  return doc.toString();
}

function problems(text: string): TopologyError {
  try {
    parseTopology(text, 'bad.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(TopologyError);
    return err as TopologyError;
  }
  throw new Error('the topology was accepted');
}

function host(hosts: HostPlan[], name: string): HostPlan {
  const h = hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no host ${name}`);
  return h;
}

describe('a topology of several chassis sharing one storage controller', () => {
  it('accepts a list of chassis, each with its own management module and I/O modules', () => {
    const t = parseTopology(seedWithChassis(TWO_CHASSIS), 'two.yaml');
    expect(Array.isArray(t.chassis)).toBe(true);
    const hosts = resolveTopology(t, 'two.yaml', 'fast').hosts;
    expect(hosts.filter((h) => h.component === 'management-module').map((h) => h.name)).toEqual([
      'mm1',
      'mm2',
    ]);
    expect(hosts.filter((h) => h.component === 'rssm').map((h) => h.name)).toEqual([
      'rssm3',
      'rssm4',
      'rssmb3',
    ]);
    const order = hosts.map((h) => h.name);
    for (const [i, h] of hosts.entries())
      for (const d of h.dependsOn) expect(order.indexOf(d)).toBeLessThan(i);
  });

  it("gives each management module only its own chassis's bays and account", () => {
    const hosts = resolveTopology(
      parseTopology(seedWithChassis(TWO_CHASSIS), 'two.yaml'),
      'two.yaml',
      'fast',
    ).hosts;
    const a = host(hosts, 'mm1').settings as MmSettings;
    const b = host(hosts, 'mm2').settings as MmSettings;
    expect([a.chassisName, b.chassisName]).toEqual(['BCS-A', 'BCS-B']);
    expect(a.blades.filter((x) => x.host).map((x) => [x.bay, x.host])).toEqual([[1, 'HVR2NODO1']]);
    expect(b.blades.filter((x) => x.host).map((x) => [x.bay, x.host])).toEqual([[1, 'HVR2NODO2']]);
    expect(b.ioModules.filter((x) => x.host).map((x) => x.host)).toEqual(['rssmb3']);
    expect(b.credentials).toEqual({ username: 'ADMIN2', password: 'S3cret' });
    expect(a.credentials).toEqual({ username: 'USERID', password: 'PASSW0RD' });
  });

  it('puts each node in its bay of its own chassis, with paths through that chassis only', () => {
    const hosts = resolveTopology(
      parseTopology(seedWithChassis(TWO_CHASSIS), 'two.yaml'),
      'two.yaml',
      'fast',
    ).hosts;
    const n1 = host(hosts, 'HVR2NODO1');
    const n2 = host(hosts, 'HVR2NODO2');
    // Both blades are in bay 1: the bay alone does not say which blade, the chassis does.
    expect([n1.bay, n1.managementModule]).toEqual([{ kind: 'blade', number: 1 }, 'mm1']);
    expect([n2.bay, n2.managementModule]).toEqual([{ kind: 'blade', number: 1 }, 'mm2']);
    expect((n1.settings as NodeSettings).paths.map((p) => p.host)).toEqual(['rssm3', 'rssm4']);
    expect((n2.settings as NodeSettings).paths.map((p) => p.host)).toEqual(['rssmb3']);
    expect(n2.dependsOn).toEqual(['rssmb3', 'quorum']);
    expect(host(hosts, 'rssmb3').managementModule).toBe('mm2');
    expect((host(hosts, 'rssmb3').settings as RssmSettings).zonedHosts).toEqual(['HVR2NODO2']);
    // One cluster over both chassis: every node knows every other.
    expect((n2.settings as NodeSettings).clusterNodes.map((c) => c.name)).toEqual(['HVR2NODO1', 'HVR2NODO2']);
  });

  it('reports the same bay used twice within one chassis (the same bay in two chassis is fine)', () => {
    const twice = structuredClone(TWO_CHASSIS);
    twice[0]?.blades.push({ bay: 1, node: 'HVR2NODO2' });
    twice[1]?.blades.splice(0, 1, { bay: 2, node: 'HVR2NODO1' });
    const e = problems(seedWithChassis(twice));
    expect(e.message).toContain('chassis[0].blades[1].bay: expected a free blade bay, found bay 1');
    expect(e.issues.filter((i) => i.path.endsWith('.bay'))).toHaveLength(1);
  });

  it('reports a node placed in two chassis', () => {
    const both = structuredClone(TWO_CHASSIS);
    both[1]?.blades.push({ bay: 2, node: 'HVR2NODO1' });
    const e = problems(seedWithChassis(both));
    expect(e.message).toMatch(
      /bad\.yaml:\d+: chassis\[1\]\.blades\[1\]\.node: expected a node in one blade bay only \(a blade sits in one chassis\), found "HVR2NODO1", already in chassis\[0\]\.blades\[0\]/,
    );
  });

  it('reports a chassis without a path to the storage, naming it', () => {
    const bare = structuredClone(TWO_CHASSIS) as { ioModules?: unknown }[];
    delete bare[1]?.ioModules;
    const e = problems(seedWithChassis(bare));
    expect(e.message).toMatch(
      /chassis\[1\]\.ioModules: expected an I\/O module in bay 3 or 4 for chassis "BCS-B"/,
    );
    expect(e.issues).toHaveLength(1);
  });

  it('reports two chassis of the same name and a management module host used twice', () => {
    const same = structuredClone(TWO_CHASSIS);
    (same[1] as { name: string }).name = 'bcs-a';
    (same[1] as { managementModule: { host: string } }).managementModule.host = 'MM1';
    const e = problems(seedWithChassis(same));
    expect(e.message).toContain(
      'chassis[1].name: expected a chassis name used once, found "bcs-a", already used at chassis[0].name',
    );
    expect(e.message).toContain(
      'chassis[1].managementModule.host: expected a host name used once, found "MM1", already used at chassis[0].managementModule.host',
    );
  });

  it('reports a bad field of a listed chassis by its place in the list', () => {
    const bad = structuredClone(TWO_CHASSIS);
    (bad[1]?.blades[0] as { bay: number }).bay = 7;
    expect(problems(seedWithChassis(bad)).message).toContain(
      'chassis[1].blades[0].bay: expected a number ≤ 6, found number 7',
    );
  });

  it('reads a one-item list as the same data center as the mapping', () => {
    const mapping = parseTopology(seedText, 'seed.yaml');
    const list = parseTopology(seedWithChassis([mapping.chassis]), 'seed.yaml');
    const strip = (hosts: HostPlan[]) =>
      hosts.map(({ settings, ...h }) => ({ ...h, settings: JSON.stringify(settings) }));
    expect(strip(resolveTopology(list, 'seed.yaml', 'fast').hosts)).toEqual(
      strip(resolveTopology(mapping, 'seed.yaml', 'fast').hosts),
    );
  });
});
