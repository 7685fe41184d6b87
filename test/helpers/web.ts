/**
 * A Kranz with the web view on, against the Slack stand-in, and the ways a
 * test gets a session: the real Sign in with Slack flow over HTTP (the
 * browser tests click through the same pages).
 */
import { declareIncident } from '../../src/app/declare-incident.ts';
import { webExtension } from '../../src/extensions.ts';
import type { KranzExtension } from '../../src/runtime.ts';
import { startHarness, USERS, type Harness, type HarnessOptions } from './kranz-harness.ts';
import { freePort } from './net.ts';
import { asSlackUserId } from '../../src/domain/ids.ts';

export const SESSION_SECRET = 'test-session-secret-that-is-long-enough-0123456789';
export const OUTSIDER = { id: 'UOUTSIDE', name: 'olga', real_name: 'Olga Outside', email: 'olga@other.test', team: { id: 'TOTHER01', name: 'Other Corp' } };

export interface WebHarness extends Harness {
  publicUrl: string;
}

export async function startWebHarness(o: HarnessOptions & { extensions?: KranzExtension[] } = {}): Promise<WebHarness> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const h = await startHarness({
    ...o,
    port,
    standIn: { users: [...Object.values(USERS), OUTSIDER], ...o.standIn },
    env: {
      SLACK_CLIENT_ID: 'sandbox-client-id',
      SLACK_CLIENT_SECRET: 'sandbox-client-secret',
      KRANZ_PUBLIC_URL: publicUrl,
      KRANZ_SESSION_SECRET: SESSION_SECRET,
      ...o.env,
    },
    extensions: o.extensions ?? [webExtension({ live: { pollMs: 100 } })],
  });
  return { ...h, publicUrl };
}

/** The `name=value` part of each Set-Cookie header. */
export function setCookies(res: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair?.indexOf('=') ?? -1;
    if (pair && i > 0) out.set(pair.slice(0, i), pair.slice(i + 1));
  }
  return out;
}

/** Starts a sign-in: the login cookie and Slack's authorize URL Kranz redirected to. */
export async function startLogin(h: WebHarness, next = '/'): Promise<{ loginCookie: string; authorize: URL; setCookie: string[] }> {
  const res = await fetch(`${h.publicUrl}/login?next=${encodeURIComponent(next)}`, { redirect: 'manual' });
  if (res.status !== 303) throw new Error(`/login answered ${res.status}`);
  const loginCookie = setCookies(res).get('kranz_login');
  if (!loginCookie) throw new Error('/login set no login cookie');
  return { loginCookie: `kranz_login=${loginCookie}`, authorize: new URL(res.headers.get('location') ?? ''), setCookie: res.headers.getSetCookie() };
}

/** What the stand-in's authorize page does when `userId` clicks their name: the callback URL with code and state. */
export async function chooseOnAuthorizePage(authorize: URL, userId: string): Promise<URL> {
  const form = new URLSearchParams(authorize.searchParams);
  form.set('user', userId);
  const res = await fetch(new URL(authorize.pathname, authorize), { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
  if (res.status !== 302) throw new Error(`authorize page answered ${res.status}: ${await res.text()}`);
  return new URL(res.headers.get('location') ?? '');
}

/** Signs `userId` in through Slack's flow; returns the Cookie header value for later requests. */
export async function signIn(h: WebHarness, userId: string): Promise<string> {
  const { loginCookie, authorize } = await startLogin(h);
  const callback = await chooseOnAuthorizePage(authorize, userId);
  const res = await fetch(callback, { headers: { cookie: loginCookie }, redirect: 'manual' });
  const session = setCookies(res).get('kranz_session');
  if (res.status !== 303 || !session) throw new Error(`callback answered ${res.status} without a session: ${await res.text()}`);
  return `kranz_session=${session}`;
}

/** GET with a session cookie. */
export async function get(h: WebHarness, path: string, cookie?: string): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(`${h.publicUrl}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

let seq = 0;
/** Declares an incident as `userId` through the app's use case (as the declare modal would), and lets Kranz create its channel. */
export async function declare(h: Harness, o: { title: string; severity?: string; private?: boolean; userId?: string; customers?: string[]; description?: string }): Promise<number> {
  const userId = asSlackUserId(o.userId ?? USERS.dana.id);
  const r = await declareIncident(h.kranz.deps, {
    title: o.title, severity: o.severity ?? 'SEV2', private: o.private ?? false, commanderId: userId, customers: o.customers ?? [],
    ...(o.description ? { description: o.description } : {}),
  }, { actor: { kind: 'user', userId }, source: { kind: 'slack' }, idempotencyKey: `test:declare:${++seq}:${Date.now()}` });
  if (!r.ok) throw new Error(`declare failed: ${r.error.code}`);
  h.kranz.kick();
  return r.state.number;
}
