/**
 * The AMM command line, pure: one session's state, and what each input line prints. The telnet
 * adapter feeds it lines and carries out what it asks (a power change, a delay after a failed
 * login, closing the connection). Commands, targets and prompts are those fence_bladecenter and
 * the JCS1200/AMM CLI use (docs/domain.md §AMM CLI). Error texts the sources do not give are our own,
 * AMM-like and marked UNVERIFIED where they appear.
 */
import type { BayView, LogEntry, PowerAction, viewChassis } from './core.js';
import { credentialsMatch } from './endpoints.js';

/** The chassis as the CLI reads it (core.viewChassis at the current time). */
export type ChassisView = ReturnType<typeof viewChassis>;

/** A CLI target: the chassis, or one module as `system:blade[2]` names it. */
export type Target = { type: 'system' } | { type: 'mm' | 'blade' | 'switch' | 'storage'; number: number };

/** Logins tried on one connection before it is closed, as telnet servers commonly do. */
export const LOGIN_ATTEMPTS_MAX = 3;

/** One telnet connection's state. */
export interface CliSession {
  phase: 'username' | 'password' | 'command' | 'closed';
  username: string;
  target: Target;
  failures: number;
}

/** What the adapter must do for a power command: the same request as the gRPC Power. */
export interface PowerRequest {
  kind: 'blade' | 'io';
  bay: number;
  action: PowerAction;
}

/** The result of one input line. */
export interface CliStep {
  session: CliSession;
  /** Lines to print, before the prompt. */
  lines: string[];
  /** The prompt to print after the lines (and after a power request completes), or null. */
  prompt: string | null;
  /** A power change to carry out; its result is printed with powerDone(). */
  power?: PowerRequest;
  /** A login was refused: delay the answer, and count it. */
  loginFailed?: { user: string };
  /** A login succeeded (for the event log). */
  loginOk?: { user: string };
}

/** What a line is checked against. */
export interface CliContext {
  chassis: ChassisView;
  log: LogEntry[];
  credentials: { username: string; password: string };
}

/** The commands this CLI knows. */
const COMMANDS = new Set(['env', 'power', 'list', 'health', 'displaylog', 'help', 'exit']);

/** Bays of each module type in a BladeCenter S, and its one management module. */
const TARGET_BAYS = { mm: 1, blade: 6, switch: 4, storage: 2 } as const;

// AMM-like error texts (UNVERIFIED: no source here gives the AMM's exact wording).
export const ERR_UNKNOWN_COMMAND = "Command not recognized. Type 'help' for a list of commands.";
export const ERR_BAD_TARGET = 'Invalid target path';
export const ERR_EMPTY_BAY = 'The target bay is empty.';
export const ERR_SYNTAX = 'Syntax error. Type "help <command>" for usage.';
export const ERR_LOGIN = 'Login failed: wrong user name or password.';

/** A new connection: asks for the user name. */
export function newSession(): CliSession {
  return { phase: 'username', username: '', target: { type: 'system' }, failures: 0 };
}

/** The greeting of a new connection: the login prompt fence agents wait for. */
export const USERNAME_PROMPT = 'username: ';
export const PASSWORD_PROMPT = 'password: ';

/** The command prompt for a target: `system>` or `system:blade[2]>`. */
export function promptOf(t: Target): string {
  return `${formatTarget(t)}> `;
}

/** Formats a target as the CLI writes it. */
export function formatTarget(t: Target): string {
  return t.type === 'system' ? 'system' : `system:${t.type}[${t.number}]`;
}

/** Parses `system`, `system:blade[2]`, `blade[2]` (relative to system); null when malformed. */
export function parseTarget(text: string): Target | null {
  const t = text.trim().toLowerCase();
  if (t === 'system') return { type: 'system' };
  const m = /^(?:system:)?(mm|blade|switch|storage)\[(\d+)\]$/.exec(t);
  if (!m) return null;
  const type = m[1] as 'mm' | 'blade' | 'switch' | 'storage';
  const number = Number(m[2]);
  if (number < 1 || number > TARGET_BAYS[type]) return null;
  return { type, number };
}

/** A parsed command line: the command word, its `-T` target (if any) and its other options. */
export interface ParsedCommand {
  command: string;
  target: string | null;
  options: { name: string; value: string | null }[];
}

/** Options that take a value; every other `-x` is a flag. */
const VALUED = new Set(['T', 'l']);

/** Splits a command line into the command, `-T target` and options; null when malformed. */
export function parseCommand(line: string): ParsedCommand | null {
  const words = line.trim().split(/\s+/).filter(Boolean);
  const [command, ...rest] = words;
  if (!command) return null;
  let target: string | null = null;
  const options: ParsedCommand['options'] = [];
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i] as string;
    if (!w.startsWith('-') || w.length < 2) return null;
    const name = w.slice(1);
    if (VALUED.has(name)) {
      const value = rest[i + 1];
      if (value === undefined) return null;
      i++;
      if (name === 'T') target = value;
      else options.push({ name, value });
    } else options.push({ name, value: null });
  }
  return { command: command.toLowerCase(), target, options };
}

