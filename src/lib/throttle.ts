/**
 * Rate-limited reporting: a flood of bad requests (a wrong signing secret
 * makes every Slack request fail) must show in the log without drowning it.
 * The first occurrence of each key is reported at once; later ones within
 * `everyMs` are counted and reported with the next line for that key.
 */
export class Throttle {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly everyMs = 60_000, private readonly now: () => number = Date.now) {}

  /**
   * Calls `report(suppressed)` when this key may be reported now, with how
   * many occurrences were held back since the last report; else counts it.
   */
  hit(key: string, report: (suppressed: number) => void): void {
    const t = this.now();
    const seen = this.last.get(key);
    if (seen && t - seen.at < this.everyMs) {
      seen.suppressed++;
      return;
    }
    this.last.set(key, { at: t, suppressed: 0 });
    report(seen?.suppressed ?? 0);
  }
}
