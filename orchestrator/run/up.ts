/**
 * `dcbox up`: validates the topology in the foreground, sweeps what an earlier run left, starts
 * the orchestrator daemon detached and streams its progress until every service is healthy.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CODE_CACHE_ENV } from '../../services/process/code-cache.js';
import { entryFile, FROM_SOURCE, sourceNodeFlags } from '../../services/process/from-source.js';
import { parseInjectedBugs } from '../../services/process/injected-bugs.js';
import { projectRoot } from '../../services/process/root.js';
import type { DaemonMessage, StartMessage } from '../daemon/entry.js';
import { defaultRuntime, type RuntimeKind } from '../runtime/runtime.js';
import { loadTopology, resolveTopology } from '../topology/topology.js';
import { refuseOthersRun } from './owner.js';
import { codeCacheDir, daemonLog, ensureDcboxHome, runDir } from './paths.js';
import type { StartMarks } from './start-timeline.js';
import { daemonAlive, readState } from './state.js';
import { down, isClean, leftovers } from './sweep.js';

/** A failure the user caused or can fix; printed as one line. */
export class UsageError extends Error {}

const UP_TIMEOUT_MS = 90_000;

/** The topology file for an argument: a path, a name in topologies/, or seed when none. */
export function topologyPath(arg: string | undefined): string {
  const name = arg ?? 'seed';
  if (existsSync(name)) return resolve(name);
  const shipped = join(projectRoot, 'topologies', name.endsWith('.yaml') ? name : `${name}.yaml`);
  if (existsSync(shipped)) return shipped;
  throw new UsageError(`no topology ${name}: give a file path or one of topologies/*.yaml`);
}

/** What `dcbox up` is asked for. */
export interface UpOptions {
  topology?: string;
  runtime?: RuntimeKind;
  timing?: string;
  quiet?: boolean;
  /** host:port of the dashboard, or "off" (default 127.0.0.1:8080). */
  dashboard?: string;
  allowControl?: boolean;
}

/** The daemon's command line for a topology file and the options (the dashboard's checked). */
function daemonArgs(file: string, opts: UpOptions): string[] {
  const args = ['--topology', file, '--runtime', opts.runtime ?? defaultRuntime()];
  if (opts.timing) args.push('--timing', opts.timing);
  if (opts.dashboard) {
    if (opts.dashboard !== 'off' && !/^[^:]+:\d{1,5}$/.test(opts.dashboard))
      throw new UsageError(`--dashboard wants HOST:PORT or off, not ${JSON.stringify(opts.dashboard)}`);
    args.push('--dashboard', opts.dashboard);
  }
  if (opts.allowControl) args.push('--allow-control');
  return args;
}

/** What a started run reports: the daemon's own start-to-ready time and its timeline's marks. */
export interface Started {
  /** From the daemon's start to every service healthy. */
  readyMs: number;
  /** When `startRun` was called (epoch ms). */
  calledAtMs: number;
  marks: StartMarks;
}

/** Starts the daemon for a topology and streams its progress; resolves when it is ready. */
export async function up(opts: UpOptions): Promise<number> {
  return (await startRun(opts)).readyMs;
}

/**
 * `up` with the daemon's marks of the start, for its timeline (start-timeline.ts). The topology
 * is resolved here, in the foreground, and handed to the daemon over its IPC channel, so that
 * the daemon never loads the topology's parser. On a machine with no earlier run's state the
 * daemon is forked before the look for leftovers, and loads while it runs (~50 ms); a dirty
 * machine stops that daemon, is swept, and gets a fresh one.
 */
export async function startRun(opts: UpOptions): Promise<Started> {
  const calledAtMs = Date.now();
  const file = topologyPath(opts.topology);
  // Fail here, in the foreground, with the file's own errors.
  const topo = resolveTopology(loadTopology(file), file, opts.timing);
  // The services inherit DCBOX_INJECT_BUG through the daemon; a bad name fails here, not in them.
  parseInjectedBugs(process.env.DCBOX_INJECT_BUG);
  const args = daemonArgs(file, opts);
  const daemon = entryFile(projectRoot, 'orchestrator/daemon/entry');
  if (!existsSync(daemon)) throw new UsageError('dcbox is not built: run `npm run build` first');
  const existing = readState();
  // Another user's run holds the machine's bridge and ports; sweeping it is not ours to do.
  if (!existing) refuseOthersRun();
  if (existing && daemonAlive(existing))
    throw new UsageError(
      `a run is already up (topology ${existing.topology}, daemon pid ${existing.daemonPid}); run \`dcbox down\` first`,
    );
  let child = existing ? null : forkDaemon(daemon, args);
  if (existing || !isClean(leftovers())) {
    if (child) await stopUnstarted(child);
    if (!opts.quiet) console.log('sweeping what an earlier run left behind');
    await down();
    child = forkDaemon(daemon, args);
  }
  const started = child as ChildProcess;
  started.send({ type: 'start', topology: topo } satisfies StartMessage);
  return awaitReady(started, calledAtMs, opts);
}

/** Forks the daemon detached, its output in the run's log; it waits for a StartMessage. */
function forkDaemon(daemon: string, args: string[]): ChildProcess {
  ensureDcboxHome();
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const log = openSync(daemonLog, 'a');
  try {
    return fork(daemon, args, {
      detached: true,
      stdio: ['ignore', log, log, 'ipc'],
      // The daemon and the services it starts share this user's code cache, unless told otherwise.
      env: { ...process.env, [CODE_CACHE_ENV]: process.env[CODE_CACHE_ENV] ?? codeCacheDir },
      // From source the daemon gets tsx's loader alone, not the tsx command's own flags.
      ...(FROM_SOURCE ? { execArgv: sourceNodeFlags() } : {}),
    });
  } finally {
    closeSync(log);
  }
}

/** Stops a daemon that was never told to start (it has made nothing) and waits until it exited. */
function stopUnstarted(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    child.once('exit', () => resolvePromise());
    child.kill('SIGKILL');
  });
}

/** Streams the daemon's progress until it is ready; fails with its error, exit or a timeout. */
function awaitReady(child: ChildProcess, calledAtMs: number, opts: UpOptions): Promise<Started> {
  return new Promise<Started>((resolvePromise, reject) => {
    child.on('message', (m: DaemonMessage) => {
      if (m.type === 'progress' && !opts.quiet) console.log(`  ${m.text}`);
      if (m.type === 'ready') {
        child.disconnect();
        child.unref();
        resolvePromise({ readyMs: m.elapsedMs, calledAtMs, marks: m.marks });
      }
      if (m.type === 'failed') reject(new UsageError(`dcbox up failed: ${m.error} (log: ${daemonLog})`));
    });
    child.on('exit', (code) =>
      reject(new UsageError(`the orchestrator exited (code ${code}) before it was ready; see ${daemonLog}`)),
    );
    // Every host has its own health deadline; this bounds the whole start so a wedged daemon
    // cannot leave `dcbox up` waiting forever.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new UsageError(`the orchestrator was not ready within ${UP_TIMEOUT_MS / 1000} s; see ${daemonLog}`),
      );
    }, UP_TIMEOUT_MS);
    timer.unref();
    child.on('message', (m: DaemonMessage) => {
      if (m.type !== 'progress') clearTimeout(timer);
    });
  });
}
