/**
 * Signed cookies: the session (who signed in, until when) and the short-lived
 * login state (`state`, `nonce` and where to go back to). The value is
 * base64url JSON plus an HMAC-SHA256 over it with KRANZ_SESSION_SECRET, so
 * every replica sharing the secret accepts it and nobody can forge or alter
 * it. Nothing secret is inside: the cookie proves, it does not hide.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'kranz_session';
export const LOGIN_COOKIE = 'kranz_login';
/** A session lasts a working day; then Slack is asked again. */
export const SESSION_TTL_MS = 12 * 3_600_000;
/** Time to finish signing in at Slack. */
export const LOGIN_TTL_MS = 10 * 60_000;

export interface Session {
  userId: string;
  teamId: string;
  name: string;
  /** Expiry, epoch ms. */
  exp: number;
}

export interface LoginState {
  state: string;
  nonce: string;
  /** Local path to return to. */
  next: string;
  exp: number;
}

type Purpose = 'session' | 'login';

function mac(secret: string, purpose: Purpose, body: string): Buffer {
  // The purpose is signed too, so a login cookie can never pass for a session.
  return createHmac('sha256', secret).update(`${purpose}.${body}`).digest();
}

export function sealCookie(secret: string, purpose: Purpose, value: object): string {
  const body = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${body}.${mac(secret, purpose, body).toString('base64url')}`;
}

/** The value when the signature holds and `exp` is in the future; otherwise undefined. */
export function openCookie<T extends { exp: number }>(secret: string, purpose: Purpose, sealed: string | undefined, now: number): T | undefined {
  if (!sealed) return undefined;
  const dot = sealed.indexOf('.');
  if (dot <= 0) return undefined;
  const body = sealed.slice(0, dot);
  const given = Buffer.from(sealed.slice(dot + 1), 'base64url');
  const want = mac(secret, purpose, body);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || typeof (value as { exp?: unknown }).exp !== 'number') return undefined;
  return (value as T).exp > now ? (value as T) : undefined;
}

/** Cookies of a request by name (the first of duplicates wins). */
export function readCookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (!out.has(name)) out.set(name, part.slice(i + 1).trim());
  }
  return out;
}

/** A `Set-Cookie` value: HttpOnly and SameSite=Lax always, Secure over https. */
export function cookieHeader(name: string, value: string, o: { maxAgeMs: number; secure: boolean }): string {
  const maxAge = Math.max(0, Math.floor(o.maxAgeMs / 1000));
  return `${name}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${o.secure ? '; Secure' : ''}`;
}
