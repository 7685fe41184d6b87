/**
 * One timer to the earliest wake-up asked for: asking for a later one while
 * an earlier is pending changes nothing. Used to wake the outbox worker when
 * its next row is due (a Retry-After or a backoff running out) rather than at
 * its next poll.
 */
export class WakeTimer {
  private timer: NodeJS.Timeout | undefined;
  private at = Number.POSITIVE_INFINITY;

  constructor(private readonly fn: () => void) {}

  /** Wakes in `ms` (0 or less: at once, on the next turn), unless already waking sooner. */
  in(ms: number): void {
    const delay = Math.max(0, Math.ceil(ms));
    const at = Date.now() + delay;
    if (this.timer && at >= this.at) return;
    if (this.timer) clearTimeout(this.timer);
    this.at = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.at = Number.POSITIVE_INFINITY;
      this.fn();
    }, delay);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.at = Number.POSITIVE_INFINITY;
  }
}
