import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackStandIn } from '../../src/sandbox/slack/index.ts';
import type { KnownBlock, WebClient } from '@slack/web-api';
import type { SlackStandIn } from '../../src/sandbox/slack/index.ts';
import { sandboxClient, slackFailure } from './helpers.ts';

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('Slack stand-in: messages, threads, pins and reactions over WebClient', () => {
  let slack: SlackStandIn;
  let client: WebClient;
  let channel: string;
  // A fixed clock shows ts stay unique and increasing even when time stands still.
  const now = 1_700_000_000_000;

  beforeAll(async () => {
    slack = await startSlackStandIn({
      now: () => now,
      users: [{ id: 'U0ANA', name: 'ana' }],
      channels: [{ id: 'C0OUTSIDE', name: 'outside', members: ['U0ANA'] }],
    });
    client = sandboxClient(slack.apiUrl);
    const created = await client.conversations.create({ name: 'inc-messages' });
    channel = created.channel?.id ?? '';
    await client.conversations.invite({ channel, users: 'U0ANA' });
  });
  afterAll(async () => {
    await slack.close();
  });

  it('posts with unique increasing ts in Slack format, then updates', async () => {
    const a = await client.chat.postMessage({ channel, text: 'Incident declared', blocks: [section('*SEV1*')] });
    const b = await client.chat.postMessage({ channel, text: 'second' });
    expect(a.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(a.ts?.startsWith('1700000000.')).toBe(true);
    expect(Number(b.ts) > Number(a.ts)).toBe(true);
    expect(a.message).toMatchObject({ bot_id: 'B0KRANZBOT', user: 'U0KRANZBOT', text: 'Incident declared' });
    // Slack fills in block_id when the app left it out.
    expect((a.message?.blocks?.[0] as { block_id?: string }).block_id).toBeTruthy();

    const upd = await client.chat.update({ channel, ts: a.ts ?? '', text: 'Incident declared (SEV2)' });
    expect(upd).toMatchObject({ ok: true, ts: a.ts, text: 'Incident declared (SEV2)' });
    const stored = slack.workspace.message(channel, a.ts ?? '');
    expect(stored?.text).toBe('Incident declared (SEV2)');
    expect(stored?.edited?.user).toBe('U0KRANZBOT');
    expect(stored?.blocks).toHaveLength(1);
    expect((await slackFailure(client.chat.update({ channel, ts: '1.000001', text: 'x' }))).error).toBe('message_not_found');
  });

  it('keeps threads and message metadata, reads history newest first and replies in order', async () => {
    const parent = await client.chat.postMessage({
      channel,
      text: 'Timeline',
      metadata: { event_type: 'kranz_incident', event_payload: { incident_id: 'INC-7' } },
    });
    const pts = parent.ts ?? '';
    await client.chat.postMessage({ channel, thread_ts: pts, text: 'first reply' });
    const ana = await slack.user('U0ANA').postMessage(channel, 'human reply', { threadTs: pts });
    const replies = await client.conversations.replies({ channel, ts: pts });
    expect((replies.messages ?? []).map((m) => m.text)).toEqual(['Timeline', 'first reply', 'human reply']);
    expect(replies.messages?.[0]).toMatchObject({ reply_count: 2, reply_users: ['U0KRANZBOT', 'U0ANA'], latest_reply: ana.ts });

    const history = await client.conversations.history({ channel, include_all_metadata: true, limit: 3 });
    const texts = (history.messages ?? []).map((m) => m.text);
    expect(texts[0]).toBe('Timeline');
    expect(texts).not.toContain('first reply');
    expect(history.has_more).toBe(true);
    expect(history.messages?.[0]?.metadata).toEqual({ event_type: 'kranz_incident', event_payload: { incident_id: 'INC-7' } });
    const page2 = await client.conversations.history({ channel, limit: 3, cursor: history.response_metadata?.next_cursor });
    expect(page2.messages?.[0]?.ts).not.toBe(history.messages?.[0]?.ts);

    const link = await client.chat.getPermalink({ channel, message_ts: pts });
    expect(link.permalink).toBe(`https://kranz-sandbox.slack.com/archives/${channel}/p${pts.replace('.', '')}`);
    expect((await slackFailure(client.conversations.replies({ channel, ts: '1.000002' }))).error).toBe('thread_not_found');
  });

  it('pins and unpins, with already_pinned and pins.list', async () => {
    const m = await client.chat.postMessage({ channel, text: 'rolled back deploy 4512' });
    const ts = m.ts ?? '';
    await client.pins.add({ channel, timestamp: ts });
    expect((await slackFailure(client.pins.add({ channel, timestamp: ts }))).error).toBe('already_pinned');
    expect((await slackFailure(client.pins.add({ channel, timestamp: '1.000003' }))).error).toBe('message_not_found');
    const pins = await client.pins.list({ channel });
    expect(pins.items).toHaveLength(1);
    expect(pins.items?.[0]).toMatchObject({ type: 'message', created_by: 'U0KRANZBOT', message: { ts, text: 'rolled back deploy 4512' } });
    const hist = await client.conversations.history({ channel, latest: ts, inclusive: true, limit: 1 });
    expect((hist.messages?.[0] as { pinned_to?: string[] } | undefined)?.pinned_to).toEqual([channel]);
    await client.pins.remove({ channel, timestamp: ts });
    expect((await slackFailure(client.pins.remove({ channel, timestamp: ts }))).error).toBe('not_pinned');
  });

  it('adds reactions, rejecting duplicates and colon-wrapped names', async () => {
    const m = await client.chat.postMessage({ channel, text: 'react to me' });
    const ts = m.ts ?? '';
    await client.reactions.add({ channel, timestamp: ts, name: 'eyes' });
    expect((await slackFailure(client.reactions.add({ channel, timestamp: ts, name: 'eyes' }))).error).toBe('already_reacted');
    expect((await slackFailure(client.reactions.add({ channel, timestamp: ts, name: ':eyes:' }))).error).toBe('invalid_name');
    await slack.user('U0ANA').react(channel, ts, 'eyes');
    expect(slack.workspace.message(channel, ts)?.reactions).toEqual([{ name: 'eyes', users: ['U0KRANZBOT', 'U0ANA'] }]);
  });

  it('deletes only its own messages', async () => {
    const m = await client.chat.postMessage({ channel, text: 'oops' });
    await client.chat.delete({ channel, ts: m.ts ?? '' });
    expect(slack.workspace.message(channel, m.ts ?? '')).toBeUndefined();
    const human = await slack.user('U0ANA').postMessage(channel, 'mine');
    expect((await slackFailure(client.chat.delete({ channel, ts: human.ts }))).error).toBe('cant_delete_message');
  });

  it('rejects posts the way Slack does', async () => {
    expect((await slackFailure(client.chat.postMessage({ channel: 'C0OUTSIDE', text: 'hi' }))).error).toBe('not_in_channel');
    expect((await slackFailure(client.chat.postMessage({ channel: 'C0NOPE', text: 'hi' }))).error).toBe('channel_not_found');
    expect((await slackFailure(client.chat.postMessage({ channel, text: '' }))).error).toBe('no_text');
    expect((await slackFailure(client.chat.postMessage({ channel, text: 'x'.repeat(40_001) }))).error).toBe('msg_too_long');
    const ok = await client.chat.postMessage({ channel, text: 'x'.repeat(40_000) });
    expect(ok.ok).toBe(true);
  });

  it('enforces Block Kit limits: 50 blocks, 3,000-character section text', async () => {
    const fifty = Array.from({ length: 50 }, (_, i) => section(`line ${i}`));
    expect((await client.chat.postMessage({ channel, text: 'fifty', blocks: fifty })).ok).toBe(true);

    const tooMany = await slackFailure(client.chat.postMessage({ channel, text: 'x', blocks: [...fifty, section('one more')] }));
    expect(tooMany).toEqual({ error: 'invalid_blocks', messages: ['[ERROR] must be less than 51 items [json-pointer:/blocks]'] });

    expect((await client.chat.postMessage({ channel, text: 'x', blocks: [section('a'.repeat(3000))] })).ok).toBe(true);
    const tooLong = await slackFailure(client.chat.postMessage({ channel, text: 'x', blocks: [section('a'.repeat(3001))] }));
    expect(tooLong).toEqual({
      error: 'invalid_blocks',
      messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
    });

    const m = await client.chat.postMessage({ channel, text: 'to update' });
    const upd = await slackFailure(client.chat.update({ channel, ts: m.ts ?? '', text: 'x', blocks: [...fifty, section('51')] }));
    expect(upd.error).toBe('invalid_blocks');
    const badJson = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-sandbox-token', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ channel, text: 'x', blocks: '[{not json' }).toString(),
    });
    expect(await badJson.json()).toEqual({ ok: false, error: 'invalid_blocks_format' });
  });

  it('records ephemeral messages for the user who saw them', async () => {
    const res = await client.chat.postEphemeral({ channel, user: 'U0ANA', text: 'only you can see this' });
    expect(res.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(slack.workspace.ephemerals.at(-1)).toMatchObject({
      source: 'chat.postEphemeral',
      channel,
      user: 'U0ANA',
      text: 'only you can see this',
    });
    expect((await slackFailure(client.chat.postEphemeral({ channel: 'C0OUTSIDE', user: 'U0ANA', text: 'x' }))).error).toBe(
      'not_in_channel',
    );
    const other = await client.conversations.create({ name: 'inc-nobody' });
    expect((await slackFailure(client.chat.postEphemeral({ channel: other.channel?.id ?? '', user: 'U0ANA', text: 'x' }))).error).toBe(
      'user_not_in_channel',
    );
  });

  it('adds link bookmarks to channels', async () => {
    const res = await client.bookmarks.add({ channel_id: channel, title: 'Runbook', type: 'link', link: 'https://runbooks.acme.io/checkout' });
    expect(res.bookmark).toMatchObject({ title: 'Runbook', link: 'https://runbooks.acme.io/checkout', channel_id: channel });
    expect((await slackFailure(client.bookmarks.add({ channel_id: channel, title: 'x', type: 'link', link: 'nope' }))).error).toBe(
      'invalid_link',
    );
    const listed = await client.bookmarks.list({ channel_id: channel });
    expect(listed.bookmarks).toHaveLength(1);
  });
});
