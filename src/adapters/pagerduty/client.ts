/**
 * Kranz's PagerDuty REST client. Every method resolves to a `PdResult` and
 * never rejects, never retries and never sleeps: the outbox owns retries, so a
 * rate limit comes back at once as `rate_limited` with PagerDuty's reset hint.
 * Transport details and the pdjs traps live in `transport.ts`.
 */
import { err, ok } from '../../lib/result.ts';
import type { PdError, PdResult } from './errors.ts';
import { decode, type Decoder, type PdIncident, type PdNote, type PdPage, type PdPriority, type PdResponderRequest, type PdService, type PdStatusUpdate, type PdUser } from './rest-types.ts';
import type { CreateIncidentInput, OnCallFilter, PagerDutyClientOptions, PdTokenCheck, ResponderRequestInput } from './client-types.ts';
import { sendPdRequest, type PdQueryValue, type PdRequest, type PdTransportOptions } from './transport.ts';

/** Where the real API lives; `PAGERDUTY_API_URL` or `apiUrl` override it. */
export const DEFAULT_PAGERDUTY_API_URL = 'https://api.pagerduty.com';

export type { CreateIncidentInput, OnCallFilter, PagerDutyClientOptions, PdTokenCheck, ResponderRequestInput } from './client-types.ts';

export class PagerDutyClient {
  /** The base URL requests go to, without a trailing slash. */
  readonly apiUrl: string;
  private readonly transport: PdTransportOptions;
  private readonly closer = new AbortController();
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly log: PagerDutyClientOptions['log'];

  constructor(opts: PagerDutyClientOptions) {
    const env = opts.env ?? process.env;
    this.apiUrl = normaliseApiUrl(opts.apiUrl ?? env['PAGERDUTY_API_URL'] ?? DEFAULT_PAGERDUTY_API_URL);
    this.pageSize = Math.min(100, Math.max(1, opts.pageSize ?? 100));
    this.maxPages = Math.max(1, opts.maxPages ?? 100);
    this.log = opts.log;
    this.transport = {
      apiUrl: this.apiUrl,
      token: opts.token,
      from: opts.from,
      timeoutMs: opts.timeoutMs ?? 10_000,
      signal: this.closer.signal,
      ...(opts.defaultRetryAfterMs === undefined ? {} : { defaultRetryAfterMs: opts.defaultRetryAfterMs }),
    };
  }

  /** Aborts requests in flight (they resolve `unavailable`) and refuses new ones. */
  close(): void {
    this.closer.abort();
  }

  /** GET /incidents/{id}. */
  async getIncident(incidentId: string): Promise<PdResult<PdIncident>> {
    const id = idSegment('incident', incidentId);
    if (!id.ok) return id;
    return this.call({ method: 'GET', path: `/incidents/${id.value}` }, decode.incident);
  }

  /** GET /services/{id}. */
  async getService(serviceId: string): Promise<PdResult<PdService>> {
    const id = idSegment('service', serviceId);
    if (!id.ok) return id;
    return this.call({ method: 'GET', path: `/services/${id.value}` }, decode.service);
  }

  /** GET /services, every page. */
  async listServices(): Promise<PdResult<PdService[]>> {
    return this.paginate('/services', {}, decode.servicesPage);
  }

  /** GET /priorities, every page. Empty when the account has priorities off. */
  async listPriorities(): Promise<PdResult<PdPriority[]>> {
    return this.paginate('/priorities', {}, decode.prioritiesPage);
  }

