/**
 * Errors that cross a process are data with a code. One table says for each code whether the
 * operation surely did not happen (definite) or may have (indefinite), as Maelstrom's error table
 * does: a client's operation that timed out is unknown, never failed. This module is pure (cores
 * import it); each code's gRPC status and the conversions to and from gRPC errors live in
 * services/transport/grpc-errors.ts.
 */

/** Every dcbox error code, and whether an operation that failed with it surely did not happen. */
export const ERROR_CODES = {
  RESERVATION_CONFLICT: { definite: true },
  NOT_FOUND: { definite: true },
  ALREADY_EXISTS: { definite: true },
  INVALID_ARGUMENT: { definite: true },
  NOT_MAPPED: { definite: true },
  NOT_ZONED: { definite: true },
  OUT_OF_RANGE: { definite: true },
  BAD_STATE: { definite: true },
  PATH_DOWN: { definite: true },
  ALL_PATHS_DOWN: { definite: false },
  UNAVAILABLE: { definite: false },
  TIMEOUT: { definite: false },
  IO_ERROR: { definite: false },
  MEDIUM_ERROR: { definite: true },
  OVERLOADED: { definite: true },
  REFUSED: { definite: true },
  ABORTED: { definite: true },
  /** The storage controller cannot map the shared memory a write names (services/sas/dma.ts). */
  DMA_REFUSED: { definite: true },
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
