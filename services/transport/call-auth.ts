/**
 * Who may call a run's gRPC services (docs/security.md): every call but a health check or server
 * reflection carries the run's secret token in metadata, and a server refuses any other call
 * with UNAUTHENTICATED. The token is made at `dcbox up` and handed to the run's processes in
 * their config, which only the run's owner can read; the owner's CLI reads it from the run's
 * state. This file holds the interceptors that apply the checks of run-token.ts on both sides
 * (the server's and the client's).
 */
import * as grpc from '@grpc/grpc-js';
import { AUTHORIZATION_KEY, basicAuthorization, RUN_TOKEN_KEY, runTokenRefusal } from './run-token.js';

export { AUTHORIZATION_KEY, RUN_TOKEN_KEY } from './run-token.js';

/**
 * A server interceptor that refuses, before the request is read, every call without the run's
 * token (runTokenRefusal).
 */
export function requireRunToken(expected: string): grpc.ServerInterceptor {
  return (method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, mdNext) => {
            const refusal = runTokenRefusal(expected, method.path, metadata.get(RUN_TOKEN_KEY));
            if (refusal) call.sendStatus({ code: grpc.status.UNAUTHENTICATED, details: refusal });
            else mdNext(metadata);
          },
        }),
    });
}

/** A client interceptor that adds fixed metadata (the run's token, credentials) to every call. */
export function addMetadata(entries: Record<string, string>): grpc.Interceptor {
  const pairs = Object.entries(entries);
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start: (metadata, listener, next) => {
        for (const [k, v] of pairs) metadata.set(k, v);
        next(metadata, listener);
      },
    });
}

/**
 * What a client of a run sends with each call: the run's token and, to the management module,
 * the chassis credentials. Both absent: a run that checks nothing (a hand-written config).
 */
export interface CallAuth {
  runToken?: string | null;
  credentials?: { username: string; password: string } | null;
}

/** The interceptors a client needs for `auth` (none when there is nothing to send). */
export function authInterceptors(auth: CallAuth | undefined): grpc.Interceptor[] {
  const entries: Record<string, string> = {};
  if (auth?.runToken) entries[RUN_TOKEN_KEY] = auth.runToken;
  if (auth?.credentials) entries[AUTHORIZATION_KEY] = basicAuthorization(auth.credentials);
  return Object.keys(entries).length ? [addMetadata(entries)] : [];
}
