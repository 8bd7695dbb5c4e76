/**
 * The AMM CLI over telnet: a TCP server on the MM's address that speaks enough of the telnet
 * protocol (RFC 854) for real clients and fence agents. Option negotiation is answered by
 * refusing every option, so the client stays in its default line mode with local echo; the
 * lines go to the pure CLI in amm-cli.ts.
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

/** Longest input line accepted; a longer one is cut (a limit on everything). */
export const LINE_BYTES_MAX = 1024;
/** Connections served at once. */
export const TELNET_CONNECTIONS_MAX = 16;
/** An idle connection is closed after this long, as the AMM's CLI inactivity timeout does. */
export const TELNET_IDLE_MS = 10 * 60_000;

/**
 * Turns the bytes a telnet client sends into input lines, and answers its option negotiation:
 * DO x → WONT x, WILL x → DONT x, once per option. Subnegotiations and other commands are
 * skipped. A line ends at CR LF, CR NUL, CR or LF; backspace and DEL erase a character.
 */
export class TelnetDecoder {
  private state: 'data' | 'iac' | 'option' | 'sb' | 'sb-iac' | 'cr' = 'data';
  private verb = 0;
  private line: number[] = [];
  private readonly answered = new Set<string>();

  /** Feeds received bytes; returns the complete lines and the bytes to send back. */
  feed(bytes: Uint8Array): { lines: string[]; reply: Buffer } {
    const lines: string[] = [];
    const reply: number[] = [];
    const endLine = () => {
      lines.push(Buffer.from(this.line).toString('latin1'));
      this.line = [];
    };
    for (const b of bytes) {
      switch (this.state) {
        case 'cr':
          this.state = 'data';
          // CR LF and CR NUL are one line end.
          if (b === 0x0a || b === 0x00) continue;
          this.data(b, endLine);
          continue;
        case 'data':
          this.data(b, endLine);
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
          const answer = this.verb === DO ? WONT : this.verb === WILL ? DONT : 0;
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

  private data(b: number, endLine: () => void): void {
    if (b === IAC) this.state = 'iac';
    else if (b === 0x0d) {
      endLine();
      this.state = 'cr';
    } else if (b === 0x0a) endLine();
    else if (b === 0x08 || b === 0x7f) this.line.pop();
    else if (b !== 0x00) this.push(b);
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
    const { lines, reply } = decoder.feed(chunk);
    if (reply.length) socket.write(reply);
    for (const line of lines)
      queue = queue.then(() =>
        handle(line).catch((err) => deps.log('warn', 'telnet line failed', { error: String(err) })),
      );
  });
  socket.on('error', () => undefined);
  write(`\n${USERNAME_PROMPT}`);
}
