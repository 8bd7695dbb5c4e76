/**
 * NATS plumbing: every service connects to its own host's nats-server (the servers form one
 * full-mesh cluster), so what it can reach is exactly what the emulated network lets through.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { systemClock } from '../actor/clock.js';

export type { NatsConnection } from '@nats-io/transport-node';

/**
 * Connects to this host's NATS server, retrying while it starts, and reconnecting forever;
 * `token`: the run's, which the run's NATS servers ask of every client (docs/security.md).
 */
export async function connectNats(
  url: string,
  name: string,
  waitMs = 10_000,
  token?: string,
): Promise<NatsConnection> {
  const until = systemClock.now() + waitMs;
  for (;;) {
    try {
      return await connect({
        servers: url,
        name,
        ...(token ? { token } : {}),
        reconnect: true,
        maxReconnectAttempts: -1,
        // Two authentication errors in a row (a server's 'Authentication Timeout' to a client too
        // busy to answer in time) would otherwise end the reconnecting for good.
        ignoreAuthErrorAbort: true,
        reconnectTimeWait: 200,
        pingInterval: 2000,
        maxPingOut: 2,
      });
    } catch (err) {
      if (systemClock.now() > until)
        throw new Error(`cannot reach NATS at ${url} for ${name}`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeJson<T>(data: Uint8Array): T {
  return JSON.parse(decoder.decode(data)) as T;
}
