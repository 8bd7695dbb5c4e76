/**
 * Frees what a burst of large writes left once a whole period passed without one: the frame
 * buffers' pool (frame-buffers.ts) and the DMA region's slots (dma.ts), so an idle host keeps
 * none of that memory (the hosts' RSS budget, issue 8).
 */
export class IdleWatch {
  private timer: NodeJS.Timeout | null = null;
  private used = false;

  /** `idle` runs after a whole period of `ms` without `touch`; false: look again a period later. */
  constructor(
    private readonly ms: number,
    private readonly idle: () => boolean,
  ) {}

  /** Something was used now. */
  touch(): void {
    this.used = true;
    if (!this.timer) this.arm();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    this.timer = setTimeout(() => this.fire(), this.ms);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = null;
    if (this.used) {
      this.used = false;
      this.arm();
    } else if (!this.idle()) this.arm();
  }
}
