/**
 * gRPC plumbing shared by every service and client: loading proto/ (the one source of truth),
 * a server with grpc.health.v1 and reflection, and promise-returning calls with deadlines.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, type ServingStatusMap } from 'grpc-health-check';
import type { ProtoGrpcType as ChassisProto } from '../generated/chassis.js';
import type { ProtoGrpcType as ClusterProto } from '../generated/cluster.js';
import type { ProtoGrpcType as CommonProto } from '../generated/common.js';
import type { ProtoGrpcType as NodeProto } from '../generated/node.js';
import type { ProtoGrpcType as OrchestratorProto } from '../generated/orchestrator.js';
import type { ProtoGrpcType as StorageProto } from '../generated/storage.js';
import type { ProtoGrpcType as WitnessProto } from '../generated/witness.js';
import type { ProtoGrpcType as WorkstationProto } from '../generated/workstation.js';
import { toServiceError } from './errors.js';

/** The project root: the folder holding proto/, found from here in source and in dist/. */
export const projectRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'proto', 'common.proto'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find proto/ above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
})();

const PROTO_FILES = [
  'common.proto',
  'storage.proto',
  'chassis.proto',
  'witness.proto',
  'node.proto',
  'workstation.proto',
  'orchestrator.proto',
  'cluster.proto',
];

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

let cached: { definition: protoLoader.PackageDefinition; protos: Protos } | undefined;

/** Every dcbox service and message, typed from the generated code. */
export function protos(): Protos {
  return load().protos;
}

function load() {
  if (!cached) {
    const definition = protoLoader.loadSync(PROTO_FILES, LOADER_OPTIONS);
    cached = { definition, protos: grpc.loadPackageDefinition(definition) as unknown as Protos };
  }
  return cached;
}

export interface GrpcServer {
  server: grpc.Server;
  health: HealthImplementation;
  port: number;
  /** Marks every registered service SERVING (or NOT_SERVING). */
  setServing(serving: boolean): void;
  shutdown(): Promise<void>;
}

/**
 * Starts a server on address:port with the given services, grpc.health.v1 (NOT_SERVING until
 * setServing(true)) and server reflection for tools such as grpcurl.
 */
export async function startGrpcServer(
  address: string,
  port: number,
  services: { definition: grpc.ServiceDefinition; name: string; impl: grpc.UntypedServiceImplementation }[],
): Promise<GrpcServer> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  const statusMap: ServingStatusMap = { '': 'NOT_SERVING' };
  for (const s of services) statusMap[s.name] = 'NOT_SERVING';
  const health = new HealthImplementation(statusMap);
  health.addToServer(server);
  new ReflectionService(load().definition).addToServer(server);
  for (const s of services) server.addService(s.definition, s.impl);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${address}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
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

/** Call options with a deadline this many milliseconds from now. */
export function deadline(ms: number): grpc.CallOptions {
  return { deadline: Date.now() + ms };
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

/** Client channel options: fail fast and reconnect quickly, since hosts die and come back. */
export const CLIENT_OPTIONS: grpc.ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
  'grpc.enable_retries': 0,
};

export const insecure = grpc.credentials.createInsecure;

// biome-ignore lint/suspicious/noExplicitAny: the health proto ships without generated types
let healthCtor: any;

/** A grpc.health.v1 client for one server; check() answers whether it is SERVING. */
export function healthClient(target: string): { check(timeoutMs: number): Promise<boolean>; close(): void } {
  if (!healthCtor) {
    const def = protoLoader.loadSync(
      join(projectRoot, 'node_modules', 'grpc-health-check', 'proto', 'health', 'v1', 'health.proto'),
      { keepCase: true, enums: String },
    );
    // biome-ignore lint/suspicious/noExplicitAny: as above
    healthCtor = (grpc.loadPackageDefinition(def) as any).grpc.health.v1.Health;
  }
  const client = new healthCtor(target, grpc.credentials.createInsecure(), CLIENT_OPTIONS);
  return {
    async check(timeoutMs) {
      try {
        const res = await rpc<{ status: string }>((cb) =>
          client.Check({ service: '' }, deadline(timeoutMs), cb),
        );
        return res.status === 'SERVING';
      } catch {
        return false;
      }
    },
    close: () => client.close(),
  };
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
