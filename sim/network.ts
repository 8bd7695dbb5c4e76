/**
 * The simulated network between hosts: every message (a NATS request, a gRPC call, a SAS frame,
 * their replies) crosses it with a latency and jitter drawn from the seed, may be lost,
 * duplicated or held back (reordered), and is dropped by partitions, which can cut groups both
 * ways or one way only. The transports are TCP, so a lost message is not gone: it is sent again
 * after the retransmission timeout (200 ms, doubling each time it is lost again), and only a cut
 * link, or as many losses in a row as Linux tries before it gives the connection up, drops it. Request–reply has the semantics the adapters rely on: a deadline after
 * which the caller hears TIMEOUT (outcome unknown), and UNAVAILABLE at once ("no responders",
 * a refused connection) when the callee's host is reachable but runs no such service.
 */
import type { SimHost } from './host.js';
import type { SimRandom } from './random.js';
import type { Scheduler } from './scheduler.js';

/** How the network treats every message; rates are per message, in [0, 1]. */
export interface NetworkProfile {
  latencyMs: number;
  /** Up to this much more, uniformly. */
  jitterMs: number;
  lossRate: number;
  duplicateRate: number;
  /** A held-back message arrives this much later than it would have (so after later ones). */
  reorderRate: number;
  reorderDelayMs: number;
}

/**
 * Linux's least retransmission timeout (TCP_RTO_MIN, 200 ms), which a LAN's round trip of well
 * under a millisecond never raises: the first retransmission of a lost segment leaves this long
 * after it, each further one twice as long after the last (RFC 6298 §5.5).
 */
export const MIN_RTO_MS = 200;

/** How many times Linux retransmits before it drops the connection (net.ipv4.tcp_retries2). */
export const MAX_RETRANSMISSIONS = 15;

/** A network on one switch, as the emulation's bridge: sub-millisecond and lossless by default. */
export const LAN: NetworkProfile = {
  latencyMs: 0.2,
  jitterMs: 0.3,
  lossRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
  reorderDelayMs: 5,
};

/** The outcome of a request: the callee's answer, or why there is none. */
export type Reply =
  | { ok: true; body: unknown }
  | { ok: false; code: 'TIMEOUT' | 'UNAVAILABLE'; message: string };

/** A lost message waiting for its retransmission: the incarnations it left between, and its tries so far. */
interface InFlight {
  from: string;
  to: string;
  fromGen: number;
  toGen: number;
  tries: number;
}

/** The hosts, the links between them and the messages in flight. */
export class Network {
  readonly hosts = new Map<string, SimHost>();
  private readonly cuts = new Set<string>();
  private nextId = 1;
  private readonly waiting = new Map<number, { cb: (r: Reply) => void; timer: number }>();
  /**
   * Messages sent, transmissions lost (each then sent again), messages duplicated, dropped by a
   * cut (on the first try or a retransmission) and given up after MAX_RETRANSMISSIONS.
   */
  readonly counts = { sent: 0, lost: 0, duplicated: 0, cut: 0, givenUp: 0 };

  constructor(
    private readonly sched: Scheduler,
    private readonly random: SimRandom,
    public profile: NetworkProfile = LAN,
  ) {}

  add(host: SimHost): void {
    this.hosts.set(host.name, host);
  }

