/**
 * The stand-in's Sign in with Slack against Slack's method reference: the
 * authorize page, `openid.connect.token` and `openid.connect.userInfo`
 * through the real WebClient, answers shaped as documented.
 */
import { createVerify, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/index.ts';

interface MethodDoc { output: { required: string[]; properties: Record<string, unknown> }; errors?: Record<string, unknown>; examples: { success: { example: Record<string, unknown> } } }
const doc = (m: string): MethodDoc => JSON.parse(readFileSync(new URL(`../fixtures/slack/openid/${m}.json`, import.meta.url), 'utf8')) as MethodDoc;
const TOKEN = doc('openid.connect.token');
const USERINFO = doc('openid.connect.userInfo');

let slack: SlackStandIn;
beforeAll(async () => {
  slack = await startSlackStandIn({ users: [{ id: 'UANA', name: 'ana', real_name: 'Ana Lima', email: 'ana@x.test' }, { id: 'UGUEST', name: 'gus', team: { id: 'TGUEST', name: 'Guest Co' } }] });
});
afterAll(async () => slack?.close());

async function codeFor(userId: string, nonce = 'n-1', redirect = 'http://app.test/cb'): Promise<string> {
  const q = new URLSearchParams({ response_type: 'code', scope: 'openid profile email', client_id: 'sandbox-client-id', redirect_uri: redirect, state: 's-1', nonce });
  const page = await fetch(`${slack.authorizeUrl}?${q}`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('Ana Lima');
  q.set('user', userId);
  const res = await fetch(slack.authorizeUrl, { method: 'POST', body: q, redirect: 'manual' });
  const to = new URL(res.headers.get('location') ?? '');
  expect(`${to.origin}${to.pathname}`).toBe(redirect);
  expect(to.searchParams.get('state')).toBe('s-1');
  return to.searchParams.get('code') ?? '';
}

describe('Slack stand-in: Sign in with Slack', () => {
  it('exchanges a code for a token and an ID token shaped as documented, and answers userInfo', async () => {
    const client = new WebClient(undefined, { slackApiUrl: slack.apiUrl });
    const t = await client.openid.connect.token({ client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret', code: await codeFor('UANA'), redirect_uri: 'http://app.test/cb' });
    for (const k of TOKEN.output.required) expect(t, k).toHaveProperty(k);
    expect(Object.keys(t).filter((k) => k !== 'ok' && k !== 'response_metadata' && !(k in TOKEN.output.properties))).toEqual([]);
    const [header, payload, sig] = (t.id_token ?? '').split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: 'https://slack.com', sub: 'UANA', aud: 'sandbox-client-id', nonce: 'n-1', 'https://slack.com/team_id': 'T0KRANZ01' });
    // The ID token verifies with the published keys.
    const jwks = (await (await fetch(`${slack.baseUrl}/openid/connect/keys`)).json()) as { keys: Record<string, string>[] };
    const key = createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' });
    expect(createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(key, Buffer.from(sig ?? '', 'base64url'))).toBe(true);
    const info = await client.openid.connect.userInfo({ token: t.access_token });
    for (const k of USERINFO.output.required) expect(info, k).toHaveProperty(k);
    const documented = Object.keys(USERINFO.examples.success.example);
    expect(Object.keys(info).filter((k) => k !== 'response_metadata' && !documented.includes(k))).toEqual([]);
    expect(info).toMatchObject({ sub: 'UANA', 'https://slack.com/user_id': 'UANA', email: 'ana@x.test', name: 'Ana Lima', given_name: 'Ana', family_name: 'Lima' });
  });

  it('reports a person of another workspace with that workspace', async () => {
    const client = new WebClient(undefined, { slackApiUrl: slack.apiUrl });
    const t = await client.openid.connect.token({ client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret', code: await codeFor('UGUEST') });
    const info = await client.openid.connect.userInfo({ token: t.access_token });
    expect(info).toMatchObject({ 'https://slack.com/team_id': 'TGUEST', 'https://slack.com/team_name': 'Guest Co' });
  });

  it('refuses what Slack refuses, with documented error codes', async () => {
    const call = async (m: string, body: Record<string, string>, auth?: string): Promise<{ ok: boolean; error?: string }> => {
      const res = await fetch(`${slack.apiUrl}${m}`, { method: 'POST', body: new URLSearchParams(body), headers: auth ? { authorization: `Bearer ${auth}` } : {} });
      return (await res.json()) as { ok: boolean; error?: string };
    };
    const code = await codeFor('UANA');
    const errors = new Set(Object.keys(TOKEN.errors ?? {}));
    const cases: [Record<string, string>, string][] = [
      [{ client_id: 'other', client_secret: 'sandbox-client-secret', code }, 'invalid_client_id'],
      [{ client_id: 'sandbox-client-id', client_secret: 'wrong', code }, 'bad_client_secret'],
      [{ client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret', code: 'nope' }, 'invalid_code'],
      [{ client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret', code, redirect_uri: 'http://elsewhere.test/cb' }, 'bad_redirect_uri'],
      [{ client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret', code, grant_type: 'password' }, 'invalid_grant_type'],
    ];
    for (const [body, error] of cases) {
      expect(errors.has(error), error).toBe(true);
      expect(await call('openid.connect.token', body)).toEqual({ ok: false, error });
    }
    const ok = await call('openid.connect.token', { client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret', code });
    expect(ok.ok).toBe(true);
    // A code works once.
    expect(await call('openid.connect.token', { client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret', code })).toEqual({ ok: false, error: 'invalid_code' });
    expect(await call('openid.connect.userInfo', {}, 'xoxp-made-up')).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await call('openid.connect.userInfo', {})).toEqual({ ok: false, error: 'not_authed' });
    // The bot token is no user token.
    expect(await call('openid.connect.userInfo', {}, 'xoxb-sandbox-token')).toEqual({ ok: false, error: 'invalid_auth' });
  });

  it('shows an error page for an unknown client instead of a sign-in', async () => {
    const res = await fetch(`${slack.authorizeUrl}?${new URLSearchParams({ response_type: 'code', scope: 'openid', client_id: 'nope', redirect_uri: 'http://app.test/cb' })}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Unknown client_id');
  });
});
