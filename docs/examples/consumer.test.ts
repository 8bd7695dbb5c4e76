/**
 * dcbox from another project's vitest suite: the seed data center in containers, blade 2 powered
 * off through the management module's Redfish service, and VirtualMachine1 back online on the
 * other node. README.md quotes this file; test/package.test.ts runs it (and type-checks it with
 * `tsc --noEmit`, strict) in a fresh project that installed the packed dcbox.
 *
 * The first run builds the dcbox:local image from the installed package (seconds: it adds the
 * package and the packages it loads to the base image); DCBOX_IMAGE names a prebuilt image to
 * use instead.
 */
import { request } from 'node:https';
import { type DataCenter, startDataCenter } from 'dcbox/testing';
import { expect, it } from 'vitest';

type ClusterState = {
  members: unknown[];
  roles: { name: string; owner: string; state: string; last_error: string }[];
};

/** A unary gRPC call as a promise. */
function call<T>(fn: (cb: (err: Error | null, res?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res as T))));
}

/**
 * Polls `check` every 100 ms until it returns something, or fails naming what it waited for and
 * what `seen` says of the last poll.
 */
async function until<T>(what: string, check: () => Promise<T | undefined>, seen: () => unknown): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new Error(`timed out after 30 s waiting for ${what}; last seen: ${JSON.stringify(seen())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The cluster events both nodes logged (their kinds and messages), for a failure's message. */
async function events(dc: DataCenter): Promise<string> {
  const lines: string[] = [];
  for (const node of ['HVR2NODO1', 'HVR2NODO2']) {
    try {
      const list = await call<{ events: { kind: string; message: string }[] }>((cb) =>
        dc.clients.cluster(node).Events({ since_index: 0 }, cb),
      );
      lines.push(...list.events.map((e) => `${node}: ${e.kind}: ${e.message}`));
    } catch (err) {
      lines.push(`${node}: ${(err as Error).message}`);
    }
  }
  return lines.join('\n');
}

/**
 * A Redfish request with the management module's account, over HTTPS trusting the MM's own
 * certificate (dc.mm.redfishCa) as the only CA. Resolves with the status and the JSON body.
 */
function redfish(dc: DataCenter, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const { username, password } = dc.mm.credentials;
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, dc.mm.redfish),
      {
        method: body ? 'POST' : 'GET',
        ca: dc.mm.redfishCa ?? undefined,
        auth: `${username}:${password}`,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null }));
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

it('brings the role of a blade powered off through Redfish back on the other node', {
  timeout: 300_000,
}, async () => {
  const dc = await startDataCenter({ timing: 'fast', dashboard: false, image: process.env.DCBOX_IMAGE });
  try {
    const node1 = dc.clients.cluster('HVR2NODO1');
    const node2 = dc.clients.cluster('HVR2NODO2');
    const state = () => call<ClusterState>((cb) => node1.GetState({}, cb));
    let seen: unknown; // what the last poll saw, for a timeout's message
    // Formed once both nodes see both members: the calls below go to HVR2NODO2.
    const members = async () => {
      const both = [await state(), await call<ClusterState>((cb) => node2.GetState({}, cb))];
      seen = both.map((s) => s.members.length);
      return both.every((s) => s.members.length === 2) ? true : undefined;
    };
    const role = (owner: string) => async () => {
      const r = (await state()).roles.find((x) => x.name === 'VirtualMachine1');
      seen = r && { owner: r.owner, state: r.state, last_error: r.last_error };
      return r?.owner === owner && r.state === 'Online' ? r : undefined;
    };
    await until('the cluster to form', members, () => seen);

    // VirtualMachine1 is defined on HVR2NODO2 (topologies/seed.yaml): make it a clustered role there.
    await call((cb) =>
      node2.MakeHighlyAvailable({ vm: 'VirtualMachine1', preferred_owners: [], allow_failback: false }, cb),
    );
    await call((cb) => node2.Online({ name: 'VirtualMachine1' }, cb));
    await until('VirtualMachine1 online on HVR2NODO2', role('HVR2NODO2'), () => seen);

    // Blade 2 (HVR2NODO2) loses power as if pulled from the management module.
    const reset = await redfish(dc, 'Systems/blade2/Actions/ComputerSystem.Reset', { ResetType: 'ForceOff' });
    expect(reset.status).toBeLessThan(300);
    const blade2 = (await redfish(dc, 'Systems/blade2')).json as { PowerState: string };
    expect(blade2.PowerState).toBe('Off');

    const back = await until('VirtualMachine1 online again on HVR2NODO1', role('HVR2NODO1'), () => seen);
    expect(back.owner).toBe('HVR2NODO1');
  } catch (err) {
    // Say what the cluster did: each node's events (node removed, role failed, moved…).
    throw new Error(`${(err as Error).message}\ncluster events:\n${await events(dc)}`);
  } finally {
    await dc.stop(); // every container and the network of the run
  }
});
