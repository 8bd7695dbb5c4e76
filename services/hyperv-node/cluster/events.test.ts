import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClusterHarness } from '../../../sim/cluster-harness.js';
import { EVENT_KINDS, parseEvent } from '../../observability/events.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

/** Every event the simulation logged, as the v1 stream carries it. */
function stream(sim: ClusterHarness) {
  return sim.events.map((e, i) => ({
    v: 1,
    index: i + 1,
    timeMs: Math.round(e.at), // the stream carries whole milliseconds; the simulation has microseconds
    node: e.node,
    eventId: e.eventId,
    kind: e.kind,
    message: e.message,
    data: e.data,
  }));
}

/** Forms the seed cluster with VM1 online on N2. */
function seed(sim: ClusterHarness): void {
  sim.formWithRole('VM1', N2);
}

describe('the cluster event stream (v1)', () => {
  it('validates every event the cluster core emits across formation, moves, failover, quorum loss and rejoin', () => {
    const sim = new ClusterHarness([N1, N2]);
    seed(sim);
    sim.command(N1, { op: 'moveCsv', volume: 'Volume1', to: N2 });
    sim.until('N2 coordinates', () => sim.node(N1).config.csv.Volume1?.coordinator === N2);
    sim.command(N1, { op: 'beginMove', role: 'VM1', to: N1, kind: 'live' });
    sim.run(10);
    sim.command(N1, { op: 'endMove', role: 'VM1', ok: false });
    sim.run(10);
    sim.command(N1, { op: 'offline', role: 'VM1' });
    sim.until('VM1 saved', () => sim.vmsOn(N2).VM1 === 'Saved');
    sim.command(N1, { op: 'online', role: 'VM1' });
    sim.until('VM1 running again', () => sim.answering('VM1').join() === N2);
    sim.powerOff(N2);
    sim.until('VM1 failed over to N1', () => sim.answering('VM1').join() === N1);
    sim.powerOn(N2);
    sim.until('N2 back', () => sim.node(N1).members.length === 2, 10_000);
    sim.command(N1, { op: 'failRole', role: 'VM1', from: N1, reason: 'test' });
    sim.run(50);
    sim.witnessUp = false;
    sim.run(1000);
    sim.powerOff(N2);
    sim.until('N1 loses quorum', () => sim.node(N1).service === 'Stopped');
    sim.witnessUp = true;
    sim.until('N1 runs again', () => sim.node(N1).service === 'Running', 10_000);

    const events = stream(sim);
    for (const e of events) expect(() => parseEvent(e), `${e.kind}: ${JSON.stringify(e.data)}`).not.toThrow();
    const seen = new Set(events.map((e) => e.kind));
    // The run above reaches the events that matter most to a dashboard and a checker.
    for (const kind of [
      'cluster-formed',
      'joined',
      'witness-arbitrated',
      'role-created',
      'role-online',
      'csv-coordinator',
      'move-started',
      'move-failed',
      'node-removed',
      'fenced',
      'failover',
      'role-failed',
      'witness-offline',
      'quorum-lost',
    ])
      expect(seen, `no ${kind} event in the run`).toContain(kind);
  });

  it('has a schema for every kind the cluster core and its adapter can log', () => {
    // The core is split over the modules of core/; the adapter over the files beside it. Read
    // every source file of both but the tests.
    const sources = (dir: URL) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
        .map((f) => readFileSync(new URL(f, dir), 'utf8'))
        .join('\n');
    const core = sources(new URL('core/', import.meta.url));
    const adapter = sources(new URL('.', import.meta.url));
    // event(<ID_CONSTANT>, '<kind>', …) in the event catalog (the only place that builds events).
    const literal = [...`${core}\n${adapter}`.matchAll(/(?:event|record)\(\s*\w+,\s*'([a-z-]+)'/g)].map(
      (m) => m[1],
    );
    // Kinds the core computes: leaveCluster's three and endMove's two.
    const computed = ['quorum-lost', 'fenced-self', 'left-cluster', 'move-completed', 'move-failed'];
    for (const k of computed) expect(core).toContain(`'${k}'`);
    const kinds = new Set([...literal, ...computed]);
    expect(kinds.size).toBeGreaterThan(20);
    expect([...kinds].filter((k) => !(EVENT_KINDS as string[]).includes(k as string))).toEqual([]);
  });

  it('refuses an event with a wrong version, an unknown kind or a missing field', () => {
    const ok = {
      v: 1,
      index: 1,
      timeMs: 0,
      node: N1,
      eventId: 1135,
      kind: 'node-removed',
      message: 'm',
      data: { node: N2 },
    };
    expect(parseEvent(ok).kind).toBe('node-removed');
    expect(() => parseEvent({ ...ok, v: 2 })).toThrow(/not a dcbox v1 event/);
    expect(() => parseEvent({ ...ok, kind: 'node-vanished' })).toThrow();
    expect(() => parseEvent({ ...ok, data: {} })).toThrow(/data\.node/);
  });
});
