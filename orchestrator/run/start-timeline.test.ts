import { describe, expect, it } from 'vitest';
import { firstFormedAtMs, formatTimeline, type StartMarks, startTimeline } from './start-timeline.js';

/** Marks of a start that `dcbox up` began at 10_000 (epoch ms), its daemon 120 ms later. */
const marks: StartMarks = {
  daemonStartedAtMs: 10_120,
  networkReadyAtMs: 10_200,
  controlServedAtMs: 10_900,
  hosts: [
    {
      name: 'storage',
      component: 'storage-controller',
      natsStartedAtMs: 10_205,
      serviceStartedAtMs: 10_210,
      healthyAtMs: 11_400,
    },
    {
      name: 'mm',
      component: 'management-module',
      natsStartedAtMs: 10_206,
      serviceStartedAtMs: 10_212,
      healthyAtMs: 12_050.4,
    },
    {
      name: 'HVR2NODO1',
      component: 'hyperv-node',
      natsStartedAtMs: 10_207,
      serviceStartedAtMs: 10_215,
      healthyAtMs: 11_700,
    },
  ],
  allHealthyAtMs: 12_051,
};

describe('the start timeline of dcbox up', () => {
  it('puts every mark in ms since dcbox up began, hosts in the topology order', () => {
    const t = startTimeline(marks, { originMs: 10_000, upCalledAtMs: 10_030, clusterFormedAtMs: 11_750 });
    expect(t).toEqual({
      upCalledMs: 30,
      daemonStartedMs: 120,
      networkReadyMs: 200,
      controlServedMs: 900,
      hosts: [
        {
          name: 'storage',
          component: 'storage-controller',
          natsStartedMs: 205,
          serviceStartedMs: 210,
          healthyMs: 1400,
          startToHealthyMs: 1190,
        },
        {
          name: 'mm',
          component: 'management-module',
          natsStartedMs: 206,
          serviceStartedMs: 212,
          healthyMs: 2050,
          startToHealthyMs: 1838,
        },
        {
          name: 'HVR2NODO1',
          component: 'hyperv-node',
          natsStartedMs: 207,
          serviceStartedMs: 215,
          healthyMs: 1700,
          startToHealthyMs: 1485,
        },
      ],
      allHealthyMs: 2051,
      lastHealthy: 'mm',
      clusterFormedMs: 1750,
    });
  });

  it('keeps what was not reached as null: a docker host has no NATS of its own, a cluster not formed yet', () => {
    const docker: StartMarks = {
      ...marks,
      networkReadyAtMs: null,
      hosts: marks.hosts.map((h) => ({ ...h, natsStartedAtMs: null })),
    };
    const t = startTimeline(docker, { originMs: 10_000, upCalledAtMs: 10_000, clusterFormedAtMs: null });
    expect(t.networkReadyMs).toBeNull();
    expect(t.hosts.map((h) => h.natsStartedMs)).toEqual([null, null, null]);
    expect(t.clusterFormedMs).toBeNull();
    expect(formatTimeline(t)).toContain('cluster formed not yet');
  });

  it('takes the first cluster-formed event of all the nodes, and none when no node formed one', () => {
    const events = [
      { kind: 'joined', time_ms: '11600' },
      { kind: 'cluster-formed', time_ms: '11800' },
      { kind: 'cluster-formed', time_ms: 11_750 },
    ];
    expect(firstFormedAtMs(events)).toBe(11_750);
    expect(firstFormedAtMs([{ kind: 'joined', time_ms: 1 }])).toBeNull();
  });

  it('lists the hosts by when they became healthy, the one the start waited for last', () => {
    const t = startTimeline(marks, { originMs: 10_000, upCalledAtMs: 10_030, clusterFormedAtMs: null });
    expect(formatTimeline(t)[1]).toBe('healthy: storage 1.40 s, HVR2NODO1 1.70 s, mm 2.05 s');
  });
});
