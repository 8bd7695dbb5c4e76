/**
 * A simulated host: one emulated machine whose processes can be killed (or powered off),
 * started again, frozen and thawed. Everything that runs "on" a host — an actor's message, a
 * timer firing, a reply arriving — goes through `run`, which drops work meant for an earlier
 * incarnation (the process that was killed) and holds work back while the host is frozen, as a
 * stopped process neither runs nor loses what the kernel queued for it.
 */

/** What a host serves: a handler per service name (heartbeats, storage, witness…). */
export type RequestHandler = (body: unknown, from: string, reply: (body: unknown) => void) => void;

/** One emulated host. */
export class SimHost {
  alive = true;
  frozen = false;
  /** Bumped at every kill: work scheduled by an earlier incarnation is dropped. */
  gen = 0;
  /**
   * How fast this machine's clock runs against simulated time (1 + drift): a quartz oscillator
   * is off by tens to a few hundred parts per million, so two nodes' clocks part slowly.
   */
  clockRate = 1;
  private backlog: (() => void)[] = [];
  private readonly handlers = new Map<string, RequestHandler>();

  constructor(readonly name: string) {}

  /** Runs `fn` now if incarnation `gen` still runs; a frozen host keeps it until it thaws. */
  run(gen: number, fn: () => void): void {
    if (!this.alive || gen !== this.gen) return;
    if (this.frozen) this.backlog.push(fn);
    else fn();
  }

  /** Serves requests of one service from now on (until the host is killed). */
  serve(service: string, handler: RequestHandler): void {
    this.handlers.set(service, handler);
  }

  /** The handler of a service, if the running incarnation serves it. */
  handler(service: string): RequestHandler | undefined {
    return this.alive ? this.handlers.get(service) : undefined;
  }

  /** SIGKILL of every process, or power off: nothing of this incarnation runs again. */
  kill(): void {
    this.alive = false;
    this.frozen = false;
    this.gen++;
    this.backlog = [];
    this.handlers.clear();
  }

  /** A fresh incarnation starts (its services register their handlers again). */
  start(): void {
    this.alive = true;
    this.frozen = false;
  }

  /** SIGSTOP: the host keeps what arrives and runs nothing. */
  freeze(): void {
    if (this.alive) this.frozen = true;
  }

  /** SIGCONT: what queued while frozen runs now, in the order it arrived. */
  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    const queued = this.backlog;
    this.backlog = [];
    for (const fn of queued) {
      if (this.frozen || !this.alive) {
        this.backlog.push(fn);
        continue;
      }
      fn();
    }
  }
}