/** The module a target names, or null when its bay is empty. */
function moduleOf(c: ChassisView, t: Target): BayView | { kind: 'mm' } | null {
  switch (t.type) {
    case 'system':
      return null;
    case 'mm':
      return { kind: 'mm' };
    case 'blade':
      return present(c.blades[t.number - 1]);
    case 'switch':
      return present(c.io_modules[t.number - 1]);
    case 'storage':
      return present(c.storage_modules[t.number - 1]);
  }
}

function present(b: BayView | undefined): BayView | null {
  return b?.present ? b : null;
}

/** Handles one input line in any phase. */
export function onLine(s: CliSession, line: string, ctx: CliContext): CliStep {
  switch (s.phase) {
    case 'username':
      // An empty line asks again. fence_bladecenter ends each line with CR LF, which reaches us
      // through the telnet client's terminal as two line ends (docs/domain.md §AMM CLI): the
      // second one must not become the user name or the password.
      if (line.trim() === '') return { session: s, lines: [], prompt: USERNAME_PROMPT };
      return {
        session: { ...s, phase: 'password', username: line.trim() },
        lines: [],
        prompt: PASSWORD_PROMPT,
      };
    case 'password': {
      if (line === '') return { session: s, lines: [], prompt: PASSWORD_PROMPT };
      const user = s.username;
      if (credentialsMatch(ctx.credentials, user, line)) {
        const session: CliSession = { ...s, phase: 'command', target: { type: 'system' } };
        return { session, lines: [], prompt: promptOf(session.target), loginOk: { user } };
      }
      const failures = s.failures + 1;
      const closed = failures >= LOGIN_ATTEMPTS_MAX;
      return {
        session: { ...s, phase: closed ? 'closed' : 'username', username: '', failures },
        lines: [ERR_LOGIN],
        // Asking again for the user name is also what lets fence agents detect a wrong password.
        prompt: closed ? null : USERNAME_PROMPT,
        loginFailed: { user },
      };
    }
    case 'command':
      return command(s, line, ctx);
    case 'closed':
      return { session: s, lines: [], prompt: null };
  }
}

/** What the adapter prints when a power change it carried out ended. */
export function powerDone(s: CliSession, result: { ok: true } | { ok: false; error: string }): CliStep {
  return { session: s, lines: [result.ok ? 'OK' : `Error: ${result.error}`], prompt: promptOf(s.target) };
}

function say(s: CliSession, ...lines: string[]): CliStep {
  return { session: s, lines, prompt: promptOf(s.target) };
}

function command(s: CliSession, line: string, ctx: CliContext): CliStep {
  if (line.trim() === '') return say(s);
  const word = line.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!COMMANDS.has(word)) return say(s, ERR_UNKNOWN_COMMAND);
  const p = parseCommand(line);
  if (!p) return say(s, ERR_SYNTAX);
  let target = s.target;
  if (p.target !== null) {
    const t = parseTarget(p.target);
    if (!t) return say(s, ERR_BAD_TARGET);
    target = t;
  }
  const flags = p.options.map((o) => o.name);
  switch (p.command) {
    case 'exit':
      return { session: { ...s, phase: 'closed' }, lines: [], prompt: null };
    case 'help':
      return say(s, ...HELP);
    case 'env': {
      if (p.target === null || flags.length > 0) return say(s, ERR_SYNTAX);
      // The bay must hold a module: for an empty bay the prompt stays where it was (docs/domain.md §AMM CLI).
      if (target.type !== 'system' && !moduleOf(ctx.chassis, target)) return say(s, ERR_EMPTY_BAY);
      return say({ ...s, target }, 'OK');
    }
    case 'power':
      return power(s, target, flags, ctx);
    case 'list':
      return list(s, target, p.options, ctx);
    case 'health':
      return health(s, target, p.options, ctx);
    case 'displaylog':
      return say(s, ...displayLog(ctx.log));
    default:
      return say(s, ERR_UNKNOWN_COMMAND);
  }
}

function power(s: CliSession, target: Target, flags: string[], ctx: CliContext): CliStep {
  // -softoff asks the blade's OS to shut down before the power goes (docs/domain.md §AMM CLI).
  const ops = flags.filter((f) => ['state', 'on', 'off', 'cycle', 'softoff'].includes(f));
  if (ops.length !== 1 || flags.length !== 1) return say(s, ERR_SYNTAX);
  if (target.type !== 'blade' && target.type !== 'switch')
    return say(s, `The power command is not supported by ${formatTarget(target)}.`);
  const m = moduleOf(ctx.chassis, target) as BayView | null;
  if (!m) return say(s, ERR_EMPTY_BAY);
  const op = ops[0] as 'state' | PowerAction;
  // fence_bladecenter reads the last line before the prompt: it must be On or Off (docs/domain.md §AMM CLI).
  if (op === 'state') return say(s, m.power === 'Unknown' ? 'Unknown' : m.power);
  return {
    session: s,
    lines: [],
    prompt: null,
    power: { kind: target.type === 'blade' ? 'blade' : 'io', bay: target.number, action: op },
  };
}

