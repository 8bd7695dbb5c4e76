/**
 * Where a run keeps its state: one folder per user (see dcboxHome) with the run's state.json,
 * each host's config, NATS config, logs and data, and the chaos runs' reports.
 */
import { accessSync, chmodSync, constants, lstatSync, mkdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** What choosing dcbox's folder depends on, passed in so that the choice is testable. */
export interface HomeContext {
  env: Record<string, string | undefined>;
  /** The user's id (process.getuid()). */
  uid: number;
  /** Whether a folder exists, belongs to this user and can be written by them. */
  ownsWritable: (dir: string) => boolean;
}

/**
 * dcbox's folder for this user: DCBOX_HOME when set; for root always /tmp/dcbox-0, so that a run
 * started from a login shell, sudo or CI is found by each of the others (their XDG_RUNTIME_DIR
 * differ or is unset); for any other user `$XDG_RUNTIME_DIR/dcbox` when that folder is theirs and
 * writable, else /tmp/dcbox-<uid>. One folder per user, so that a user never meets another's
 * files, as when /tmp/dcbox was shared and a root run left it unwritable for everyone else.
 */
export function chooseDcboxHome(ctx: HomeContext): string {
  const override = ctx.env.DCBOX_HOME;
  if (override) return override;
  const xdg = ctx.env.XDG_RUNTIME_DIR;
  if (ctx.uid !== 0 && xdg && isAbsolute(xdg) && ctx.ownsWritable(xdg)) return join(xdg, 'dcbox');
  return `/tmp/dcbox-${ctx.uid}`;
}

function ownsWritable(uid: number, dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return statSync(dir).uid === uid;
  } catch {
    return false;
  }
}

/** dcbox's folder for the user running this process (chooseDcboxHome on the real context). */
export function dcboxHome(env = process.env): string {
  const uid = process.getuid?.() ?? 0;
  return chooseDcboxHome({ env, uid, ownsWritable: (dir) => ownsWritable(uid, dir) });
}

/** dcbox's folder for this process's user, chosen once at start. */
export const DCBOX_HOME = dcboxHome();
/** The run's folder: removed by `dcbox down` unless it keeps the data. */
export const runDir = join(DCBOX_HOME, 'run');
/**
 * V8's code cache of the bundles dcbox runs (services/process/code-cache.ts): kept across runs,
 * remade by the first start of each build.
 */
export const codeCacheDir = join(DCBOX_HOME, 'code-cache');

/**
 * Creates dcbox's folder, readable by its user only (0700), and returns it. A default folder
 * (not DCBOX_HOME) that another user made, such as a /tmp/dcbox-<uid> planted before, is refused
 * rather than used: the run's state and the management module's credentials live there.
 */
export function ensureDcboxHome(home = DCBOX_HOME, env = process.env): string {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  if (env.DCBOX_HOME) return home;
  const st = lstatSync(home);
  const uid = process.getuid?.() ?? 0;
  if (!st.isDirectory() || st.uid !== uid)
    throw new Error(
      `${home} is not a folder of this user (uid ${uid}); remove it, or choose another with DCBOX_HOME`,
    );
  if ((st.mode & 0o077) !== 0) chmodSync(home, 0o700);
  return home;
}

/**
 * The daemon's control socket (the CLI's way in), as Docker's is: a Unix socket that only its
 * owner may open (0600, in the owner's 0700 run folder), so no other user reaches the API.
 */
export const controlSocketPath = join(runDir, 'control.sock');
/** The control socket as a gRPC target. */
export const controlSocketAddress = `unix://${controlSocketPath}`;
/** The run's state (orchestrator/run/state.ts). */
export const statePath = join(runDir, 'state.json');
/** The daemon's stdout and stderr. */
export const daemonLog = join(runDir, 'orchestrator.log');
/** A host's folder: its config.json, nats.conf, logs and data. */
export const hostDir = (host: string) => join(runDir, 'hosts', host);

/**
 * The orchestrator's backplane port (MM → daemon; the CLI uses controlSocketPath). This and the
 * metrics port sit below Linux's ephemeral range (32768–60999 by default) and below the local
 * runtime's hosts (LOCAL_PORT_BASE), for the same reason as those.
 */
export const CONTROL_PORT = Number(process.env.DCBOX_CONTROL_PORT ?? 27100);
/** Where the daemon serves its own Prometheus /metrics (the faults it injected), on 127.0.0.1. */
export const ORCHESTRATOR_METRICS_PORT = Number(process.env.DCBOX_METRICS_PORT ?? 27101);
/** The Prometheus configuration `dcbox up` writes for the running topology. */
export const prometheusConfigPath = join(runDir, 'prometheus.yml');
/**
 * First port of the local runtime; each host takes ten from here. Below Linux's ephemeral range
 * (32768–60999 by default), so no connection's local port nor a port-0 listener (the SAS and
 * page channels) can take a host's port before that host binds it.
 */
export const LOCAL_PORT_BASE = Number(process.env.DCBOX_PORT_BASE ?? 27200);

/** Names of what a netns run creates, so down can find and sweep them. */
export const BRIDGE = 'dcbox0';
export const NETNS_PREFIX = 'dcbox-';
export const VETH_PREFIX = 'dcbx';
export const RULE_COMMENT = 'dcbox';
