import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { checkPingRequest, echoAnswer, pingError } from './ping.js';

describe('ping errors', () => {
  it('shows "no responders" as the ping window does: Destination host unreachable', () => {
    const err = new RequestError('no responders', { cause: new NoRespondersError('dcbox.v1.vm.VM1.echo') });
    expect(pingError(err)).toBe('Destination host unreachable');
    expect(pingError(new NoRespondersError('x'))).toBe('Destination host unreachable');
  });

  it('shows a timeout as Request timed out', () => {
    expect(pingError(new TimeoutError())).toBe('Request timed out');
  });

  it('keeps the cause of any other failure', () => {
    expect(pingError(new Error('connection closed'))).toBe('General failure: connection closed');
  });

  it('requires a VM name', () => {
    expect(checkPingRequest({ vm: '' })?.code).toBe('INVALID_ARGUMENT');
    expect(checkPingRequest({ vm: 'VM1' })).toBeNull();
  });

  it("carries the host's answer time when the host said it, and none from a host that did not", () => {
    expect(echoAnswer({ host: 'HVR2NODO1', answeredAt: 1_700_000_000_123 }, 250)).toEqual({
      ok: true,
      host: 'HVR2NODO1',
      rttUs: 250,
      answeredAtMs: 1_700_000_000_123,
    });
    expect(echoAnswer({ host: 'HVR2NODO1' }, 250)).toEqual({ ok: true, host: 'HVR2NODO1', rttUs: 250 });
    expect(echoAnswer({ host: 'HVR2NODO1', answeredAt: 'soon' }, 250)).not.toHaveProperty('answeredAtMs');
  });
});
