/**
 * Sends one PagerDuty REST request through `@pagerduty/pdjs` `api()` with the
 * library's traps disarmed. Line numbers below refer to pdjs 2.2.4,
 * `build/src/api.js` and `build/src/common.js`, which go through cross-fetch,
 * i.e. node-fetch 2 on Node.
 *
 * - `server` is turned into `https://${server}/…` (api.js:34): we always pass a
 *   full `url`, so a plain-http stand-in or `PAGERDUTY_API_URL` works.
 * - Non-2xx answers resolve (api.js:38-54, common.js:42-45): the status is
 *   classified here, never assumed.
 * - A body that is not JSON rejects with the Response itself, not an Error
 *   (api.js:53): recognised and classified by status.
 * - A 429 is retried 3 times after `retryTimeout` (default 20 s, common.js:14
 *   and 34-41); the count is hard-coded and `retryCount` is never read. We
 *   watch the response line on the socket's ClientRequest and abort the request
 *   the moment a 429 arrives, so pdjs rejects with an AbortError instead of
 *   scheduling its retry, and PagerDuty's reset hint reaches the caller.
 * - `requestTimeout` (default 30 s) only arms an empty `setTimeout` that is
 *   cleared on success but not on a network error (common.js:10, 103-111): it
 *   aborts nothing and holds the process for 30 s. We pass 0, which skips it,
 *   and time the call out ourselves with an AbortSignal on an unref'd timer.
 * - `all()` and `next()` read the resource key with `/.+.com\/(\w+)/`
 *   (api.js:57) and crash on `null.concat` off pagerduty.com (api.js:148): the
 *   client paginates itself and reads `data`, never `resource`.
 */
import http from 'node:http';
import https from 'node:https';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { api } from '@pagerduty/pdjs';
import { err, ok } from '../../lib/result.ts';
import { errorFromStatus, retryAfterMs, type HeaderLookup, type PdResult } from './errors.ts';

/** Connection settings shared by every request of one client. */
export interface PdTransportOptions {
  /** Base URL without a trailing slash, e.g. `https://api.pagerduty.com`. */
  apiUrl: string;
  token: string;
  /** Email of the PagerDuty user writes act as (`From` header); empty sends none. */
  from: string;
  /** Whole-call deadline: connect, headers and body. */
  timeoutMs: number;
  /** Aborts every request in flight, e.g. at shutdown. */
  signal?: AbortSignal;
  /** Used when a 429 carries neither `ratelimit-reset` nor `Retry-After`. */
  defaultRetryAfterMs?: number;
}

/** A query value; arrays repeat the key (`include[]=users&include[]=…`). */
export type PdQueryValue = string | number | boolean | readonly string[];

/** One REST request. `path` starts with `/` and has its segments encoded. */
export interface PdRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  query?: Readonly<Record<string, PdQueryValue | undefined>>;
  body?: object;
}

/** A 2xx answer; `body` is undefined for 204. */
export interface PdResponse {
  status: number;
  body: unknown;
}

const ACCEPT = 'application/vnd.pagerduty+json;version=2';

/** Builds the absolute URL of a request, keeping any path prefix of `apiUrl`. */
export function pdUrl(apiUrl: string, path: string, query?: PdRequest['query']): string {
  const url = new URL(`${apiUrl}${path}`);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value as readonly string[]) url.searchParams.append(key, v);
    else url.searchParams.append(key, String(value));
  }
  return url.toString();
}

