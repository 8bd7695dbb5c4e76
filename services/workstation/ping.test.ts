import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { checkPingRequest, pingError } from './ping.js';

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
});
