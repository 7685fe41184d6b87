/**
 * Events API: the channel log, 📌 reactions and pins into the timeline, edits
 * and deletions of flagged messages, members joining. Kranz's own messages
 * are ignored (Bolt's ignoreSelf, plus the bot_id check for other bots' echoes
 * of ours).
 */
import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { applyCommand } from '../../../app/apply-command.ts';
import { flagMessage, recordDeletion, recordEdit, recordMessage } from '../../../app/capture-timeline.ts';
import { asSlackChannelId, asSlackUserId, type SlackUserId } from '../../../domain/ids.ts';
import { slackTsToDate } from '../ts.ts';
import type { SlackListenerDeps } from './context.ts';

type AnyMessage = {
  subtype?: string; channel: string; ts: string; user?: string; text?: string; thread_ts?: string; bot_id?: string;
  message?: { ts: string; text?: string; user?: string; bot_id?: string; edited?: { user?: string } };
  previous_message?: { ts: string; text?: string };
  deleted_ts?: string;
};

const PIN_REACTIONS = new Set(['pushpin', 'round_pushpin']);

export function registerEvents(app: App, deps: SlackListenerDeps): void {
  app.event('message', async ({ event, body }) => {
    const m = event as unknown as AnyMessage;
    const key = `slack:event:${(body as { event_id?: string }).event_id ?? `${m.channel}:${m.ts}`}`;
    if (m.subtype === 'message_changed' && m.message) {
      if (m.message.bot_id) return;
      const editor = m.message.edited?.user ?? m.message.user;
      await recordEdit(deps.app, asSlackChannelId(m.channel), m.message.ts, m.message.text ?? '', editor ? asSlackUserId(editor) : undefined, key);
      return;
    }
    if (m.subtype === 'message_deleted') {
      const ts = m.deleted_ts ?? m.previous_message?.ts;
      if (ts) await recordDeletion(deps.app, asSlackChannelId(m.channel), ts, key);
      return;
    }
    if (m.bot_id || (m.subtype && !['thread_broadcast', 'file_share', 'me_message'].includes(m.subtype))) return;
    await recordMessage(deps.app, { channelId: m.channel, ts: m.ts, text: m.text ?? '', ...(m.user ? { userId: m.user } : {}), ...(m.thread_ts ? { threadTs: m.thread_ts } : {}) });
  });

  app.event('reaction_added', async ({ event, client }) => {
    if (!PIN_REACTIONS.has(event.reaction) || event.item.type !== 'message') return;
    const { channel, ts } = event.item;
    await flagMessage(deps.app, { channelId: asSlackChannelId(channel), ts, sentAt: slackTsToDate(ts), ...(await lookup(client, channel, ts)) }, 'reaction', asSlackUserId(event.user));
  });

  app.event('pin_added', async ({ event, client }) => {
    const item = (event as unknown as { item?: { type?: string; message?: { ts: string; text?: string; user?: string; permalink?: string } }; channel_id: string; user: string }).item;
    const channelId = (event as unknown as { channel_id: string }).channel_id;
    const msg = item?.message;
    if (item?.type !== 'message' || !msg) return;
    const extra = msg.text !== undefined ? { text: msg.text, ...(msg.user ? { authorId: asSlackUserId(msg.user) } : {}), ...(msg.permalink ? { permalink: msg.permalink } : {}) } : await lookup(client, channelId, msg.ts);
    await flagMessage(deps.app, { channelId: asSlackChannelId(channelId), ts: msg.ts, sentAt: slackTsToDate(msg.ts), ...extra }, 'pin', asSlackUserId((event as unknown as { user: string }).user));
  });

  app.event('member_joined_channel', async ({ event, body }) => {
    const channelId = asSlackChannelId(event.channel);
    const userId = asSlackUserId(event.user);
    const o = await applyCommand(deps.app, { channelId }, { type: 'member_joined', userId }, {
      actor: { kind: 'user', userId }, source: { kind: 'slack', channelId },
      idempotencyKey: `slack:event:${(body as { event_id?: string }).event_id ?? `${event.channel}:${event.user}`}`,
    });
  });
}

/** Text, author and permalink of a message Kranz did not see (e.g. from before the incident). */
async function lookup(client: WebClient, channel: string, ts: string): Promise<{ text?: string; authorId?: SlackUserId; permalink?: string }> {
  const out: { text?: string; authorId?: SlackUserId; permalink?: string } = {};
  const h = await client.conversations.history({ channel, latest: ts, inclusive: true, limit: 1 }).catch(() => undefined);
  let m = h?.messages?.find((x) => x.ts === ts);
  if (!m) {
    // A thread reply is not in the channel history; its thread is (the parent always leads).
    const r = await client.conversations.replies({ channel, ts, oldest: ts, inclusive: true, limit: 2 }).catch(() => undefined);
    m = r?.messages?.find((x) => x.ts === ts);
  }
  if (m) {
    if (m.text !== undefined) out.text = m.text;
    if (m.user) out.authorId = asSlackUserId(m.user);
  }
  const p = await client.chat.getPermalink({ channel, message_ts: ts }).catch(() => undefined);
  if (p?.permalink) out.permalink = p.permalink;
  return out;
}

export { lookup as lookupMessage };
