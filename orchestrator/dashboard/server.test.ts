import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Observer } from './observer.js';
import { type ControlRequest, startDashboard } from './server.js';

const run = {
  runId: 'r1',
  topology: 'seed',
  runtime: 'netns',
  timing: 'fast',
  startedAtMs: 0,
  allowControl: false,
};

describe('the dashboard server', () => {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const c of closers.splice(0)) c();
  });

  async function serve(token: string | null, asked: ControlRequest[]) {
    const observer = new Observer({ run, hosts: () => [], faults: () => [], auth: {}, mmAuth: () => ({}) });
    const server = await startDashboard(observer, {
      host: '127.0.0.1',
      port: 0,
      token,
      control: async (req) => {
        asked.push(req);
        return 'done';
      },
    });
    closers.push(() => {
      server.close();
      server.closeAllConnections();
      observer.stop();
    });
    return { observer, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  it('is read-only without a token: a control is refused and nothing is asked of the daemon', async () => {
    const asked: ControlRequest[] = [];
    const { base } = await serve(null, asked);
    const res = await fetch(`${base}/api/control`, {
      method: 'POST',
      body: JSON.stringify({ action: 'lift-all' }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/--allow-control/);
    expect(asked).toEqual([]);
  });

  it("passes a power request's chassis on, and refuses a chassis that is not a name", async () => {
    const asked: ControlRequest[] = [];
    const { base } = await serve('t0k3n', asked);
    const post = (body: unknown) =>
      fetch(`${base}/api/control`, {
        method: 'POST',
        headers: { authorization: 'Bearer t0k3n' },
        body: JSON.stringify(body),
      });
    expect((await post({ action: 'power', kind: 'blade', bay: 1, on: false, mm: 'mm-b' })).status).toBe(200);
    expect((await post({ action: 'power', kind: 'blade', bay: 2, on: true })).status).toBe(200);
    const bad = await post({ action: 'power', kind: 'blade', bay: 1, on: false, mm: 7 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/mm must be/);
    expect(asked).toEqual([
      { action: 'power', kind: 'blade', bay: 1, on: false, mm: 'mm-b' },
      { action: 'power', kind: 'blade', bay: 2, on: true },
    ]);
  });

  it('serves the page, uPlot and the state, and streams the events it is given', async () => {
    const { base, observer } = await serve('t0k3n', []);
    expect((await fetch(`${base}/`)).headers.get('content-type')).toMatch(/text\/html/);
    expect((await (await fetch(`${base}/vendor/uPlot.iife.min.js`)).text()).length).toBeGreaterThan(10_000);
    observer.log('power', 'HVR2NODO2', 'HVR2NODO2 powered off', {
      host: 'HVR2NODO2',
      component: 'hyperv-node',
      bay: { kind: 'blade', number: 2 },
      on: false,
    });
    const state = (await (await fetch(`${base}/api/state`)).json()) as { events: { seq: number }[] };
    expect(state.events.map((e) => e.seq)).toEqual([1]);
    const ac = new AbortController();
    const res = await fetch(`${base}/api/stream?after=0`, { signal: ac.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^event: event\ndata: \{"seq":1,/);
    ac.abort();
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    const wrong = await fetch(`${base}/api/control`, { method: 'POST', body: '{}' });
    expect(wrong.status).toBe(401);
  });
});
