/**
 * Pacing an order key that a target rate-limits (Slack: about one message a
 * second per channel, in bursts). A client that only reacts to 429s waits out
 * each Retry-After and then posts until refused again: the bucket fills to
 * the brim during the wait and whatever it would have gathered after that, while
 * the wake-up, the claim and the refused request itself take their time, is
 * lost, one refused request per burst. Once a key has been refused twice, the
 * rate it actually got between the two (deliveries ÷ time) is the rate the
 * target allows, near enough: the key's next rows are then spaced at that
 * rate, so the bucket never fills and its tokens are used as they come.
 *
 * Spacing follows a virtual schedule (GCRA): each delivery takes the next
 * slot, one interval after the previous one, so the moment a wake-up and a
 * claim take is absorbed rather than added to every interval. A key that
 * goes quiet is forgotten (its bucket refills; the next burst is allowed, and
 * a new 429 teaches the rate again). Every `PROBE_EVERY` paced deliveries the
 * interval shrinks a little, so a raised limit is found again.
 *
 * In-memory and per process: with several replicas each paces the rows it
 * delivers and the 429s still bound what gets through (a row refused waits
 * out its Retry-After, as without pacing). The deliveries between two 429s
 * are counted by the queue (the key's rows between the two refused ones), so
 * the estimate counts every replica's.
 */

/** A key with no delivery for this long is forgotten. */
const FORGET_AFTER_MS = 30_000;
/**
 * Paced deliveries between two small steps up in rate. Counting between two
 * refusals gives a rate the target allowed at least: exactly it when the
 * bucket holds a Retry-After's worth (Slack: about one a second per channel,
 * in bursts); less when it is smaller and overflowed while the row waited.
 * A gentle probe finds the rest, or a raised limit, without a 429 each time.
 */
const PROBE_EVERY = 50;
/** How much each probe shortens the interval. */
const PROBE_STEP = 0.02;
/**
 * The share of a Retry-After caught up at once after it: the bucket refilled
 * that much while the row waited. Not all of it, so that the bucket is never
 * empty when pacing resumes and the next 429 is not the catch-up's own.
 */
const CATCH_UP_SHARE = 0.9;
/** Most keys remembered (the oldest are dropped first). */
const MAX_KEYS = 10_000;

interface KeyPace {
  /**
   * When the key was last refused, and its row: the start of the span the
   * next refusal measures. `clean`: something was delivered since the refusal
   * before it (or there was none), so the target was limiting, not shut.
   */
  refused?: { at: number; rowId: number; clean: boolean };
  /** Milliseconds between deliveries, once learned. */
  intervalMs?: number;
  /** The slot the next delivery is due (the virtual schedule), once paced. */
  nextSlot?: number;
  /**
   * How far behind its schedule the key may be and still catch up at once:
   * the last Retry-After (the bucket refilled while the refused row waited).
   */
  catchUpMs: number;
  /** Paced deliveries since the last probe. */
  sinceProbe: number;
  /** The last time anything happened on the key. */
  touchedAt: number;
}

export class OutboxPacer {
  private readonly keys = new Map<string, KeyPace>();

  /**
   * When the key's next delivery may start: `now` when it is not paced or
   * its slot has come. A delivery that goes ahead must call `started`.
   */
  nextSlot(key: string, now: number): number {
    const slot = this.fresh(key, now)?.nextSlot;
    return slot === undefined ? now : Math.max(now, slot);
  }

  /** A delivery of the key starts at `now` (its slot has come). */
  started(key: string, now: number): void {
    const p = this.fresh(key, now);
    if (!p) return;
    p.touchedAt = now;
    if (p.intervalMs === undefined) return;
    // Behind schedule (a wake-up and a claim take a moment; a Retry-After was waited out) the
    // key catches up at once, up to `catchUpMs`: those tokens refilled meanwhile and are not lost.
    p.nextSlot = Math.max(p.nextSlot ?? now, now - Math.max(p.catchUpMs, p.intervalMs)) + p.intervalMs;
    if (++p.sinceProbe >= PROBE_EVERY) {
      p.sinceProbe = 0;
      p.intervalMs *= 1 - PROBE_STEP;
    }
  }

  /**
   * The target refused row `rowId` of the key for its rate at `now`.
   * `deliveredFrom(id)` counts the key's rows delivered from row `id` up to
   * this one (every replica's deliveries: rows of a key go in id order). The
   * refused row itself waits out its Retry-After; the rows after it are paced.
   */
  async refused(key: string, rowId: number, now: number, retryAfterMs: number, deliveredFrom: (fromRowId: number) => Promise<number>): Promise<void> {
    const p = this.fresh(key, now) ?? this.remember(key, now);
    const previous = p.refused;
    p.touchedAt = now;
    p.sinceProbe = 0;
    // The schedule restarts at the refusal: after the wait, what the bucket gathered meanwhile goes at once.
    p.nextSlot = now;
    p.catchUpMs = retryAfterMs * CATCH_UP_SHARE;
    if (previous === undefined) {
      p.refused = { at: now, rowId, clean: true };
      return;
    }
    // The same row refused again: nothing was delivered in between.
    const delivered = previous.rowId < rowId ? await deliveredFrom(previous.rowId) : 0;
    p.refused = { at: now, rowId, clean: delivered > 0 };
    // A span that began with refusals and nothing delivered (the target shut, then open with a full
    // bucket that overflowed meanwhile) would teach too slow a rate; and fewer than two deliveries
    // say too little about one (a limit that is not per key).
    if (!previous.clean || delivered < 2) return;
    const measured = (now - previous.at) / delivered;
    // Refused while paced: the pace was a little too fast (a probe went past the limit), so step back
    // two probes; the measured rate is at most what the target allows, never a reason to slow further.
    p.intervalMs = p.intervalMs === undefined ? measured : Math.min(measured, p.intervalMs * (1 + 2 * PROBE_STEP));
  }

  /** The key's pace, or undefined when it has none or was quiet long enough to be forgotten. */
  private fresh(key: string, now: number): KeyPace | undefined {
    const p = this.keys.get(key);
    if (p && now - p.touchedAt > FORGET_AFTER_MS) {
      this.keys.delete(key);
      return undefined;
    }
    return p;
  }

  private remember(key: string, now: number): KeyPace {
    if (this.keys.size >= MAX_KEYS) {
      const oldest = this.keys.keys().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
    const p: KeyPace = { sinceProbe: 0, touchedAt: now, catchUpMs: 0 };
    this.keys.set(key, p);
    return p;
  }
}
