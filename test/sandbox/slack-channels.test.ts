import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogLevel, WebClient } from '@slack/web-api';
import { startSlackStandIn } from '../../src/sandbox/slack/index.ts';
import type { SlackStandIn } from '../../src/sandbox/slack/index.ts';
import { sandboxClient, slackError } from './helpers.ts';

describe('Slack stand-in: channels, users and auth over WebClient', () => {
  let slack: SlackStandIn;
  let client: WebClient;

  beforeAll(async () => {
    slack = await startSlackStandIn({
      users: [
        { id: 'U0ANA', name: 'ana', real_name: 'Ana Lima', email: 'ana@acme.io' },
        { id: 'U0BEN', name: 'ben', email: 'Ben@Acme.io' },
      ],
      channels: [
        { id: 'C0GENERAL', name: 'general', members: ['U0ANA', 'U0BEN'], is_general: true, botIsMember: true },
        { id: 'C0RANDOM', name: 'random', members: ['U0ANA'] },
        { id: 'C0SECRET', name: 'secret', is_private: true, members: ['U0ANA'] },
      ],
    });
    client = sandboxClient(slack.apiUrl);
  });
  afterAll(async () => {
    await slack.close();
  });

  it('answers auth.test and team.info with the bot identity', async () => {
    const auth = await client.auth.test();
    expect(auth).toMatchObject({ ok: true, user_id: 'U0KRANZBOT', bot_id: 'B0KRANZBOT', team_id: 'T0KRANZ01' });
    const team = await client.team.info();
    expect(team.team?.domain).toBe('kranz-sandbox');
    expect(slack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('requires the bearer token', async () => {
    const anonymous = new WebClient(undefined, { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR });
    expect(await slackError(anonymous.auth.test())).toBe('not_authed');
    const wrong = new WebClient('xoxb-wrong', { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR });
    expect(await slackError(wrong.auth.test())).toBe('invalid_auth');
  });

  it('refuses unknown methods and absent required arguments like Slack', async () => {
    expect(await slackError(client.apiCall('conversations.frobnicate'))).toBe('unknown_method');
    const err = await client.apiCall('conversations.info', {}).catch((e: { data: Record<string, unknown> }) => e.data);
    expect(err).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] missing required field: channel'] },
    });
    // Present but empty resolves to the lookup error instead.
    expect(await slackError(client.conversations.info({ channel: '' }))).toBe('channel_not_found');
    // conversations.create documents missing_argument, so that is what it answers.
    expect(await slackError(client.apiCall('conversations.create', {}))).toBe('missing_argument');
  });

  it('creates channels and enforces Slack channel-name rules', async () => {
    const created = await client.conversations.create({ name: 'inc-2024-checkout_errors' });
    expect(created.channel).toMatchObject({ name: 'inc-2024-checkout_errors', is_private: false, is_member: true });
    expect(created.channel?.id).toMatch(/^C/);
    const priv = await client.conversations.create({ name: 'inc-private', is_private: true });
    expect(priv.channel?.is_private).toBe(true);

    expect(await slackError(client.conversations.create({ name: 'Inc-Upper' }))).toBe('invalid_name_specials');
    expect(await slackError(client.conversations.create({ name: 'inc checkout' }))).toBe('invalid_name_specials');
    expect(await slackError(client.conversations.create({ name: 'inc.dots' }))).toBe('invalid_name_specials');
    expect(await slackError(client.conversations.create({ name: 'a'.repeat(81) }))).toBe('invalid_name_maxlength');
    expect(await slackError(client.conversations.create({ name: '' }))).toBe('invalid_name_required');
    expect(await slackError(client.conversations.create({ name: '---' }))).toBe('invalid_name_punctuation');
    expect(await slackError(client.conversations.create({ name: 'inc-2024-checkout_errors' }))).toBe('name_taken');
    expect(await slackError(client.conversations.create({ name: 'general' }))).toBe('name_taken');
    const ok80 = await client.conversations.create({ name: 'b'.repeat(80) });
    expect(ok80.ok).toBe(true);
  });

  it('invites, sets topic and purpose, renames and archives', async () => {
    const { channel } = await client.conversations.create({ name: 'inc-lifecycle' });
    const id = channel?.id ?? '';
    await client.conversations.invite({ channel: id, users: 'U0ANA,U0BEN' });
    expect(await slackError(client.conversations.invite({ channel: id, users: 'U0ANA' }))).toBe('already_in_channel');
    expect(await slackError(client.conversations.invite({ channel: id, users: 'U0NOBODY' }))).toBe('user_not_found');
    const members = await client.conversations.members({ channel: id });
    expect(members.members).toEqual(['U0KRANZBOT', 'U0ANA', 'U0BEN']);

    await client.conversations.setTopic({ channel: id, topic: 'SEV1 | IC: <@U0ANA>' });
    await client.conversations.setPurpose({ channel: id, purpose: 'Checkout errors' });
    expect(await slackError(client.conversations.setTopic({ channel: id, topic: 'x'.repeat(251) }))).toBe('too_long');
    const info = await client.conversations.info({ channel: id, include_num_members: true });
    expect(info.channel).toMatchObject({
      topic: { value: 'SEV1 | IC: <@U0ANA>', creator: 'U0KRANZBOT' },
      purpose: { value: 'Checkout errors' },
      num_members: 3,
    });

    const renamed = await client.conversations.rename({ channel: id, name: 'inc-lifecycle-resolved' });
    expect(renamed.channel).toMatchObject({ name: 'inc-lifecycle-resolved', previous_names: ['inc-lifecycle'] });

    // Slack's own channel messages show up in history, as in a real workspace.
    const history = await client.conversations.history({ channel: id });
    const subtypes = (history.messages ?? []).map((m) => m.subtype);
    expect(subtypes).toEqual(
      expect.arrayContaining(['channel_join', 'channel_topic', 'channel_purpose', 'channel_name']),
    );

    await client.conversations.archive({ channel: id });
    expect(await slackError(client.conversations.archive({ channel: id }))).toBe('already_archived');
    expect(await slackError(client.chat.postMessage({ channel: id, text: 'late' }))).toBe('is_archived');
    expect(await slackError(client.conversations.invite({ channel: id, users: 'U0ANA' }))).toBe('is_archived');
    expect(slack.workspace.channels.get(id)?.is_archived).toBe(true);
  });

  it('hides private channels the bot is not in and needs membership to manage', async () => {
    expect(await slackError(client.conversations.info({ channel: 'C0SECRET' }))).toBe('channel_not_found');
    expect(await slackError(client.conversations.setTopic({ channel: 'C0RANDOM', topic: 't' }))).toBe('not_in_channel');
    expect(await slackError(client.conversations.history({ channel: 'C0RANDOM' }))).toBe('not_in_channel');
    expect(await slackError(client.conversations.join({ channel: 'C0SECRET' }))).toBe('channel_not_found');
    const joined = await client.conversations.join({ channel: 'C0RANDOM' });
    expect(joined.channel?.is_member).toBe(true);
    const again = await client.conversations.join({ channel: 'C0RANDOM' });
    expect(again.warning).toBe('already_in_channel');
    const list = await client.conversations.list({ types: 'public_channel,private_channel' });
    const names = (list.channels ?? []).map((c) => c.name);
    expect(names).toContain('random');
    expect(names).not.toContain('secret');
  });

  it('looks users up, by id and by email, case-insensitively', async () => {
    const byEmail = await client.users.lookupByEmail({ email: 'ben@acme.io' });
    expect(byEmail.user?.id).toBe('U0BEN');
    expect(byEmail.user?.profile?.email).toBe('Ben@Acme.io');
    expect(await slackError(client.users.lookupByEmail({ email: 'nobody@acme.io' }))).toBe('users_not_found');
    const info = await client.users.info({ user: 'U0ANA' });
    expect(info.user?.real_name).toBe('Ana Lima');
    expect(await slackError(client.users.info({ user: 'U0NOPE' }))).toBe('user_not_found');
    const all = await client.users.list({});
    expect((all.members ?? []).map((m) => m.id)).toEqual(['U0KRANZBOT', 'U0ANA', 'U0BEN']);
  });

  it('opens IMs, and chat.postMessage to a user id lands in the IM', async () => {
    const opened = await client.conversations.open({ users: 'U0ANA' });
    const im = opened.channel?.id ?? '';
    expect(im).toMatch(/^D/);
    const again = await client.conversations.open({ users: 'U0ANA' });
    expect(again).toMatchObject({ already_open: true, channel: { id: im } });
    const posted = await client.chat.postMessage({ channel: 'U0BEN', text: 'you are the IC' });
    const imBen = posted.channel ?? '';
    expect(imBen).toMatch(/^D/);
    expect(slack.workspace.channels.get(imBen)?.imUser).toBe('U0BEN');
    expect(slack.workspace.history(imBen).map((m) => m.text)).toEqual(['you are the IC']);
  });

  it('accepts JSON bodies as well as form bodies', async () => {
    const res = await fetch(`${slack.apiUrl}conversations.create`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-sandbox-token', 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ name: 'inc-json', is_private: true }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; channel: { is_private: boolean } };
    expect(body).toMatchObject({ ok: true, channel: { is_private: true } });
    const bad = await fetch(`${slack.apiUrl}auth.test`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-sandbox-token', 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(await bad.json()).toEqual({ ok: false, error: 'invalid_json' });
  });

  it('logs every call with its method, arguments (no token) and outcome, in order', () => {
    const creates = slack.workspace.callsTo('conversations.create');
    expect(creates.length).toBeGreaterThan(5);
    expect(creates[0]?.args).toEqual({});
    expect(creates[0]?.error).toBe('missing_argument');
    expect(creates[1]?.args).toMatchObject({ name: 'inc-2024-checkout_errors' });
    expect(creates[1]?.ok).toBe(true);
    expect(creates.every((c) => !('token' in c.args))).toBe(true);
    expect(creates.find((c) => c.error === 'name_taken')).toBeDefined();
    const seqs = slack.workspace.calls.map((c) => c.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });
});
