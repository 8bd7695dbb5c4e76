/**
 * Whose run is up. A run belongs to the user who started it: its folder, control socket and
 * token are theirs alone (docs/security.md). Another user's CLI finds no run in its own folder;
 * rather than say "no run is up" while one is, it looks for a daemon of another user in /proc
 * (readable by everyone) and says whose run it is and what to do, as Docker's CLI names the
 * socket it may not open.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DCBOX_HOME } from './paths.js';

/** No run is up, or the named host is not part of it. */
export class NoRunError extends Error {
  constructor(message = 'no dcbox run is up: start one with `dcbox up`') {
    super(message);
    this.name = 'NoRunError';
  }
}

/** A run is up, but another user's: this one may not see or touch it. */
export class NotOwnerError extends NoRunError {
  constructor(message: string) {
    super(message);
    this.name = 'NotOwnerError';
  }
}

/** A user as the refusal names them. */
export interface UserRef {
  uid: number;
  name: string | null;
}

const named = (u: UserRef) => (u.name ? `${u.name} (uid ${u.uid})` : `uid ${u.uid}`);

/** The refusal a user gets for another user's run: whose it is, and what to do. */
export function notOwnerMessage(
  owner: UserRef,
  me: UserRef,
  what = 'a dcbox run is up, but this run',
): string {
  const how =
    owner.uid === 0
      ? 'ask them, or use sudo'
      : `ask them, or run dcbox as them (sudo -u ${owner.name ?? `#${owner.uid}`} dcbox …)`;
  const you = me.name ? `${me.name}, uid ${me.uid}` : `uid ${me.uid}`;
  return `${what} belongs to ${named(owner)}, not to you (${you}): ${how}`;
}

/** A user's name in /etc/passwd's text, or null. */
export function userNameIn(passwd: string, uid: number): string | null {
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && Number(f[2]) === uid && f[2] !== '') return f[0] ?? null;
  }
  return null;
}

/** Whether a process's command line (/proc/PID/cmdline, NUL-separated) is a dcbox daemon's. */
export function isDaemonCmdline(cmdline: string): boolean {
  const args = cmdline.split('\0');
  return args.some((a) => /orchestrator\/daemon\/entry\.(c?js|ts)$/.test(a)) && args.includes('--topology');
}

function userRef(uid: number): UserRef {
  let passwd = '';
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    // No passwd to read: the uid alone names the user.
  }
  return { uid, name: userNameIn(passwd, uid) };
}

/** The uids of the dcbox daemons running on this machine, by pid. */
function daemonUids(): Map<number, number> {
  const found = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!isDaemonCmdline(readFileSync(`/proc/${entry}/cmdline`, 'latin1'))) continue;
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (uid !== undefined) found.set(Number(entry), Number(uid));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/**
 * The owner of this user's dcbox folder when it is another user's (DCBOX_HOME pointed at theirs):
 * the folder's own, or, when a folder above it may not be entered, that folder's.
 */
function foreignOwnerOf(home: string, uid: number): number | null {
  try {
    const owner = statSync(home).uid;
    return owner === uid ? null : owner;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EACCES') return null;
  }
  for (let p = dirname(home); p !== dirname(p); p = dirname(p)) {
    try {
      const owner = statSync(p).uid;
      return owner === uid ? null : owner;
    } catch {
      // Not reachable either: look further up.
    }
  }
  return null;
}

/**
 * Throws NotOwnerError when the run that is up is another user's: a daemon of another user
 * runs, or this user's dcbox folder (DCBOX_HOME pointed at someone else's) is not theirs.
 * Returns when this user has no run and nobody else has one either.
 */
export function refuseOthersRun(home = DCBOX_HOME): void {
  const uid = process.getuid?.() ?? 0;
  const owner =
    foreignOwnerOf(home, uid) ?? [...daemonUids().values()].find((daemonUid) => daemonUid !== uid) ?? null;
  if (owner !== null) throw new NotOwnerError(notOwnerMessage(userRef(owner), userRef(uid)));
}