  host(name: string): SimHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no simulated host named ${name}`);
    return h;
  }

  /** Whether a message from `from` reaches `to` (no cut in that direction). */
  linked(from: string, to: string): boolean {
    return !this.cuts.has(`${from}>${to}`);
  }

  /** Cuts every link from a host of `a` to a host of `b`, and back unless `oneWay`. */
  partition(a: readonly string[], b: readonly string[], oneWay = false): void {
    for (const x of a)
      for (const y of b) {
        if (x === y) continue;
        this.cuts.add(`${x}>${y}`);
        if (!oneWay) this.cuts.add(`${y}>${x}`);
      }
  }

  /** Removes every cut. */
  heal(): void {
    this.cuts.clear();
  }

  /**
   * Carries one message: dropped by a cut, else delivered after its latency (and perhaps a
   * second time); a transmission lost on the way is sent again one retransmission timeout later
   * (TCP), each timeout twice the last, while the link stays up and the connection lives: a
   * restart of either end's process ends it (the new one answers with a reset; a powered-off
   * host sends nothing more — a killed process's kernel would, which this does not model).
   * `deliver` runs at the destination's arrival time.
   */
  private transmit(from: string, to: string, label: string, deliver: () => void): void {
    this.counts.sent++;
    this.attempt(from, to, label, deliver, null);
  }

  /** Whether both ends of a retransmitted message still run the incarnations it left between. */
  private connected(m: InFlight): boolean {
    return this.hosts.get(m.from)?.gen === m.fromGen && this.hosts.get(m.to)?.gen === m.toGen;
  }

  /** One transmission of a message: the first (`m` null) or a retransmission of `m`. */
  private attempt(from: string, to: string, label: string, deliver: () => void, m: InFlight | null): void {
    if (!this.linked(from, to)) {
      this.counts.cut++;
      return;
    }
    const p = this.profile;
    if (this.random.chance(p.lossRate)) {
      this.counts.lost++;
      const lost = m ?? {
        from,
        to,
        fromGen: this.hosts.get(from)?.gen ?? 0,
        toGen: this.hosts.get(to)?.gen ?? 0,
        tries: 0,
      };
      if (lost.tries >= MAX_RETRANSMISSIONS) {
        this.counts.givenUp++;
        return;
      }
      const rtoMs = MIN_RTO_MS * 2 ** lost.tries;
      lost.tries++;
      this.sched.after(rtoMs, `net ${from}>${to} ${label} retransmit`, () => {
        if (this.connected(lost)) this.attempt(from, to, label, deliver, lost);
      });
      return;
    }
    const copies = this.random.chance(p.duplicateRate) ? 2 : 1;
    if (copies === 2) this.counts.duplicated++;
    for (let i = 0; i < copies; i++) {
      let delay = p.latencyMs + this.random.next() * p.jitterMs;
      if (this.random.chance(p.reorderRate)) delay += p.reorderDelayMs;
      this.sched.after(delay, `net ${from}>${to} ${label}`, deliver);
    }
  }

  /**
   * Sends a request to `service` on `to`; `cb` runs on the caller's host (the incarnation that
   * asked) with the first answer, or TIMEOUT at the deadline, or UNAVAILABLE when the callee
   * is reached but does not serve (its process is dead).
   */
  request(
    from: string,
    to: string,
    service: string,
    body: unknown,
    deadlineMs: number,
    cb: (r: Reply) => void,
  ): void {
    const caller = this.host(from);
    const gen = caller.gen;
    const id = this.nextId++;
    const settle = (r: Reply) =>
      caller.run(gen, () => {
        const w = this.waiting.get(id);
        if (!w) return;
        this.waiting.delete(id);
        this.sched.cancel(w.timer);
        w.cb(r);
      });
    const timer = this.sched.after(deadlineMs, `deadline ${from}>${to} ${service}`, () =>
      settle({
        ok: false,
        code: 'TIMEOUT',
        message: `${to} did not answer ${service} within ${deadlineMs} ms`,
      }),
    );
    this.waiting.set(id, { cb, timer });
    this.transmit(from, to, service, () => {
      const callee = this.host(to);
      const handler = callee.handler(service);
      if (!handler) {
        // No responders: the callee's host answers for its dead process at once.
        this.transmit(to, from, `${service} unavailable`, () =>
          settle({ ok: false, code: 'UNAVAILABLE', message: `no responders for ${service} on ${to}` }),
        );
        return;
      }
      const calleeGen = callee.gen;
      callee.run(calleeGen, () =>
        handler(body, from, (answer) => {
          // A reply decided by an incarnation that has since been killed never leaves.
          if (!callee.alive || callee.gen !== calleeGen) return;
          this.transmit(to, from, `${service} reply`, () => settle({ ok: true, body: answer }));
        }),
      );
    });
  }

  /** Requests still waiting for an answer or their deadline. */
  get inFlight(): number {
    return this.waiting.size;
  }
}
