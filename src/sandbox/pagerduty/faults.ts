/**
 * Fault injection for the PagerDuty stand-in, per route. Each fault answers the
 * next `times` matching requests (after authentication, like PagerDuty's own
 * limiter) and is then used up.
 */

/** Routes the stand-in serves, named after PagerDuty's operationIds. */
export const STAND_IN_ROUTES = [
  'listUsers',
  'getIncident',
  'updateIncident',
  'createIncident',
  'createIncidentNote',
  'createIncidentStatusUpdate',
  'createIncidentResponderRequest',
  'listOnCalls',
  'getService',
  'listServices',
  'getUser',
  'getCurrentUser',
  'listAbilities',
  'listPriorities',
] as const;

export type StandInRoute = (typeof STAND_IN_ROUTES)[number];

/** A route, or `*` for every route. */
export type FaultTarget = StandInRoute | '*';

/** What the stand-in does instead of serving the request. */
export type Fault =
  | { kind: 'rate_limit'; resetSec: number; withHeaders: boolean }
  | { kind: 'server_error'; status: number }
  | { kind: 'hang' };

interface Armed {
  target: FaultTarget;
  fault: Fault;
  remaining: number;
}

/** The body PagerDuty documents for a 429 (REST API rate limits page). */
export const RATE_LIMIT_BODY = { error: { message: 'Rate Limit Exceeded', code: 2020 } } as const;

/** PagerDuty's error code 2000 body. */
export const SERVER_ERROR_BODY = { error: { message: 'An internal error has occurred. PagerDuty team has been notified.', code: 2000 } } as const;

export class StandInFaults {
  private armed: Armed[] = [];

  /**
   * Answers 429 with `ratelimit-limit/-remaining/-reset` headers and the
   * documented body. `withHeaders: false` mimics the 429 PagerDuty warns may
   * come without them.
   */
  rateLimit(target: FaultTarget, opts: { times?: number; resetSec?: number; withHeaders?: boolean } = {}): this {
    return this.arm(target, { kind: 'rate_limit', resetSec: opts.resetSec ?? 20, withHeaders: opts.withHeaders ?? true }, opts.times);
  }

  /** Answers a 5xx (default 500) with PagerDuty's internal-error body. */
  serverError(target: FaultTarget, opts: { times?: number; status?: number } = {}): this {
    return this.arm(target, { kind: 'server_error', status: opts.status ?? 500 }, opts.times);
  }

  /** Never answers; the connection stays open until the client gives up or the stand-in closes. */
  hang(target: FaultTarget, opts: { times?: number } = {}): this {
    return this.arm(target, { kind: 'hang' }, opts.times);
  }

  /** Disarms everything. */
  clear(): void {
    this.armed = [];
  }

  /** Uses up one matching fault, oldest first. */
  take(route: StandInRoute): Fault | undefined {
    const hit = this.armed.find((a) => a.target === route || a.target === '*');
    if (!hit) return undefined;
    hit.remaining -= 1;
    if (hit.remaining <= 0) this.armed = this.armed.filter((a) => a !== hit);
    return hit.fault;
  }

  private arm(target: FaultTarget, fault: Fault, times = 1): this {
    if (times > 0) this.armed.push({ target, fault, remaining: times });
    return this;
  }
}
