/**
 * Sign in with Slack against the stand-in over real HTTP: the redirect to
 * Slack's authorize URL, state and nonce, the session cookie's attributes,
 * the bot-workspace-only rule, forged and expired cookies, and sign-out.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeNext } from '../../src/web/http.ts';
import { sealCookie, SESSION_COOKIE } from '../../src/web/session.ts';
import { USERS } from '../helpers/kranz-harness.ts';
import { chooseOnAuthorizePage, get, OUTSIDER, SESSION_SECRET, setCookies, signIn, startLogin, startWebHarness, type WebHarness } from '../helpers/web.ts';

let h: WebHarness;
beforeAll(async () => {
  h = await startWebHarness();
});
afterAll(async () => h?.close());

describe('Sign in with Slack', () => {
  it('sends a visitor without a session to /login, and /login to Slack\'s authorize URL with scope, state and nonce', async () => {
    const page = await get(h, '/incidents/1?x=1');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/incidents/1?x=1')}`);
    const { authorize, setCookie } = await startLogin(h);
    // SLACK_API_URL with its trailing api/ replaced by openid/connect/authorize.
    expect(`${authorize.origin}${authorize.pathname}`).toBe(h.slack.apiUrl.replace(/api\/$/, 'openid/connect/authorize'));
    expect(authorize.searchParams.get('scope')).toBe('openid profile email');
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('client_id')).toBe('sandbox-client-id');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${h.publicUrl}/auth/slack/callback`);
    expect(authorize.searchParams.get('state')?.length).toBeGreaterThanOrEqual(32);
    expect(authorize.searchParams.get('nonce')?.length).toBeGreaterThanOrEqual(32);
    expect(setCookie[0]).toMatch(/^kranz_login=[^;]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax$/);
  });

  it('signs a member of the bot\'s workspace in with an HttpOnly, SameSite=Lax cookie (no Secure over http) and returns to where they were going', async () => {
    const { loginCookie, authorize } = await startLogin(h, '/incidents/7');
    const callback = await chooseOnAuthorizePage(authorize, USERS.dana.id);
    expect(callback.pathname).toBe('/auth/slack/callback');
    const res = await fetch(callback, { headers: { cookie: loginCookie }, redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/incidents/7');
    const session = res.headers.getSetCookie().find((c) => c.startsWith('kranz_session='));
    expect(session).toMatch(/; Path=\/; Max-Age=43200; HttpOnly; SameSite=Lax$/);
    const cookie = `kranz_session=${setCookies(res).get('kranz_session')}`;
    const list = await get(h, '/', cookie);
    expect(list.status).toBe(200);
    expect(list.body).toContain('Signed in as Dana Commander');
    // The token exchange and the user lookup went to the stand-in's Web API as documented.
    expect(h.slack.workspace.callsTo('openid.connect.token').at(-1)).toMatchObject({ ok: true });
    expect(h.slack.workspace.callsTo('openid.connect.userInfo').at(-1)).toMatchObject({ ok: true });
  });

  it('returns only to a path on this site: a `next` that a browser would read as another host goes to /', async () => {
    // Browsers drop tabs and newlines in URLs and read `\\` as `/`: each of these would leave the site.
    for (const next of ['/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '/\\evil.example', '/\t\\evil.example', '//evil.example', '/.//evil.example', '/x/..//evil.example', 'https://evil.example/', '/\u0000x']) {
      const { loginCookie, authorize } = await startLogin(h, next);
      const callback = await chooseOnAuthorizePage(authorize, USERS.dana.id);
      const res = await fetch(callback, { headers: { cookie: loginCookie }, redirect: 'manual' });
      expect(res.status, JSON.stringify(next)).toBe(303);
      expect(res.headers.get('location'), JSON.stringify(next)).toBe('/');
    }
    // Paths on the site come back normalised, with their query and fragment.
    expect(safeNext('/incidents/7?x=1#t')).toBe('/incidents/7?x=1#t');
    expect(safeNext('/a/../incidents/7')).toBe('/incidents/7');
    expect(safeNext('/incidents/%09x')).toBe('/incidents/%09x');
    expect(safeNext('/é')).toBe('/%C3%A9');
    for (const bad of ['', 'incidents/7', '/\t/evil.example', '/\x7f/x', '/.//evil.example', '//evil.example', '/\\evil.example']) {
      expect(new URL(safeNext(bad), 'https://kranz.example.com').origin, JSON.stringify(bad)).toBe('https://kranz.example.com');
      expect(safeNext(bad), JSON.stringify(bad)).toBe('/');
    }
  });

  it('refuses a person of another workspace with a 403 that says why, and sets no session', async () => {
    const { loginCookie, authorize } = await startLogin(h);
    const callback = await chooseOnAuthorizePage(authorize, OUTSIDER.id);
    const res = await fetch(callback, { headers: { cookie: loginCookie }, redirect: 'manual' });
    expect(res.status).toBe(403);
    const body = await res.text();
    expect(body).toContain('Not your workspace');
    expect(body).toContain('Olga Outside of Other Corp');
    expect(body).toContain('T0KRANZ01');
    expect(setCookies(res).has('kranz_session')).toBe(false);
  });

  it('refuses a callback whose state is not the one this browser started', async () => {
    const first = await startLogin(h);
    const second = await startLogin(h);
    // The browser holds the second login's cookie but comes back with the first login's state.
    const callback = await chooseOnAuthorizePage(first.authorize, USERS.dana.id);
    const res = await fetch(callback, { headers: { cookie: second.loginCookie }, redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('state mismatch');
    expect(setCookies(res).has('kranz_session')).toBe(false);
  });

  it('refuses a callback with no login cookie, and one where the person cancelled', async () => {
    const { authorize, loginCookie } = await startLogin(h);
    const callback = await chooseOnAuthorizePage(authorize, USERS.dana.id);
    const none = await fetch(callback, { redirect: 'manual' });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('Sign-in expired');
    const cancelled = new URL(callback);
    cancelled.searchParams.delete('code');
    cancelled.searchParams.set('error', 'access_denied');
    const res = await fetch(cancelled, { headers: { cookie: loginCookie }, redirect: 'manual' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('access_denied');
  });

  it('refuses forged, altered and expired session cookies', async () => {
    const forged = sealCookie('not-the-secret-not-the-secret-not-the-secret', 'session', { userId: USERS.dana.id, teamId: 'T0KRANZ01', name: 'Dana', exp: Date.now() + 3_600_000 });
    expect((await get(h, '/', `${SESSION_COOKIE}=${forged}`)).status).toBe(303);
    const expired = sealCookie(SESSION_SECRET, 'session', { userId: USERS.dana.id, teamId: 'T0KRANZ01', name: 'Dana', exp: Date.now() - 1 });
    expect((await get(h, '/', `${SESSION_COOKIE}=${expired}`)).status).toBe(303);
    const good = await signIn(h, USERS.sam.id);
    const [body, mac] = good.slice(SESSION_COOKIE.length + 1).split('.');
    const altered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body ?? '', 'base64url').toString()), userId: USERS.dana.id })).toString('base64url');
    expect((await get(h, '/', `${SESSION_COOKIE}=${altered}.${mac}`)).status).toBe(303);
    // A login-state cookie signed with the right secret is still no session (the purpose is signed too).
    const body2 = Buffer.from(JSON.stringify({ userId: USERS.dana.id, teamId: 'T0KRANZ01', name: 'x', exp: Date.now() + 60_000 })).toString('base64url');
    const loginMac = createHmac('sha256', SESSION_SECRET).update(`login.${body2}`).digest('base64url');
    expect((await get(h, '/', `${SESSION_COOKIE}=${body2}.${loginMac}`)).status).toBe(303);
    expect((await get(h, '/api/incidents', `${SESSION_COOKIE}=${forged}`)).status).toBe(401);
    expect((await get(h, '/', good)).status).toBe(200);
  });

  it('signs out with POST /logout, which clears the cookie', async () => {
    const cookie = await signIn(h, USERS.eve.id);
    const res = await fetch(`${h.publicUrl}/logout`, { method: 'POST', headers: { cookie, origin: h.publicUrl }, redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/signed-out');
    expect(res.headers.getSetCookie()[0]).toMatch(/^kranz_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax/);
    const foreign = await fetch(`${h.publicUrl}/logout`, { method: 'POST', headers: { cookie, origin: 'https://evil.example' }, redirect: 'manual' });
    expect(foreign.status).toBe(403);
  });
});

describe('cookies over https', () => {
  it('marks the cookies Secure when KRANZ_PUBLIC_URL is https, whatever the letter case of its scheme', async () => {
    const upper = await startWebHarness({ env: { KRANZ_PUBLIC_URL: 'HTTPS://Kranz.Example.com' } });
    try {
      const { setCookie } = await startLogin(upper);
      expect(setCookie[0]).toMatch(/^kranz_login=[^;]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/);
      const out = await fetch(`${upper.publicUrl}/logout`, { method: 'POST', redirect: 'manual' });
      expect(out.headers.getSetCookie()[0]).toMatch(/; Secure$/);
    } finally {
      await upper.close();
    }
  });
});

describe('web view off', () => {
  it('answers the web paths 404 naming the variables, and leaves /healthz and the Slack route alone', async () => {
    const off = await startWebHarness({ env: { SLACK_CLIENT_ID: '', KRANZ_SESSION_SECRET: '' } });
    try {
      for (const path of ['/', '/incidents/1', '/analytics', '/login']) {
        const r = await get(off, path);
        expect(r.status, path).toBe(404);
        expect(r.body, path).toContain('Set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, KRANZ_PUBLIC_URL, KRANZ_SESSION_SECRET to turn it on (missing: SLACK_CLIENT_ID, KRANZ_SESSION_SECRET)');
      }
      const api = await get(off, '/api/incidents');
      expect(api.status).toBe(404);
      expect(JSON.parse(api.body)).toMatchObject({ error: 'web_view_off' });
      expect((await get(off, '/healthz')).status).toBe(200);
      expect((await fetch(`${off.publicUrl}/slack/events`, { method: 'POST', body: 'x' })).status).toBe(401);
      expect((await get(off, '/nothing-here')).body).toContain('No route for GET /nothing-here');
    } finally {
      await off.close();
    }
  });
});
