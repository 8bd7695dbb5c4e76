/**
 * User-mode hang detection, as the cluster network driver does it (docs/domain.md §Heartbeats,
 * hang detection): a countdown that every check-in of the cluster service restarts; when it runs
 * out, the service is taken as hung and the node's heartbeats stop, so its peers remove it
 * (2008 R2's default action is a Stop 0x9E of the whole machine; dcbox stops the heartbeats
 * only, and the node's lease then stops its VMs).
 *
 * Pure, driven by the heartbeat thread's clock: `tick` runs on the thread's own timer. A tick
 * that comes much later than its period means the thread itself did not run (the process was
 * frozen with SIGSTOP, or starved), and then the countdown restarts instead of firing: a frozen
 * and thawed node is judged by its peers, not by its own watchdog.
 */
export class HangWatch {
  private lastCheckIn: number;
  private lastTick: number;
  private hungSince: number | null = null;

  constructor(
    private readonly timeoutMs: number,
    private readonly tickMs: number,
    now: number,
  ) {
    this.lastCheckIn = now;
    this.lastTick = now;
  }

  /** Whether the service is taken as hung now. */
  get hung(): boolean {
    return this.hungSince !== null;
  }

  /** The service checked in: the countdown restarts. Returns how long it was hung, if it was. */
  checkIn(now: number): number | null {
    this.lastCheckIn = now;
    const since = this.hungSince;
    this.hungSince = null;
    return since === null ? null : now - since;
  }

  /** The thread's timer: returns true when the service has just been taken as hung. */
  tick(now: number): boolean {
    const paused = now - this.lastTick > 2 * this.tickMs + 100;
    this.lastTick = now;
    if (paused) this.lastCheckIn = Math.max(this.lastCheckIn, now);
    if (this.hungSince !== null || now - this.lastCheckIn < this.timeoutMs) return false;
    this.hungSince = now;
    return true;
  }
}
