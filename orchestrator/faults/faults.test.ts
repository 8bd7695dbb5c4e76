import { describe, expect, it } from 'vitest';
import type { HostAddress } from '../runtime/types.js';
import { type FaultDeps, FaultLeases, type FaultRequest } from './faults.js';

/** Two blades in bay 2 of two chassis: only the chassis tells them apart. */
const BAYS: Record<string, { kind: 'blade'; number: number; managementModule: string }> = {
  HVR2NODO2: { kind: 'blade', number: 2, managementModule: 'mm1' },
  HVR2NODO8: { kind: 'blade', number: 2, managementModule: 'mm2' },
};

function leases(calls: string[]): FaultLeases {
  const deps = {
    address: (h: string) => ({ name: h }) as unknown as HostAddress,
    component: () => 'hyperv-node',
    bayOf: (h: string) => BAYS[h],
    mmPower: async (kind: string, bay: number, action: string, mm?: string) => {
      calls.push(`${mm} ${kind} ${bay} ${action}`);
    },
  } as unknown as FaultDeps;
  return new FaultLeases(deps);
}

const powerOff = (host: string): FaultRequest => ({
  kind: 'power-off',
  hosts: [host],
  groups: [],
  one_way: false,
  duration_ms: 60_000,
  peers: [],
  lun: '',
  delay_ms: 0,
  error_rate: 0,
});

describe('power faults in a data center of several chassis', () => {
  it("powers a blade off and on through its own chassis's management module", async () => {
    const calls: string[] = [];
    const f = leases(calls);
    const view = await f.inject(powerOff('HVR2NODO8'));
    await f.lift(view.id);
    expect(calls).toEqual(['mm2 blade 2 off', 'mm2 blade 2 on']);
    await f.inject(powerOff('HVR2NODO2'));
    await f.liftAll();
    expect(calls.slice(2)).toEqual(['mm1 blade 2 off', 'mm1 blade 2 on']);
  });
});
