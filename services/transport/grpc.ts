/**
 * gRPC plumbing shared by every service and client: loading proto/ (the one source of truth),
 * a server with grpc.health.v1 and reflection, and promise-returning calls with deadlines.
 */
import type { EventEmitter } from 'node:events';
import type { Http2Session } from 'node:http2';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { systemClock } from '../actor/clock.js';
import type { ProtoGrpcType as ChassisProto } from '../generated/chassis.js';
import type { ProtoGrpcType as ClusterProto } from '../generated/cluster.js';
import type { ProtoGrpcType as CommonProto } from '../generated/common.js';
import type { ProtoGrpcType as NodeProto } from '../generated/node.js';
import type { ProtoGrpcType as OrchestratorProto } from '../generated/orchestrator.js';
import type { ProtoGrpcType as StorageProto } from '../generated/storage.js';
import type { ProtoGrpcType as WitnessProto } from '../generated/witness.js';
import type { ProtoGrpcType as WorkstationProto } from '../generated/workstation.js';
import { projectRoot } from '../process/root.js';
import { authInterceptors, type CallAuth, RUN_TOKEN_KEY, requireRunToken } from './call-auth.js';
import { toServiceError } from './grpc-errors.js';
import { HEALTH_SERVICE, Health, type ServingStatus } from './health.js';

export { projectRoot };

/**
 * Each dcbox package and the file that declares it (every file imports common.proto). They are
 * loaded one at a time, on first use: a process that only forwards storage commands (an RSSM)
 * never builds the cluster's or the orchestrator's types, which keeps a host's resident memory
 * down (issue 8's rssMiBPerHost).
 */
const PACKAGE_FILES = {
  common: 'common.proto',
  storage: 'storage.proto',
  chassis: 'chassis.proto',
  witness: 'witness.proto',
  node: 'node.proto',
  workstation: 'workstation.proto',
  orchestrator: 'orchestrator.proto',
  cluster: 'cluster.proto',
} as const;

/** Options that match the generated types (scripts/gen-proto-types.mjs). */
const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [join(projectRoot, 'proto')],
};

export type Protos = ClusterProto &
  CommonProto &
  StorageProto &
  ChassisProto &
  WitnessProto &
  NodeProto &
  WorkstationProto &
  OrchestratorProto;

/** The definitions of every file loaded so far, merged: what server reflection describes. */
const loadedDefinition: protoLoader.PackageDefinition = {};
let cached: Protos | undefined;

/**
 * Every dcbox service and message, typed from the generated code. `protos().dcbox.<package>`
 * loads that package's file the first time it is read and keeps it.
 */
export function protos(): Protos {
  if (!cached) {
    const dcbox = {};
    for (const [pkg, file] of Object.entries(PACKAGE_FILES)) {
      Object.defineProperty(dcbox, pkg, {
        enumerable: true,
        configurable: true,
        get() {
          const definition = protoLoader.loadSync(file, LOADER_OPTIONS);
          Object.assign(loadedDefinition, definition);
          // biome-ignore lint/suspicious/noExplicitAny: typed by Protos at the return below
          const value = (grpc.loadPackageDefinition(definition) as any).dcbox[pkg];
          Object.defineProperty(dcbox, pkg, { value, enumerable: true });
          return value;
        },
      });
    }
    cached = { dcbox } as unknown as Protos;
  }
  return cached;
}

export interface GrpcServer {
  server: grpc.Server;
  health: Health;
  port: number;
  /** Marks every registered service SERVING (or NOT_SERVING). */
  setServing(serving: boolean): void;
  shutdown(): Promise<void>;
}

/**
 * Starts a server on address:port with the given services, grpc.health.v1 (NOT_SERVING until
 * setServing(true)) and server reflection for tools such as grpcurl. With `runToken`, every
 * other call must carry it (call-auth.ts); without, the server is open (unit tests, hand-written
 * configs). `address` may be `unix:///path` (then `port` is ignored and reported as 0).
 */
export async function startGrpcServer(
  address: string,
  port: number,
  services: { definition: grpc.ServiceDefinition; name: string; impl: grpc.UntypedServiceImplementation }[],
  opts: { runToken?: string | null } = {},
): Promise<GrpcServer> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    // Nothing here serves channelz, and its per-call bookkeeping showed in the storage path's
    // profile (issue 8's iopsRatio).
    'grpc.enable_channelz': 0,
    ...(opts.runToken ? { interceptors: [requireRunToken(opts.runToken)] } : {}),
  });
  const statusMap: Record<string, ServingStatus> = { '': 'NOT_SERVING' };
  for (const s of services) statusMap[s.name] = 'NOT_SERVING';
  const health = new Health(statusMap);
  health.addToServer(server);
  for (const s of services) server.addService(s.definition, s.impl);
  addLazyReflection(server);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      address.startsWith('unix:') ? address : `${address}:${port}`,
      grpc.ServerCredentials.createInsecure(),
      (err, p) => (err ? reject(err) : resolve(p)),
    ),
  );
  widenReceiveWindows(server);
  return {
    server,
    health,
    port: bound,
    setServing(serving) {
      for (const name of Object.keys(statusMap)) health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
    },
    shutdown: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 500).unref();
      }),
  };
}

