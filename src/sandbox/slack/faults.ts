/**
 * Injected failures of Web API methods: rate limiting (HTTP 429 with
 * Retry-After), outages (HTTP 5xx or a dropped connection) and slow answers
 * (the real answer, late) or none at all (a hung connection). Response URLs fail the same way under the name
 * `RESPONSE_URL_FAULT`.
 */

/**
 * The fault name of every response_url. Only a fault set under this name
 * reaches them, never `'*'`: response URLs are no Web API method, and tests
 * that take the Web API down mean that alone.
 */
export const RESPONSE_URL_FAULT = 'response_url';

/** How to rate-limit a method. */
export interface RateLimitFault {
  /** How many calls are refused; default 1. */
  times?: number;
  /** Value of the Retry-After header; default 1. */
  retryAfterSec?: number;
}

/** How an outage answers: see {@link OutageStyle}. */
export type OutageMode = 'status' | 'close' | 'hang';

/** How an outage answers. */
export interface OutageStyle {
  /**
   * `status` (default) answers `status`; `close` drops the connection unanswered;
   * `hang` never answers and keeps the connection open until the caller gives up or the stand-in closes.
   */
  mode?: OutageMode;
  /** HTTP status for `mode: 'status'`; default 503. */
  status?: number;
}

/** How long an outage lasts: a number of calls, or until the stand-in clock reaches `untilMs`. */
export type OutageFault = ({ times: number } | { untilMs: number }) & OutageStyle;

/** What the server must do with one call. */
export type FaultDecision =
  | { kind: 'ratelimited'; retryAfterSec: number }
  | { kind: 'outage'; mode: OutageMode; status: number }
  | { kind: 'slow'; delayMs: number };

type Entry =
  | { kind: 'ratelimited'; left: number; retryAfterSec: number }
  | { kind: 'outage'; left: number; untilMs: number | undefined; mode: OutageMode; status: number }
  | { kind: 'slow'; left: number; delayMs: number };

/** Fault switchboard, per method name or `'*'` for every method. */
export class Faults {
  private readonly entries = new Map<string, Entry[]>();

  constructor(private readonly now: () => number) {}

  /** Answers the next `times` calls to `method` with 429 + Retry-After. */
  rateLimit(method: string, opts: RateLimitFault = {}): void {
    this.add(method, { kind: 'ratelimited', left: opts.times ?? 1, retryAfterSec: opts.retryAfterSec ?? 1 });
  }

  /** Makes `method` fail with 5xx (or a dropped connection) for a number of calls or until a time. */
  outage(method: string, opts: OutageFault): void {
    const byCount = 'times' in opts;
    this.add(method, {
      kind: 'outage',
      left: byCount ? opts.times : Number.POSITIVE_INFINITY,
      untilMs: byCount ? undefined : opts.untilMs,
      mode: opts.mode ?? 'status',
      status: opts.status ?? 503,
    });
  }

  /** Answers the next `times` calls to `method` (default 1) as usual, but `delayMs` (real time) late. */
  slow(method: string, opts: { delayMs: number; times?: number }): void {
    this.add(method, { kind: 'slow', left: opts.times ?? 1, delayMs: opts.delayMs });
  }

  /** Removes the faults of one method, or all of them. */
  clear(method?: string): void {
    if (method === undefined) this.entries.clear();
    else this.entries.delete(method);
  }

  /** Consumes and returns the fault for a call, method-specific ones first. */
  take(method: string): FaultDecision | undefined {
    for (const key of method === RESPONSE_URL_FAULT ? [method] : [method, '*']) {
      const list = this.entries.get(key);
      if (!list) continue;
      while (list.length > 0) {
        const e = list[0];
        if (!e) break;
        const expired = e.left <= 0 || (e.kind === 'outage' && e.untilMs !== undefined && this.now() >= e.untilMs);
        if (expired) {
          list.shift();
          continue;
        }
        e.left -= 1;
        if (e.kind === 'ratelimited') return { kind: 'ratelimited', retryAfterSec: e.retryAfterSec };
        if (e.kind === 'slow') return { kind: 'slow', delayMs: e.delayMs };
        return { kind: 'outage', mode: e.mode, status: e.status };
      }
    }
    return undefined;
  }

  private add(method: string, e: Entry): void {
    const list = this.entries.get(method) ?? [];
    list.push(e);
    this.entries.set(method, list);
  }
}
