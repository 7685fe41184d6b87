/** What the PagerDuty client takes and gives besides PagerDuty's own shapes (those are in rest-types.ts). */
/** Options for `new PagerDutyClient(…)`. */
export interface PagerDutyClientOptions {
  /** REST API key (account or user level), sent as `Token token=…`. */
  token: string;
  /**
   * Email of the PagerDuty user that writes act as (`From` header). Required
   * by PagerDuty for writes with an account-level token; empty sends no
   * `From`, which only a user-level token (acting as its own user) gets away with.
   */
  from: string;
  /** Base URL; defaults to `env.PAGERDUTY_API_URL`, then the real API. */
  apiUrl?: string;
  /** Where `PAGERDUTY_API_URL` is read from; defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Deadline for one HTTP request, in ms. Default 10 000. */
  timeoutMs?: number;
  /** Page size for list calls (PagerDuty allows at most 100). Default 100. */
  pageSize?: number;
  /** Safety stop for list calls. Default 100 pages. */
  maxPages?: number;
  /** Wait suggested after a 429 that names no reset time. Default 60 000 ms. */
  defaultRetryAfterMs?: number;
  /** Kranz's pino logger: each request at debug (method, path, outcome, time). Default: no logging. */
  log?: { debug(obj: object, msg: string): void };
}

/** Input of `createIncident`. */
export interface CreateIncidentInput {
  serviceId: string;
  title: string;
  urgency?: 'high' | 'low';
  /** Incident body text. */
  details?: string;
  /** De-duplication key: PagerDuty refuses a second open incident with it. */
  incidentKey?: string;
  priorityId?: string;
  escalationPolicyId?: string;
}

/** Input of `createResponderRequest`. */
export interface ResponderRequestInput {
  /** PagerDuty user id of whoever asks for help. */
  requesterId: string;
  message: string;
  /** PagerDuty user ids to page. */
  userIds: readonly string[];
}

/** Result of the token check behind `kranz doctor`. */
export interface PdTokenCheck {
  /** Account abilities, e.g. `coordinated_responding` (needed for responder requests). */
  abilities: string[];
}

/** Filters for `listOnCallUserEmails`. */
export interface OnCallFilter {
  /** Only on-calls at this escalation level or lower (1 = first responders). */
  maxEscalationLevel?: number;
}
