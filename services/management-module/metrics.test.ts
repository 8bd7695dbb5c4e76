import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../actor/actor.js';
import { metricNameProblems } from '../observability/metrics.js';
import type { MmSettings } from '../process/config.js';
import {
  type ChassisEffect,
  type ChassisMsg,
  type ChassisState,
  decideChassis,
  initialState,
  viewChassis,
} from './core.js';
import { mmMetrics } from './metrics.js';

const settings: MmSettings = {
  chassisName: 'BCS-DCBOX',
  model: 'IBM BladeCenter S',
  blades: [
    { bay: 1, host: 'HVR2NODO1', name: 'HVR2NODO1' },
    { bay: 2, host: 'HVR2NODO2', name: 'HVR2NODO2' },
  ],
  ioModules: [{ bay: 3, host: 'rssm3', name: 'SAS RAID Controller Module' }],
  storageModules: [{ bay: 1, present: true, drives: 6 }],
  credentials: { username: 'USERID', password: 'PASSW0RD' },
};

function mm() {
  const sim = new Simulation<ChassisState, ChassisMsg, ChassisEffect>(
    decideChassis,
    initialState(settings, { silenceMs: 5000, tickMs: 1000, now: 0 }),
  );
  sim.send({ type: 'start' });
  const r = new Registry();
  mmMetrics(r, {
    chassis: () => viewChassis(sim.state, sim.now),
    loginFailures: () => sim.state.loginFailures,
  });
  return { sim, r };
}

describe('management-module metrics', () => {
  it('follow the naming rules', async () => {
    expect(await metricNameProblems(mm().r)).toEqual([]);
  });

  it('show the power state of every installed blade and module, as the AMM does', async () => {
    const { sim, r } = mm();
    sim.send({ type: 'powerRead', host: 'HVR2NODO1', on: true });
    sim.send({ type: 'powerRead', host: 'HVR2NODO2', on: false });
    const text = await r.metrics();
    expect(text).toContain('dcbox_chassis_bay_power_state{kind="blade",bay="1",state="On"} 1');
    expect(text).toContain('dcbox_chassis_bay_power_state{kind="blade",bay="2",state="Off"} 1');
    expect(text).toContain('dcbox_chassis_bay_power_state{kind="io",bay="3",state="Unknown"} 1');
    expect(text).toContain('dcbox_chassis_bay_power_state{kind="storage",bay="1",state="On"} 1');
    expect(text).toContain('dcbox_chassis_bay_health{kind="blade",bay="2",health="off"} 1');
    // Empty bays export nothing.
    expect(text).not.toContain('bay="4"');
  });

  it("count every refused login, the gRPC API's among them", async () => {
    const { sim, r } = mm();
    sim.send({ type: 'remoteLogin', user: 'USERID', via: 'telnet', ok: false });
    sim.send({ type: 'remoteLogin', user: '', via: 'grpc', ok: false });
    sim.send({ type: 'remoteLogin', user: 'USERID', via: 'redfish', ok: true });
    expect(await r.metrics()).toContain('dcbox_chassis_login_failures_total 2');
    expect(sim.state.log.at(-2)?.text).toBe("Remote login failed for user '' from grpc");
  });
});
