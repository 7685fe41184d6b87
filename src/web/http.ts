/** Small HTTP helpers for the web view: answers with security headers, redirects, query parsing. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Html } from './html.ts';

/**
 * Scripts only from this origin (no inline script can run, whatever a title
 * holds), no framing, no plugins; forms post only here.
 */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

export function sendHtml(res: ServerResponse, status: number, body: Html, headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent) return;
  const text = String(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

export function sendJsonBody(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, body: string, type: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

export function redirect(res: ServerResponse, location: string, cookies: string[] = []): void {
  res.writeHead(303, { ...SECURITY_HEADERS, location, 'cache-control': 'no-store', ...(cookies.length ? { 'set-cookie': cookies } : {}) });
  res.end();
}

/** The request's path and query. */
export function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://kranz.invalid');
}

/** The decoded text of a percent-encoded path or path segment, or `undefined` when its encoding is malformed (`%E0%A4`, a lone `%`). */
export function decodePath(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** Where `next` is resolved: any fixed origin does, only "is it still this origin" is asked of it. */
const NEXT_BASE = new URL('http://kranz.invalid/');

/** True when `location` sent as a redirect stays on this site. */
function staysHere(location: string): boolean {
  // `//host` (also after normalising, e.g. `/.//host`) is another host to a browser.
  return location.startsWith('/') && !location.startsWith('//') && new URL(location, NEXT_BASE).origin === NEXT_BASE.origin;
}

/**
 * A local path to return to after sign-in, normalised (path, query and
 * fragment), or `/`. Browsers drop tabs and newlines from a URL and read `\`
 * as `/`, so `/<tab>/evil.example` is `//evil.example` to them: anything with
 * a control character or a backslash is refused outright, and the rest must
 * resolve to this site before and after normalising.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || /[\u0000-\u001f\u007f\\]/.test(next) || !staysHere(next)) return '/';
  const u = new URL(next, NEXT_BASE);
  const out = `${u.pathname}${u.search}${u.hash}`;
  return staysHere(out) ? out : '/';
}

/** Reads a small urlencoded form body (logout has none worth more than a few bytes). */
export async function readForm(req: IncomingMessage, maxBytes = 16_384): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > maxBytes) break;
    chunks.push(c as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
