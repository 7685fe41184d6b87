/**
 * How a PagerDuty REST call can fail, as values. The three kinds map onto what
 * the outbox must do next: wait exactly as long as PagerDuty asked
 * (`rate_limited`), retry with backoff (`unavailable`), or give up
 * (`rejected`).
 */
import type { Result } from '../../lib/result.ts';

/** A failed PagerDuty call. */
export type PdError =
  /** HTTP 429. `retryAfterMs` comes from `ratelimit-reset` or `Retry-After`. */
  | { kind: 'rate_limited'; retryAfterMs: number }
  /** 5xx, 408, network failure, timeout or shutdown: worth retrying later. */
  | { kind: 'unavailable'; status?: number; message: string }
  /**
   * 4xx other than 408/429, a 2xx body that does not match the contract, or an
   * argument the client refused to send (`status: 0`): retrying the same call
   * will not help.
   */
  | { kind: 'rejected'; status: number; message: string };

/** What every `PagerDutyClient` method resolves to; it never rejects. */
export type PdResult<T> = Result<T, PdError>;

/** True when the same call may succeed later. */
export function isRetryable(error: PdError): boolean {
  return error.kind !== 'rejected';
}

/** One line for logs and outbox rows. */
export function describePdError(error: PdError): string {
  switch (error.kind) {
    case 'rate_limited':
      return `PagerDuty rate limit: retry in ${error.retryAfterMs} ms`;
    case 'unavailable':
      return `PagerDuty unavailable${error.status === undefined ? '' : ` (HTTP ${error.status})`}: ${error.message}`;
    case 'rejected':
      return `PagerDuty rejected the request${error.status === 0 ? '' : ` (HTTP ${error.status})`}: ${error.message}`;
  }
}

/** Reads one response header, case-insensitively; undefined when absent. */
export type HeaderLookup = (name: string) => string | undefined;

// PagerDuty's limits are per one-minute window, so a 429 that carries no hint
// (their docs say this can happen) is safely over after one window.
const DEFAULT_RETRY_AFTER_MS = 60_000;
// A reset of 0 s would send the outbox straight back into the limit.
const MIN_RETRY_AFTER_MS = 1_000;

/**
 * How long to wait after a 429: `ratelimit-reset` (seconds, PagerDuty's own
 * header) first, then `Retry-After` (seconds or an HTTP date), then a default.
 */
export function retryAfterMs(header: HeaderLookup, now: Date = new Date(), fallbackMs = DEFAULT_RETRY_AFTER_MS): number {
  const reset = parseSeconds(header('ratelimit-reset'));
  if (reset !== undefined) return Math.max(MIN_RETRY_AFTER_MS, reset * 1000);
  const retryAfter = header('retry-after')?.trim();
  if (retryAfter) {
    const seconds = parseSeconds(retryAfter);
    if (seconds !== undefined) return Math.max(MIN_RETRY_AFTER_MS, seconds * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(MIN_RETRY_AFTER_MS, at - now.getTime());
  }
  return fallbackMs;
}

function parseSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return undefined;
  return Math.ceil(Number(trimmed));
}

/**
 * Turns a non-2xx status and its (possibly absent) body into a `PdError`.
 * PagerDuty's error body is `{ error: { message, code, errors: [...] } }`.
 */
export function errorFromStatus(status: number, body: unknown, header: HeaderLookup): PdError {
  if (status === 429) return { kind: 'rate_limited', retryAfterMs: retryAfterMs(header) };
  const message = pagerDutyErrorMessage(body) ?? `HTTP ${status}`;
  if (status >= 500 || status === 408) return { kind: 'unavailable', status, message };
  if (status >= 400) return { kind: 'rejected', status, message };
  // 1xx/3xx should never reach us (redirects are followed); treat as transient.
  return { kind: 'unavailable', status, message: `unexpected HTTP ${status}` };
}

/** `"Invalid Input Provided (2001): detail; detail"` from a PagerDuty error body. */
export function pagerDutyErrorMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const e: unknown = body.error;
  if (typeof e !== 'object' || e === null) return undefined;
  const message = 'message' in e && typeof e.message === 'string' ? e.message : 'error';
  const code = 'code' in e && (typeof e.code === 'number' || typeof e.code === 'string') ? ` (${e.code})` : '';
  const details = 'errors' in e && Array.isArray(e.errors) ? e.errors.filter((d): d is string => typeof d === 'string') : [];
  return `${message}${code}${details.length > 0 ? `: ${details.join('; ')}` : ''}`;
}
