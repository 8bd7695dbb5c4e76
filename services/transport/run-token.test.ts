import { describe, expect, it } from 'vitest';
import {
  basicAuthorization,
  isOpenMethod,
  newRunToken,
  parseBasicAuthorization,
  runTokenRefusal,
  sameSecret,
} from './run-token.js';

const TOKEN = 'a'.repeat(64);
const POWER = '/dcbox.chassis.v1.ManagementModule/Power';

describe('the run token check', () => {
  it('lets health checks and reflection through without a token', () => {
    expect(isOpenMethod('/grpc.health.v1.Health/Check')).toBe(true);
    expect(isOpenMethod('/grpc.reflection.v1.ServerReflection/ServerReflectionInfo')).toBe(true);
    expect(runTokenRefusal(TOKEN, '/grpc.health.v1.Health/Watch', [])).toBeNull();
  });

  it('refuses a call without a token, and says who may call', () => {
    expect(runTokenRefusal(TOKEN, POWER, [])).toMatch(
      /needs this run's token .*x-dcbox-run-token.*only the run's own processes/,
    );
  });

  it("refuses another run's token", () => {
    expect(runTokenRefusal(TOKEN, POWER, ['b'.repeat(64)])).toMatch(/wrong run token/);
    expect(runTokenRefusal(TOKEN, POWER, [TOKEN.slice(1)])).toMatch(/wrong run token/);
    expect(runTokenRefusal(TOKEN, POWER, [Buffer.from(TOKEN)])).toMatch(/wrong run token/);
  });

  it("lets the run's token through, whichever of several values carries it", () => {
    expect(runTokenRefusal(TOKEN, POWER, [TOKEN])).toBeNull();
    expect(runTokenRefusal(TOKEN, POWER, ['stale', TOKEN])).toBeNull();
  });

  it('makes a new 256-bit token each time', () => {
    const a = newRunToken();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(newRunToken()).not.toBe(a);
  });

  it('compares secrets of different lengths without throwing', () => {
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('abc', 'abc')).toBe(true);
  });
});

describe('Basic credentials', () => {
  it('round-trip, a colon in the password included', () => {
    const value = basicAuthorization({ username: 'USERID', password: 'PASS:W0RD' });
    expect(value).toBe(`Basic ${Buffer.from('USERID:PASS:W0RD').toString('base64')}`);
    expect(parseBasicAuthorization(value)).toEqual({ username: 'USERID', password: 'PASS:W0RD' });
  });

  it('are not read from anything else', () => {
    expect(parseBasicAuthorization('Bearer abc')).toBeNull();
    expect(parseBasicAuthorization(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeNull();
    expect(parseBasicAuthorization(undefined)).toBeNull();
    expect(parseBasicAuthorization(Buffer.from('Basic eA=='))).toBeNull();
  });
});
