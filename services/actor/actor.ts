/**
 * The actor runtime shared by every service: one mailbox, one message at a time, a pure
 * `decide(state, msg, ctx) -> { state, effects }` and one place where effects are carried out.
 * Timers are effects with ids whose firing comes back as a message, so core code never calls
 * setTimeout, Date.now or Math.random.
 */
import { type Clock, Random } from './clock.js';

/** What a pure core sees besides its state and the message. */
export interface Ctx {
  readonly now: number;
  readonly random: Random;
  readonly self: string;
}

/** Effects that the runtime handles itself; everything else goes to the service's interpreter. */
export type TimerEffect<M> =
  | { type: 'startTimer'; id: string; ms: number; msg: M }
  | { type: 'cancelTimer'; id: string };

export interface Decision<S, E> {
  state: S;
  effects: E[];
}

export type Decide<S, M, E> = (state: S, msg: M, ctx: Ctx) => Decision<S, E>;

export interface ActorOptions<S, M, E> {
  self: string;
  initial: S;
  decide: Decide<S, M, E | TimerEffect<M>>;
  /** Carries out one effect; may send messages back with actor.send. */
  interpret: (effect: E, actor: Actor<S, M, E>) => void;
  clock: Clock;
  seed?: number;
  mailboxMax?: number;
  onError?: (err: unknown, msg: M) => void;
}

/** Thrown when a mailbox is full: the sender must back off. */
export class MailboxFullError extends Error {
  constructor(
    readonly actor: string,
    readonly limit: number,
  ) {
    super(`mailbox of ${actor} is full (${limit} messages)`);
    this.name = 'MailboxFullError';
  }
}

export class Actor<S, M, E> {
  private current: S;
  private readonly mailbox: M[] = [];
  private draining = false;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly random: Random;
  private stopped = false;

  constructor(private readonly opts: ActorOptions<S, M, E>) {
    this.current = opts.initial;
    this.random = new Random(opts.seed ?? 1);
  }

  get state(): S {
    return this.current;
  }

  /** Enqueues a message; messages are decided one at a time, in order. */
  send(msg: M): void {
    if (this.stopped) return;
    const limit = this.opts.mailboxMax ?? 100_000;
    if (this.mailbox.length >= limit) throw new MailboxFullError(this.opts.self, limit);
    this.mailbox.push(msg);
    if (!this.draining) this.drain();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.mailbox.length = 0;
  }

  private drain(): void {
    this.draining = true;
    try {
      for (let msg = this.mailbox.shift(); msg !== undefined; msg = this.mailbox.shift()) {
        this.step(msg);
      }
    } finally {
      this.draining = false;
    }
  }

  private step(msg: M): void {
    const ctx: Ctx = { now: this.opts.clock.now(), random: this.random, self: this.opts.self };
    let decision: Decision<S, E | TimerEffect<M>>;
    try {
      decision = this.opts.decide(this.current, msg, ctx);
    } catch (err) {
      if (!this.opts.onError) throw err;
      this.opts.onError(err, msg);
      return;
    }
    this.current = decision.state;
    for (const effect of decision.effects) {
      if (isTimerEffect<M>(effect)) this.timer(effect);
      else this.opts.interpret(effect as E, this);
    }
  }

  private timer(effect: TimerEffect<M>): void {
    const old = this.timers.get(effect.id);
    if (old) clearTimeout(old);
    this.timers.delete(effect.id);
    if (effect.type === 'cancelTimer') return;
    const handle = setTimeout(() => {
      this.timers.delete(effect.id);
      this.send(effect.msg);
    }, effect.ms);
    this.timers.set(effect.id, handle);
  }
}

function isTimerEffect<M>(e: unknown): e is TimerEffect<M> {
  const t = (e as { type?: string }).type;
  return t === 'startTimer' || t === 'cancelTimer';
}

/**
 * Runs a pure core against a simulated clock in tests: feeds messages, fires due timers in
 * time order and records every effect, with no real delays.
 */
export class Simulation<S, M, E> {
  readonly effects: (E | TimerEffect<M>)[] = [];
  private timers = new Map<string, { at: number; msg: M }>();
  state: S;
  now: number;
  readonly random: Random;

  constructor(
    private readonly decide: Decide<S, M, E | TimerEffect<M>>,
    initial: S,
    opts: { self?: string; seed?: number; startMs?: number } = {},
  ) {
    this.state = initial;
    this.now = opts.startMs ?? 0;
    this.random = new Random(opts.seed ?? 1);
    this.self = opts.self ?? 'sim';
  }
  private readonly self: string;

  /** Decides one message now and returns the effects it produced. */
  send(msg: M): (E | TimerEffect<M>)[] {
    const d = this.decide(this.state, msg, { now: this.now, random: this.random, self: this.self });
    this.state = d.state;
    for (const e of d.effects) {
      if (isTimerEffect<M>(e)) {
        if (e.type === 'startTimer') this.timers.set(e.id, { at: this.now + e.ms, msg: e.msg });
        else this.timers.delete(e.id);
      }
    }
    this.effects.push(...d.effects);
    return d.effects;
  }

  /** Moves time forward, firing every timer that falls due, in order; returns their effects. */
  advance(ms: number): (E | TimerEffect<M>)[] {
    const until = this.now + ms;
    const out: (E | TimerEffect<M>)[] = [];
    for (;;) {
      let next: [string, { at: number; msg: M }] | undefined;
      for (const entry of this.timers)
        if (entry[1].at <= until && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.now = next[1].at;
      out.push(...this.send(next[1].msg));
    }
    this.now = until;
    return out;
  }

  pendingTimers(): string[] {
    return [...this.timers.keys()].sort();
  }
}
