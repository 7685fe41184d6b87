/**
 * Doctor checks against Slack: the bot token (`auth.test`), the scopes it was
 * granted against manifest.yml's, every channel the policy names, and every
 * user group the permissions name (Kranz must be able to list its members).
 */
import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import type { EnvConfig } from '../config/env.ts';
import { isUserGroupId } from '../domain/permissions.ts';
import { permissionsPolicy, type Policy } from '../domain/policy.ts';
import { manifestBotScopes } from '../adapters/slack/manifest.ts';
import { slackErrorCode } from '../adapters/slack/errors.ts';
import { CheckTimeout, fail, pass, withTimeout, type CheckResult } from './check.ts';

/** Slack answers meaning "this token will never work", as opposed to "Slack is unreachable". */
const BAD_TOKEN = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type', 'team_access_not_granted']);

const TOKEN_FIX = 'copy the Bot User OAuth Token (xoxb-…) from your Slack app\'s "OAuth & Permissions" page into SLACK_BOT_TOKEN (reinstall the app if it was revoked)';

// Doctor prints its own lines; WebClient's console logging would interleave with them.
const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** One configured channel: where in the policy it comes from, and its id. */
export interface ConfiguredChannel {
  /** e.g. `announcements channel`, `Acme Corp's customer channel`. */
  role: string;
  /** The policy key, for the fix text, e.g. `customers[0].slack_channel`. */
  key: string;
  id: string;
}

/** Every Slack channel the policy names. */
export function configuredChannels(policy: Policy): ConfiguredChannel[] {
  const out: ConfiguredChannel[] = [];
  if (policy.announcementsChannel) out.push({ role: 'announcements channel', key: 'announcements_channel', id: policy.announcementsChannel });
  if (policy.stakeholderChannel) out.push({ role: 'stakeholder channel', key: 'stakeholder_channel', id: policy.stakeholderChannel });
  policy.customers.forEach((c, i) => {
    if (c.slackChannel) out.push({ role: `${c.name}'s customer channel`, key: `customers[${i}].slack_channel`, id: c.slackChannel });
  });
  return out;
}

/** Every Slack user group the permissions name, with the first key that names it. */
export function configuredUserGroups(policy: Policy): { key: string; id: string }[] {
  const p = permissionsPolicy(policy);
  const out = new Map<string, string>();
  p.admins.forEach((id, i) => {
    if (isUserGroupId(id) && !out.has(id)) out.set(id, `permissions.admins[${i}]`);
  });
  for (const [action, rule] of Object.entries(p.allow)) {
    rule.forEach((e, i) => {
      if (isUserGroupId(e) && !out.has(e)) out.set(e, `permissions.allow.${action}[${i}]`);
    });
  }
  return [...out].map(([id, key]) => ({ id, key }));
}

/** What the Slack checks need. */
export interface SlackCheckOptions {
  callMs: number;
  /** The scopes the bot must have; default manifest.yml's bot scopes. */
  requiredScopes?: readonly string[];
}

/**
 * Runs the Slack checks. When the token is missing or refused, the channel and
 * scope checks are left out: each would only repeat the token failure.
 */
export async function slackChecks(env: EnvConfig, policy: Policy, opts: SlackCheckOptions): Promise<CheckResult[]> {
  const what = 'Slack bot token';
  const { botToken, apiUrl } = env.slack;
  if (!botToken) {
    return [fail(what, 'SLACK_BOT_TOKEN is not set', TOKEN_FIX, { fatal: true })];
  }
  const client = new WebClient(botToken, {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: opts.callMs,
    logger: quiet,
    logLevel: LogLevel.ERROR,
  });
  let auth: Awaited<ReturnType<WebClient['auth']['test']>>;
  try {
    auth = await withTimeout(client.auth.test(), opts.callMs);
  } catch (e) {
    return [tokenFailure(what, e, apiUrl)];
  }
  const bot = auth.user ? `@${auth.user}` : '@Kranz';
  const results: CheckResult[] = [
    pass(`Slack bot token valid: ${bot} (${auth.user_id ?? '?'}) in workspace ${auth.team ?? '?'} (${auth.team_id ?? '?'})`),
    scopeCheck(auth.response_metadata?.scopes, opts.requiredScopes ?? manifestBotScopes(), apiUrl),
  ];
  const channels = configuredChannels(policy);
  results.push(...(await Promise.all(channels.map((c) => channelCheck(client, c, bot, env.configPath, opts.callMs)))));
  results.push(...(await Promise.all(configuredUserGroups(policy).map((g) => userGroupCheck(client, g, env.configPath, opts.callMs)))));
  return results;
}

