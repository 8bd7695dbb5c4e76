/**
 * Power through the simulated management module: a power-off fault is a Power request to the
 * chassis core, which switches the blade at the backplane and logs it; pulling an I/O module
 * leaves the blades' MPIO on the other path, and their VMs' writes go on through it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import type { StorageWriteEntry } from '../chaos/history.js';
import { parseTopology, resolveTopology } from '../orchestrator/topology/topology.js';
import { NO_BUGS } from '../services/process/injected-bugs.js';
import { DataCenter } from './datacenter.js';
import { bayPower } from './faults-extra.js';
import { HistoryLog } from './history-log.js';
import { LAN, Network } from './network.js';
import { SimRandom } from './random.js';
import { runSimulation } from './run.js';
import { Scheduler } from './scheduler.js';

const FILE = new URL('../topologies/seed.yaml', import.meta.url).pathname;
const topology = resolveTopology(parseTopology(readFileSync(FILE, 'utf8'), FILE), FILE, 'fast');

describe('the management module in the simulation', () => {
  it('powers a blade off and on through the chassis core, which logs both', () => {
    const sched = new Scheduler();
    const random = new SimRandom(1);
    const net = new Network(sched, random, LAN);
    const dc = new DataCenter({ sched, random }, net, topology, new HistoryLog(sched), NO_BUGS);
    sched.runUntil(1000);
    bayPower(dc, 'HVR2NODO2', false);
    sched.runUntil(2000);
    expect(net.host('HVR2NODO2').alive).toBe(false);
    expect(dc.mm?.actor.state.modules.find((m) => m.host === 'HVR2NODO2')?.power).toBe('Off');
    bayPower(dc, 'HVR2NODO2', true);
    sched.runUntil(3000);
    expect(net.host('HVR2NODO2').alive).toBe(true);
    const log = dc.mm?.actor.state.log.map((e) => e.text) ?? [];
    expect(log.filter((t) => /powered (off|on)/.test(t))).toHaveLength(2);
  });

  it('refuses a topology of several chassis, naming their management modules', () => {
    const doc = parseDocument(readFileSync(FILE, 'utf8'));
    const one = doc.get('chassis', true);
    const other = {
      name: 'BCS-B',
      managementModule: { host: 'mm2' },
      blades: [{ bay: 1, node: 'HVR2NODO2' }],
      ioModules: [{ bay: 3, host: 'rssmb3', type: 'rssm' }],
    };
    doc.set('chassis', doc.createNode([one, other]));
    doc.setIn(['chassis', 0, 'blades'], doc.createNode([{ bay: 1, node: 'HVR2NODO1' }]));
    const two = resolveTopology(parseTopology(doc.toString(), 'two.yaml'), 'two.yaml', 'fast');
    const sched = new Scheduler();
    const random = new SimRandom(1);
    expect(
      () =>
        new DataCenter(
          { sched, random },
          new Network(sched, random, LAN),
          two,
          new HistoryLog(sched),
          NO_BUGS,
        ),
    ).toThrow(
      /the simulation takes one chassis, and this topology has several \(management modules mm and mm2\)/,
    );
  });

  it('keeps the VMs writing through the other RSSM while one is pulled from its bay', () => {
    const r = runSimulation({
      seed: 2,
      topology,
      durationMs: 40_000,
      faults: [{ kind: 'rssm-pull', targets: ['rssm3'], atMs: 20_000, durationMs: 10_000 }],
    });
    const during = r.history.filter(
      (e): e is StorageWriteEntry => e.type === 'storage-write' && e.t > 21_000 && e.t < 30_000,
    );
    expect(during.length).toBeGreaterThan(100);
    expect(new Set(during.map((e) => e.initiator.port))).toEqual(new Set(['rssm4']));
    expect(r.report.invariants.filter((i) => i.verdict === 'fail')).toEqual([]);
  });
});
