import { randomBytes } from 'node:crypto';

/**
 * Hands out Slack-looking ids and message timestamps. Ids come from counters so
 * two runs of the same test see the same ids; only trigger ids carry random
 * hex, as they are secrets in Slack too.
 */
export class IdFactory {
  private readonly counters = new Map<string, number>();
  private lastMicros = 0;

  constructor(
    private readonly now: () => number,
    private readonly taken: (id: string) => boolean = () => false,
  ) {}

  /** A new id such as `C00000001` for prefix `C`, skipping ids already in use. */
  next(prefix: string, width = 8): string {
    for (;;) {
      const n = (this.counters.get(prefix) ?? 0) + 1;
      this.counters.set(prefix, n);
      const id = `${prefix}${n.toString(36).toUpperCase().padStart(width, '0')}`;
      if (!this.taken(id)) return id;
    }
  }

  /** Short id for block_id/action_id Slack fills in when the app left them out. */
  short(): string {
    return this.next('b', 4).toLowerCase();
  }

  /**
   * A message ts: `"1700000000.000100"`, unique and strictly increasing even
   * when the injected clock stands still.
   */
  ts(): string {
    const micros = Math.max(Math.floor(this.now() * 1000), this.lastMicros + 1);
    this.lastMicros = micros;
    const sec = Math.floor(micros / 1_000_000);
    const frac = micros % 1_000_000;
    return `${sec}.${String(frac).padStart(6, '0')}`;
  }

  /** A trigger id in Slack's `digits.digits.hex` shape. */
  trigger(): string {
    const n = (this.counters.get('trigger') ?? 0) + 1;
    this.counters.set('trigger', n);
    return `${1_000_000_000 + n}.${738_474_920}.${randomBytes(16).toString('hex')}`;
  }

  /** An Events API event id, e.g. `Ev00000001`. */
  eventId(): string {
    return this.next('Ev');
  }
}
