/** Waiting after power on until a host's service answers grpc.health.v1 with SERVING. */
import { healthClient } from '../../services/transport/grpc.js';

/** The host's service to wait for after power on. */
export interface HealthWait {
  /** The host's name, for the error. */
  host: string;
  /** Its gRPC address:port. */
  target: string;
  timeoutMs: number;
}

/** Asks the host's service every 50 ms (each ask waits 500 ms) until it serves; throws after timeoutMs. */
export async function waitHealthy({ host, target, timeoutMs }: HealthWait): Promise<void> {
  const health = healthClient(target);
  const until = Date.now() + timeoutMs;
  try {
    while (!(await health.check(500))) {
      if (Date.now() > until) throw new Error(`${host} was not healthy within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    health.close();
  }
}
