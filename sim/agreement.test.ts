/**
 * The story of cluster events that a real run and a simulated run of one experiment must share
 * (sim/agreement.ts), and the simulation of the three experiments test/chaos.test.ts compares
 * with their real runs.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../chaos/experiment.js';
import type { HistoryEntry } from '../chaos/history.js';
import { loadTopology, resolveTopology } from '../orchestrator/topology/topology.js';
import { parseInjectedBugs } from '../services/process/injected-bugs.js';
import { eventStory } from './agreement.js';
import { simOptionsOf, UnsimulatedError } from './experiment.js';
import { runSimulation } from './run.js';

/** The repository's root: the shipped experiments and topologies are read from it. */
const ROOT = new URL('..', import.meta.url).pathname;
const topologyPath = (name: string) => join(ROOT, 'topologies', `${name}.yaml`);

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

const event = (t: number, node: string, kind: string, data: Record<string, unknown> = {}): HistoryEntry => ({
  t,
  type: 'event',
  node,
  kind,
  eventId: 0,
  message: '',
  data,
});

describe('the story of cluster events', () => {
  it('keeps the events that tell it, from the first fault on, node by node, and folds the two ways to leave', () => {
    const h: HistoryEntry[] = [
      event(10, N1, 'role-online', { role: 'VM2' }),
      { t: 100, type: 'fault', phase: 'start', id: 'f1', kind: 'partition', targets: [N1, N2], detail: {} },
      event(110, N1, 'netinterface-unreachable', { node: N2 }),
      event(111, N1, 'node-removed', { node: N2 }),
      event(112, N2, 'node-removed', { node: N1 }),
      event(113, N2, 'witness-denied', {}),
      event(114, N2, 'quorum-lost', {}),
      event(115, N1, 'fenced', { victims: [N2] }),
      event(116, N1, 'csv-mode', { mode: 'Direct' }),
      event(120, N1, 'failover', { role: 'VM1' }),
      event(121, N1, 'role-online', { role: 'VM1' }),
      event(200, N2, 'joined', {}),
      event(201, N1, 'node-joined', { node: N2 }),
    ];
    expect(eventStory(h)).toEqual({
      [N1]: [`node-removed:${N2}`, `fenced:${N2}`, 'failover:VM1', 'role-online:VM1', `node-joined:${N2}`],
      [N2]: ['left', 'joined'],
    });
    const fenced = h.map((e) =>
      e.type === 'event' && e.kind === 'quorum-lost' ? { ...e, kind: 'fenced-self' } : e,
    );
    expect(eventStory(fenced)).toEqual(eventStory(h));
  });
});

/** The simulation of a shipped experiment, seed 11, with a bug when one is named. */
function simulated(name: string, bug?: string) {
  const spec = loadExperiment(join(ROOT, 'chaos', 'experiments', `${name}.yaml`));
  const file = topologyPath(spec.topology);
  const topology = resolveTopology(loadTopology(file), file, spec.timing);
  return runSimulation({ ...simOptionsOf(spec, topology, 11), bugs: parseInjectedBugs(bug) });
}

const SURVIVOR = [
  `node-removed:${N2}`,
  `fenced:${N2}`,
  'failover:VirtualMachine1',
  'role-online:VirtualMachine1',
  `node-joined:${N2}`,
];

describe('a shipped experiment in the simulation', () => {
  it('sets up the roles and runs the method of seed-power-off, as a real run does', () => {
    const r = simulated('seed-power-off');
    expect(r.moves).toEqual([
      { move: expect.objectContaining({ role: 'VirtualMachine2' }), to: expect.any(String), ok: true },
    ]);
    expect(r.report.verdict).toBe('pass');
    expect(eventStory(r.history)).toEqual({ [N1]: SURVIVOR, [N2]: ['joined'] });
  });

  it('tells the same story for node-partition-witness and gray-failure-freeze: the cut-off node leaves and rejoins', () => {
    for (const name of ['node-partition-witness', 'gray-failure-freeze'])
      expect(eventStory(simulated(name).history), name).toEqual({ [N1]: SURVIVOR, [N2]: ['left', 'joined'] });
  });

  it('tells another story when the cluster has a bug', () => {
    const story = eventStory(simulated('node-partition-witness', 'witness-without-arbitration').history);
    expect(story).not.toEqual({ [N1]: SURVIVOR, [N2]: ['left', 'joined'] });
  });

  it('refuses an experiment it cannot set up as the runner does', () => {
    const spec = loadExperiment(join(ROOT, 'chaos', 'experiments', 'live-migration-dirtying.yaml'));
    const file = topologyPath(spec.topology);
    expect(() => simOptionsOf(spec, resolveTopology(loadTopology(file), file, spec.timing), 1)).toThrow(
      UnsimulatedError,
    );
  });
});
