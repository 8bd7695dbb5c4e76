/**
 * grpc.health.v1 (Check, Watch, List) with its three small messages encoded by hand, so that
 * neither a server nor a client parses health.proto: every service process and the daemon
 * serve or poll health while a data center starts, on two cores, and loading grpc-health-check
 * (which parses the .proto with protobufjs) cost each of them more than the service itself
 * (issue 8's startupMs). Wire format: HealthCheckRequest { string service = 1 },
 * HealthCheckResponse { ServingStatus status = 1 }, HealthListResponse
 * { map<string, HealthCheckResponse> statuses = 1 }.
 */
import * as grpc from '@grpc/grpc-js';

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

const STATUS_CODES: Record<ServingStatus, number> = {
  UNKNOWN: 0,
  SERVING: 1,
  NOT_SERVING: 2,
  SERVICE_UNKNOWN: 3,
};
const STATUS_NAMES = Object.fromEntries(Object.entries(STATUS_CODES).map(([k, v]) => [v, k])) as Record<
  number,
  ServingStatus
>;

/** Calls `field` for each field of an encoded message: varints as numbers, strings/messages as bytes. */
function eachField(buf: Uint8Array, field: (no: number, value: number | Uint8Array) => void): void {
  let i = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; i < buf.length; shift += 7) {
      const b = buf[i++] as number;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
    throw new Error('truncated varint in a health message');
  };
  while (i < buf.length) {
    const tag = varint();
    const wire = tag & 7;
    if (wire === 0) field(tag >>> 3, varint());
    else if (wire === 2) {
      const length = varint();
      if (i + length > buf.length) throw new Error('truncated field in a health message');
      field(tag >>> 3, buf.subarray(i, i + length));
      i += length;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`unexpected wire type ${wire} in a health message`);
  }
}

function varintBytes(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A length-delimited field (wire type 2). */
function bytesField(no: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([(no << 3) | 2, ...varintBytes(bytes.length)]), bytes]);
}

export function encodeHealthRequest(req: { service?: string }): Buffer {
  return req.service ? bytesField(1, Buffer.from(req.service, 'utf8')) : Buffer.alloc(0);
}

export function decodeHealthRequest(buf: Uint8Array): { service: string } {
  let service = '';
  eachField(buf, (no, v) => {
    if (no === 1 && typeof v !== 'number') service = Buffer.from(v).toString('utf8');
  });
  return { service };
}

export function encodeHealthResponse(res: { status: ServingStatus }): Buffer {
  const code = STATUS_CODES[res.status];
  return code ? Buffer.from([0x08, code]) : Buffer.alloc(0);
}

export function decodeHealthResponse(buf: Uint8Array): { status: ServingStatus } {
  let code = 0;
  eachField(buf, (no, v) => {
    if (no === 1 && typeof v === 'number') code = v;
  });
  return { status: STATUS_NAMES[code] ?? 'UNKNOWN' };
}

function encodeListResponse(res: { statuses: Record<string, { status: ServingStatus }> }): Buffer {
  return Buffer.concat(
    Object.entries(res.statuses).map(([name, s]) =>
      bytesField(
        1,
        Buffer.concat([bytesField(1, Buffer.from(name, 'utf8')), bytesField(2, encodeHealthResponse(s))]),
      ),
    ),
  );
}

function decodeListResponse(buf: Uint8Array): { statuses: Record<string, { status: ServingStatus }> } {
  const statuses: Record<string, { status: ServingStatus }> = {};
  eachField(buf, (no, entry) => {
    if (no !== 1 || typeof entry === 'number') return;
    let name = '';
    let status: { status: ServingStatus } = { status: 'UNKNOWN' };
    eachField(entry, (k, v) => {
      if (typeof v === 'number') return;
      if (k === 1) name = Buffer.from(v).toString('utf8');
      if (k === 2) status = decodeHealthResponse(v);
    });
    statuses[name] = status;
  });
  return { statuses };
}

const PATH = '/grpc.health.v1.Health/';

/** The grpc.health.v1.Health service, for a server (addService) or a client constructor. */
export const HEALTH_SERVICE: grpc.ServiceDefinition = {
  Check: {
    path: `${PATH}Check`,
    requestStream: false,
    responseStream: false,
    requestSerialize: encodeHealthRequest,
    requestDeserialize: decodeHealthRequest,
    responseSerialize: encodeHealthResponse,
    responseDeserialize: decodeHealthResponse,
    originalName: 'check',
  },
  Watch: {
    path: `${PATH}Watch`,
    requestStream: false,
    responseStream: true,
    requestSerialize: encodeHealthRequest,
    requestDeserialize: decodeHealthRequest,
    responseSerialize: encodeHealthResponse,
    responseDeserialize: decodeHealthResponse,
    originalName: 'watch',
  },
  List: {
    path: `${PATH}List`,
    requestStream: false,
    responseStream: false,
    requestSerialize: () => Buffer.alloc(0),
    requestDeserialize: () => ({}),
    responseSerialize: encodeListResponse,
    responseDeserialize: decodeListResponse,
    originalName: 'list',
  },
};

/** At most this many services are listed, as grpc-health-check does. */
const LIST_MAX = 100;

/** A server's health: the status of each service ('' is the server as a whole). */
export class Health {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Map<string, Set<(s: ServingStatus) => void>>();

  constructor(initial: Record<string, ServingStatus> = {}) {
    for (const [name, status] of Object.entries(initial)) this.statuses.set(name, status);
  }

  setStatus(service: string, status: ServingStatus): void {
    this.statuses.set(service, status);
    for (const w of this.watchers.get(service) ?? []) w(status);
  }

  addToServer(server: grpc.Server): void {
    server.addService(HEALTH_SERVICE, {
      Check: (
        call: grpc.ServerUnaryCall<{ service: string }, unknown>,
        callback: grpc.sendUnaryData<{ status: ServingStatus }>,
      ) => {
        const status = this.statuses.get(call.request.service);
        if (status) callback(null, { status });
        else
          callback({
            code: grpc.status.NOT_FOUND,
            details: `Health status unknown for service ${call.request.service}`,
          });
      },
      Watch: (call: grpc.ServerWritableStream<{ service: string }, { status: ServingStatus }>) => {
        const name = call.request.service;
        const watcher = (status: ServingStatus) => call.write({ status });
        const set = this.watchers.get(name) ?? new Set();
        set.add(watcher);
        this.watchers.set(name, set);
        call.on('cancelled', () => set.delete(watcher));
        call.write({ status: this.statuses.get(name) ?? 'SERVICE_UNKNOWN' });
      },
      List: (
        _call: unknown,
        callback: grpc.sendUnaryData<{ statuses: Record<string, { status: ServingStatus }> }>,
      ) => {
        if (this.statuses.size > LIST_MAX) {
          callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'Too many services to list.' });
          return;
        }
        callback(null, {
          statuses: Object.fromEntries([...this.statuses].map(([name, status]) => [name, { status }])),
        });
      },
    });
  }
}