/**
 * Server reflection (for grpcurl and friends), built on its first call. @grpc/reflection parses
 * its own reflection.proto twice and indexes every loaded file as it is added to a server: on
 * a blade that was ~70 ms of CPU in a start that contends for two cores (issue 8's startupMs),
 * for a service that only a person with grpcurl calls. The server gets stand-in methods at
 * the same paths whose codecs and handlers are @grpc/reflection's own, made on first use; it
 * then describes every file loaded by then, which include every service served here.
 */
function addLazyReflection(server: grpc.Server): void {
  type Captured = { method: grpc.MethodDefinition<unknown, unknown>; handler: grpc.UntypedHandleCall };
  let real: Map<string, Captured> | undefined;
  const load = (path: string): Captured => {
    if (!real) {
      const found = new Map<string, Captured>();
      new ReflectionService(loadedDefinition).addToServer({
        addService: (definition: grpc.ServiceDefinition, impl: grpc.UntypedServiceImplementation) => {
          for (const [name, method] of Object.entries(definition))
            found.set(method.path, { method, handler: impl[name] as grpc.UntypedHandleCall });
        },
      });
      real = found;
    }
    const captured = real.get(path);
    if (!captured) throw new Error(`@grpc/reflection serves no ${path}`);
    return captured;
  };
  for (const version of ['v1', 'v1alpha']) {
    const path = `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`;
    const method: grpc.MethodDefinition<unknown, unknown> = {
      path,
      requestStream: true,
      responseStream: true,
      requestSerialize: (v) => load(path).method.requestSerialize(v),
      requestDeserialize: (b) => load(path).method.requestDeserialize(b),
      responseSerialize: (v) => load(path).method.responseSerialize(v),
      responseDeserialize: (b) => load(path).method.responseDeserialize(b),
      originalName: 'serverReflectionInfo',
    };
    server.addService(
      { ServerReflectionInfo: method },
      {
        ServerReflectionInfo: (call: grpc.ServerDuplexStream<unknown, unknown>) =>
          (load(path).handler as grpc.handleBidiStreamingCall<unknown, unknown>)(call),
      },
    );
  }
}

/**
 * HTTP/2 receive window of every connection and stream, in bytes. Node's default is 64 KiB for
 * both, and a stream may only send that much before the receiver acknowledges it: a 1 MiB
 * write then crosses each hop in 16 round trips, and 32 writes in flight share one 64 KiB
 * connection window (issue 8's seqWriteRatio). The windows bound what a peer may send ahead,
 * not what is allocated, so wide ones cost memory only while data is in flight.
 */
export const RECEIVE_WINDOW_BYTES = 16 * 1024 * 1024;

/**
 * grpc-js takes a client's receive window as a channel option but has no server option for it,
 * so each new server session announces the wide windows itself. Reaches into grpc-js's
 * http2Servers map; if a later grpc-js renames it, servers keep Node's defaults.
 */
function widenReceiveWindows(server: grpc.Server): void {
  const servers = (server as unknown as { http2Servers?: Map<EventEmitter, unknown> }).http2Servers;
  if (!(servers instanceof Map)) return;
  for (const h2 of servers.keys())
    h2.on('session', (session: Http2Session) => {
      try {
        session.settings({ initialWindowSize: RECEIVE_WINDOW_BYTES });
        session.setLocalWindowSize(RECEIVE_WINDOW_BYTES);
      } catch {
        // A session closed at once keeps its defaults; it carries nothing anyway.
      }
    });
}

/** Call options with a deadline this many milliseconds from now. */
export function deadline(ms: number): grpc.CallOptions {
  return { deadline: systemClock.now() + ms };
}

/** Wraps a callback-style unary call: rpc(cb => client.Write(req, deadline(500), cb)). */
export function rpc<Res>(
  invoke: (cb: (err: grpc.ServiceError | null, res?: Res) => void) => unknown,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    invoke((err, res) => (err ? reject(err) : resolve(res as Res)));
  });
}

/**
 * Adapts an async handler to a grpc-js unary handler: a thrown DcboxError becomes a status
 * with its code carried in metadata.
 */
