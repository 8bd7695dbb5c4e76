/**
 * What every benchmark session needs: the seed's node names, the cluster's state and events,
 * waiting for the cluster to form and a role to come online, medians, and running a tool.
 */

import { spawn } from 'node:child_process';
import type { Clients } from '../orchestrator/run/clients.js';
import { roleOnline } from '../orchestrator/run/roles.js';
import type { ClusterEvent__Output } from '../services/generated/dcbox/cluster/v1/ClusterEvent.js';
import type { ClusterState__Output } from '../services/generated/dcbox/cluster/v1/ClusterState.js';
import { pollUntil } from '../services/process/poll-until.js';
import { deadline, rpc } from '../services/transport/grpc.js';

/** The seed topology's two nodes. */
export const N1 = 'HVR2NODO1';
export const N2 = 'HVR2NODO2';
/** Bytes in a mebibyte. */
export const MIB = 1024 * 1024;

/** Raw samples of one session, keyed by what they measure. */
export type Samples = Record<string, number | string | boolean>;

/** Waits `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The cluster's state as `node` sees it. */
export function state(c: Clients, node: string): Promise<ClusterState__Output> {
  return rpc<ClusterState__Output>((cb) => c.cluster(node).GetState({}, deadline(3000), cb));
}

/** Every cluster event `node` logged. */
export function events(c: Clients, node: string): Promise<ClusterEvent__Output[]> {
  return rpc<{ events: ClusterEvent__Output[] }>((cb) =>
    c.cluster(node).Events({ since_index: 0 }, deadline(3000), cb),
  ).then((r) => r.events);
}

/** Waits until `node` runs with quorum in a cluster of `members` nodes. */
export async function formed(c: Clients, node: string, members: number): Promise<void> {
  await pollUntil(
    async () => {
      const s = await state(c, node);
      return s.service_state === 'Running' && s.members.length === members && s.quorum?.has_quorum;
    },
    // Every 10 ms, as roleOnline asks: startupMs's clock runs until this is seen.
    { what: 'the cluster to form with quorum', timeoutMs: 120_000, intervalMs: 10 },
  );
}

/** Makes a VM highly available on `node`, brings it online and waits until it is (orchestrator/run/roles.ts). */
export const online = (c: Clients, vm: string, node: string): Promise<void> =>
  roleOnline(c, vm, node, 60_000);

/** The median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Runs a command to completion and returns its stdout; fails on a non-zero exit. */
export function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`)),
    );
  });
}
