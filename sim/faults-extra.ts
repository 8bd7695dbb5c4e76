/**
 * Faults applied through the simulated management module, as the chaos runner applies them on a
 * real data center (orchestrator/faults/faults.ts bayPower): a blade powered off and on, and an
 * I/O module (RSSM) pulled from its bay and put back, each a Power request to the management
 * module's core, asked again every 200 ms for up to 60 s while its bay is busy with another
 * power operation. A host in no bay (or a topology without a management module) is switched at
 * the backplane directly.
 */
import type { DataCenter } from './datacenter.js';

/** How long and how often a power request is asked again while the bay is busy (powerWhenFree). */
const BUSY_RETRY_MS = 200;
const BUSY_GIVE_UP_MS = 60_000;

/** Powers a host's bay off or on through the management module. */
export function bayPower(dc: DataCenter, host: string, on: boolean): void {
  const mm = dc.mm;
  const bay = mm?.bayOf(host);
  if (!mm || !bay) {
    dc.setPower(host, on);
    return;
  }
  const sched = dc.world.sched;
  const until = sched.now + BUSY_GIVE_UP_MS;
  const ask = () =>
    mm.power(bay.kind, bay.number, on ? 'on' : 'off', (a) => {
      if (a.ok || a.code !== 'BAD_STATE' || sched.now >= until) return;
      sched.after(BUSY_RETRY_MS, `mm power retry ${host}`, ask);
    });
  ask();
}