  /**
   * Emails of everyone currently on call for the given escalation policies,
   * de-duplicated, in PagerDuty's order. One paginated GET /oncalls with
   * `include[]=users`; users the response does not embed are fetched one by one
   * (GET /users/{id}). An empty policy list returns `[]` without a request,
   * because an unfiltered /oncalls would list the whole account.
   */
  async listOnCallUserEmails(escalationPolicyIds: readonly string[], filter: OnCallFilter = {}): Promise<PdResult<string[]>> {
    const ids = [...new Set(escalationPolicyIds.map((s) => s.trim()).filter((s) => s.length > 0))];
    if (ids.length === 0) return ok([]);
    const oncalls = await this.paginate('/oncalls', { 'escalation_policy_ids[]': ids, 'include[]': ['users'] }, decode.onCallsPage);
    if (!oncalls.ok) return oncalls;

    const max = filter.maxEscalationLevel;
    const emailByUser = new Map<string, string | undefined>();
    for (const o of oncalls.value) {
      if (max !== undefined && o.escalationLevel !== undefined && o.escalationLevel > max) continue;
      if (!emailByUser.has(o.userId) || o.email) emailByUser.set(o.userId, o.email ?? emailByUser.get(o.userId));
    }
    const emails: string[] = [];
    for (const [userId, email] of emailByUser) {
      if (email) {
        emails.push(email);
        continue;
      }
      // Sequential on purpose: PagerDuty asks for serial requests per token.
      const user = await this.getUser(userId);
      if (!user.ok) return user;
      emails.push(user.value.email);
    }
    return ok([...new Set(emails)]);
  }

  /** The PagerDuty user with this email (GET /users?query=…), or undefined when there is none. */
  async findUserByEmail(email: string): Promise<PdResult<PdUser | undefined>> {
    const r = await this.paginate('/users', { query: email }, decode.usersPage);
    if (!r.ok) return r;
    const wanted = email.trim().toLowerCase();
    return ok(r.value.find((u) => u.email.toLowerCase() === wanted));
  }

  /** GET /users/{id}. */
  async getUser(userId: string): Promise<PdResult<PdUser>> {
    const id = idSegment('user', userId);
    if (!id.ok) return id;
    return this.call({ method: 'GET', path: `/users/${id.value}` }, decode.user);
  }

  /**
   * GET /users/me. Works only with a user-level token: PagerDuty answers 400
   * (→ `rejected`) for an account-level key. Prefer `checkToken` for health.
   */
  async getCurrentUser(): Promise<PdResult<PdUser>> {
    return this.call({ method: 'GET', path: '/users/me' }, decode.user);
  }

  /**
   * The token check for `kranz doctor`: GET /abilities. Unlike /users/me it
   * accepts both account-level and user-level keys, costs one small request,
   * and its answer says whether responder requests (`coordinated_responding`)
   * are available. A 401 comes back as `rejected` with status 401.
   */
  async checkToken(): Promise<PdResult<PdTokenCheck>> {
    const r = await this.call({ method: 'GET', path: '/abilities' }, decode.abilities);
    return r.ok ? ok({ abilities: r.value }) : r;
  }

  /** POST /incidents/{id}/notes. */
  async createIncidentNote(incidentId: string, content: string): Promise<PdResult<PdNote>> {
    const id = idSegment('incident', incidentId);
    if (!id.ok) return id;
    return this.call({ method: 'POST', path: `/incidents/${id.value}/notes`, body: { note: { content } } }, decode.note);
  }

  /** POST /incidents/{id}/status_updates. */
  async createStatusUpdate(incidentId: string, message: string): Promise<PdResult<PdStatusUpdate>> {
    const id = idSegment('incident', incidentId);
    if (!id.ok) return id;
    return this.call({ method: 'POST', path: `/incidents/${id.value}/status_updates`, body: { message } }, decode.statusUpdate);
  }

  /** PUT /incidents/{id} with status `resolved`. */
  async resolveIncident(incidentId: string): Promise<PdResult<PdIncident>> {
    // Guarding the id matters doubly here: PUT /incidents (no id) is the bulk update.
    const id = idSegment('incident', incidentId);
    if (!id.ok) return id;
    return this.call(
      { method: 'PUT', path: `/incidents/${id.value}`, body: { incident: { type: 'incident_reference', status: 'resolved' } } },
      decode.incident,
    );
  }

