import { describe, expect, it } from 'vitest';
import { type ContainerPower, powerOff, powerOn } from './power.js';

/** An engine that records the calls it gets. */
function recordingEngine(pid: number | null): { engine: ContainerPower; calls: string[] } {
  const calls: string[] = [];
  const engine: ContainerPower = {
    kill: async (c) => void calls.push(`kill ${c}`),
    waitStopped: async (c) => void calls.push(`wait ${c}`),
    start: async (c) => void calls.push(`start ${c}`),
    initPid: async (c) => {
      calls.push(`pid ${c}`);
      return pid;
    },
  };
  return { engine, calls };
}

describe('container power', () => {
  it('kills the container and waits until it has stopped', async () => {
    const { engine, calls } = recordingEngine(null);
    await powerOff(engine, 'dcbox-r-node1');
    expect(calls).toEqual(['kill dcbox-r-node1', 'wait dcbox-r-node1']);
  });

  it('hands the new init pid over once the container has started', async () => {
    const { engine, calls } = recordingEngine(4242);
    const seen: (number | null)[] = [];
    await powerOn(engine, 'dcbox-r-node1', { onStarted: (pid) => seen.push(pid) });
    expect(calls).toEqual(['start dcbox-r-node1', 'pid dcbox-r-node1']);
    expect(seen).toEqual([4242]);
  });

  it('does not ask for the pid when nobody needs it', async () => {
    const { engine, calls } = recordingEngine(4242);
    await powerOn(engine, 'dcbox-r-node1');
    expect(calls).toEqual(['start dcbox-r-node1']);
  });
});
