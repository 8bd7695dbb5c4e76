import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { type ChassisSpec, parseSize, parseTopology, resolveTopology, TopologyError } from './topology.js';

const seedText = readFileSync(join(import.meta.dirname, '..', '..', 'topologies', 'seed.yaml'), 'utf8');

/** The seed topology with one change applied to its parsed document. */
function seedWith(edit: (doc: ReturnType<typeof parseDocument>) => void): string {
  const doc = parseDocument(seedText);
  edit(doc);
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

describe('seed topology', () => {
  it('describes the tutorial: two blades, two RSSMs, Quorum and CSV1, a disk witness', () => {
    const t = parseTopology(seedText, 'seed.yaml');
    // One chassis written as a mapping stays a mapping.
    expect(Array.isArray(t.chassis)).toBe(false);
    const chassis = t.chassis as ChassisSpec;
    expect(chassis.blades).toEqual([
      { bay: 1, node: 'HVR2NODO1' },
      { bay: 2, node: 'HVR2NODO2' },
    ]);
    expect(chassis.ioModules.map((m) => m.bay)).toEqual([3, 4]);
    expect(t.storage.luns.map((l) => [l.name, parseSize(l.size)])).toEqual([
      ['Quorum', 10e9],
      ['CSV1', 100e9],
    ]);
    expect(t.witness).toEqual({ host: 'quorum', kind: 'disk', lun: 'Quorum' });
    expect(t.cluster.sharedVolumes[0]?.path).toBe('C:\\ClusterStorage\\Volume1');
  });

  it('resolves into hosts that start after what they depend on', () => {
    const r = resolveTopology(parseTopology(seedText, 'seed.yaml'), 'seed.yaml', 'fast');
    const order = r.hosts.map((h) => h.name);
    for (const [i, h] of r.hosts.entries())
      for (const d of h.dependsOn) expect(order.indexOf(d)).toBeLessThan(i);
    expect(r.timing.name).toBe('fast');
    const vmExtents = r.hosts.flatMap((h) =>
      h.component === 'hyperv-node'
        ? (h.settings as { vms: { diskOffsetBytes: number; diskSizeBytes: number }[] }).vms
        : [],
    );
    const sorted = vmExtents.sort((a, b) => a.diskOffsetBytes - b.diskOffsetBytes);
    for (let i = 1; i < sorted.length; i++)
      expect(sorted[i]!.diskOffsetBytes).toBeGreaterThanOrEqual(
        sorted[i - 1]!.diskOffsetBytes + sorted[i - 1]!.diskSizeBytes,
      );
  });

  it("hands the management module's soft power off timeout to its process", () => {
    const text = seedWith((doc) => doc.setIn(['chassis', 'managementModule', 'softOffTimeoutS'], 30));
    const r = resolveTopology(parseTopology(text, 'seed.yaml'), 'seed.yaml', 'fast');
    const mm = r.hosts.find((h) => h.component === 'management-module');
    expect(mm?.settings).toMatchObject({ softOffTimeoutS: 30 });
    expect(
      problems(seedWith((doc) => doc.setIn(['chassis', 'managementModule', 'softOffTimeoutS'], 0))).message,
    ).toMatch(/softOffTimeoutS/);
  });
});

describe('topology validation errors name the file, line, field, expectation and finding', () => {
  it('reports a YAML syntax error with its line', () => {
    const e = problems('name: seed\nchassis: [unclosed\n');
    expect(e.message).toMatch(/bad\.yaml:\d+: \(top level\): expected valid YAML/);
  });

  it('reports a missing required section', () => {
    const e = problems(seedWith((d) => d.delete('storage')));
    expect(e.issues).toContainEqual(
      expect.objectContaining({ path: 'storage', expected: 'a mapping', found: 'nothing' }),
    );
  });

  it('reports a wrong type with the value found', () => {
    const e = problems(seedWith((d) => d.setIn(['vms', 0, 'memoryMiB'], 'lots')));
    expect(e.message).toContain('vms[0].memoryMiB: expected a number, found "lots"');
  });

  it('reports an unknown enum value with the allowed ones', () => {
    const e = problems(seedWith((d) => d.setIn(['nodes', 0, 'mpio', 'policy'], 'roundrobin')));
    expect(e.message).toContain(
      'nodes[0].mpio.policy: expected one of "failover-only", "round-robin", found "roundrobin"',
    );
  });

  it('reports an unknown field', () => {
    const e = problems(seedWith((d) => d.setIn(['witness', 'colour'], 'blue')));
    expect(e.message).toContain('witness.colour: expected no such field, found unknown field "colour"');
  });

  it('reports a blade bay out of range, with its line', () => {
    const e = problems(seedWith((d) => d.setIn(['chassis', 'blades', 1, 'bay'], 7)));
    const issue = e.issues.find((i) => i.path === 'chassis.blades[1].bay');
    expect(issue).toMatchObject({ expected: 'a number ≤ 6', found: 'number 7' });
    expect(issue?.line).toBe(
      seedText.split('\n').findIndex((l) => l.includes('bay: 2, node: HVR2NODO2')) + 1,
    );
  });

  it('reports two blades in one bay', () => {
    const e = problems(seedWith((d) => d.setIn(['chassis', 'blades', 1, 'bay'], 1)));
    expect(e.message).toContain('chassis.blades[1].bay: expected a free blade bay, found bay 1');
  });

  it('reports a LUN mapped to a host that is not a node', () => {
    const e = problems(seedWith((d) => d.setIn(['storage', 'luns', 1, 'mappedTo', 1], 'HVR2NODO3')));
    expect(e.message).toContain(
      'storage.luns[1].mappedTo[1]: expected the name of a node, found "HVR2NODO3"',
    );
  });

  it('reports a malformed size', () => {
    const e = problems(seedWith((d) => d.setIn(['storage', 'luns', 0, 'size'], '10 gigs')));
    expect(e.message).toContain(
      'storage.luns[0].size: expected a size such as 10GB or 512MiB, found "10 gigs"',
    );
  });

  it('reports a disk witness on a LUN that does not exist', () => {
    const e = problems(seedWith((d) => d.setIn(['witness', 'lun'], 'Witness')));
    expect(e.message).toContain('witness.lun: expected the name of a LUN in storage.luns');
  });

  it('reports a witness of the wrong kind for the quorum model', () => {
    const e = problems(seedWith((d) => d.setIn(['witness', 'kind'], 'file-share')));
    expect(e.message).toContain(
      'witness.kind: expected "disk" for quorum model node-and-disk-majority, found "file-share"',
    );
  });

  it('reports a VM on a switch its node does not have', () => {
    const e = problems(seedWith((d) => d.setIn(['vms', 0, 'switch'], 'Internal')));
    expect(e.message).toContain(
      'vms[0].switch: expected a virtual switch of HVR2NODO2 (VMs), found "Internal"',
    );
  });

  it('reports a host name used twice', () => {
    const e = problems(seedWith((d) => d.setIn(['workstation', 'host'], 'storage')));
    expect(e.message).toContain('workstation.host: expected a host name used once, found "storage"');
  });

  it('reports an RSSM outside I/O bays 3 and 4', () => {
    const e = problems(seedWith((d) => d.setIn(['chassis', 'ioModules', 0, 'bay'], 1)));
    expect(e.message).toContain('chassis.ioModules[0].bay: expected I/O bay 3 or 4 for an RSSM');
  });

  it('reports a subnet outside 198.18.0.0/15', () => {
    const e = problems(seedWith((d) => d.setIn(['network', 'subnet'], '10.0.0.0/24')));
    expect(e.message).toContain('network.subnet: expected a /24 inside 198.18.0.0/15');
  });

  it('reports an unknown timing profile', () => {
    const e = problems(seedWith((d) => d.set('timing', 'turbo')));
    expect(e.message).toContain('timing: expected one of "default", "fast", found "turbo"');
  });

  it('reports every problem at once, never a stack trace', () => {
    const e = problems(
      seedWith((d) => {
        d.setIn(['vms', 0, 'memoryMiB'], -1);
        d.setIn(['cluster', 'quorum'], 'majority');
      }),
    );
    expect(e.issues.length).toBeGreaterThanOrEqual(2);
    expect(e.message).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  });

  it('names the file, line and field of an alias whose anchor is missing', () => {
    const text = seedText.replace(/^timing: .*$/m, 'timing: *profile');
    const line = text.split('\n').findIndex((l) => l.includes('*profile')) + 1;
    expect(line).toBeGreaterThan(0);
    const e = problems(text);
    expect(e.message).toContain(
      `bad.yaml:${line}: timing: expected an alias to an anchor set earlier in the file, found *profile, and no anchor &profile before it`,
    );
  });

  it('quotes a long found value cut to a readable length', () => {
    const blob = '\u0001'.repeat(5000);
    const e = problems(seedWith((d) => d.setIn(['nodes', 0, 'mpio', 'policy'], blob)));
    const line = e.message.split('\n').find((l) => l.includes('nodes[0].mpio.policy')) ?? '';
    expect(line).toContain('… (5000 characters)');
    expect(line.length).toBeLessThan(500);
  });
});
