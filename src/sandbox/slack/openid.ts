/**
 * Sign in with Slack (OpenID Connect) in the stand-in: the authorize page a
 * person picks themselves on (`/openid/connect/authorize`), the signing keys
 * (`/openid/connect/keys`), and the two Web API methods, `openid.connect.token`
 * and `openid.connect.userInfo`, shaped as Slack's method reference describes
 * them (copies in test/fixtures/slack/openid/).
 */
import { createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { html } from 'hono/html';
import { SlackMethodError, str, type Args } from './validation.ts';
import type { StandInConfig } from './config.ts';
import type { UserRecord } from './types.ts';
import type { Workspace } from './workspace.ts';

/** Path of the authorize step: `SLACK_API_URL` with `api/` replaced by this. */
export const AUTHORIZE_PATH = '/openid/connect/authorize';
export const KEYS_PATH = '/openid/connect/keys';

/** Slack's codes are single use and short-lived. */
const CODE_TTL_MS = 10 * 60_000;
const ISSUER = 'https://slack.com';

interface IssuedCode {
  userId: string;
  redirectUri: string;
  nonce: string | undefined;
  issuedAt: number;
  used: boolean;
}

/** An HTTP answer the server sends as is. */
export interface PageAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** Codes, user tokens and the signing key of one stand-in. */
export class OpenIdProvider {
  private readonly codes = new Map<string, IssuedCode>();
  /** xoxp user token → user id. */
  private readonly tokens = new Map<string, string>();
  private key: { privateKey: KeyObject; publicKey: KeyObject; kid: string } | undefined;

  constructor(
    private readonly ws: Workspace,
    private readonly config: StandInConfig,
    /** Real time for code and token expiry (the workspace clock may be a story's). */
    private readonly now: () => number = Date.now,
  ) {}

  /** GET: the page where a person of the sandbox chooses who signs in. */
  authorizePage(q: URLSearchParams): PageAnswer {
    const problem = this.checkRequest(q);
    if (problem) return this.errorPage(problem);
    const people = [...this.ws.users.values()].filter((u) => !u.is_bot && !u.deleted);
    const hidden = ['client_id', 'redirect_uri', 'state', 'nonce', 'scope', 'response_type'].map(
      (k) => html`<input type="hidden" name="${k}" value="${q.get(k) ?? ''}">`,
    );
    const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to ${this.config.teamName}</title>
<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:3rem auto;color:#1d1c1d}button{display:block;width:100%;margin:.4rem 0;padding:.7rem;font:inherit;text-align:left;border:1px solid #ccc;border-radius:6px;background:#fff;cursor:pointer}button:hover{background:#f4ede4}.team{color:#616061;font-size:.85em}.cancel{text-align:center;background:#eee}</style>
</head><body>
<h1>Sign in to ${this.config.teamName}</h1>
<p>The app <strong>${this.config.botName}</strong> (${q.get('client_id') ?? ''}) wants to confirm your identity: <code>${q.get('scope') ?? ''}</code>.</p>
<p>This is the local Slack stand-in: choose the person you are.</p>
<form method="post" action="${AUTHORIZE_PATH}">
${hidden}
${people.map((u) => html`<button type="submit" name="user" value="${u.id}">${u.real_name} <span class="team">@${u.name} · ${teamName(u, this.config)}</span></button>`)}
<button type="submit" name="cancel" value="1" class="cancel">Cancel</button>
</form>
</body></html>`;
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: String(body) };
  }

  /** POST: the person chose (or cancelled); back to the app's redirect URI with a code. */
  decide(form: URLSearchParams): PageAnswer {
    const problem = this.checkRequest(form);
    if (problem) return this.errorPage(problem);
    const redirect = new URL(form.get('redirect_uri') ?? '');
    const state = form.get('state');
    if (state !== null) redirect.searchParams.set('state', state);
    if (form.get('cancel')) {
      redirect.searchParams.set('error', 'access_denied');
      return { status: 302, headers: { location: redirect.toString() }, body: '' };
    }
    const user = this.ws.users.get(form.get('user') ?? '');
    if (!user || user.is_bot || user.deleted) return this.errorPage('That person is not in the workspace.');
    const code = `${Date.now()}.${randomBytes(16).toString('hex')}`;
    this.codes.set(code, { userId: user.id, redirectUri: redirect.origin + redirect.pathname, nonce: form.get('nonce') ?? undefined, issuedAt: this.now(), used: false });
    redirect.searchParams.set('code', code);
    return { status: 302, headers: { location: redirect.toString() }, body: '' };
  }

  /** `openid.connect.token`: exchanges a code for a user token and an ID token. */
  token(args: Args, basicAuth: { id: string; secret: string } | undefined): Record<string, unknown> {
    const clientId = str(args, 'client_id') ?? basicAuth?.id;
    const clientSecret = str(args, 'client_secret') ?? basicAuth?.secret;
    const grant = str(args, 'grant_type');
    if (grant !== undefined && grant !== 'authorization_code') throw new SlackMethodError(grant === 'refresh_token' ? 'invalid_refresh_token' : 'invalid_grant_type');
    if (clientId !== this.config.clientId) throw new SlackMethodError('invalid_client_id');
    if (clientSecret !== this.config.clientSecret) throw new SlackMethodError('bad_client_secret');
    const code = str(args, 'code') ?? '';
    const issued = this.codes.get(code);
    if (!issued || issued.used || this.now() - issued.issuedAt > CODE_TTL_MS) throw new SlackMethodError('invalid_code');
    const redirectUri = str(args, 'redirect_uri');
    if (redirectUri !== undefined && redirectUri !== issued.redirectUri) throw new SlackMethodError('bad_redirect_uri');
    issued.used = true;
    const user = this.ws.users.get(issued.userId);
    if (!user) throw new SlackMethodError('invalid_code');
    const accessToken = `xoxp-${user.team_id}-${user.id}-${randomBytes(12).toString('hex')}`;
    this.tokens.set(accessToken, user.id);
    const iat = Math.floor(this.now() / 1000);
    const claims = { iss: ISSUER, sub: user.id, aud: this.config.clientId, exp: iat + 3600, iat, auth_time: iat, ...(issued.nonce ? { nonce: issued.nonce } : {}), ...this.identity(user) };
    return { access_token: accessToken, token_type: 'Bearer', id_token: this.sign(claims) };
  }

  /** `openid.connect.userInfo`: the identity behind a user token from `token`. */
  userInfo(token: string | undefined): Record<string, unknown> {
    if (!token) throw new SlackMethodError('not_authed');
    const user = this.ws.users.get(this.tokens.get(token) ?? '');
    if (!user) throw new SlackMethodError('invalid_auth');
    return { sub: user.id, ...this.identity(user) };
  }

  /** The JSON Web Key Set that verifies ID tokens. */
  jwks(): Record<string, unknown> {
    const k = this.signingKey();
    return { keys: [{ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: 'RS256', use: 'sig' }] };
  }

  private identity(u: UserRecord): Record<string, unknown> {
    const [given, ...rest] = u.real_name.split(' ');
    return {
      'https://slack.com/user_id': u.id,
      'https://slack.com/team_id': u.team_id,
      ...(u.email ? { email: u.email, email_verified: true, date_email_verified: Math.floor(u.updated) } : {}),
      locale: 'en-US',
      name: u.real_name,
      picture: `https://secure.gravatar.com/avatar/${u.id}.png`,
      given_name: given ?? u.real_name,
      family_name: rest.join(' '),
      'https://slack.com/team_name': teamName(u, this.config),
      'https://slack.com/team_domain': u.external_team?.domain ?? this.config.teamDomain,
    };
  }

  private checkRequest(q: URLSearchParams): string | undefined {
    if (q.get('client_id') !== this.config.clientId) return `Unknown client_id "${q.get('client_id') ?? ''}": no app with this id is installed here.`;
    const redirect = q.get('redirect_uri') ?? '';
    if (!URL.canParse(redirect) || !/^https?:$/.test(new URL(redirect).protocol)) return 'redirect_uri must be an http(s) URL.';
    if (q.get('response_type') !== 'code') return 'response_type must be "code".';
    if (!(q.get('scope') ?? '').split(/[ +]/).includes('openid')) return 'scope must include "openid".';
    return undefined;
  }

  private errorPage(reason: string): PageAnswer {
    const body = html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in failed</title></head><body><h1>Something went wrong</h1><p>${reason}</p></body></html>`;
    return { status: 400, headers: { 'content-type': 'text/html; charset=utf-8' }, body: String(body) };
  }

  private signingKey(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
    // Made on first use: RSA key generation takes a moment, and most tests never sign anyone in.
    this.key ??= { ...generateKeyPairSync('rsa', { modulusLength: 2048 }), kid: `sandbox-${randomBytes(4).toString('hex')}` };
    return this.key;
  }

  private sign(claims: Record<string, unknown>): string {
    const k = this.signingKey();
    const input = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: k.kid }))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(input).sign(k.privateKey);
    return `${input}.${b64url(signature)}`;
  }
}

function teamName(u: UserRecord, config: StandInConfig): string {
  return u.external_team?.name ?? config.teamName;
}

/** Client credentials from an `Authorization: Basic` header, as OAuth allows. */
export function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? undefined : { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
}
