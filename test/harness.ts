/**
 * Helpers for integration tests: run the real `dcbox` CLI, reach the run's services with typed
 * clients, and wait on conditions with generous bounds (never exact timings).
 */

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Clients, connect } from '../orchestrator/run/clients.js';
import { clusterState } from '../orchestrator/run/roles.js';
import type { DiskStatus__Output } from '../services/generated/dcbox/node/v1/DiskStatus.js';
import { RECORD_SIZE, recordOffset, verifyRecord } from '../services/hyperv-node/record.js';
import { pollUntil } from '../services/process/poll-until.js';
import { deadline, projectRoot, rpc } from '../services/transport/grpc.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `dcbox <args>` as a user would, from the compiled build; `env` adds to the environment. */
export function dcbox(
  args: string[],
  timeoutMs = 120_000,
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'dcbox.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dcbox ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `dcbox <args>` and fails the test unless it exits 0. */
export async function dcboxOk(args: string[], timeoutMs?: number): Promise<string> {
  const r = await dcbox(args, timeoutMs);
  if (r.code !== 0) throw new Error(`dcbox ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Clients for the run that is up (fresh each call: the state file changes as hosts restart). */
export function clients(): Clients {
  return connect();
}

/** A VM's disk workload status from the node that runs it. */
export async function diskStatus(node: string, vm: string): Promise<DiskStatus__Output> {
  const c = clients();
  try {
    return await rpc<DiskStatus__Output>((cb) =>
      c.node(node).GetDiskStatus({ name: vm }, deadline(3000), cb),
    );
  } finally {
    c.close();
  }
}

export function ackedCount(s: DiskStatus__Output): number {
  return s.acked.reduce((n, r) => n + (Number(r.last) - Number(r.first) + 1), 0);
}

/**
 * Reads every acknowledged record of a VM straight from the storage controller (out of band) and
 * checks each one: magic, CRC, payload and that it is the record of that VM and seq.
 */
export async function verifyAckedRecords(
  vm: string,
  s: DiskStatus__Output,
): Promise<{ checked: number; bad: string[] }> {
  const c = clients();
  const disk = s.disk as NonNullable<DiskStatus__Output['disk']>;
  const bad: string[] = [];
  let checked = 0;
  try {
    for (const range of s.acked) {
      for (let seq = Number(range.first); seq <= Number(range.last); ) {
        const chunk = Math.min(Number(range.last) - seq + 1, 1024);
        const offset = recordOffset(Number(disk.offset_bytes), Number(disk.size_bytes), seq);
        const res = await rpc<{ data: Buffer }>((cb) =>
          c.storage().Read(
            {
              lun: disk.lun,
              initiator: { host: 'HVR2NODO1', port: 'verifier' },
              offset,
              length: chunk * RECORD_SIZE,
            },
            deadline(10_000),
            cb,
          ),
        );
        for (let i = 0; i < chunk; i++) {
          const check = verifyRecord(res.data.subarray(i * RECORD_SIZE, (i + 1) * RECORD_SIZE), {
            vm,
            seq: seq + i,
          });
          checked++;
          if (!check.ok) bad.push(`#${seq + i}: ${check.reason} ${check.detail}`);
        }
        seq += chunk;
      }
    }
  } finally {
    c.close();
  }
  return { checked, bad };
}

/** A port nobody listens on now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Waits until the seed's two nodes form the cluster, HVR2NODO1 (the lowest id) holding the witness. */
export async function seedClusterFormed(c: Clients): Promise<void> {
  await pollUntil(
    async () => {
      const s = await clusterState(c, 'HVR2NODO1');
      return (
        s.service_state === 'Running' && s.members.length === 2 && s.quorum?.witness_owner === 'HVR2NODO1'
      );
    },
    { what: 'the cluster to form with the witness', timeoutMs: 20_000 },
  );
}

export { clusterState, roleOnline } from '../orchestrator/run/roles.js';