function depthOf(options: ParsedCommand['options']): number | 'bad' {
  const l = options.find((o) => o.name === 'l');
  if (!l) return 1;
  if (l.value === 'all') return 2;
  const n = Number(l.value);
  return Number.isInteger(n) && n >= 1 ? n : 'bad';
}

/** The modules of the chassis as `list -l 2` and `health -l 2` show them. */
function modules(c: ChassisView): { target: string; name: string; health: string }[] {
  const out = [{ target: 'mm[1]', name: 'primary', health: 'ok' }];
  for (const b of c.blades)
    if (b.present) out.push({ target: `blade[${b.number}]`, name: b.name || b.host, health: b.health });
  for (const b of c.io_modules)
    if (b.present) out.push({ target: `switch[${b.number}]`, name: b.name || b.host, health: b.health });
  for (const b of c.storage_modules)
    if (b.present) out.push({ target: `storage[${b.number}]`, name: b.name, health: b.health });
  return out;
}

function list(s: CliSession, target: Target, options: ParsedCommand['options'], ctx: CliContext): CliStep {
  const depth = depthOf(options);
  if (depth === 'bad' || options.some((o) => o.name !== 'l')) return say(s, ERR_SYNTAX);
  if (target.type !== 'system') {
    if (!moduleOf(ctx.chassis, target)) return say(s, ERR_EMPTY_BAY);
    return say(s, formatTarget(target).slice('system:'.length));
  }
  // One line per installed module, indented, `blade[N]  <name>`: the lines fence_bladecenter's
  // list parser matches with ^\s*blade\[(\d+)\]\s+(.*?)\s*$ (docs/domain.md §AMM CLI).
  const lines = ['system'];
  if (depth >= 2)
    for (const m of modules(ctx.chassis)) lines.push(`        ${m.target.padEnd(11)} ${m.name}`.trimEnd());
  return say(s, ...lines);
}

/** The AMM's health words for our module health. */
type HealthWord = (typeof SEVERITY_ORDER)[number];

function healthWord(h: string): HealthWord {
  if (h === 'no communication') return 'Critical';
  if (h === 'unknown') return 'Non-Critical';
  return 'OK';
}

const SEVERITY_ORDER = ['OK', 'Non-Critical', 'Critical'] as const;

function health(s: CliSession, target: Target, options: ParsedCommand['options'], ctx: CliContext): CliStep {
  const depth = depthOf(options);
  if (depth === 'bad' || options.some((o) => o.name !== 'l' && o.name !== 'f')) return say(s, ERR_SYNTAX);
  const alerts = options.some((o) => o.name === 'f');
  const all = modules(ctx.chassis);
  const chosen =
    target.type === 'system' ? all : all.filter((m) => `system:${m.target}` === formatTarget(target));
  if (target.type !== 'system' && chosen.length === 0) return say(s, ERR_EMPTY_BAY);
  const worst = chosen
    .map((m) => healthWord(m.health))
    .reduce<HealthWord>((a, b) => (SEVERITY_ORDER.indexOf(b) > SEVERITY_ORDER.indexOf(a) ? b : a), 'OK');
  const lines = [`${target.type === 'system' ? 'system' : chosen[0]?.target} : ${worst}`];
  if (target.type === 'system' && depth >= 2)
    for (const m of chosen) lines.push(`        ${m.target.padEnd(11)} : ${healthWord(m.health)}`);
  if (alerts) {
    const active = chosen.filter((m) => m.health === 'no communication' || m.health === 'unknown');
    for (const m of active)
      lines.push(`${m.target} : ${m.health === 'unknown' ? 'status unknown' : 'no communication'}`);
  }
  return say(s, ...lines);
}

/** Formats a time as the AMM event log does: MM/DD/YY HH:MM:SS (UTC here). */
export function logTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** The event log, newest first, one entry a line. */
export function displayLog(log: LogEntry[]): string[] {
  if (log.length === 0) return ['The event log is empty.'];
  return [...log]
    .reverse()
    .map(
      (e) =>
        `${String(e.index).padEnd(5)} ${e.severity}  ${e.source.padEnd(9)} ${logTime(e.timeMs)}  ${e.text}`,
    );
}

const HELP = [
  'env        -T system | system:blade[N] | system:switch[N] | system:mm[1]   set the command target',
  'power      [-T target] -state | -on | -off | -cycle | -softoff             blade or I/O module power',
  'list       [-T target] [-l depth]                                          installed modules',
  'health     [-T target] [-l depth] [-f]                                     health, -f adds active alerts',
  'displaylog                                                                 the event log, newest first',
  'exit                                                                       end the session',
];