export function unary<Req, Res>(handler: (req: Req) => Promise<Res> | Res): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handler(call.request))
      .then(
        (res) => callback(null, res),
        (err) => callback(toServiceError(err)),
      );
  };
}

/**
 * The run token this process's clients send by default. A service process belongs to exactly
 * one run, and a dozen of its adapters make clients (paths, peers, the backplane, the witness):
 * rather than hand the token to each, runService sets it here once, from the config, and
 * CLIENT_OPTIONS's interceptor sends it. Processes that talk to a run from outside (the CLI,
 * the daemon, the testing helper) pass theirs explicitly with clientOptions().
 */
let processRunToken: string | null = null;

/** Sets the token every client made with CLIENT_OPTIONS sends (runService, from the config). */
export function setProcessRunToken(token: string | null | undefined): void {
  processRunToken = token || null;
}

const processTokenInterceptor: grpc.Interceptor = (options, nextCall) =>
  new grpc.InterceptingCall(nextCall(options), {
    start: (metadata, listener, next) => {
      if (processRunToken) metadata.set(RUN_TOKEN_KEY, processRunToken);
      next(metadata, listener);
    },
  });

/** Client channel options: fail fast and reconnect quickly, since hosts die and come back. */
export const CLIENT_OPTIONS: grpc.ChannelOptions = {
  // grpc-js takes the interceptors out of the options before it makes the channel.
  interceptors: [processTokenInterceptor],
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
  'grpc.enable_retries': 0,
  'grpc.enable_channelz': 0,
  // The client's receive window (what a server may send ahead: reads), as RECEIVE_WINDOW_BYTES.
  'grpc-node.flow_control_window': RECEIVE_WINDOW_BYTES,
};

export const insecure = grpc.credentials.createInsecure;

/** CLIENT_OPTIONS for a client of a run from outside it: sends `auth` (call-auth.ts) with every call. */
export function clientOptions(auth: CallAuth | undefined): grpc.ChannelOptions {
  return { ...CLIENT_OPTIONS, interceptors: authInterceptors(auth) };
}

let healthCtor: grpc.ServiceClientConstructor | undefined;

/**
 * Reconnect backoff of a client that waits for a starting server: the default (100 ms growing
 * to 1 s) let a server serve for up to a second before its poller's next connection attempt.
 */
const WAITING_OPTIONS: grpc.ChannelOptions = {
  ...CLIENT_OPTIONS,
  'grpc.initial_reconnect_backoff_ms': 20,
  'grpc.max_reconnect_backoff_ms': 100,
};

/**
 * A grpc.health.v1 client for one server; check() answers whether it is SERVING. `waiting`:
 * the server may be starting, so reconnect within 100 ms (see WAITING_OPTIONS).
 */
export function healthClient(
  target: string,
  opts: { waiting?: boolean } = {},
): { check(timeoutMs: number): Promise<boolean>; close(): void } {
  healthCtor ??= grpc.makeGenericClientConstructor(HEALTH_SERVICE, 'grpc.health.v1.Health');
  const client = new healthCtor(
    target,
    grpc.credentials.createInsecure(),
    opts.waiting ? WAITING_OPTIONS : CLIENT_OPTIONS,
  ) as unknown as grpc.Client & {
    Check(
      req: { service?: string },
      options: grpc.CallOptions,
      cb: (err: grpc.ServiceError | null, res?: { status: ServingStatus }) => void,
    ): void;
  };
  return {
    async check(timeoutMs) {
      try {
        // A waiting client's call waits for the connection (retried every 20-100 ms) rather than
        // failing at once and being asked again.
        const options = { ...deadline(timeoutMs), waitForReady: !!opts.waiting };
        const res = await rpc<{ status: ServingStatus }>((cb) => client.Check({}, options, cb));
        return res.status === 'SERVING';
      } catch {
        return false;
      }
    },
    close: () => client.close(),
  };
}

/** Polls a starting server's health until it is SERVING; false if `gone()` says it never will. */
export async function waitServing(
  target: string,
  opts: { timeoutMs: number; gone?: () => boolean; pollMs?: number },
): Promise<boolean> {
  const health = healthClient(target, { waiting: true });
  const until = systemClock.now() + opts.timeoutMs;
  try {
    while (!(await health.check(500))) {
      if (opts.gone?.() || systemClock.now() > until) return false;
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 25));
    }
    return true;
  } finally {
    health.close();
  }
}

/** Asks grpc.health.v1 of a server once whether it is SERVING. */
export async function checkHealth(target: string, timeoutMs: number): Promise<boolean> {
  const c = healthClient(target);
  try {
    return await c.check(timeoutMs);
  } finally {
    c.close();
  }
}
