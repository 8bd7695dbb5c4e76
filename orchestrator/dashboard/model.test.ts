import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../services/observability/events.js';
import {
  clusterView,
  EventHub,
  NodeCursor,
  type NodeState,
  parsePrometheusText,
  pathChanges,
  SeriesStore,
  seriesAfter,
  storageRates,
  storageTotals,
} from './model.js';
import { parseControl } from './server.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';

function event(node: string, index: number, timeMs: number) {
  return parseEvent({
    v: 1,
    index,
    timeMs,
    node,
    eventId: 0,
    kind: 'node-joined',
    message: 'm',
    data: { node },
  });
}

describe('the merged event stream', () => {
  it('numbers events in arrival order, keeps the newest and wakes followers', () => {
    const hub = new EventHub(3);
    const seen: number[] = [];
    const stop = hub.follow((p) => seen.push(p.seq));
    for (let i = 1; i <= 5; i++) hub.append(event(N1, i, i));
    stop();
    hub.append(event(N1, 6, 6));
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(hub.after(0).map((p) => p.seq)).toEqual([4, 5, 6]);
    expect(hub.after(5).map((p) => p.event.index)).toEqual([6]);
    expect(hub.last).toBe(6);
  });

  it('takes a restarted node’s events although its indexes start at 1 again, and never a replay', () => {
    const c = new NodeCursor();
    expect([1, 2, 3].map((i) => c.admit({ index: i, timeMs: 1000 + i }))).toEqual([true, true, true]);
    // WatchEvents replays the whole log on reconnect: nothing of it is new.
    expect([1, 2, 3].map((i) => c.admit({ index: i, timeMs: 1000 + i }))).toEqual([false, false, false]);
    // After a power cycle the node counts from 1 again, later in time.
    expect(c.admit({ index: 1, timeMs: 5000 })).toBe(true);
    expect(c.admit({ index: 2, timeMs: 5000 })).toBe(true);
    expect(c.lastIndex).toBe(2);
  });
});

describe('the live series', () => {
  it('keeps one time axis, a VM seen late gets nulls before it, and old points are dropped', () => {
    const s = new SeriesStore(3);
    s.push({ atMs: 1000, pings: { VM1: { ok: 2, lost: 0, rttSumMs: 1 } }, iops: null, latencyMs: null });
    s.push({
      atMs: 1500,
      pings: { VM1: { ok: 0, lost: 2, rttSumMs: 0 }, VM2: { ok: 1, lost: 1, rttSumMs: 0.25 } },
      iops: 120,
      latencyMs: 1.5,
    });
    expect(s.series.t).toEqual([1, 1.5]);
    expect(s.series.rtt).toEqual({ VM1: [0.5, null], VM2: [null, 0.25] });
    expect(s.series.lost).toEqual({ VM1: [0, 2], VM2: [null, 1] });
    s.push({ atMs: 2000, pings: {}, iops: 0, latencyMs: null });
    s.push({ atMs: 2500, pings: {}, iops: 10, latencyMs: 2 });
    expect(s.series.t).toEqual([1.5, 2, 2.5]);
    expect(s.series.rtt.VM1).toEqual([null, null, null]);
    expect(s.series.iops).toEqual([120, 0, 10]);
    expect(seriesAfter(s.series, 2).t).toEqual([2.5]);
    expect(seriesAfter(s.series, 2).latencyMs).toEqual([2]);
    expect(seriesAfter(s.series, 9).t).toEqual([]);
  });

  it('reads the controller’s counters from the Prometheus text and turns them into IOPS and latency', () => {
    const text = [
      '# HELP dcbox_storage_io_total Block reads and writes',
      '# TYPE dcbox_storage_io_total counter',
      'dcbox_storage_io_total{lun="CSV1",op="write",result="ok"} 90',
      'dcbox_storage_io_total{lun="Quorum",op="read",result="ok"} 10',
      'dcbox_storage_io_latency_seconds_bucket{le="0.001",lun="CSV1",op="write"} 80',
      'dcbox_storage_io_latency_seconds_sum{lun="CSV1",op="write"} 0.09',
      'dcbox_storage_io_latency_seconds_count{lun="CSV1",op="write"} 90',
      'dcbox_storage_io_latency_seconds_sum{lun="Quorum",op="read"} 0.01',
      'dcbox_storage_io_latency_seconds_count{lun="Quorum",op="read"} 10',
      'dcbox_info{version="0.1.0",topology="a \\"quoted\\" name"} 1',
    ].join('\n');
    const samples = parsePrometheusText(text);
    expect(samples.find((x) => x.name === 'dcbox_info')?.labels.topology).toBe('a "quoted" name');
    const before = storageTotals(samples);
    expect(before).toMatchObject({ ops: 100, latencyCount: 100 });
    expect(before.latencySumS).toBeCloseTo(0.1, 9);
    const after = { ops: 300, latencySumS: 0.5, latencyCount: 300 };
    const r = storageRates(before, after, 0.5);
    expect(r.iops).toBe(400);
    expect(r.latencyMs).toBeCloseTo(2, 6);
    // A restarted controller counts from zero: no figure for that tick, never a negative one.
    expect(storageRates(after, before, 0.5)).toEqual({ iops: null, latencyMs: null });
    expect(storageRates(before, before, 0.5)).toEqual({ iops: 0, latencyMs: null });
  });
});

