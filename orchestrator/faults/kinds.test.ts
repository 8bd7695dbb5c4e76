import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, isRecoveryKind, RECORDED_FAULT_KINDS, RECOVERY_KINDS } from './kinds.js';

describe('fault kinds', () => {
  it('records every injectable kind and every recovery kind, each once', () => {
    expect(new Set(RECORDED_FAULT_KINDS).size).toBe(FAULT_KINDS.length + RECOVERY_KINDS.length);
    for (const k of [...FAULT_KINDS, ...RECOVERY_KINDS]) expect(RECORDED_FAULT_KINDS).toContain(k);
  });

  it('tells a recovery from a fault', () => {
    expect(isRecoveryKind('heal')).toBe(true);
    expect(isRecoveryKind('partition')).toBe(false);
    expect(isRecoveryKind('no-such-kind')).toBe(false);
  });
});
