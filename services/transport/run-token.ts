/**
 * The checks behind who may call a run's gRPC services (docs/security.md), free of gRPC so that
 * the daemon's launch (which loads no gRPC) can make a token: the run's token, the methods open
 * to anyone, and the `Basic` credentials of the management module's API. call-auth.ts applies
 * them as interceptors.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** The metadata key that carries the run's token. */
export const RUN_TOKEN_KEY = 'x-dcbox-run-token';

/** The metadata key of the management module's chassis credentials (`Basic base64(user:pass)`). */
export const AUTHORIZATION_KEY = 'authorization';

/** A new run token: 32 random bytes, hex. */
export function newRunToken(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Methods anyone may call: grpc.health.v1 (the orchestrator, Docker's health checks and probes
 * ask it) and server reflection, which describes only the public protos/.
 */
export function isOpenMethod(path: string): boolean {
  return path.startsWith('/grpc.health.v1.') || path.startsWith('/grpc.reflection.');
}

/** Compares two secrets in constant time (no early exit on the first wrong byte). */
export function sameSecret(expected: string, presented: string): boolean {
  const x = Buffer.from(expected);
  const y = Buffer.from(presented);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Whether a call may go on: an open method always; any other only with the run's token among
 * the values of RUN_TOKEN_KEY. Null when it may, else why not (the details of UNAUTHENTICATED).
 */
export function runTokenRefusal(expected: string, path: string, presented: unknown[]): string | null {
  if (isOpenMethod(path)) return null;
  if (presented.length === 0)
    return `${path} needs this run's token (metadata ${RUN_TOKEN_KEY}): only the run's own processes and the user who started it may call it`;
  if (presented.some((v) => typeof v === 'string' && sameSecret(expected, v))) return null;
  return `${path}: wrong run token (metadata ${RUN_TOKEN_KEY}); is it another run's?`;
}

/** The `authorization` value of a user name and password: `Basic base64(user:password)`. */
export function basicAuthorization(c: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

/** The user name and password of a `Basic …` value, or null when it is not one. */
export function parseBasicAuthorization(value: unknown): { username: string; password: string } | null {
  if (typeof value !== 'string') return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (!m) return null;
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return null;
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}