/** Sends `req`; never rejects. */
export async function sendPdRequest(opts: PdTransportOptions, req: PdRequest): Promise<PdResult<PdResponse>> {
  if (opts.signal?.aborted) return err({ kind: 'unavailable', message: 'PagerDuty client is closed; request not sent' });

  const controller = new AbortController();
  let cause: 'timeout' | 'rate_limited' | 'shutdown' | undefined;
  let limitedHeaders: IncomingHttpHeaders | undefined;
  const abort = (why: NonNullable<typeof cause>): void => {
    if (cause !== undefined) return;
    cause = why;
    controller.abort();
  };

  // Unref'd: a pending deadline must never be what keeps the process up.
  const timer = setTimeout(() => abort('timeout'), opts.timeoutMs);
  timer.unref();
  const onShutdown = (): void => abort('shutdown');
  opts.signal?.addEventListener('abort', onShutdown, { once: true });

  // Runs on the 'response' event, before node-fetch resolves, so the abort
  // wins over pdjs's retry scheduling (see the module comment).
  const onResponse = (res: IncomingMessage): void => {
    if (res.statusCode !== 429) return;
    limitedHeaders = res.headers;
    abort('rate_limited');
  };
  // One non-keep-alive agent pair per request: no pooled socket outlives the
  // call, so nothing holds the event loop at shutdown.
  const httpAgent = watchResponses(new http.Agent({ keepAlive: false }), onResponse);
  const httpsAgent = watchResponses(new https.Agent({ keepAlive: false }), onResponse);
  // node-fetch options that pdjs forwards untouched; a spread keeps them out of
  // pdjs's narrower parameter type.
  const fetchOptions = {
    agent: (u: URL): http.Agent => (u.protocol === 'https:' ? httpsAgent : httpAgent),
    signal: controller.signal,
  };

  try {
    const res = await api({
      url: pdUrl(opts.apiUrl, req.path, req.query),
      method: req.method,
      token: opts.token,
      tokenType: 'token',
      headers: { Accept: ACCEPT, ...(req.method === 'GET' || opts.from.trim() === '' ? {} : { From: opts.from }) },
      ...(req.body === undefined ? {} : { data: req.body }),
      requestTimeout: 0,
      // Only reachable if a 429 slipped past onResponse; the aborted signal then
      // fails the retry at once instead of after 20 s.
      retryTimeout: 0,
      ...fetchOptions,
    });
    const header = fetchHeaderLookup(res.headers);
    if (res.status >= 200 && res.status < 300) return ok({ status: res.status, body: res.data as unknown });
    return err(errorFromStatus(res.status, res.data, header));
  } catch (e) {
    if (cause === 'rate_limited') {
      return err({ kind: 'rate_limited', retryAfterMs: retryAfterMs(nodeHeaderLookup(limitedHeaders), new Date(), opts.defaultRetryAfterMs) });
    }
    if (cause === 'timeout') return err({ kind: 'unavailable', message: `no answer from PagerDuty within ${opts.timeoutMs} ms` });
    if (cause === 'shutdown') return err({ kind: 'unavailable', message: 'PagerDuty client closed while the request was in flight' });
    if (isResponseLike(e)) {
      if (e.status >= 200 && e.status < 300) return err({ kind: 'rejected', status: e.status, message: 'PagerDuty answered with a body that is not JSON' });
      return err(errorFromStatus(e.status, undefined, fetchHeaderLookup(e.headers)));
    }
    return err({ kind: 'unavailable', message: `network error: ${e instanceof Error ? e.message : String(e)}` });
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onShutdown);
    httpAgent.destroy();
    httpsAgent.destroy();
  }
}

type AddRequest = (this: http.Agent, req: ClientRequest, options: unknown) => void;

/**
 * Calls `onResponse` for every response on requests made through `agent`.
 * `addRequest` is how every ClientRequest reaches its agent (it is what
 * agent-base and the proxy agents override); @types/node just does not
 * declare it.
 */
function watchResponses<A extends http.Agent>(agent: A, onResponse: (res: IncomingMessage) => void): A {
  const target = agent as unknown as { addRequest?: AddRequest };
  const original = target.addRequest;
  if (typeof original !== 'function') throw new Error('node:http Agent.addRequest is missing; cannot watch for 429 responses');
  target.addRequest = function (this: http.Agent, req: ClientRequest, options: unknown): void {
    req.once('response', onResponse);
    original.call(this, req, options);
  };
  return agent;
}

interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
}

function isResponseLike(e: unknown): e is ResponseLike {
  return (
    typeof e === 'object' &&
    e !== null &&
    'status' in e &&
    typeof e.status === 'number' &&
    'headers' in e &&
    typeof e.headers === 'object' &&
    e.headers !== null &&
    'get' in e.headers &&
    typeof e.headers.get === 'function'
  );
}

function fetchHeaderLookup(headers: ResponseLike['headers']): HeaderLookup {
  return (name) => headers.get(name) ?? undefined;
}

function nodeHeaderLookup(headers: IncomingHttpHeaders | undefined): HeaderLookup {
  return (name) => {
    const v = headers?.[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
}
