/**
 * chat.* methods: postMessage, update, postEphemeral, getPermalink, delete.
 */
import { isDerivedRichText, messageBlocks, richTextBlocks } from '../blocks.ts';
import { messageJson, permalink } from '../serialize.ts';
import { MAX_MESSAGE_TEXT, SlackMethodError, bool, json, str } from '../validation.ts';
import { channelArg, messageAt, requireActive, requireMember } from './context.ts';
import type { MethodContext, MethodHandler } from './context.ts';
import type { ChannelRecord, MessageRecord } from '../types.ts';
import type { Args } from '../validation.ts';

/** Text, blocks, attachments and metadata of a message call, checked as Slack checks them. */
interface Content {
  text: string | undefined;
  blocks: Record<string, unknown>[] | undefined;
  attachments: unknown[] | undefined;
  metadata: MessageRecord['metadata'];
}

function content(ctx: MethodContext, args: Args): Content {
  const markdown = str(args, 'markdown_text');
  const text = str(args, 'text') ?? markdown;
  const blocks = messageBlocks(args, ctx.ws.ids);
  if (markdown !== undefined && (str(args, 'text') !== undefined || blocks !== undefined)) {
    throw new SlackMethodError('markdown_text_conflict');
  }
  const rawAttachments = json(args, 'attachments', 'invalid_attachments');
  if (rawAttachments !== undefined && !Array.isArray(rawAttachments)) throw new SlackMethodError('invalid_attachments');
  const attachments = rawAttachments as unknown[] | undefined;
  if ((text === undefined || text === '') && !blocks?.length && !attachments?.length) {
    throw new SlackMethodError('no_text');
  }
  if (text !== undefined && [...text].length > MAX_MESSAGE_TEXT) throw new SlackMethodError('msg_too_long');
  const meta = json(args, 'metadata', 'invalid_metadata_format');
  let metadata: MessageRecord['metadata'];
  if (meta !== undefined) {
    const m = meta as Record<string, unknown>;
    if (typeof meta !== 'object' || meta === null || typeof m.event_type !== 'string' || typeof m.event_payload !== 'object') {
      throw new SlackMethodError('invalid_metadata_schema');
    }
    metadata = { event_type: m.event_type, event_payload: m.event_payload };
  }
  return { text, blocks, attachments, metadata };
}

/**
 * Where chat.postMessage goes: a channel id or name, an IM id, or a user id
 * (which opens the bot's IM with that user, as Slack does).
 */
function postTarget(ctx: MethodContext, args: Args): ChannelRecord {
  const ref = str(args, 'channel') ?? '';
  const user = ctx.ws.users.get(ref);
  if (user && !user.is_bot) return ctx.ws.openIm(user.id).channel;
  const ch = ref === '' ? undefined : ctx.ws.resolveChannel(ref);
  if (!ch) throw new SlackMethodError('channel_not_found');
  return channelArg(ctx, { channel: ch.id });
}

const postMessage: MethodHandler = (ctx, args) => {
  const ch = postTarget(ctx, args);
  requireActive(ch);
  requireMember(ctx, ch);
  const c = content(ctx, args);
  const m = ctx.ws.addMessage({
    channel: ch.id,
    user: ctx.config.botUserId,
    bot_id: ctx.config.botId,
    text: c.text ?? '',
    blocks: c.blocks ?? (c.attachments ? undefined : richTextBlocks(c.text ?? '', ctx.ws.ids)),
    attachments: c.attachments,
    metadata: c.metadata,
    thread_ts: str(args, 'thread_ts') || undefined,
    reply_broadcast: bool(args, 'reply_broadcast') ?? false,
    subtype: (bool(args, 'reply_broadcast') ?? false) ? 'thread_broadcast' : undefined,
  });
  if (m.thread_ts === undefined) m.reply_broadcast = false;
  if (m.thread_ts === undefined && m.subtype === 'thread_broadcast') m.subtype = undefined;
  ctx.events.emitMessage(m);
  return { channel: ch.id, ts: m.ts, message: messageJson(ctx.ws, m, { metadata: true }) };
};

const update: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args);
  const m = messageAt(ctx, ch, str(args, 'ts'));
  if (m.bot_id !== ctx.config.botId) throw new SlackMethodError('cant_update_message');
  const c = content(ctx, args);
  const previous = messageJson(ctx.ws, m);
  // Blocks Slack derived from the old text follow the new text; app blocks stay unless replaced.
  if (c.blocks === undefined && c.text !== undefined && isDerivedRichText(m.blocks, m.text)) {
    m.blocks = richTextBlocks(c.text, ctx.ws.ids);
  }
  if (c.text !== undefined) m.text = c.text;
  if (c.blocks !== undefined) m.blocks = c.blocks;
  if (c.attachments !== undefined) m.attachments = c.attachments;
  if (c.metadata !== undefined) m.metadata = c.metadata;
  m.edited = { user: ctx.config.botUserId, ts: ctx.ws.ids.ts() };
  ctx.events.emitChanged(m, previous);
  return { channel: ch.id, ts: m.ts, text: m.text, message: messageJson(ctx.ws, m, { metadata: true }) };
};

const postEphemeral: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args);
  requireActive(ch);
  requireMember(ctx, ch);
  const user = str(args, 'user') ?? '';
  if (!ch.members.has(user)) throw new SlackMethodError('user_not_in_channel');
  const c = content(ctx, args);
  const ts = ctx.ws.ids.ts();
  ctx.ws.ephemerals.push({
    source: 'chat.postEphemeral',
    channel: ch.id,
    user,
    text: c.text ?? '',
    blocks: c.blocks,
    thread_ts: str(args, 'thread_ts') || undefined,
    ts,
  });
  return { message_ts: ts };
};

const getPermalink: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args);
  const m = messageAt(ctx, ch, str(args, 'message_ts'));
  return { channel: ch.id, permalink: permalink(ctx.config, ch.id, m.ts, m.thread_ts) };
};

const remove: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args);
  const m = messageAt(ctx, ch, str(args, 'ts'));
  if (m.bot_id !== ctx.config.botId) throw new SlackMethodError('cant_delete_message');
  const previous = messageJson(ctx.ws, m);
  ctx.ws.removeMessage(ch.id, m.ts);
  ctx.events.emitDeleted(ch.id, previous);
  return { channel: ch.id, ts: m.ts };
};

/** Handlers by method name. */
export const chatMethods: Record<string, MethodHandler> = {
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'chat.getPermalink': getPermalink,
  'chat.delete': remove,
};
