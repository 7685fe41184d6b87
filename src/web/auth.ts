/**
 * Sign in with Slack (OpenID Connect): `/login` sends the browser to Slack
 * with a fresh `state` and `nonce` (kept in a signed, short-lived cookie),
 * `/auth/slack/callback` checks both, exchanges the code, admits only people
 * of the bot's own workspace and sets the session cookie; `POST /logout`
 * ends it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SlackDirectory, SlackSignIn } from '../app/web-ports.ts';
import type { WebViewSettings } from '../config/env.ts';
import { html } from './html.ts';
import { redirect, requestUrl, safeNext, sendHtml } from './http.ts';
import { messagePage } from './layout.ts';
import {
  cookieHeader, LOGIN_COOKIE, LOGIN_TTL_MS, openCookie, readCookies, sealCookie, SESSION_COOKIE, SESSION_TTL_MS,
  type LoginState, type Session,
} from './session.ts';

export interface AuthDeps {
  settings: WebViewSettings;
  signIn: SlackSignIn;
  slack: SlackDirectory;
  /** Real time (sessions expire in real time even when incidents run on a story clock). */
  now: () => number;
  log: { warn(o: unknown, m?: string): void; info(o: unknown, m?: string): void };
}

export const CALLBACK_PATH = '/auth/slack/callback';

const token = (): string => randomBytes(24).toString('base64url');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createAuth(d: AuthDeps) {
  // The parsed scheme: `HTTPS://…` is https too (a URL's scheme is case-insensitive).
  const secure = new URL(d.settings.publicUrl).protocol === 'https:';
  const redirectUri = `${d.settings.publicUrl}${CALLBACK_PATH}`;
  const clearLogin = cookieHeader(LOGIN_COOKIE, '', { maxAgeMs: 0, secure });

  /** The session of a request, when its cookie is genuine and current. */
  function session(req: IncomingMessage): Session | undefined {
    return openCookie<Session>(d.settings.sessionSecret, 'session', readCookies(req).get(SESSION_COOKIE), d.now());
  }

  function login(req: IncomingMessage, res: ServerResponse): void {
    const next = safeNext(requestUrl(req).searchParams.get('next'));
    const st: LoginState = { state: token(), nonce: token(), next, exp: d.now() + LOGIN_TTL_MS };
    const to = new URL(d.signIn.authorizeUrl);
    to.search = new URLSearchParams({
      response_type: 'code',
      scope: 'openid profile email',
      client_id: d.settings.clientId,
      state: st.state,
      nonce: st.nonce,
      redirect_uri: redirectUri,
    }).toString();
    redirect(res, to.toString(), [cookieHeader(LOGIN_COOKIE, sealCookie(d.settings.sessionSecret, 'login', st), { maxAgeMs: LOGIN_TTL_MS, secure })]);
  }

  const refuse = (res: ServerResponse, status: number, title: string, why: string): void => {
    sendHtml(res, status, messagePage(title, [why, html`<a href="/login">Sign in with Slack again</a>`]), { 'set-cookie': clearLogin });
  };

  async function callback(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const q = requestUrl(req).searchParams;
    const st = openCookie<LoginState>(d.settings.sessionSecret, 'login', readCookies(req).get(LOGIN_COOKIE), d.now());
    if (!st) return refuse(res, 400, 'Sign-in expired', 'This sign-in was not started here or took longer than ten minutes. Start again.');
    if (!sameText(q.get('state') ?? '', st.state)) {
      d.log.warn({ reason: 'state mismatch' }, 'web sign-in refused');
      return refuse(res, 400, 'Sign-in refused', 'The answer from Slack does not belong to the sign-in this browser started (state mismatch). Start again.');
    }
    const error = q.get('error');
    if (error) return refuse(res, 403, 'Sign-in cancelled', `Slack did not sign you in (${error}).`);
    const code = q.get('code');
    if (!code) return refuse(res, 400, 'Sign-in failed', 'Slack sent no authorization code.');
    const x = await d.signIn.exchange(code, redirectUri);
    if (!x.ok) {
      d.log.warn({ reason: x.error }, 'web sign-in failed');
      return refuse(res, 502, 'Sign-in failed', x.error);
    }
    if (!x.nonce || !sameText(x.nonce, st.nonce)) return refuse(res, 400, 'Sign-in refused', 'The ID token from Slack does not carry the nonce this sign-in sent.');
    if (x.audience !== d.settings.clientId) return refuse(res, 400, 'Sign-in refused', 'The ID token from Slack was issued to another app (audience mismatch).');
    if (x.expiresAtMs <= d.now()) return refuse(res, 400, 'Sign-in refused', 'The ID token from Slack has expired.');
    let teamId: string;
    try {
      teamId = await d.slack.botTeamId();
    } catch (e) {
      d.log.warn({ err: e instanceof Error ? e.message : e }, 'web sign-in: auth.test failed');
      return refuse(res, 503, 'Slack is not answering', 'Kranz could not ask Slack which workspace it is installed in. Try again in a minute.');
    }
    const who = x.identity;
    if (who.teamId !== teamId) {
      d.log.info({ userId: who.userId, teamId: who.teamId }, 'web sign-in refused: another workspace');
      return refuse(
        res,
        403,
        'Not your workspace',
        `You signed in as ${who.name} of ${who.teamName ?? who.teamId}, but this Kranz serves the Slack workspace ${teamId}. Only people of that workspace can see its incidents.`,
      );
    }
    const s: Session = { userId: who.userId, teamId: who.teamId, name: who.name, exp: d.now() + SESSION_TTL_MS };
    d.log.info({ userId: who.userId }, 'web sign-in');
    redirect(res, safeNext(st.next), [clearLogin, cookieHeader(SESSION_COOKIE, sealCookie(d.settings.sessionSecret, 'session', s), { maxAgeMs: SESSION_TTL_MS, secure })]);
  }

  function logout(_req: IncomingMessage, res: ServerResponse): void {
    redirect(res, '/signed-out', [cookieHeader(SESSION_COOKIE, '', { maxAgeMs: 0, secure })]);
  }

  return { session, login, callback, logout };
}

export type Auth = ReturnType<typeof createAuth>;
