/**
 * Errors that cross a process are data with a code. One table maps each code to a gRPC status
 * and says whether the operation surely did not happen (definite) or may have (indefinite), as
 * Maelstrom's error table does: a client's operation that timed out is unknown, never failed.
 */
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';

export const ERROR_CODES = {
  RESERVATION_CONFLICT: { grpc: status.FAILED_PRECONDITION, definite: true },
  NOT_FOUND: { grpc: status.NOT_FOUND, definite: true },
  ALREADY_EXISTS: { grpc: status.ALREADY_EXISTS, definite: true },
  INVALID_ARGUMENT: { grpc: status.INVALID_ARGUMENT, definite: true },
  NOT_MAPPED: { grpc: status.PERMISSION_DENIED, definite: true },
  NOT_ZONED: { grpc: status.PERMISSION_DENIED, definite: true },
  OUT_OF_RANGE: { grpc: status.OUT_OF_RANGE, definite: true },
  BAD_STATE: { grpc: status.FAILED_PRECONDITION, definite: true },
  PATH_DOWN: { grpc: status.UNAVAILABLE, definite: true },
  ALL_PATHS_DOWN: { grpc: status.UNAVAILABLE, definite: false },
  UNAVAILABLE: { grpc: status.UNAVAILABLE, definite: false },
  TIMEOUT: { grpc: status.DEADLINE_EXCEEDED, definite: false },
  IO_ERROR: { grpc: status.INTERNAL, definite: false },
  MEDIUM_ERROR: { grpc: status.INTERNAL, definite: true },
  OVERLOADED: { grpc: status.RESOURCE_EXHAUSTED, definite: true },
  REFUSED: { grpc: status.FAILED_PRECONDITION, definite: true },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An operating error with a code that survives a trip over gRPC. */
export class DcboxError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DcboxError';
  }
  /** True when the operation surely did not take effect. */
  get definite(): boolean {
    return ERROR_CODES[this.code].definite;
  }
}

const CODE_KEY = 'dcbox-error-code';

/** Turns any thrown value into a gRPC error that carries the dcbox code. */
export function toServiceError(err: unknown): Partial<ServiceError> {
  const e =
    err instanceof DcboxError ? err : new DcboxError('IO_ERROR', String((err as Error)?.message ?? err));
  const metadata = new Metadata();
  metadata.set(CODE_KEY, e.code);
  return { code: ERROR_CODES[e.code].grpc, details: e.message, metadata };
}

/** Turns a gRPC client error back into a DcboxError with the best-matching code. */
export function fromServiceError(err: unknown): DcboxError {
  if (err instanceof DcboxError) return err;
  const se = err as Partial<ServiceError>;
  const carried = se.metadata?.get(CODE_KEY)?.[0];
  if (typeof carried === 'string' && carried in ERROR_CODES) {
    return new DcboxError(carried as ErrorCode, se.details ?? String(carried), { cause: err });
  }
  const message = se.details || se.message || String(err);
  switch (se.code) {
    case status.DEADLINE_EXCEEDED:
      return new DcboxError('TIMEOUT', message, { cause: err });
    case status.UNAVAILABLE:
      return new DcboxError('UNAVAILABLE', message, { cause: err });
    case status.NOT_FOUND:
      return new DcboxError('NOT_FOUND', message, { cause: err });
    case status.INVALID_ARGUMENT:
      return new DcboxError('INVALID_ARGUMENT', message, { cause: err });
    default:
      return new DcboxError('IO_ERROR', message, { cause: err });
  }
}