  /** POST /incidents. */
  async createIncident(input: CreateIncidentInput): Promise<PdResult<PdIncident>> {
    const service = idSegment('service', input.serviceId);
    if (!service.ok) return service;
    if (input.title.trim() === '') return refuse('incident title is empty');
    const incident: Record<string, unknown> = {
      type: 'incident',
      title: input.title,
      service: { id: input.serviceId, type: 'service_reference' },
    };
    if (input.urgency) incident['urgency'] = input.urgency;
    if (input.incidentKey) incident['incident_key'] = input.incidentKey;
    if (input.details) incident['body'] = { type: 'incident_body', details: input.details };
    if (input.priorityId) incident['priority'] = { id: input.priorityId, type: 'priority_reference' };
    if (input.escalationPolicyId) incident['escalation_policy'] = { id: input.escalationPolicyId, type: 'escalation_policy_reference' };
    return this.call({ method: 'POST', path: '/incidents', body: { incident } }, decode.incident);
  }

  /** POST /incidents/{id}/responder_requests, one user target per id. */
  async createResponderRequest(incidentId: string, input: ResponderRequestInput): Promise<PdResult<PdResponderRequest>> {
    const id = idSegment('incident', incidentId);
    if (!id.ok) return id;
    if (input.requesterId.trim() === '') return refuse('requester id is empty');
    if (input.userIds.length === 0) return refuse('a responder request needs at least one user');
    const body = {
      requester_id: input.requesterId,
      message: input.message,
      responder_request_targets: input.userIds.map((uid) => ({ responder_request_target: { id: uid, type: 'user_reference' } })),
    };
    return this.call({ method: 'POST', path: `/incidents/${id.value}/responder_requests`, body }, decode.responderRequest);
  }

  private async call<T>(req: PdRequest, decoder: Decoder<T>): Promise<PdResult<T>> {
    const started = Date.now();
    const res = await sendPdRequest(this.transport, req);
    this.log?.debug({ component: 'pagerduty-api', method: req.method, path: req.path, ms: Date.now() - started, ...(res.ok ? { status: res.value.status } : { error: res.error.kind }) }, 'pagerduty request');
    if (!res.ok) return res;
    const decoded = decoder(res.value.body);
    // A 2xx we cannot read is a contract mismatch: retrying would not fix it,
    // and retrying a write that did happen would duplicate it.
    if (!decoded.ok) return err({ kind: 'rejected', status: res.value.status, message: decoded.reason });
    return ok(decoded.value);
  }

  /**
   * Classic offset pagination (`limit`, `offset`, `more`), done here because
   * pdjs's `all()` breaks off pagerduty.com (see transport.ts). The offset
   * advances by the items received, so a short page never skips anything.
   */
  private async paginate<T>(path: string, query: Record<string, PdQueryValue>, decoder: Decoder<PdPage<T>>): Promise<PdResult<T[]>> {
    const items: T[] = [];
    let offset = 0;
    for (let n = 0; n < this.maxPages; n++) {
      const page = await this.call({ method: 'GET', path, query: { ...query, limit: this.pageSize, offset } }, decoder);
      if (!page.ok) return page;
      items.push(...page.value.items);
      if (!page.value.more || page.value.items.length === 0) return ok(items);
      offset += page.value.items.length;
    }
    return err({ kind: 'rejected', status: 200, message: `${path} still had more after ${this.maxPages} pages; stopped` });
  }
}

function idSegment(what: string, id: string): PdResult<string> {
  const trimmed = id.trim();
  if (trimmed === '') return refuse(`${what} id is empty`);
  return ok(encodeURIComponent(trimmed));
}

function refuse(message: string): { ok: false; error: PdError } {
  return err({ kind: 'rejected', status: 0, message: `${message}; request not sent` });
}

function normaliseApiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`PagerDuty API URL is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`PagerDuty API URL must be http(s): ${raw}`);
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}
