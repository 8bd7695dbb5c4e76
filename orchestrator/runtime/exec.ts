/**
 * Runs system commands (ip, iptables) and reports failures with the command and its stderr.
 */
import { spawnSync } from 'node:child_process';

/** A system command that failed; the message carries the command line and what it printed. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly status: number | null,
    readonly stderr: string,
  ) {
    super(`${command} failed (exit ${status}): ${stderr.trim() || '(no output)'}`);
    this.name = 'CommandError';
  }
}

/** Runs a command synchronously; throws CommandError unless it exits 0 (or `ok` says so). */
export function run(
  cmd: string,
  args: string[],
  opts: { input?: string; ok?: (status: number | null) => boolean } = {},
): string {
  const r = spawnSync(cmd, args, { input: opts.input, encoding: 'utf8' });
  if (r.error) throw new CommandError(`${cmd} ${args.join(' ')}`, null, r.error.message);
  const ok = opts.ok ?? ((s) => s === 0);
  if (!ok(r.status)) throw new CommandError(`${cmd} ${args.join(' ')}`, r.status, r.stderr);
  return r.stdout;
}

/** Runs a command and returns whether it succeeded, ignoring its output. */
export function tryRun(cmd: string, args: string[], input?: string): boolean {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  return !r.error && r.status === 0;
}

/** True when a program is on PATH. */
export function have(program: string): boolean {
  return tryRun('sh', ['-c', `command -v ${program}`]);
}
