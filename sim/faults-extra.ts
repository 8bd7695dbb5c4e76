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

/** The defaults of the chaos runner's storage faults (orchestrator/faults/faults.ts). */
const SLOW_DELAY_MS = 200;
const ERROR_RATE = 0.2;

/**
 * A storage-slow or storage-errors fault on LUNs `luns`, through the controller core's own fault
 * hook, as a lease of `durationMs`; `on` false lifts it.
 */
export function storageFault(
  dc: DataCenter,
  kind: 'storage-slow' | 'storage-errors',
  luns: string[],
  on: boolean,
  durationMs: number,
): void {
  for (const lun of luns)
    if (!on) dc.storage.injectFault(lun, 'none', 0, 0, 0);
    else if (kind === 'storage-slow') dc.storage.injectFault(lun, 'slow', SLOW_DELAY_MS, 0, durationMs);
    else dc.storage.injectFault(lun, 'errors', 0, ERROR_RATE, durationMs);
}

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
