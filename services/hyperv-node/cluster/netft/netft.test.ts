/**
 * The heartbeat thread with a real NATS server, its real worker thread, and a peer in another
 * process that heartbeats this one every 50 ms: the answers keep coming while the service's
 * event loop is busy for 1.5 seconds, and stop once the service has been silent for the hang
 * timeout, to resume when it checks in again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../actor/clock.js';
import type { View } from '../core/state.js';
import { HANG_TIMEOUT_DELAYS, NetFt } from './netft.js';
import type { StandingView } from './standing.js';

const PORT = 14_000 + Math.floor(Math.random() * 1000);
const URL = `nats://127.0.0.1:${PORT}`;
const SUBJECT = 'dcbox.v1.cluster.TEST.hb.NODE';
const DELAY_MS = 50; // hang timeout: 60 delays = 3 s
const now = () => systemClock.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The service's event loop does nothing else for `ms` (a busy or hung cluster service). */
function busy(ms: number): { from: number; to: number } {
  const from = now();
  while (now() < from + ms) {
    // spin
  }
  return { from, to: now() };
}

interface Probe {
  t: number;
  ok: boolean;
  madeAt?: number;
  leaseRemainingMs?: number;
}

/** The peer: another process heartbeating SUBJECT every 50 ms (250 ms timeout) for `ms`. */
function peer(ms: number): { child: ChildProcess; probes: Promise<Probe[]> } {
  const script = `
    import { connect } from '@nats-io/transport-node';
    const nc = await connect({ servers: '${URL}' });
    const until = Date.now() + ${ms};
    const out = [];
    while (Date.now() < until) {
      const t = Date.now();
      try {
        const m = await nc.request('${SUBJECT}', new TextEncoder().encode('{"node":"PEER"}'), { timeout: 250 });
        const v = JSON.parse(new TextDecoder().decode(m.data));
        out.push({ t, ok: true, madeAt: v.madeAt, leaseRemainingMs: v.leaseRemainingMs });
      } catch {
        out.push({ t, ok: false });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    console.log(JSON.stringify(out));
    await nc.close();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += String(d);
  });
  const probes = new Promise<Probe[]>((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Probe[]) : reject(new Error(`peer exited ${code}`)),
    ),
  );
  return { child, probes };
}

/** A standing view made now, with a lease of one second from now. */
function standingNow(): StandingView {
  const t = now();
  return { view: { node: 'NODE', madeAt: t } as View, leaseUntil: t + 1000, witnessFreshUntil: null };
}

describe('the heartbeat thread (NATS, a worker thread, a peer process)', () => {
  let server: ChildProcess;
  let netft: NetFt;
  const logs: string[] = [];
  let heard = 0;

  beforeAll(async () => {
    server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(PORT)], { stdio: 'ignore' });
    await sleep(300);
    netft = new NetFt({
      natsUrl: URL,
      name: 'hyperv-node:NODE',
      subject: SUBJECT,
      delayMs: DELAY_MS,
      onHeartbeat: (view) => {
        if (view?.node === 'PEER') heard++;
        return standingNow();
      },
      log: (_level, msg) => logs.push(msg),
      onFailure: (err) => logs.push(`failure: ${err.message}`),
    });
    await netft.ready;
  });

  afterAll(() => {
    netft?.stop();
    server?.kill();
  });

  it('answers through a busy event loop, stops when it hangs, and goes on when it checks in again', async () => {
    expect(HANG_TIMEOUT_DELAYS * DELAY_MS).toBe(3000);
    const { probes } = peer(10_500);
    await sleep(1500);
    const busyFor = busy(1500);
    await sleep(1500);
    const heardBefore = heard;
    const hang = busy(4000);
    const all = await probes;
    const within = (p: Probe, from: number, to: number) => p.t >= from && p.t < to;

    // Before: every heartbeat answered by the service itself, with a view made as it answered.
    const before = all.filter((p) => p.t < busyFor.from - 100);
    expect(before.length).toBeGreaterThan(15);
    expect(before.every((p) => p.ok && p.madeAt !== undefined && p.madeAt >= p.t - 100)).toBe(true);

    // Busy for 1.5 s: every heartbeat still answered, by the thread, with the view of before the
    // busy spell and the lease it had left at each answer (one second, then none).
    const during = all.filter((p) => within(p, busyFor.from + 100, busyFor.to - 100));
    expect(during.length).toBeGreaterThan(10);
    expect(during.filter((p) => !p.ok)).toEqual([]);
    expect(during.every((p) => (p.madeAt ?? 0) <= busyFor.from)).toBe(true);
    // The lease left at each answer, given between the request (t) and its timeout (t + 250).
    for (const p of during) {
      const end = (p.madeAt ?? 0) + 1000;
      expect(p.leaseRemainingMs).toBeLessThanOrEqual(Math.max(0, end - p.t));
      expect(p.leaseRemainingMs).toBeGreaterThanOrEqual(Math.max(0, end - p.t - 250));
    }
    expect(during[0]?.leaseRemainingMs).toBeGreaterThan(500);
    expect(during.at(-1)?.leaseRemainingMs).toBe(0);

    // Hung for 4 s: answered for the 3 s of the hang timeout, then not at all.
    const early = all.filter((p) => within(p, hang.from + 100, hang.from + 2800));
    const late = all.filter((p) => within(p, hang.from + 3300, hang.to - 100));
    expect(early.length).toBeGreaterThan(15);
    expect(early.filter((p) => !p.ok)).toEqual([]);
    expect(late.length).toBeGreaterThanOrEqual(2);
    expect(late.filter((p) => p.ok)).toEqual([]);

    // Checked in again: answered by the service once more.
    const after = all.filter((p) => p.t >= hang.to + 300);
    expect(after.length).toBeGreaterThan(10);
    expect(after.every((p) => p.ok && (p.madeAt ?? 0) >= hang.to)).toBe(true);
    expect(heard).toBeGreaterThan(heardBefore);
    expect(logs).toContain('the cluster service stopped checking in: its heartbeats stopped');
    expect(logs).toContain('the cluster service checks in again: its heartbeats go on');
    expect(logs.filter((l) => l.startsWith('failure'))).toEqual([]);
  }, 30_000);

  it("sends the service's heartbeats: the peer's view, or null when nobody answers", async () => {
    const answered = await netft.heartbeat(SUBJECT, { node: 'PEER' } as View, 250);
    expect(answered?.node).toBe('NODE');
    expect(
      await netft.heartbeat('dcbox.v1.cluster.TEST.hb.NOBODY', { node: 'NODE' } as View, 250),
    ).toBeNull();
  });
});
