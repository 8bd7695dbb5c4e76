/**
 * Fine echoes from the workstation: the workstation host (outside every node) pings a VM every
 * few milliseconds over the emulated network, and every answer is kept with its host and round
 * trip. The benchmark judges a VM's blackout and its failover from these, not from the nodes' own
 * figures.
 */
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { Clients } from '../orchestrator/run/clients.js';
import type { PingReply__Output } from '../services/generated/dcbox/workstation/v1/PingReply.js';
import type { Echo } from './verdict.js';

/** The echo interval: the issue asks for 5 ms or finer, so a 20 ms blackout is resolved. */
export const ECHO_INTERVAL_MS = 2;

/** One answered or failed echo, with the host that answered. */
export interface HostEcho extends Echo {
  host: string;
}

/** A ping of one VM every ECHO_INTERVAL_MS from the workstation, until stopped. */
export class EchoWatch {
  readonly echoes: HostEcho[] = [];
  private stream: ClientReadableStream<PingReply__Output> | null = null;

  constructor(
    private readonly c: Clients,
    readonly vm: string,
  ) {}

  start(): this {
    this.stream = this.c
      .workstation()
      .Ping({ vm: this.vm, count: 0, interval_ms: ECHO_INTERVAL_MS, timeout_ms: 1000 });
    this.stream.on('data', (r: PingReply__Output) =>
      this.echoes.push({ ok: r.ok, host: r.host, sentAtMs: Number(r.sent_at_ms), rttUs: r.rtt_us }),
    );
    this.stream.on('error', () => undefined);
    return this;
  }

  stop(): void {
    this.stream?.cancel();
    this.stream = null;
  }

  /** When `host` first answered an echo sent at or after `fromMs` (sent time + round trip), or null. */
  firstAnswerFrom(host: string, fromMs: number): number | null {
    const at = this.echoes
      .filter((x) => x.ok && x.host === host && x.sentAtMs >= fromMs)
      .map((x) => x.sentAtMs + x.rttUs / 1000);
    return at.length ? Math.min(...at) : null;
  }
}
