/**
 * The leader's pushes over a real NATS server to two members that record what they were sent:
 * whole at first, then deltas; whole again to a member that no longer holds the base, and in a
 * new membership.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DcboxError } from '../../actor/errors.js';
import { connectNats, decodeJson, encodeJson, type NatsConnection } from '../../transport/nats.js';
import { subjects } from '../../transport/subjects.js';
import { applyDelta } from './config-delta.js';
import { ConfigPushQueue } from './config-push.js';
import { bump, withRole } from './core/replication.js';
import type { ClusterConfig, ClusterState, RoleConfig } from './core/state.js';
import type { NodeReply, NodeRequest } from './node-protocol.js';

const PORT = 15_000 + Math.floor(Math.random() * 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A member that keeps the configuration it was sent, and can be made to forget it. */
function member(nc: NatsConnection, name: string) {
  const m = { got: [] as ('whole' | 'delta')[], config: null as ClusterConfig | null, forget: false };
  nc.subscribe(subjects.clusterNode('C', name), {
    callback: (_err, msg) => {
      const req = decodeJson<Extract<NodeRequest, { kind: 'push' }>>(msg.data);
      let reply: NodeReply = { ok: true };
      if ('delta' in req) {
        m.got.push('delta');
        if (m.forget || m.config?.version !== req.delta.base)
          reply = { ok: false, code: 'BAD_STATE', message: 'no base' };
        else m.config = applyDelta(m.config, req.delta);
      } else {
        m.got.push('whole');
        m.config = req.config;
      }
      m.forget = false;
      msg.respond(encodeJson(reply));
    },
  });
  return m;
}

describe('configuration pushes (NATS)', () => {
  let server: ChildProcess;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(PORT)], { stdio: 'ignore' });
    await sleep(300);
    nc = await connectNats(`nats://127.0.0.1:${PORT}`, 'test');
  });
  afterAll(async () => {
    await nc?.close();
    server?.kill();
  });

  it('sends whole, then deltas, and whole again where the base is gone or the membership changed', async () => {
    const m1 = member(nc, 'N2');
    const m2 = member(nc, 'N3');
    const settled: (DcboxError | null)[] = [];
    const q = new ConfigPushQueue({
      nc,
      cluster: 'C',
      host: 'N1',
      timeoutMs: 1000,
      witness: null,
      witnessKeepsConfig: false,
      witnessState: () => ({ held: false, epoch: 0 }),
      leads: () => true,
      settle: (_r, e) => settled.push(e),
      log: () => {},
    });
    let config: ClusterConfig = { version: 0, roles: {}, csv: {} };
    const push = async (epoch: number) => {
      config = bump({ config } as ClusterState, (c) =>
        withRole(c, { name: `VM${c.version}`, owner: 'N1' } as RoleConfig),
      ).config;
      q.queue({
        type: 'push',
        to: ['N2', 'N3'],
        config,
        epoch,
        members: ['N1', 'N2', 'N3'],
        leader: 'N1',
        needed: 2,
        replyTo: [`r${config.version}`],
      });
      while (settled.length < config.version) await sleep(10);
    };
    await push(1);
    await push(1);
    m2.forget = true;
    await push(1);
    await push(2);
    expect(m1.got).toEqual(['whole', 'delta', 'delta', 'whole']);
    expect(m2.got).toEqual(['whole', 'delta', 'delta', 'whole', 'whole']);
    expect(settled).toEqual([null, null, null, null]);
    expect(m1.config).toEqual(config);
    expect(m2.config).toEqual(config);
  });
});
