/**
 * A pure core run on a simulated host: the same contract as services/actor/actor.ts (one
 * message at a time, timers as effects whose firing comes back as a message), with the
 * simulation's clock, its one seeded random and its event queue instead of the wall clock and
 * setTimeout. A killed host's actor is simply dropped; a frozen host's messages and timers wait.
 */
import type { Ctx, Decide, TimerEffect } from '../services/actor/actor.js';
import type { SimHost } from './host.js';
import type { SimRandom } from './random.js';
import type { Scheduler } from './scheduler.js';

/** What every simulated actor shares: the clock and event queue, and the one random. */
export interface SimWorld {
  sched: Scheduler;
  random: SimRandom;
}

/** What a host's own clock reads now: simulated time at the host's drift rate. */
export function hostNow(world: SimWorld, host: SimHost): number {
  return world.sched.now * host.clockRate;
}

/** One core on one host. */
export class SimActor<S, M, E> {
  state: S;
  private readonly timers = new Map<string, number>();
  private readonly gen: number;

  constructor(
    private readonly world: SimWorld,
    private readonly host: SimHost,
    private readonly name: string,
    private readonly decide: Decide<S, M, E | TimerEffect<M>>,
    initial: S,
    private readonly interpret: (e: E) => void,
  ) {
    this.state = initial;
    this.gen = host.gen;
  }

  /** Whether the incarnation this actor belongs to still runs. */
  get live(): boolean {
    return this.host.alive && this.host.gen === this.gen;
  }

  /** Messages sent while a step's effects were being carried out, decided after it. */
  private readonly mailbox: M[] = [];
  private draining = false;

  /**
   * Decides one message now (or once the host thaws); dropped if the host was killed. As in
   * services/actor/actor.ts, a message sent while this actor carries out a step's effects waits
   * for the step to end: deciding it at once made a core act on effects decided from a state it
   * had already left (found by comparing the simulation with real runs: a second start of a VM
   * that was starting, refused, logged as a failed resource).
   */
  send(msg: M): void {
    this.host.run(this.gen, () => {
      this.mailbox.push(msg);
      if (!this.draining) this.drain();
    });
  }

  private drain(): void {
    this.draining = true;
    try {
      for (let msg = this.mailbox.shift(); msg !== undefined; msg = this.mailbox.shift())
        if (this.live) this.step(msg);
    } finally {
      this.draining = false;
    }
  }

  private step(msg: M): void {
    const ctx: Ctx = { now: hostNow(this.world, this.host), random: this.world.random, self: this.host.name };
    const d = this.decide(this.state, msg, ctx);
    this.state = d.state;
    for (const e of d.effects) {
      const t = (e as { type?: string }).type;
      if (t === 'startTimer' || t === 'cancelTimer') this.timer(e as TimerEffect<M>);
      else this.interpret(e as E);
    }
  }

  private timer(e: TimerEffect<M>): void {
    const old = this.timers.get(e.id);
    if (old !== undefined) this.world.sched.cancel(old);
    this.timers.delete(e.id);
    if (e.type === 'cancelTimer') return;
    const msg = e.msg;
    // A timer of e.ms on the host's clock lasts e.ms / rate of simulated time.
    const id = this.world.sched.after(
      e.ms / this.host.clockRate,
      `${this.host.name}:${this.name} ${e.id}`,
      () => {
        this.timers.delete(e.id);
        this.send(msg);
      },
    );
    this.timers.set(e.id, id);
  }
}
