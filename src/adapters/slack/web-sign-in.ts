/**
 * The web view's Slack side: Sign in with Slack (`openid.connect.token` and
 * `openid.connect.userInfo` under SLACK_API_URL), the bot's workspace
 * (`auth.test`), and channel membership (`conversations.members`, cached
 * briefly so a page view does not cost a Slack call per private incident).
 */
import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import type { CodeExchange, SlackDirectory, SlackSignIn } from '../../app/web-ports.ts';
import { slackErrorCode } from './errors.ts';
import { cachedLookup, listChannelMembers } from './member-lists.ts';

const quiet: Logger = {
  debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined,
  setLevel: () => undefined, getLevel: () => LogLevel.ERROR, setName: () => undefined,
};

const clientOptions = (apiUrl: string) => ({ slackApiUrl: apiUrl, retryConfig: { retries: 1, minTimeout: 100, maxTimeout: 500 }, timeout: 5_000, logger: quiet, logLevel: LogLevel.ERROR });

/**
 * Slack's authorize URL: SLACK_API_URL with its trailing `api/` replaced by
 * `openid/connect/authorize` (`https://slack.com/api/` → `https://slack.com/openid/connect/authorize`).
 */
export function authorizeUrlFor(apiUrl: string): string {
  const base = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  return `${base.replace(/api\/$/, '')}openid/connect/authorize`;
}

/**
 * The claims of an ID token. Its signature is not checked: the token comes
 * straight from Slack's token endpoint over the TLS connection Kranz opened,
 * which OpenID Connect Core (3.1.3.7) accepts in place of the signature.
 */
export function idTokenClaims(idToken: string): Record<string, unknown> | undefined {
  const part = idToken.split('.')[1];
  if (!part) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function slackSignIn(o: { apiUrl: string; clientId: string; clientSecret: string }): SlackSignIn {
  const client = new WebClient(undefined, clientOptions(o.apiUrl));
  return {
    authorizeUrl: authorizeUrlFor(o.apiUrl),
    async exchange(code, redirectUri): Promise<CodeExchange> {
      try {
        const t = await client.openid.connect.token({ client_id: o.clientId, client_secret: o.clientSecret, code, redirect_uri: redirectUri, grant_type: 'authorization_code' });
        const claims = t.id_token ? idTokenClaims(t.id_token) : undefined;
        if (!t.access_token || !claims) return { ok: false, error: 'Slack answered the code exchange without a usable ID token' };
        const info = await client.openid.connect.userInfo({ token: t.access_token });
        const userId = text(info['https://slack.com/user_id']) ?? text(info.sub);
        const teamId = text(info['https://slack.com/team_id']);
        if (!userId || !teamId) return { ok: false, error: 'Slack did not say who signed in (no user or team id)' };
        const teamName = text(info['https://slack.com/team_name']);
        const email = text(info.email);
        return {
          ok: true,
          identity: { userId, teamId, name: text(info.name) ?? userId, ...(teamName ? { teamName } : {}), ...(email ? { email } : {}) },
          nonce: text(claims['nonce']),
          audience: Array.isArray(claims['aud']) ? String(claims['aud'][0] ?? '') : String(claims['aud'] ?? ''),
          expiresAtMs: typeof claims['exp'] === 'number' ? claims['exp'] * 1000 : 0,
        };
      } catch (e) {
        return { ok: false, error: `Slack refused the sign-in: ${slackErrorCode(e) || (e instanceof Error ? e.message : String(e))}` };
      }
    },
  };
}

/** How long a channel's member list is trusted: someone removed from a channel loses access within this. */
export const MEMBERS_TTL_MS = 60_000;

export function slackDirectory(o: { botToken: string; apiUrl: string; ttlMs?: number; now?: () => number }): SlackDirectory {
  const client = new WebClient(o.botToken, clientOptions(o.apiUrl));
  const now = o.now ?? Date.now;
  const ttl = o.ttlMs ?? MEMBERS_TTL_MS;
  let team: Promise<string> | undefined;
  const channelMembers = cachedLookup(ttl, now, (channel) => listChannelMembers(client, channel));
  return {
    botTeamId() {
      team ??= client.auth.test().then((r) => {
        if (!r.team_id) throw new Error('auth.test answered without a team_id');
        return r.team_id;
      });
      team.catch(() => {
        team = undefined;
      });
      return team;
    },
    channelMembers,
  };
}