function tokenFailure(what: string, e: unknown, apiUrl: string): CheckResult {
  if (e instanceof CheckTimeout) {
    return fail(what, `Slack at ${apiUrl} did not answer auth.test: ${e.message}`, 'check SLACK_API_URL and that this host can reach Slack (proxy, firewall)');
  }
  const code = slackErrorCode(e);
  if ((e as { code?: string }).code === 'slack_webapi_platform_error' && BAD_TOKEN.has(code)) {
    return fail(what, `Slack refused the token (${code})`, TOKEN_FIX, { fatal: true });
  }
  return fail(what, `auth.test at ${apiUrl} failed: ${code}`, 'check SLACK_API_URL and that this host can reach Slack (proxy, firewall); then run kranz doctor again');
}

/**
 * Slack reports the scopes a token holds in the `x-oauth-scopes` header of
 * every Web API answer; WebClient surfaces it as `response_metadata.scopes`.
 */
function scopeCheck(granted: string[] | undefined, required: readonly string[], apiUrl: string): CheckResult {
  const what = 'Slack bot scopes';
  if (granted === undefined) {
    // Real Slack always sends the header; a stand-in or proxy may not, and guessing either way would mislead.
    return pass(`${what}: not compared with manifest.yml (Slack at ${apiUrl} sent no x-oauth-scopes header)`);
  }
  const have = new Set(granted);
  const missing = required.filter((s) => !have.has(s));
  if (missing.length === 0) return pass(`${what} cover manifest.yml (${required.length} scopes)`);
  return fail(
    what,
    `the bot token lacks ${missing.length === 1 ? 'scope' : 'scopes'} ${missing.join(', ')} that manifest.yml asks for`,
    'add them on your Slack app\'s "OAuth & Permissions" page (or update the app from `kranz manifest --url <your URL>`), then reinstall the app to the workspace',
  );
}

async function channelCheck(client: WebClient, c: ConfiguredChannel, bot: string, configPath: string | undefined, callMs: number): Promise<CheckResult> {
  const what = `${c.role} ${c.id}`;
  const where = configPath ?? 'the policy file (KRANZ_CONFIG)';
  let channel: { name?: string; is_member?: boolean; is_archived?: boolean } | undefined;
  try {
    channel = (await withTimeout(client.conversations.info({ channel: c.id }), callMs)).channel;
  } catch (e) {
    if (e instanceof CheckTimeout) return fail(what, `conversations.info ${e.message}`, 'check that this host can reach Slack, then run kranz doctor again');
    const code = slackErrorCode(e);
    if (code === 'channel_not_found') {
      return fail(
        what,
        'no such channel (or a private channel the bot is not in)',
        `check ${c.key} in ${where} (the channel id is at the bottom of the channel's details); for a private channel, /invite ${bot} first`,
      );
    }
    return fail(what, `conversations.info failed: ${code}`, 'see the Slack error above; run kranz doctor again once fixed');
  }
  const name = channel?.name ? `#${channel.name}` : c.id;
  const label = `${c.role} ${name} (${c.id})`;
  if (channel?.is_archived) return fail(label, `${name} is archived`, `unarchive ${name} or point ${c.key} in ${where} at another channel`);
  if (!channel?.is_member) return fail(label, `bot is not in ${name}`, `/invite ${bot} in ${name}`);
  return pass(`${label}: bot is a member`);
}

/** A user group the permissions name must exist and be listable: else its members are refused (fail closed). */
async function userGroupCheck(client: WebClient, g: { key: string; id: string }, configPath: string | undefined, callMs: number): Promise<CheckResult> {
  const what = `user group ${g.id} (${g.key})`;
  const where = configPath ?? 'the policy file (KRANZ_CONFIG)';
  try {
    const r = await withTimeout(client.usergroups.users.list({ usergroup: g.id }), callMs);
    const n = r.users?.length ?? 0;
    if (n === 0) return fail(what, 'has no members (or is disabled): the permission it grants reaches nobody', `add people to the group in Slack, or remove it from ${g.key} in ${where}`);
    return pass(`${what}: ${n} ${n === 1 ? 'member' : 'members'}`);
  } catch (e) {
    if (e instanceof CheckTimeout) return fail(what, `usergroups.users.list ${e.message}`, 'check that this host can reach Slack, then run kranz doctor again');
    const code = slackErrorCode(e);
    if (code === 'no_such_subteam') return fail(what, 'no such user group', `check ${g.key} in ${where} (a user group's id starts with S; it is in the group's URL in Slack)`);
    if (code === 'missing_scope') return fail(what, 'the bot token lacks usergroups:read', 'add usergroups:read on your Slack app\'s "OAuth & Permissions" page (or update the app from `kranz manifest --url <your URL>`), then reinstall the app');
    return fail(what, `usergroups.users.list failed: ${code}`, 'see the Slack error above; run kranz doctor again once fixed');
  }
}
