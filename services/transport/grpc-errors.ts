/**
 * How a DcboxError crosses gRPC: each code's gRPC status, and the conversions between a thrown
 * value and a gRPC ServiceError. Kept apart from services/actor/errors.ts so that the codes
 * themselves stay free of @grpc/grpc-js and pure cores may use them.
 */
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { DcboxError, ERROR_CODES, type ErrorCode } from '../actor/errors.js';

/** The gRPC status each dcbox code travels as; typed over every code so no code is forgotten. */
export const GRPC_STATUS: Record<ErrorCode, status> = {
  RESERVATION_CONFLICT: status.FAILED_PRECONDITION,
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_MAPPED: status.PERMISSION_DENIED,
  NOT_ZONED: status.PERMISSION_DENIED,
  OUT_OF_RANGE: status.OUT_OF_RANGE,
  BAD_STATE: status.FAILED_PRECONDITION,
  PATH_DOWN: status.UNAVAILABLE,
  ALL_PATHS_DOWN: status.UNAVAILABLE,
  UNAVAILABLE: status.UNAVAILABLE,
  TIMEOUT: status.DEADLINE_EXCEEDED,
  IO_ERROR: status.INTERNAL,
  MEDIUM_ERROR: status.INTERNAL,
  OVERLOADED: status.RESOURCE_EXHAUSTED,
  REFUSED: status.FAILED_PRECONDITION,
  ABORTED: status.ABORTED,
  DMA_REFUSED: status.FAILED_PRECONDITION,
};

const CODE_KEY = 'dcbox-error-code';

/** Turns any thrown value into a gRPC error that carries the dcbox code. */
export function toServiceError(err: unknown): Partial<ServiceError> {
  const e =
    err instanceof DcboxError ? err : new DcboxError('IO_ERROR', String((err as Error)?.message ?? err));
  const metadata = new Metadata();
  metadata.set(CODE_KEY, e.code);
  return { code: GRPC_STATUS[e.code], details: e.message, metadata };
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