describe('what the orchestrator observes on a node', () => {
  it('logs a path change as a valid v1 event, and nothing on the first reading', () => {
    expect(pathChanges(N1, undefined, { 'CSV1/rssm3': 'Active' })).toEqual([]);
    const paths = pathChanges(
      N1,
      { 'CSV1/rssm3': 'Active', 'CSV1/rssm4': 'Standby' },
      { 'CSV1/rssm3': 'Failed', 'CSV1/rssm4': 'Active' },
    );
    expect(paths.map((p) => [p.data.path, p.data.previous, p.data.state])).toEqual([
      ['rssm3', 'Active', 'Failed'],
      ['rssm4', 'Standby', 'Active'],
    ]);
    for (const [i, o] of paths.entries())
      expect(() =>
        parseEvent({
          v: 1,
          index: i + 1,
          timeMs: 1,
          node: o.node,
          eventId: 0,
          kind: o.kind,
          message: o.message,
          source: 'orchestrator',
          data: o.data,
        }),
      ).not.toThrow();
  });

  it('validates the power and fault events the daemon logs and refuses a malformed one', () => {
    const base = { v: 1, index: 1, timeMs: 1, node: N2, eventId: 0, message: 'm', source: 'orchestrator' };
    expect(
      parseEvent({
        ...base,
        kind: 'power',
        data: { host: N2, component: 'hyperv-node', bay: { kind: 'blade', number: 2 }, on: false },
      }).kind,
    ).toBe('power');
    expect(
      parseEvent({
        ...base,
        kind: 'fault-injected',
        data: { id: 'f1', fault: 'kill', targets: [N2], detail: 'SIGKILL', expiresAtMs: 5 },
      }).kind,
    ).toBe('fault-injected');
    expect(
      parseEvent({
        ...base,
        kind: 'fault-lifted',
        data: { id: 'f1', fault: 'kill', targets: [N2], status: 'expired' },
      }).kind,
    ).toBe('fault-lifted');
    expect(() => parseEvent({ ...base, kind: 'power', data: { host: N2, on: 'off' } })).toThrow(
      /not a dcbox v1 event/,
    );
    expect(() => parseEvent({ ...base, source: 'someone', kind: 'register-failed', data: {} })).toThrow();
  });
});

