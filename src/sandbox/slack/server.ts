/**
 * The stand-in's HTTP front: `/api/<method>` (auth, faults, argument checks,
 * call log), upload URLs, response URLs and private file downloads.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { parseArgs, parseMultipart, readBody } from './http-body.ts';
import { METHODS } from './methods/index.ts';
import { UPLOAD_PATH, receiveUpload } from './methods/files.ts';
import { RESPONSE_PATH } from './response-urls.ts';
import { RESPONSE_URL_FAULT } from './faults.ts';
import { SlackMethodError, checkRequired } from './validation.ts';
import { AUTHORIZE_PATH, KEYS_PATH, basicCredentials, type OpenIdProvider, type PageAnswer } from './openid.ts';
import type { Activity } from './activity.ts';
import type { BotEvents } from './events.ts';
import type { Faults } from './faults.ts';
import type { ResponseUrls } from './response-urls.ts';
import type { CallRecord } from './types.ts';
import type { Workspace } from './workspace.ts';

/** The parts the server routes requests to. */
export interface ServerParts {
  ws: Workspace;
  faults: Faults;
  events: BotEvents;
  responseUrls: ResponseUrls;
  activity: Activity;
  openid: OpenIdProvider;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

async function api(parts: ServerParts, method: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { ws, faults } = parts;
  const body = await readBody(req);
  const parsed = parseArgs(req.headers['content-type'] ?? '', body, url.searchParams);
  const args = parsed.ok ? parsed.args : {};
  const token = bearer(req) ?? (typeof args.token === 'string' ? args.token : undefined);
  const { token: _dropped, ...logged } = args;
  const call: CallRecord = {
    seq: ws.calls.length + 1,
    method,
    args: logged,
    at: ws.nowMs(),
    realAt: Date.now(),
    status: 200,
    ok: false,
    error: undefined,
    fault: undefined,
  };
  ws.calls.push(call);
  const answer = (status: number, payload: Record<string, unknown>, headers: Record<string, string> = {}): void => {
    call.status = status;
    call.ok = payload.ok === true;
    call.error = typeof payload.error === 'string' ? payload.error : undefined;
    send(res, status, payload, headers);
  };

  const fault = faults.take(method);
  if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));
  if (fault?.kind === 'ratelimited') {
    call.fault = 'ratelimited';
    return answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfterSec) });
  }
  if (fault?.kind === 'outage') {
    call.fault = 'outage';
    call.status = fault.mode === 'status' ? fault.status : 0;
    call.error = 'outage';
    if (fault.mode === 'close') {
      req.socket.destroy();
      return;
    }
    if (fault.mode === 'hang') return;
    send(res, fault.status, 'Service Unavailable');
    return;
  }
  if (!parsed.ok) return answer(200, { ok: false, error: parsed.error });
  // Sign in with Slack: the token exchange authenticates the app by its client credentials, userInfo by the user's token.
  if (method === 'openid.connect.token' || method === 'openid.connect.userInfo') {
    try {
      const result = method === 'openid.connect.token' ? parts.openid.token(args, basicCredentials(req.headers.authorization)) : parts.openid.userInfo(token);
      return answer(200, { ok: true, ...result });
    } catch (e) {
      if (e instanceof SlackMethodError) return answer(200, { ok: false, error: e.code, ...e.extra });
      throw e;
    }
  }
  const handler = METHODS[method];
  if (!handler) return answer(200, { ok: false, error: 'unknown_method', req_method: method });
  if (!token) return answer(200, { ok: false, error: 'not_authed' });
  if (token !== ws.config.botToken) return answer(200, { ok: false, error: 'invalid_auth' });
  try {
    checkRequired(method, args);
    const result = await handler({ ws, config: ws.config, events: parts.events, method }, args);
    answer(200, { ok: true, ...result });
  } catch (e) {
    if (e instanceof SlackMethodError) return answer(200, { ok: false, error: e.code, ...e.extra });
    // A bug in the stand-in must not pass for a Slack answer.
    answer(500, { ok: false, error: 'internal_error', detail: e instanceof Error ? e.message : String(e) });
  }
}

/** A POST to a response_url: answered as Slack would, unless a fault was set for response URLs. */
async function responseUrl(parts: ServerParts, id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const fault = parts.faults.take(RESPONSE_URL_FAULT);
  if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));
  if (fault?.kind === 'ratelimited') {
    parts.responseUrls.refuse(id, body, 429);
    return send(res, 429, 'rate_limited', { 'retry-after': String(fault.retryAfterSec) });
  }
  if (fault?.kind === 'outage') {
    parts.responseUrls.refuse(id, body, fault.mode === 'status' ? fault.status : 0);
    if (fault.mode === 'close') return void req.socket.destroy();
    // Never answered: the caller's deadline (or close()) ends it.
    if (fault.mode === 'hang') return;
    return send(res, fault.status, 'Service Unavailable');
  }
  const r = parts.responseUrls.handle(id, body);
  send(res, r.status, r.body);
}

async function upload(parts: ServerParts, fileId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const type = req.headers['content-type'] ?? '';
  let content = body;
  if (type.toLowerCase().startsWith('multipart/form-data')) {
    // WebClient sends the bytes as one multipart file part.
    const all = parseMultipart(type, body);
    const part = all.find((p) => p.filename !== undefined) ?? all[0];
    content = part?.data ?? Buffer.alloc(0);
  }
  if (!receiveUpload(parts.ws, fileId, content)) return send(res, 404, 'file_not_found');
  send(res, 200, `OK - ${content.length}`);
}

function download(parts: ServerParts, fileId: string, req: IncomingMessage, res: ServerResponse): void {
  if (bearer(req) !== parts.ws.config.botToken) return send(res, 403, 'forbidden');
  const f = parts.ws.files.get(fileId);
  if (!f?.completed || !f.content) return send(res, 404, 'file_not_found');
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(f.content.length) });
  res.end(f.content);
}

function page(res: ServerResponse, a: PageAnswer): void {
  res.writeHead(a.status, { ...a.headers, 'content-length': String(Buffer.byteLength(a.body)) });
  res.end(a.body);
}

/** Creates (but does not start) the stand-in's HTTP server. */
export function createStandInServer(parts: ServerParts): Server {
  return createServer((req, res) => {
    const end = parts.activity.begin();
    res.on('close', end);
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname;
    const route = async (): Promise<void> => {
      if (path.startsWith('/api/')) return api(parts, decodeURIComponent(path.slice(5)), url, req, res);
      if (req.method === 'POST' && path.startsWith(UPLOAD_PATH)) return upload(parts, path.slice(UPLOAD_PATH.length), req, res);
      if (req.method === 'POST' && path.startsWith(RESPONSE_PATH)) return responseUrl(parts, path.slice(RESPONSE_PATH.length), req, res);
      if (path === AUTHORIZE_PATH && req.method === 'GET') return page(res, parts.openid.authorizePage(url.searchParams));
      if (path === AUTHORIZE_PATH && req.method === 'POST') return page(res, parts.openid.decide(new URLSearchParams((await readBody(req)).toString('utf8'))));
      if (path === KEYS_PATH && req.method === 'GET') return send(res, 200, parts.openid.jwks());
      if (req.method === 'GET' && path.startsWith('/files/')) return download(parts, path.split('/')[2] ?? '', req, res);
      send(res, 404, 'not_found');
    };
    route().catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, `stand-in error: ${e instanceof Error ? e.message : String(e)}`);
      else res.destroy();
    });
  });
}
