/**
 * Counts work in flight (Web API requests being served, deliveries to the bot)
 * so tests can wait until the bot and the stand-in have stopped talking.
 */
export class Activity {
  private busy = 0;
  private generation = 0;

  /** Marks one unit of work as started; call the returned function when it ends. */
  begin(): () => void {
    this.busy += 1;
    this.generation += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.busy -= 1;
      this.generation += 1;
    };
  }

  /** Units of work in flight. */
  get inFlight(): number {
    return this.busy;
  }

  /**
   * Resolves once nothing has been in flight for `quietMs` of real time. The
   * quiet period catches work the bot starts after acknowledging a request.
   */
  async settled(quietMs = 20, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.generation;
      await new Promise((r) => setTimeout(r, quietMs));
      if (this.busy === 0 && this.generation === seen) return;
      if (Date.now() > deadline) {
        throw new Error(`Slack stand-in: still busy after ${timeoutMs} ms (${this.busy} in flight)`);
      }
    }
  }
}
