import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { DcboxError, ERROR_CODES, type ErrorCode } from '../actor/errors.js';
import { fromServiceError, GRPC_STATUS, toServiceError } from './grpc-errors.js';

describe('grpc-errors', () => {
  it('carries every dcbox code across a gRPC error and back', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const se = toServiceError(new DcboxError(code, `failed with ${code}`));
      expect(se.code).toBe(GRPC_STATUS[code]);
      const back = fromServiceError(se);
      expect(back.code).toBe(code);
      expect(back.message).toBe(`failed with ${code}`);
    }
  });

  it('maps a plain gRPC deadline to an indefinite TIMEOUT', () => {
    const e = fromServiceError({ code: status.DEADLINE_EXCEEDED, details: 'deadline' });
    expect(e.code).toBe('TIMEOUT');
    expect(e.definite).toBe(false);
  });
});
