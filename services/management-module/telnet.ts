/**
 * The AMM CLI over telnet: a TCP server on the MM's address that speaks enough of the telnet
 * protocol (RFC 854) for real clients and fence agents. The server offers to echo and to
 * suppress go-ahead, which puts a client into character mode, and accepts binary transmission;
 * every other option is refused. In character mode the client's terminal passes a script's CR LF
 * through as one line end: in the default line mode, the terminal turns fence_bladecenter's
 * CR LF into two line ends (docs/domain.md §AMM CLI). The lines go to the pure CLI in
 * amm-cli.ts; typed characters are echoed, except at the password prompt.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../process/log.js';
import {
  type CliContext,
  type CliSession,
  type CliStep,
  newSession,
  onLine,
  type PowerRequest,
  powerDone,
  USERNAME_PROMPT,
} from './amm-cli.js';

const IAC = 255;
const DONT = 254;
const DO = 253;
const WONT = 252;
const WILL = 251;
const SB = 250;
const SE = 240;

/** Telnet options (RFC 856, 857, 858). */
const BINARY = 0;
const ECHO = 1;
const SUPPRESS_GO_AHEAD = 3;
/** What the server offers when a client connects: it echoes, and no go-ahead is sent. */
export const TELNET_GREETING = Buffer.from([IAC, WILL, ECHO, IAC, WILL, SUPPRESS_GO_AHEAD]);
/** Options the server does itself (DO x is agreed) and lets the client do (WILL x is agreed). */
const SERVER_DOES = new Set([BINARY, ECHO, SUPPRESS_GO_AHEAD]);
const CLIENT_MAY = new Set([BINARY, SUPPRESS_GO_AHEAD]);

/** Longest input line accepted; a longer one is cut (a limit on everything). */
export const LINE_BYTES_MAX = 1024;
/** Connections served at once. */
export const TELNET_CONNECTIONS_MAX = 16;
/** An idle connection is closed after this long, as the AMM's CLI inactivity timeout does. */
export const TELNET_IDLE_MS = 10 * 60_000;

/**
 * Turns the bytes a telnet client sends into input lines, and answers its option negotiation:
 * DO x is agreed for binary, echo and suppress-go-ahead (the greeting already offered the last
 * two, so those need no answer), WILL x for binary and suppress-go-ahead; every other DO x gets
 * WONT x and WILL x gets DONT x, once per option. Subnegotiations and other commands are skipped.
 * A line ends at CR LF, CR NUL, CR or LF; backspace and DEL erase a character. Typed characters
 * are echoed back unless `secret` is set (a password being typed).
 */
export class TelnetDecoder {
  private state: 'data' | 'iac' | 'option' | 'sb' | 'sb-iac' | 'cr' = 'data';
  private verb = 0;
  private line: number[] = [];
  private readonly answered = new Set<string>([`${DO}:${ECHO}`, `${DO}:${SUPPRESS_GO_AHEAD}`]);
  /** Whether the characters typed now are hidden (the password prompt). */
  secret = false;

  /** Feeds received bytes; returns the complete lines and the bytes to send back. */
  feed(bytes: Uint8Array): { lines: string[]; reply: Buffer } {
    const lines: string[] = [];
    const reply: number[] = [];
    const endLine = () => {
      lines.push(Buffer.from(this.line).toString('latin1'));
      this.line = [];
      reply.push(0x0d, 0x0a);
    };
    for (const b of bytes) {
      switch (this.state) {
        case 'cr':
          this.state = 'data';
          // CR LF and CR NUL are one line end.
          if (b === 0x0a || b === 0x00) continue;
          this.data(b, endLine, reply);
          continue;
        case 'data':
          this.data(b, endLine, reply);
          continue;
        case 'iac':
          if (b === IAC) {
            this.push(IAC);
            this.state = 'data';
          } else if (b === DO || b === DONT || b === WILL || b === WONT) {
            this.verb = b;
            this.state = 'option';
          } else if (b === SB) this.state = 'sb';
          else this.state = 'data'; // NOP, AYT, GA, IP...: nothing to do for a line-mode CLI.
          continue;
        case 'option': {
          const answer = this.answer(this.verb, b);
          const key = `${this.verb}:${b}`;
          if (answer && !this.answered.has(key)) {
            this.answered.add(key);
            reply.push(IAC, answer, b);
          }
          this.state = 'data';
          continue;
        }
        case 'sb':
          if (b === IAC) this.state = 'sb-iac';
          continue;
        case 'sb-iac':
          this.state = b === SE ? 'data' : 'sb';
          continue;
      }
    }
    return { lines, reply: Buffer.from(reply) };
  }

