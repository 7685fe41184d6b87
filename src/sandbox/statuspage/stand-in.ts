/**
 * A local Atlassian Statuspage REST API v1 stand-in on `node:http`, for tests
 * and the offline demo. Shaped after developer.statuspage.io:
 *
 * - `Authorization: OAuth <api key>` with a known key, else 401.
 * - Each key may make `rateLimit.max` requests per `rateLimit.windowMs`
 *   (Statuspage: about 1 per second); faster callers get 420 (or 429), the
 *   answers Statuspage documents for its limiter. Refused calls do not count.
 * - Pages, components, incidents (create, update, read, list, unresolved).
 *   An update with a `body` or a status change becomes an incident update;
 *   `components: {id: status}` sets component statuses.
 * - Unknown page, incident or component: 404; bad input: 422 with `error`.
 *
 * `faults.rateLimitFor(ms)` answers 429 to everything for a while (a key
 * shared with another tool that used up the budget); `faults.fail(n, status)`
 * answers the next n requests with that status; `faults.holdAnswer(match)`
 * applies the next matching request but keeps its answer back until
 * released (the client dies, or times out, not knowing it went through).
 * Like Statuspage, every 420/429 carries `Retry-After` (whole seconds until
 * the window lets a call through again).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseJson, readBody } from '../json-body.ts';
import { COMPONENT_STATUSES, INCIDENT_STATUSES, StatusPageState, type ComponentStatus, type IncidentInput, type SpIncident } from './state.ts';
import { listenLocally } from '../listen.ts';

export const STATUSPAGE_STAND_IN_KEY = 'sp-sandbox-key';

export interface StatusPageStandInOptions {
  host?: string;
  port?: number;
  /** API keys accepted. Default `[STATUSPAGE_STAND_IN_KEY]`. */
  keys?: readonly string[];
  /** Per key: at most `max` requests per `windowMs`. Default 1 per 1000 ms. */
  rateLimit?: { max: number; windowMs: number };
  /** What a caller over the limit gets. Default 420 (Statuspage's "Enhance your calm"). */
  rateLimitStatus?: 420 | 429;
  now?: () => Date;
}

export interface RecordedSpRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  status: number | undefined;
  at: Date;
}

/** An answer held back by {@link StatusPageFaults.holdAnswer}. */
export interface HeldAnswer {
  /** Resolves when a matching request was applied and its answer is being held. */
  arrived: Promise<RecordedSpRequest>;
  /** Sends the held answer (to a client that may be gone by now). */
  release(): void;
}

export class StatusPageFaults {
  private limitedUntil = 0;
  private failing: { remaining: number; status: number }[] = [];
  private holds: { match: (r: RecordedSpRequest) => boolean; arrive: (r: RecordedSpRequest) => void; released: Promise<void> }[] = [];

  /** Every request answers 429 for the next `ms` milliseconds. */
  rateLimitFor(ms: number): this {
    this.limitedUntil = Date.now() + ms;
    return this;
  }

  /** Milliseconds until the forced 429 window ends (0 when none). */
  limitedForMs(): number {
    return Math.max(0, this.limitedUntil - Date.now());
  }

  /** The next request matching `match` is applied, then its answer waits for `release()`. */
  holdAnswer(match: (r: RecordedSpRequest) => boolean): HeldAnswer {
    let arrive!: (r: RecordedSpRequest) => void;
    let release!: () => void;
    const arrived = new Promise<RecordedSpRequest>((r) => (arrive = r));
    const released = new Promise<void>((r) => (release = r));
    this.holds.push({ match, arrive, released });
    return { arrived, release };
  }

  /** @internal The hold for `r`, taken (each hold catches one request). */
  takeHold(r: RecordedSpRequest): Promise<void> | undefined {
    const i = this.holds.findIndex((h) => h.match(r));
    if (i < 0) return undefined;
    const [h] = this.holds.splice(i, 1);
    h!.arrive(r);
    return h!.released;
  }

  /** The next `times` requests answer `status` (e.g. 503, or 422 for a refusal). */
  fail(times: number, status: number): this {
    this.failing.push({ remaining: times, status });
    return this;
  }

  clear(): void {
    this.limitedUntil = 0;
    this.failing = [];
    this.holds = [];
  }

  /** @internal */
  take(): { kind: 'rate_limited' } | { kind: 'status'; status: number } | undefined {
    if (Date.now() < this.limitedUntil) return { kind: 'rate_limited' };
    const f = this.failing[0];
    if (!f) return undefined;
    if (--f.remaining <= 0) this.failing.shift();
    return { kind: 'status', status: f.status };
  }
}

