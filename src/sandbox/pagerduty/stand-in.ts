/**
 * A local PagerDuty REST stand-in on `node:http`, for tests and the offline
 * demo. It keeps state in memory, records every request, and checks what the
 * real API checks:
 *
 * - `Authorization: Token token=…` (or `Bearer …`) with a known token, else 401.
 * - `Accept: application/vnd.pagerduty+json;version=2`, else 406. The real API
 *   falls back to the version bound to the token when the header is missing
 *   (its versioning docs), but the OpenAPI document marks the header required
 *   and Kranz must always pin version 2, so the stand-in is stricter on
 *   purpose: a client that forgets the header fails here, not in production.
 * - `From` with a known user's email on the operations whose OpenAPI entry
 *   requires it (update/create incident, notes, status updates) when an
 *   account-level token is used: 400 in PagerDuty's shape otherwise. A
 *   user-level token acts as its user, so `From` is optional with one.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseJson, readBody } from '../json-body.ts';
import { RATE_LIMIT_BODY, SERVER_ERROR_BODY, StandInFaults, type StandInRoute } from './faults.ts';
import { matchRoute, pdError, type Reply } from './routes.ts';
import { Shapes } from './shapes.ts';
import { StandInState } from './state.ts';
import { listenLocally } from '../listen.ts';

/** Default account-level token the stand-in accepts. */
export const STAND_IN_TOKEN = 'pd-sandbox-token';

/** Options for `startPagerDutyStandIn`. */
export interface PagerDutyStandInOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Account-level tokens accepted. Default `[STAND_IN_TOKEN]`. */
  tokens?: readonly string[];
  /** User-level tokens: token → user id (the user must exist in the state). */
  userTokens?: Readonly<Record<string, string>>;
  /** Start from the default seed (`StandInState.seedDefault`). Default true. */
  seed?: boolean;
  /** Honour `include[]` (embed full users in /oncalls). Default true; false mimics a server that ignores it. */
  supportsIncludes?: boolean;
  now?: () => Date;
}

/** One request as the stand-in received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** Query parameters; repeated keys (`include[]`) keep every value. */
  query: Record<string, string[]>;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON body, or undefined. */
  body: unknown;
  route: StandInRoute | undefined;
  /** Status answered; undefined while a hung request is still open. */
  status: number | undefined;
  at: Date;
}

/** A running stand-in. */
export interface PagerDutyStandIn {
  /** Base URL, e.g. `http://127.0.0.1:43121`; use it as `PAGERDUTY_API_URL`. */
  url: string;
  state: StandInState;
  faults: StandInFaults;
  requests: RecordedRequest[];
  /** Stops listening and drops every open connection (hung ones too). */
  close(): Promise<void>;
}

const ACCEPT_V2 = 'application/vnd.pagerduty+json;version=2';

/** Starts the stand-in; resolves once it listens. */
export async function startPagerDutyStandIn(opts: PagerDutyStandInOptions = {}): Promise<PagerDutyStandIn> {
  const state = new StandInState(opts.now);
  if (opts.seed ?? true) state.seedDefault();
  const faults = new StandInFaults();
  const requests: RecordedRequest[] = [];
  const accountTokens = new Set(opts.tokens ?? [STAND_IN_TOKEN]);
  const userTokens = new Map(Object.entries(opts.userTokens ?? {}));
  let shapes: Shapes | undefined;

  const server = createServer((req, res) => {
    void readBody(req).then(
      (raw) => {
        // Requests can only arrive after listen() has resolved and `shapes`
        // is set; answer 503 rather than throw should that ever change.
        if (!shapes) {
          res.writeHead(503).end();
          return;
        }
        try {
          handle(req, res, raw, shapes);
        } catch (e) {
          // A bug in a handler: answer like PagerDuty's 500 instead of hanging the client.
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ error: { message: e instanceof Error ? e.message : String(e), code: 2000 } }));
        }
      },
      () => res.destroy(),
    );
  });

  function handle(req: IncomingMessage, res: ServerResponse, rawBody: string, s: Shapes): void {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const method = (req.method ?? 'GET').toUpperCase();
    const match = matchRoute(method, url.pathname);
    const query: Record<string, string[]> = {};
    for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key);
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query,
      headers: req.headers,
      rawBody,
      body: parseJson(rawBody),
      route: match?.def.route,
      status: undefined,
      at: new Date(),
    };
    requests.push(record);
    const send = (reply: Reply, headers: Record<string, string> = {}): void => {
      record.status = reply.status;
      const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(text);
    };

    const token = bearer(req.headers.authorization);
    const tokenUserId = token === undefined ? undefined : userTokens.get(token);
    if (token === undefined || (!accountTokens.has(token) && tokenUserId === undefined)) {
      return send(pdError(401, 'Authentication failed', 2006));
    }
    if (!acceptsV2(req.headers.accept)) {
      return send(pdError(406, 'Not Acceptable', 2001, [`Accept must be ${ACCEPT_V2}`]));
    }
    if (!match) return send(pdError(404, 'Not Found', 2100));

    const fault = faults.take(match.def.route);
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'rate_limit') {
      const headers: Record<string, string> = fault.withHeaders ? { 'ratelimit-limit': '960', 'ratelimit-remaining': '0', 'ratelimit-reset': String(fault.resetSec) } : {};
      return send({ status: 429, body: fault.withHeaders ? RATE_LIMIT_BODY : undefined }, headers);
    }
    if (fault?.kind === 'server_error') return send({ status: fault.status, body: SERVER_ERROR_BODY });

    if (method !== 'GET' && rawBody !== '' && record.body === undefined) return send(pdError(400, 'Invalid Input Provided', 2001, ['Body is not valid JSON']));

    let actor = tokenUserId === undefined ? undefined : state.users.get(tokenUserId);
    const from = headerValue(req.headers.from);
    if (from !== undefined) {
      actor = state.userByEmail(from);
      // PagerDuty's error-code table: 1008 "Requester User Not Found".
      if (!actor && match.def.requiresFrom) return send(pdError(400, 'Requester User Not Found', 1008));
    } else if (match.def.requiresFrom && tokenUserId === undefined) {
      // The message PagerDuty sends for an account-token write without From.
      return send(pdError(400, 'You must specify a user\'s email address in the "From" header to perform this action', 2016));
    }

    const routeQuery = new URLSearchParams(url.searchParams);
    if (opts.supportsIncludes === false) routeQuery.delete('include[]');
    send(match.def.handle({ state, shapes: s, params: match.params, query: routeQuery, body: record.body, actor, tokenUserId }));
  }

  const url = await listenLocally(server, opts.port, opts.host);
  shapes = new Shapes(state, url);

  return {
    url,
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

function bearer(header: string | undefined): string | undefined {
  const m = /^(?:Token token=|Bearer )(.+)$/.exec(header?.trim() ?? '');
  return m?.[1];
}

function acceptsV2(header: string | undefined): boolean {
  if (!header) return false;
  return header
    .split(',')
    .map((part) => part.replace(/\s+/g, '').toLowerCase())
    .includes(ACCEPT_V2);
}

function headerValue(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() !== '' ? s.trim() : undefined;
}
