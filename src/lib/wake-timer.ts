/**
 * One timer to the earliest wake-up asked for: asking for a later one while
 * an earlier is pending changes nothing. Used to wake the outbox worker when
 * its next row is due (a Retry-After or a backoff running out) rather than at
 * its next poll.
 */
export class WakeTimer {
  private timer: NodeJS.Timeout | undefined;
  private at = Number.POSITIVE_INFINITY;
  private stopped = false;

  /** `now` is the clock the wake-up times are on (the one the caller compares due times with). */
  constructor(private readonly fn: () => void, private readonly now: () => number = Date.now) {}

  /** Wakes in `ms` (0 or less: at once, on the next turn), unless already waking sooner. */
  in(ms: number): void {
    if (this.stopped) return;
    const delay = Math.max(0, Math.ceil(ms));
    const at = this.now() + delay;
    if (this.timer && at >= this.at) return;
    if (this.timer) clearTimeout(this.timer);
    this.arm(at, delay);
  }

  /** Cancels the pending wake-up and any asked for later (shutdown: a pass still running may ask for one). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.at = Number.POSITIVE_INFINITY;
  }

  private arm(at: number, delay: number): void {
    this.at = at;
    this.timer = setTimeout(() => {
      // Node's timers run on the event loop's own millisecond clock and can fire a
      // millisecond or so before the wall clock reaches `at`; woken then, the caller
      // would find its row not yet due and sleep until the next poll. Wait out the rest.
      const early = at - this.now();
      if (early > 0) {
        this.arm(at, early);
        return;
      }
      this.timer = undefined;
      this.at = Number.POSITIVE_INFINITY;
      this.fn();
    }, delay);
    this.timer.unref();
  }
}