export interface StatusPageStandIn {
  /** Server root, e.g. `http://127.0.0.1:43121`. */
  url: string;
  /** The API base to give Kranz as STATUSPAGE_API_URL: `<url>/v1`. */
  apiUrl: string;
  state: StatusPageState;
  faults: StatusPageFaults;
  requests: RecordedSpRequest[];
  close(): Promise<void>;
}

type Reply = { status: number; body?: unknown; /** `Retry-After` on a 420/429. */ retryAfterS?: number };
const error = (status: number, message: string | string[]): Reply => ({ status, body: { error: message } });

export async function startStatusPageStandIn(opts: StatusPageStandInOptions = {}): Promise<StatusPageStandIn> {
  const state = new StatusPageState(opts.now);
  const faults = new StatusPageFaults();
  const requests: RecordedSpRequest[] = [];
  const keys = new Set(opts.keys ?? [STATUSPAGE_STAND_IN_KEY]);
  const limit = opts.rateLimit ?? { max: 1, windowMs: 1000 };
  const accepted = new Map<string, number[]>();

  /** How long until the oldest call in the window leaves it. */
  const waitFor = (key: string, now: number): number => {
    const oldest = (accepted.get(key) ?? [])[0];
    return oldest === undefined ? 0 : oldest + limit.windowMs - now;
  };
  const overLimit = (key: string, now: number): boolean => {
    const recent = (accepted.get(key) ?? []).filter((t) => now - t < limit.windowMs);
    accepted.set(key, recent);
    if (recent.length >= limit.max) return true;
    recent.push(now);
    return false;
  };

  const server = createServer((req, res) => {
    // The limiter counts arrival, not the end of the body.
    const arrived = Date.now();
    void readBody(req).then(
      (raw) => {
        const record: RecordedSpRequest = { method: (req.method ?? 'GET').toUpperCase(), path: new URL(req.url ?? '/', 'http://x').pathname, headers: req.headers, body: parseJson(raw), status: undefined, at: new Date() };
        requests.push(record);
        let reply: Reply;
        try {
          reply = handle(req, record, raw, arrived);
        } catch (e) {
          reply = error(500, e instanceof Error ? e.message : String(e));
        }
        record.status = reply.status;
        const held = reply.status < 400 ? faults.takeHold(record) : undefined;
        if (held) void held.then(() => send(res, reply), () => undefined);
        else send(res, reply);
      },
      () => res.destroy(),
    );
  });

  function handle(req: IncomingMessage, r: RecordedSpRequest, raw: string, arrived: number): Reply {
    const key = /^OAuth\s+(\S+)$/.exec(req.headers.authorization?.trim() ?? '')?.[1];
    if (!key || !keys.has(key)) return error(401, 'Could not authenticate');
    const fault = faults.take();
    if (fault?.kind === 'rate_limited') return { ...error(429, 'Rate limit exceeded'), retryAfterS: Math.max(1, Math.ceil(faults.limitedForMs() / 1000)) };
    if (fault?.kind === 'status') return error(fault.status, fault.status >= 500 ? 'Internal Server Error' : 'Refused by the fault switch');
    if (overLimit(key, arrived)) {
      const refused = opts.rateLimitStatus === 429 ? error(429, 'Rate limit exceeded') : error(420, 'Enhance your calm');
      return { ...refused, retryAfterS: Math.max(1, Math.ceil(waitFor(key, arrived) / 1000)) };
    }
    if (r.method !== 'GET' && raw !== '' && r.body === undefined) return error(400, 'Body is not valid JSON');
    const m = /^\/v1\/pages\/([^/]+)(?:\/(components|incidents)(?:\/([^/]+))?)?$/.exec(r.path);
    if (!m) return error(404, 'Not found');
    const [, pageId = '', collection, id] = m;
    const page = state.pages.get(pageId);
    if (!page) return error(404, 'Not found');
    if (!collection) return r.method === 'GET' ? { status: 200, body: page } : error(405, 'Method not allowed');
    if (collection === 'components') {
      if (!id) return r.method === 'GET' ? { status: 200, body: state.pageComponents(pageId) } : error(405, 'Method not allowed');
      const c = state.components.get(id);
      if (!c || c.page_id !== pageId) return error(404, 'Not found');
      if (r.method === 'GET') return { status: 200, body: c };
      if (r.method !== 'PATCH' && r.method !== 'PUT') return error(405, 'Method not allowed');
      const status = (r.body as { component?: { status?: unknown } } | undefined)?.component?.status;
      if (status !== undefined) {
        if (!COMPONENT_STATUSES.includes(status as ComponentStatus)) return error(422, [`Status must be one of ${COMPONENT_STATUSES.join(', ')}`]);
        c.status = status as ComponentStatus;
        c.updated_at = new Date().toISOString();
      }
      return { status: 200, body: c };
    }
    if (!id) {
      if (r.method === 'GET') return { status: 200, body: state.pageIncidents(pageId) };
      if (r.method !== 'POST') return error(405, 'Method not allowed');
      const input = incidentInput(r.body);
      if (typeof input === 'string') return error(422, [input]);
      if (!input.name?.trim()) return error(422, ["Name can't be blank"]);
      const unknown = state.unknownComponents(pageId, input);
      if (unknown.length) return error(404, `Component ${unknown[0]} not found`);
      return { status: 201, body: state.createIncident(pageId, { ...input, name: input.name }) };
    }
    if (id === 'unresolved' && r.method === 'GET') return { status: 200, body: state.pageIncidents(pageId).filter((i) => i.status !== 'resolved') };
    const incident = state.incidents.get(id);
    if (!incident || incident.page_id !== pageId) return error(404, 'Not found');
    if (r.method === 'GET') return { status: 200, body: incident };
    if (r.method !== 'PATCH' && r.method !== 'PUT') return error(405, 'Method not allowed');
    const input = incidentInput(r.body);
    if (typeof input === 'string') return error(422, [input]);
    const unknown = state.unknownComponents(pageId, input);
    if (unknown.length) return error(404, `Component ${unknown[0]} not found`);
    return { status: 200, body: state.updateIncident(incident, input) };
  }

  const url = await listenLocally(server, opts.port, opts.host);
  return {
    url,
    apiUrl: `${url}/v1`,
    state,
    faults,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `{incident: {...}}` checked the way Statuspage checks it; a string is the refusal. */
function incidentInput(body: unknown): IncidentInput | string {
  const i = (body as { incident?: unknown } | undefined)?.incident;
  if (typeof i !== 'object' || i === null) return 'incident is missing';
  const x = i as Record<string, unknown>;
  if (x['status'] !== undefined && !INCIDENT_STATUSES.includes(x['status'] as SpIncident['status'])) return `Status must be one of ${INCIDENT_STATUSES.join(', ')}`;
  const components = x['components'];
  if (components !== undefined) {
    if (typeof components !== 'object' || components === null) return 'components must be a map of component id to status';
    for (const v of Object.values(components)) if (!COMPONENT_STATUSES.includes(v as ComponentStatus)) return `Component status must be one of ${COMPONENT_STATUSES.join(', ')}`;
  }
  const out: IncidentInput = {};
  if (typeof x['name'] === 'string') out.name = x['name'];
  if (x['status'] !== undefined) out.status = x['status'] as SpIncident['status'];
  if (typeof x['body'] === 'string') out.body = x['body'];
  if (typeof x['impact_override'] === 'string') out.impact_override = x['impact_override'];
  if (typeof x['deliver_notifications'] === 'boolean') out.deliver_notifications = x['deliver_notifications'];
  if (typeof x['metadata'] === 'object' && x['metadata'] !== null) out.metadata = x['metadata'] as Record<string, unknown>;
  if (components) out.components = components as Record<string, ComponentStatus>;
  if (Array.isArray(x['component_ids'])) out.component_ids = x['component_ids'].map(String);
  return out;
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...(reply.retryAfterS !== undefined ? { 'retry-after': String(reply.retryAfterS) } : {}) });
  res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
}

/** The incident as a customer reads it on the status page: name, components, then updates oldest first. */
export function renderIncidentHistory(state: StatusPageState, incident: SpIncident): string[] {
  const lines = [`${incident.name}  [${incident.status}, impact ${incident.impact}]  ${incident.shortlink}`];
  for (const c of incident.components) lines.push(`  component ${c.name} (${c.id}): ${state.components.get(c.id)?.status ?? c.status}`);
  for (const u of [...incident.incident_updates].reverse()) {
    const comps = (u.affected_components ?? []).map((a) => `${a.name} ${a.old_status} → ${a.new_status}`).join('; ');
    lines.push(`  ${u.display_at}  ${u.status.padEnd(13)} ${u.body}${comps ? `  {${comps}}` : ''}`);
  }
  return lines;
}