function nodeState(node: string, over: Partial<NodeState> = {}): NodeState {
  return {
    node,
    service_state: 'Running',
    leader: N1,
    membership_epoch: '4',
    nodes: [
      { name: N1, state: 'Up', missed_heartbeats: 0 },
      { name: N2, state: 'Up', missed_heartbeats: 0 },
    ],
    quorum: {
      model: 'node-and-disk-majority',
      has_quorum: true,
      votes: 3,
      needed: 2,
      total: 3,
      witness_owner: N1,
      witness_epoch: '2',
      witness_status: 'Online',
      arbitrating: false,
    },
    csv: [
      {
        volume: 'Volume1',
        coordinator: N2,
        modes: [
          { node: N1, mode: 'Direct' },
          { node: N2, mode: 'Direct' },
        ],
      },
    ],
    roles: [{ name: 'VirtualMachine1', vm: 'VirtualMachine1', owner: N2, state: 'Online' }],
    ...over,
  };
}

describe('the cluster panel', () => {
  it('shows the leader’s view, each node’s own service state and its own CSV access', () => {
    const v = clusterView({
      [N1]: nodeState(N1),
      [N2]: nodeState(N2, {
        csv: [
          {
            volume: 'Volume1',
            coordinator: N2,
            modes: [
              { node: N1, mode: 'Direct' },
              { node: N2, mode: 'Redirected' },
            ],
          },
        ],
      }),
    });
    expect(v?.from).toBe(N1);
    expect(v?.epoch).toBe(4);
    expect(v?.quorum).toMatchObject({
      hasQuorum: true,
      votes: 3,
      needed: 2,
      witnessOwner: N1,
      witnessEpoch: 2,
    });
    expect(v?.csv).toEqual([
      { volume: 'Volume1', coordinator: N2, modes: { [N1]: 'Direct', [N2]: 'Redirected' } },
    ]);
    expect(v?.nodes.map((n) => [n.name, n.membership, n.service, n.leader])).toEqual([
      [N1, 'Up', 'Running', true],
      [N2, 'Up', 'Running', false],
    ]);
  });

  it('marks a silent node "no communication" and prefers a node with quorum over one without', () => {
    const lonely = nodeState(N2, {
      service_state: 'Stopped',
      leader: '',
      quorum: {
        model: 'node-majority',
        has_quorum: false,
        votes: 1,
        needed: 2,
        total: 3,
        witness_owner: '',
        witness_epoch: 0,
        witness_status: 'Offline',
        arbitrating: false,
      },
    });
    const survivor = nodeState(N1, {
      nodes: [
        { name: N1, state: 'Up', missed_heartbeats: 0 },
        { name: N2, state: 'Down', missed_heartbeats: 5 },
      ],
    });
    const v = clusterView({ [N2]: lonely, [N1]: survivor });
    expect(v?.from).toBe(N1);
    expect(v?.nodes.find((n) => n.name === N2)).toMatchObject({
      membership: 'Down',
      service: 'Stopped',
      missed: 5,
    });
    const silent = clusterView({ [N1]: survivor, [N2]: null });
    expect(silent?.nodes.find((n) => n.name === N2)?.service).toBe('no communication');
    expect(clusterView({ [N1]: null, [N2]: null })).toBeNull();
  });
});

describe('the dashboard controls', () => {
  it('accepts the four actions and says what is wrong with a bad one', () => {
    expect(parseControl({ action: 'power', kind: 'blade', bay: 2, on: false })).toEqual({
      action: 'power',
      kind: 'blade',
      bay: 2,
      on: false,
    });
    expect(parseControl({ action: 'move', role: 'VM1', to: N1, live: true })).toMatchObject({ live: true });
    expect(parseControl({ action: 'fault', kind: 'kill', hosts: [N2] })).toMatchObject({
      durationMs: 30_000,
    });
    expect(parseControl({ action: 'lift-all' })).toEqual({ action: 'lift-all' });
    expect(() => parseControl({ action: 'power', kind: 'blade', bay: 0, on: true })).toThrow(/bay must be/);
    expect(() => parseControl({ action: 'power', kind: 'disk', bay: 1, on: true })).toThrow(/kind must be/);
    expect(() => parseControl({ action: 'move', role: '', to: N1 })).toThrow(/role must be/);
    expect(() => parseControl({ action: 'fault', kind: 'kill', hosts: 'N2' })).toThrow(/hosts must be/);
    expect(() => parseControl({ action: 'reboot-everything' })).toThrow(/unknown action/);
  });
});
