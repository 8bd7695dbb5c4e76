/**
 * The run's state file: what a run made, kept up to date by the daemon so that the CLI can
 * find the hosts and `dcbox down` can sweep everything even after a crash.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Component } from '../../services/process/config.js';
import type { HostAddress, RuntimeKind } from '../runtime/runtime.js';
import { statePath } from './paths.js';

/** One host as the daemon last wrote it: where it is, its power and its processes. */
export interface HostState extends HostAddress {
  component: Component;
  bay?: { kind: 'blade' | 'io'; number: number };
  powered: boolean;
  pids: { nats: number | null; service: number | null };
}

/** The run that is up, as state.json holds it; the daemon writes it, every command reads it. */
export interface RunState {
  runId: string;
  topologyFile: string;
  topology: string;
  runtime: RuntimeKind;
  timing: string;
  startedAtMs: number;
  readyAtMs: number | null;
  daemonPid: number;
  /** The daemon's control API for the CLI: `unix://…/control.sock` in the run folder (owner-only). */
  controlAddress: string;
  /** The run's secret token (services/transport/call-auth.ts); absent in a run from before it. */
  runToken?: string;
  hosts: HostState[];
  partitions: string[];
  /** Where the dashboard is served (absent when none was asked for). */
  dashboard?: { url: string; token: string | null; error?: string } | null;
}

/** The run's state, or null when no run left one (or it is being rewritten). */
export function readState(): RunState | null {
  if (!existsSync(statePath)) return null;
  try {
    return JSON.parse(readFileSync(statePath, 'utf8')) as RunState;
  } catch {
    return null;
  }
}

/**
 * Replaces the run's state at once (written beside it, then renamed), so readers never see half.
 * Readable by its owner only: it holds the run's token and the dashboard's.
 */
export function writeState(state: RunState): void {
  writeFileSync(`${statePath}.tmp`, JSON.stringify(state, null, 2), { mode: 0o600 });
  renameSync(`${statePath}.tmp`, statePath);
}

/** True when a process with this pid exists (and is not a zombie we could not reap). */
export function alive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return true;
  }
}

/** The daemon's entry, as its command line names it (dist/….js built, ….ts from source). */
const DAEMON_ENTRY = /orchestrator\/daemon\/entry\.(c?js|ts)(\0|$)/;

/**
 * True when the run's daemon is still running: its pid is alive *and* is still a dcbox daemon.
 * A state file outlives a reboot (or a crash), and its pid may since belong to any process, which
 * `dcbox up` must not take for a run and `dcbox down` must not kill.
 */
export function daemonAlive(state: Pick<RunState, 'daemonPid'>): boolean {
  if (!alive(state.daemonPid)) return false;
  try {
    return DAEMON_ENTRY.test(readFileSync(`/proc/${state.daemonPid}/cmdline`, 'latin1'));
  } catch {
    return false;
  }
}

/** Resident memory of a process in bytes, from /proc (0 when gone). */
export function rssBytes(pid: number | null | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