  /** The verb that answers a client's DO/WILL x (0: none). */
  private answer(verb: number, option: number): number {
    if (verb === DO) return SERVER_DOES.has(option) ? WILL : WONT;
    if (verb === WILL) return CLIENT_MAY.has(option) ? DO : DONT;
    return 0;
  }

  private data(b: number, endLine: () => void, echo: number[]): void {
    if (b === IAC) this.state = 'iac';
    else if (b === 0x0d) {
      endLine();
      this.state = 'cr';
    } else if (b === 0x0a) endLine();
    else if (b === 0x08 || b === 0x7f) {
      if (this.line.pop() !== undefined && !this.secret) echo.push(0x08, 0x20, 0x08);
    } else if (b !== 0x00) {
      this.push(b);
      if (!this.secret && b >= 0x20) echo.push(b);
    }
  }

  private push(b: number): void {
    if (this.line.length < LINE_BYTES_MAX) this.line.push(b);
  }
}

/** What the telnet server needs from the MM. */
export interface TelnetDeps {
  /** The CLI's view of the chassis, event log and account, read at each line. */
  context(): CliContext;
  /** Carries out a power change through the core; rejects with a message a person can act on. */
  power(req: PowerRequest): Promise<void>;
  /** Records a login (the core counts failures and logs both). */
  login(user: string, ok: boolean): void;
  loginFailDelayMs: number;
  log: Logger;
}

/** Starts the telnet server on address:port; resolves once it listens. */
export async function startTelnetServer(address: string, port: number, deps: TelnetDeps): Promise<Server> {
  const server = createServer((socket) => serve(socket, deps));
  server.maxConnections = TELNET_CONNECTIONS_MAX;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Serves one connection: lines are handled one at a time, in order. */
function serve(socket: Socket, deps: TelnetDeps): void {
  const decoder = new TelnetDecoder();
  let session: CliSession = newSession();
  let queue: Promise<void> = Promise.resolve();
  const write = (text: string) => {
    if (!socket.destroyed) socket.write(text.replace(/\r?\n/g, '\r\n'));
  };
  const show = (step: CliStep) => {
    for (const l of step.lines) write(`${l}\n`);
    if (step.prompt !== null) write(step.prompt);
  };
  const handle = async (line: string) => {
    if (session.phase === 'closed') return;
    const step = onLine(session, line, deps.context());
    session = step.session;
    if (step.loginOk) deps.login(step.loginOk.user, true);
    if (step.loginFailed) {
      deps.login(step.loginFailed.user, false);
      // A refused login is answered late, to slow down guessing.
      await new Promise((r) => setTimeout(r, deps.loginFailDelayMs));
    }
    show(step);
    if (step.power) {
      const req = step.power;
      const done = await deps.power(req).then(
        () => ({ ok: true as const }),
        (err: unknown) => ({ ok: false as const, error: (err as Error).message }),
      );
      show(powerDone(session, done));
    }
    if (session.phase === 'closed') socket.end();
  };
  socket.setTimeout(TELNET_IDLE_MS, () => socket.end());
  socket.on('data', (chunk: Buffer) => {
    decoder.secret = session.phase === 'password';
    const { lines, reply } = decoder.feed(chunk);
    if (reply.length) socket.write(reply);
    for (const line of lines)
      queue = queue.then(() =>
        handle(line).catch((err) => deps.log('warn', 'telnet line failed', { error: String(err) })),
      );
  });
  socket.on('error', () => undefined);
  socket.write(TELNET_GREETING);
  write(`\n${USERNAME_PROMPT}`);
}
