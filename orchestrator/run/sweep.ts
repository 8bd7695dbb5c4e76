/**
 * `dcbox down`: stop the daemon, then sweep everything any dcbox run made on this machine —
 * processes (found by the DCBOX_RUN mark in their environment), network namespaces, the bridge
 * and veths, iptables rules, containers and networks labelled `dcbox.run` (the docker runtime and
 * the testcontainers helper) and the run folder — and check that nothing is left.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dmaDir, removeDmaDir } from '../../services/sas/dma.js';
import { clientOptions, deadline, insecure, protos, rpc } from '../../services/transport/grpc.js';
import { dockerLeftovers, sweepDocker } from '../containers/sweep.js';
import { run, tryRun } from '../runtime/exec.js';
import { refuseOthersRun } from './owner.js';
import { BRIDGE, NETNS_PREFIX, RULE_COMMENT, runDir, VETH_PREFIX } from './paths.js';
import { alive, daemonAlive, readState } from './state.js';

/** What a sweep found still present. Empty lists mean a clean machine. */
export interface Leftovers {
  processes: number[];
  namespaces: string[];
  links: string[];
  rules: string[];
  /** Docker containers and networks labelled with a run. */
  containers: string[];
  networks: string[];
  /** Blades' shared-memory regions (services/sas/dma.ts). */
  regions: string[];
}

/** Pids of every process that carries a dcbox run mark (any run). */
export function markedProcesses(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1');
      if (env.includes('\0DCBOX_RUN=') || env.startsWith('DCBOX_RUN=')) {
        if (alive(pid)) out.push(pid);
      }
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return out;
}

function namespaces(): string[] {
  if (!tryRun('ip', ['netns', 'list'])) return [];
  return run('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(NETNS_PREFIX));
}

function links(): string[] {
  if (!tryRun('ip', ['-o', 'link', 'show'])) return [];
  return run('ip', ['-o', 'link', 'show'])
    .split('\n')
    .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1] ?? '')
    .filter((n) => n === BRIDGE || n.startsWith(VETH_PREFIX));
}

function rules(): string[] {
  if (process.getuid?.() !== 0 || !tryRun('iptables', ['-S', 'FORWARD'])) return [];
  return run('iptables', ['-S', 'FORWARD'])
    .split('\n')
    .filter((l) => l.includes(`--comment ${RULE_COMMENT}`) || l.includes(`-i ${BRIDGE}`));
}

/** Looks for anything a dcbox run left on this machine. */
export function leftovers(): Leftovers {
  return {
    processes: markedProcesses(),
    namespaces: namespaces(),
    links: links(),
    rules: rules(),
    ...dockerLeftovers(),
    regions: existsSync(dmaDir()) ? readdirSync(dmaDir()) : [],
  };
}

/** True when a sweep found nothing of any run on the machine. */
export function isClean(l: Leftovers): boolean {
  return (
    l.processes.length +
      l.namespaces.length +
      l.links.length +
      l.rules.length +
      l.containers.length +
      l.networks.length +
      l.regions.length ===
    0
  );
}

/** Asks a live daemon to stop, and kills it if it does not. */
async function stopDaemon(): Promise<boolean> {
  const state = readState();
  if (!state || !daemonAlive(state)) return false;
  try {
    const p = protos();
    const client = new p.dcbox.orchestrator.v1.Orchestrator(
      state.controlAddress,
      insecure(),
      clientOptions({ runToken: state.runToken }),
    );
    await rpc((cb) => client.Shutdown({}, deadline(2000), cb));
    client.close();
  } catch {
    // Fall through to the kill below.
  }
  const until = Date.now() + 5000;
  while (daemonAlive(state) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  if (daemonAlive(state)) process.kill(state.daemonPid, 'SIGKILL');
  return true;
}

/** What `dcbox down` did: whether the daemon stopped, what it removed, what is still there. */
export interface SweepReport {
  daemonStopped: boolean;
  removed: Leftovers;
  remaining: Leftovers;
  dataKept: boolean;
}

/** Stops the run and removes everything; `keepData` leaves the run folder (logs, LUNs). */
export async function down(opts: { keepData?: boolean } = {}): Promise<SweepReport> {
  // What another user's run made is theirs (and root's): say whose rather than fail on it.
  if (!readState()) refuseOthersRun();
  const daemonStopped = await stopDaemon();
  const found = leftovers();
  for (const pid of found.processes) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  for (const ns of found.namespaces) {
    for (const pid of tryRun('ip', ['netns', 'pids', ns])
      ? run('ip', ['netns', 'pids', ns]).split('\n').filter(Boolean)
      : []) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    tryRun('ip', ['netns', 'del', ns]);
  }
  for (const link of links()) tryRun('ip', ['link', 'del', link]);
  for (const rule of rules()) tryRun('iptables', rule.replace(/^-A /, '-D ').split(' '));
  sweepDocker(found);
  // Every process that mapped a region is gone now.
  removeDmaDir();
  if (!opts.keepData && !process.env.DCBOX_KEEP_DATA) rmSync(runDir, { recursive: true, force: true });
  // Killed processes take a moment to be reaped by their parents.
  let remaining = leftovers();
  const until = Date.now() + 3000;
  while (!isClean(remaining) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    remaining = leftovers();
  }
  return { daemonStopped, removed: found, remaining, dataKept: !!opts.keepData };
}
